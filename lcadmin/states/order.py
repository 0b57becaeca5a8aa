"""The order page: the seed's order form, its PDF, and the e-signature."""

from __future__ import annotations

from dataclasses import asdict

import reflex as rx
from sqlmodel import Session

from lcadmin.domain.permissions import Permission
from lcadmin.services import orders
from lcadmin.services.context import RequestContext
from lcadmin.settings import get_settings
from lcadmin.states.base import page_param, shows_busy, typed_text
from lcadmin.states.service import run, run_download


class OrderState(rx.State):
    """One order as its form shows it, and the signature form."""

    found: bool = False
    number: str = ""
    title: str = ""
    status_label: str = ""
    status_tone: str = ""
    primary_contact: list[str] = []
    billing_contact: list[str] = []
    billing_address: list[str] = []
    information: list[list[str]] = []
    lines: list[dict[str, str]] = []
    subtotal: str = ""
    tax: str = ""
    total_label: str = ""
    total: str = ""
    can_sign: bool = False
    awaiting_signature: bool = False
    can_pay: bool = False
    signed_note: str = ""
    step: str = "review"
    paid_note: str = ""
    invoice_number: str = ""
    receipt_number: str = ""
    signer_name: str = ""
    authorized: bool = False
    name_error: str = ""
    form_error: str = ""
    error: str = ""
    signing: bool = False
    downloading: bool = False

    def _number(self) -> str:
        return page_param(self, "number", 40)

    async def _show(self):
        number, vendor = self._number(), get_settings().vendor
        self.error = ""
        done = await run(self, lambda session, ctx: orders.order_view(session, ctx, number, vendor),
                         permission=Permission.VIEW_BILLING)
        if not done.ok:
            self.found = False
            return done.event
        view = done.value
        self.found, self.number, self.title = True, view.number, view.title
        self.status_label, self.status_tone = view.status_label, view.status_tone
        self.primary_contact, self.billing_contact = list(view.primary_contact), list(view.billing_contact)
        self.billing_address = list(view.billing_address)
        self.information = [list(row) for row in view.information]
        self.lines = [asdict(line) for line in view.lines]
        self.subtotal, self.tax, self.total_label, self.total = view.subtotal, view.tax, view.total_label, view.total
        self.can_sign, self.awaiting_signature, self.can_pay = view.can_sign, view.awaiting_signature, view.can_pay
        self.signed_note = view.signed_note
        self.step, self.paid_note = view.step, view.paid_note
        self.invoice_number, self.receipt_number = view.invoice_number, view.receipt_number
        return None

    @rx.event
    async def load(self):
        """/admin/orders/[number] loaded."""
        self.signer_name, self.authorized, self.name_error, self.form_error = "", False, "", ""
        return await self._show()

    @rx.event
    async def refresh(self):
        """Reload the order (after a payment)."""
        return await self._show()

    @rx.event
    async def relabel(self):
        """The language changed: the order again in it, the signer's name kept."""
        self.name_error = self.form_error = ""
        return await self._show()

    @rx.event
    async def set_signer_name(self, value: str):
        """The signer types their full name."""
        self.form_error = ""
        if (text := await typed_text(self, value, 200, error="name_error")) is not None:
            self.signer_name = text

    @rx.event
    def set_authorized(self, checked: bool):
        """The authorization checkbox."""
        self.authorized, self.form_error = checked is True, ""

    @rx.event
    @shows_busy("signing")
    async def sign(self, _form: dict | None = None):
        """"Signer la commande"."""
        number, name, authorized, vendor = self._number(), self.signer_name, self.authorized, get_settings().vendor

        def work(session: Session, ctx: RequestContext) -> None:
            orders.sign_order(session, ctx, number=number, signer_name=name, authorized=authorized, vendor=vendor)

        done = await run(self, work, write=True, fields={"signer_name": "name_error"}, error="form_error")
        if not done.ok:
            return done.event
        return await self._show()

    @rx.event
    @shows_busy("downloading")
    async def download_pdf(self):
        """The order form PDF (with its signature certificate once signed)."""
        number, vendor = self._number(), get_settings().vendor
        return await run_download(self, lambda session, ctx: (f"{number}.pdf",
                                                             orders.order_pdf(session, ctx, number, vendor)))
