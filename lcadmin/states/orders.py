"""The "Contrats et commandes" page: contracts, and orders filtered by status and contract, sorted."""

from __future__ import annotations

from dataclasses import asdict

import reflex as rx

from lcadmin.db import read_scope
from lcadmin.domain.permissions import Permission
from lcadmin.models import utcnow
from lcadmin.services import admin_center, sessions
from lcadmin.services.errors import NotAllowed
from lcadmin.settings import get_settings
from lcadmin.states.base import active_locale, clip, message_for, one_of, session_cookie
from lcadmin.states.tab import to_sign_in


class OrdersState(rx.State):
    """The company's contracts and orders, as filtered and sorted on screen."""

    contracts: list[dict[str, str]] = []
    orders: list[dict[str, str]] = []
    status: str = "all"
    contract: str = "all"
    sort: str = "newest"
    error: str = ""

    @rx.var
    def contract_numbers(self) -> list[str]:
        """The contracts offered by the orders' contract filter."""
        return [row["number"] for row in self.contracts]

    async def _refresh(self):
        locale = await active_locale(self)
        try:
            with read_scope() as session:
                principal = sessions.require_principal(session, session_cookie(self), settings=get_settings(),
                                                       now=utcnow(), permission=Permission.VIEW_BILLING)
                self.contracts = [asdict(r) for r in admin_center.list_contracts(session, principal, locale)]
                self.orders = [asdict(r) for r in admin_center.list_orders(
                    session, principal, locale, status=self.status, sort=self.sort,
                    contract="" if self.contract == "all" else self.contract)]
        except NotAllowed as error:
            self.contracts, self.orders = [], []
            if error.code == "signed_out":
                return await to_sign_in(self)
            self.error = message_for(error, locale)
        return None

    @rx.event
    async def load(self):
        """/admin/contracts loaded."""
        self.status, self.contract, self.sort, self.error = "all", "all", "newest", ""
        return await self._refresh()

    @rx.event
    async def set_status(self, value: str):
        """Filter by status."""
        self.status = one_of(value, admin_center.ORDER_FILTERS, "all")
        return await self._refresh()

    @rx.event
    async def set_contract(self, value: str):
        """Only the orders of one contract (a contract's number, or "all")."""
        self.contract = clip(value, 40) or "all"
        return await self._refresh()

    @rx.event
    async def set_sort(self, value: str):
        """Sort order."""
        self.sort = one_of(value, admin_center.ORDER_SORTS, "newest")
        return await self._refresh()
