"""The "Factures" page: filters, search, and instant downloads (PDF and Factur-X).

Every call resolves the company from the session cookie; a number from the browser is only ever
looked up within that company."""

from __future__ import annotations

from dataclasses import asdict

import reflex as rx

from lcadmin.db import read_scope, session_scope
from lcadmin.domain.periods import period_bounds
from lcadmin.domain.permissions import Permission
from lcadmin.models import utcnow
from lcadmin.pdf.facturx import render_facturx_pdf
from lcadmin.pdf.invoice import render_invoice_pdf
from lcadmin.services import admin_center, sessions
from lcadmin.services.errors import NotAllowed, ServiceError
from lcadmin.services.invoice_documents import invoice_document
from lcadmin.settings import get_settings
from lcadmin.states.base import active_locale, clip, message_for, one_of, session_cookie, typed_text
from lcadmin.states.tab import to_sign_in

ALL = "all"


class InvoicesState(rx.State):
    """The filtered list of the company's invoices and credit notes."""

    rows: list[dict[str, str]] = []
    status: str = ALL
    contract: str = ALL
    period: str = ALL
    search: str = ""
    contracts: list[str] = []
    periods: list[dict[str, str]] = []
    error: str = ""

    @rx.var
    def filtered(self) -> bool:
        """Whether a filter or the search narrows the list (the empty message differs)."""
        return ALL != self.status or ALL != self.contract or ALL != self.period or self.search.strip() != ""

    async def _refresh(self):
        locale, now = await active_locale(self), utcnow()
        self.error = ""
        try:
            with session_scope() as session:
                principal = sessions.require_principal(session, session_cookie(self), settings=get_settings(),
                                                       now=now, permission=Permission.VIEW_BILLING)
                contracts, periods = admin_center.invoice_filter_choices(session, principal, locale)
                self.contracts, self.periods = contracts, [asdict(period) for period in periods]
                rows = admin_center.list_invoices(
                    session, principal, locale, today=now.date(), status=self.status,
                    contract="" if self.contract == ALL else self.contract,
                    period="" if self.period == ALL else self.period, search=self.search)
        except NotAllowed as error:
            self.rows = []
            if error.code == "signed_out":
                return await to_sign_in(self)
            self.error = message_for(error, locale)
            return None
        self.rows = [asdict(row) for row in rows]
        return None

    @rx.event
    async def load(self):
        """/admin/invoices loaded: filters reset."""
        self.status, self.contract, self.period, self.search = ALL, ALL, ALL, ""
        return await self._refresh()

    @rx.event
    async def refresh(self):
        """Reload the list, filters kept (after a payment)."""
        return await self._refresh()

    @rx.event
    async def set_status(self, value: str):
        """Filter by status (à payer, en retard, payée, annulée) or show the credit notes."""
        self.status = one_of(value, admin_center.INVOICE_FILTERS, ALL)
        return await self._refresh()

    @rx.event
    async def set_contract(self, value: str):
        """Filter by contract."""
        self.contract = clip(value, 40) or ALL
        return await self._refresh()

    @rx.event
    async def set_period(self, value: str):
        """Filter by period of issue: a year (``2026``) or a quarter (``2026-Q4``)."""
        value = clip(value, 7)
        self.period = value if period_bounds(value) else ALL
        return await self._refresh()

    @rx.event
    async def set_search(self, value: str):
        """Search by (part of) the number."""
        if (text := await typed_text(self, value, 40, error="error")) is None:
            return None
        self.search = text
        return await self._refresh()

    async def _download(self, number: str, facturx: bool):
        locale, now = await active_locale(self), utcnow()
        try:
            with read_scope() as session:
                principal = sessions.require_principal(session, session_cookie(self), settings=get_settings(),
                                                       now=now, permission=Permission.VIEW_BILLING)
                document = invoice_document(session, principal, clip(number, 40), get_settings().vendor)
        except ServiceError as error:
            self.error = message_for(error, locale)
            return None
        data = render_facturx_pdf(document, locale) if facturx else render_invoice_pdf(document, locale)
        name = f"{document.number}-factur-x.pdf" if facturx else document.filename
        return rx.download(data=data, filename=name, mime_type="application/pdf")

    @rx.event
    async def download_pdf(self, number: str):
        """The invoice as PDF, generated on the spot."""
        return await self._download(number, facturx=False)

    @rx.event
    async def download_facturx(self, number: str):
        """The invoice as a Factur-X (EN 16931) PDF/A-3."""
        return await self._download(number, facturx=True)
