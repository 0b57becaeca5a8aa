"""The "Factures" page: filters, search, and instant downloads (PDF and Factur-X).

Every call resolves the company from the session cookie; a number from the browser is only ever
looked up within that company. The PDFs are rendered in worker processes (lcadmin.pdf.pool),
off the event loop and without holding the web process's interpreter lock."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import reflex as rx
from sqlmodel import Session

from lcadmin.domain.periods import period_bounds
from lcadmin.domain.permissions import Permission
from lcadmin.pdf.facturx import render_facturx_pdf
from lcadmin.pdf.invoice import render_invoice_pdf
from lcadmin.pdf.pool import render
from lcadmin.services import admin_center, receipts
from lcadmin.services.context import RequestContext
from lcadmin.services.invoice_documents import invoice_document
from lcadmin.settings import get_settings
from lcadmin.states.base import clip, loads_list, one_of, shows_busy, typed_text
from lcadmin.states.service import run, run_download

ALL = "all"


class InvoicesState(rx.State):
    """The filtered list of the company's invoices and credit notes."""

    rows: list[dict[str, Any]] = []
    payments: list[dict[str, str]] = []  # the payments history, each with its receipt
    status: str = ALL
    contract: str = ALL
    period: str = ALL
    search: str = ""
    sort: str = "issue_date"  # a column of admin_center.INVOICE_SORTS
    descending: bool = True
    contracts: list[str] = []
    periods: list[dict[str, str]] = []
    error: str = ""
    loaded: bool = False  # the rows are there (skeleton rows until then)
    downloading: str = ""  # "F2026-00001:pdf" while that file is being made

    @rx.var
    def filtered(self) -> bool:
        """Whether a filter or the search narrows the list (the empty message differs)."""
        return self.status != ALL or self.contract != ALL or self.period != ALL or self.search.strip() != ""

    async def _refresh(self, *, with_payments: bool = False):
        """The list for the current filters (and, on a page load or refresh, the payments history)."""
        self.error = ""
        status, search, sort, descending = self.status, self.search, self.sort, self.descending
        contract, period = "" if self.contract == ALL else self.contract, "" if self.period == ALL else self.period
        online, zone = get_settings().online_payment, get_settings().vendor.timezone

        def work(session: Session, ctx: RequestContext):
            choices = admin_center.invoice_filter_choices(session, ctx)
            rows = admin_center.list_invoices(session, ctx, zone=zone, status=status, contract=contract,
                                              period=period, search=search, online_payment=online, sort=sort,
                                              descending=descending)
            return choices, rows, receipts.list_payments(session, ctx, zone=zone) if with_payments else None

        done = await run(self, work, permission=Permission.VIEW_BILLING)
        if not done.ok:
            self.rows = []
            return done.event
        (contracts, periods), rows, payments = done.value
        if payments is not None:
            self.payments = [asdict(row) for row in payments]
        self.contracts, self.periods = contracts, [asdict(period) for period in periods]
        self.rows = [asdict(row) for row in rows]
        return None

    @rx.event
    @loads_list
    async def load(self):
        """/admin/invoices loaded: filters reset."""
        self.status, self.contract, self.period, self.search = ALL, ALL, ALL, ""
        self.sort, self.descending = "issue_date", True
        return await self._refresh(with_payments=True)

    @rx.event
    async def refresh(self):
        """Reload the list, filters kept (after a payment, or in another language)."""
        return await self._refresh(with_payments=True)

    @rx.event
    async def set_status(self, value: str):
        """Filter by status (à payer, en retard, payée, annulée) or show the credit notes."""
        self.status = one_of(value, admin_center.INVOICE_FILTERS, ALL)
        return await self._refresh()

    @rx.event
    async def sort_by(self, column: str):
        """A column header: sort by it, or the other way round if it already sorts the list."""
        column = one_of(column, admin_center.INVOICE_SORTS, "issue_date")
        self.descending = not self.descending if column == self.sort else column in ("issue_date", "due_date", "total")
        self.sort = column
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

    async def _download(self, number: object, facturx: bool):
        number, vendor = clip(number, 40), get_settings().vendor

        def work(session: Session, ctx: RequestContext) -> tuple[str, bytes]:
            document = invoice_document(session, ctx, number, vendor)
            if facturx:
                return f"{document.number}-factur-x.pdf", render(render_facturx_pdf, document, ctx.locale)
            return document.filename, render(render_invoice_pdf, document, ctx.locale)

        return await run_download(self, work)

    @rx.event
    @shows_busy("downloading", lambda number: f"{clip(number, 40)}:pdf")
    async def download_pdf(self, number: str):
        """The invoice as PDF, generated on the spot."""
        return await self._download(number, facturx=False)

    @rx.event
    @shows_busy("downloading", lambda number: f"{clip(number, 40)}:receipt")
    async def download_receipt(self, number: str):
        """A payment's receipt (``R2026-…``), in the reader's language."""
        number, vendor = clip(number, 40), get_settings().vendor
        return await run_download(self, lambda session, ctx: receipts.receipt_pdf(session, ctx, number, vendor))

    @rx.event
    @shows_busy("downloading", lambda number: f"{clip(number, 40)}:facturx")
    async def download_facturx(self, number: str):
        """The invoice as a Factur-X (EN 16931) PDF/A-3."""
        return await self._download(number, facturx=True)
