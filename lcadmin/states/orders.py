"""The "Contrats et commandes" page: contracts, and orders filtered by status and contract, sorted."""

from __future__ import annotations

from dataclasses import asdict

import reflex as rx
from sqlmodel import Session

from lcadmin.domain.permissions import Permission
from lcadmin.services import admin_center
from lcadmin.services.context import RequestContext
from lcadmin.states.base import clip, loads_list, one_of
from lcadmin.states.service import run

ALL = "all"


class OrdersState(rx.State):
    """The company's contracts and orders, as filtered and sorted on screen."""

    contracts: list[dict[str, str]] = []
    orders: list[dict[str, str]] = []
    status: str = ALL
    contract: str = ALL
    sort: str = "newest"
    error: str = ""
    loaded: bool = False  # the rows are there (skeleton rows until then)

    @rx.var
    def filtered(self) -> bool:
        """Whether a filter narrows the list (the empty message differs)."""
        return self.status != ALL or self.contract != ALL

    @rx.var
    def contract_numbers(self) -> list[str]:
        """The contracts offered by the orders' contract filter."""
        return [row["number"] for row in self.contracts]

    async def _refresh(self):
        status, sort, contract = self.status, self.sort, "" if self.contract == ALL else self.contract

        def work(session: Session, ctx: RequestContext):
            return (admin_center.list_contracts(session, ctx),
                    admin_center.list_orders(session, ctx, status=status, sort=sort, contract=contract))

        done = await run(self, work, permission=Permission.VIEW_BILLING)
        if not done.ok:
            self.contracts, self.orders = [], []
            return done.event
        contracts, orders = done.value
        self.contracts, self.orders = [asdict(r) for r in contracts], [asdict(r) for r in orders]
        return None

    @rx.event
    @loads_list
    async def load(self):
        """/admin/contracts loaded."""
        self.status, self.contract, self.sort, self.error = ALL, ALL, "newest", ""
        return await self._refresh()

    @rx.event
    async def refresh(self):
        """Reload the lists, filters kept (in another language)."""
        return await self._refresh()

    @rx.event
    async def set_status(self, value: str):
        """Filter by status."""
        self.status = one_of(value, admin_center.ORDER_FILTERS, ALL)
        return await self._refresh()

    @rx.event
    async def set_contract(self, value: str):
        """Only the orders of one contract (a contract's number, or "all")."""
        self.contract = clip(value, 40) or ALL
        return await self._refresh()

    @rx.event
    async def set_sort(self, value: str):
        """Sort order."""
        self.sort = one_of(value, admin_center.ORDER_SORTS, "newest")
        return await self._refresh()
