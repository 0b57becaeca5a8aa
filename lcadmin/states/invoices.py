"""The "Factures" page: one page of invoices at a time (filtered, sorted, counted and cut by the
service), the payments history, and instant downloads (PDF and Factur-X).

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
from lcadmin.states.base import clip, loads_list, one_of, page_number, shows_busy, typed_text
from lcadmin.states.service import run, run_download

ALL = "all"


class InvoicesState(rx.State):
    """One page of the company's invoices and credit notes as filtered and sorted, and one page
    of its payments history: the browser never holds the whole list."""

    rows: list[dict[str, Any]] = []
    page: int = 1  # of the invoices, from 1
    total: int = 0  # invoices and credit notes the filters let through
    pages: int = 1
    payments: list[dict[str, str]] = []  # the payments history, each with its receipt
    payments_page: int = 1
    payments_total: int = 0
    payments_pages: int = 1
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

    async def _refresh(self, *, everything: bool = False, invoices: bool = True):
        """The page of invoices for the current filters and sort; with ``everything`` (a page load
        or a refresh), the filters' choices and the page of payments too."""
        self.error = ""
        status, search, sort, descending, page = self.status, self.search, self.sort, self.descending, self.page
        contract, period = "" if self.contract == ALL else self.contract, "" if self.period == ALL else self.period
        payments_page, online, zone = self.payments_page, get_settings().online_payment, get_settings().vendor.timezone

        def work(session: Session, ctx: RequestContext):
            choices = admin_center.invoice_filter_choices(session, ctx) if everything else None
            rows = admin_center.list_invoices(
                session, ctx, zone=zone, status=status, contract=contract, period=period, search=search,
                online_payment=online, sort=sort, descending=descending, page=page) if invoices else None
            payments = receipts.list_payments(session, ctx, zone=zone, page=payments_page) \
                if everything or not invoices else None
            return choices, rows, payments

        done = await run(self, work, permission=Permission.VIEW_BILLING)
        if not done.ok:
            self.rows, self.total, self.page, self.pages = [], 0, 1, 1
            return done.event
        choices, rows, payments = done.value
        if choices is not None:
            self.contracts, self.periods = choices[0], [asdict(period) for period in choices[1]]
        if rows is not None:
            self.rows = [asdict(row) for row in rows]
            self.total, self.page, self.pages = rows.total, rows.page, rows.pages
        if payments is not None:
            self.payments = [asdict(row) for row in payments]
            self.payments_total, self.payments_page, self.payments_pages = payments.total, payments.page, payments.pages
        return None

    async def _filter(self):
        """A filter, the search or the sort changed: the list from its first page."""
        self.page = 1
        return await self._refresh()

    @rx.event
    @loads_list
    async def load(self):
        """/admin/invoices loaded: filters reset, first pages."""
        self.status, self.contract, self.period, self.search = ALL, ALL, ALL, ""
        self.sort, self.descending, self.page, self.payments_page = "issue_date", True, 1, 1
        return await self._refresh(everything=True)

    @rx.event
    async def refresh(self):
        """Reload the pages shown, filters kept (after a payment, or in another language)."""
        return await self._refresh(everything=True)

    @rx.event
    async def set_status(self, value: str):
        """Filter by status (à payer, en retard, payée, annulée) or show the credit notes."""
        self.status = one_of(value, admin_center.INVOICE_FILTERS, ALL)
        return await self._filter()

    @rx.event
    async def sort_by(self, column: str):
        """A column header: sort by it, or the other way round if it already sorts the list."""
        column = one_of(column, admin_center.INVOICE_SORTS, "issue_date")
        self.descending = not self.descending if column == self.sort else column in ("issue_date", "due_date", "total")
        self.sort = column
        return await self._filter()

    @rx.event
    async def set_contract(self, value: str):
        """Filter by contract."""
        self.contract = clip(value, 40) or ALL
        return await self._filter()

    @rx.event
    async def set_period(self, value: str):
        """Filter by period of issue: a year (``2026``) or a quarter (``2026-Q4``)."""
        value = clip(value, 7)
        self.period = value if period_bounds(value) else ALL
        return await self._filter()

    @rx.event
    async def set_search(self, value: str):
        """Search by (part of) the number."""
        if (text := await typed_text(self, value, 40, error="error")) is None:
            return None
        self.search = text
        return await self._filter()

    @rx.event
    async def next_page(self):
        """"Suivant": the next page of invoices (the last one stays the last)."""
        self.page += 1
        return await self._refresh()

    @rx.event
    async def previous_page(self):
        """"Précédent": the previous page of invoices (the first one stays the first)."""
        self.page = max(1, self.page - 1)
        return await self._refresh()

    @rx.event
    async def go_to_page(self, page: int):
        """Page ``page`` of the invoices (past the end: the last one); anything but a page number
        is ignored."""
        if (number := page_number(page)) is None:
            return None
        self.page = number
        return await self._refresh()

    @rx.event
    async def go_to_payments_page(self, page: int):
        """Page ``page`` of the payments history (past the end: the last one); anything but a page
        number is ignored."""
        if (number := page_number(page)) is None:
            return None
        self.payments_page = number
        return await self._refresh(invoices=False)

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
