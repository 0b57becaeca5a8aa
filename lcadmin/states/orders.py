"""The "Contrats et commandes" page: one page of contracts, and one page of orders filtered by
status and contract, sorted (both counted and cut by the service)."""

from __future__ import annotations

from dataclasses import asdict

import reflex as rx
from sqlmodel import Session

from lcadmin.domain.permissions import Permission
from lcadmin.services import admin_center
from lcadmin.services.context import RequestContext
from lcadmin.states.base import clip, loads_list, one_of, page_number
from lcadmin.states.service import run

ALL = "all"


class OrdersState(rx.State):
    """The company's contracts and orders, a page of each, as filtered and sorted on screen.

    Contracts are few (a company signs one or two a year) but are paged like the orders all the
    same: one list shape, one pager, and no company is ever too large for the page.
    """

    contracts: list[dict[str, str]] = []
    contracts_page: int = 1
    contracts_total: int = 0
    contracts_pages: int = 1
    contract_numbers: list[str] = []  # every contract, for the orders' contract filter
    orders: list[dict[str, str]] = []
    page: int = 1  # of the orders, from 1
    total: int = 0  # orders the filters let through
    pages: int = 1
    status: str = ALL
    contract: str = ALL
    sort: str = "newest"
    error: str = ""
    loaded: bool = False  # the rows are there (skeleton rows until then)

    @rx.var
    def filtered(self) -> bool:
        """Whether a filter narrows the list (the empty message differs)."""
        return self.status != ALL or self.contract != ALL

    async def _refresh(self, *, contracts: bool = True, orders: bool = True):
        status, sort, contract = self.status, self.sort, "" if self.contract == ALL else self.contract
        page, contracts_page = self.page, self.contracts_page

        def work(session: Session, ctx: RequestContext):
            return (
                (admin_center.list_contracts(session, ctx, page=contracts_page),
                 admin_center.contract_numbers(session, ctx, current_first=True)) if contracts else None,
                admin_center.list_orders(session, ctx, status=status, sort=sort, contract=contract, page=page)
                if orders else None,
            )

        done = await run(self, work, permission=Permission.VIEW_BILLING)
        if not done.ok:
            self.contracts, self.orders, self.contract_numbers = [], [], []
            self.contracts_total = self.total = 0
            return done.event
        contract_rows, order_rows = done.value
        if contract_rows is not None:
            found, self.contract_numbers = contract_rows
            self.contracts = [asdict(row) for row in found]
            self.contracts_total, self.contracts_page, self.contracts_pages = found.total, found.page, found.pages
        if order_rows is not None:
            self.orders = [asdict(row) for row in order_rows]
            self.total, self.page, self.pages = order_rows.total, order_rows.page, order_rows.pages
        return None

    async def _filter(self):
        """A filter or the sort changed: the orders from their first page."""
        self.page = 1
        return await self._refresh(contracts=False)

    @rx.event
    @loads_list
    async def load(self):
        """/admin/contracts loaded: filters reset, first pages."""
        self.status, self.contract, self.sort, self.error = ALL, ALL, "newest", ""
        self.page = self.contracts_page = 1
        return await self._refresh()

    @rx.event
    async def refresh(self):
        """Reload the pages shown, filters kept (in another language)."""
        return await self._refresh()

    @rx.event
    async def set_status(self, value: str):
        """Filter by status."""
        self.status = one_of(value, admin_center.ORDER_FILTERS, ALL)
        return await self._filter()

    @rx.event
    async def set_contract(self, value: str):
        """Only the orders of one contract (a contract's number, or "all")."""
        self.contract = clip(value, 40) or ALL
        return await self._filter()

    @rx.event
    async def set_sort(self, value: str):
        """Sort order."""
        self.sort = one_of(value, admin_center.ORDER_SORTS, "newest")
        return await self._filter()

    @rx.event
    async def next_page(self):
        """"Suivant": the next page of orders (the last one stays the last)."""
        self.page += 1
        return await self._refresh(contracts=False)

    @rx.event
    async def previous_page(self):
        """"Précédent": the previous page of orders (the first one stays the first)."""
        self.page = max(1, self.page - 1)
        return await self._refresh(contracts=False)

    @rx.event
    async def go_to_page(self, page: int):
        """Page ``page`` of the orders (past the end: the last one); anything but a page number is
        ignored."""
        if (number := page_number(page)) is None:
            return None
        self.page = number
        return await self._refresh(contracts=False)

    @rx.event
    async def go_to_contracts_page(self, page: int):
        """Page ``page`` of the contracts (past the end: the last one); anything but a page number
        is ignored."""
        if (number := page_number(page)) is None:
            return None
        self.contracts_page = number
        return await self._refresh(orders=False)
