"""The page of one invoice or credit note: lines, totals, what is left to pay, its payments with
their receipts, the credit notes against it, and its downloads (the list's own handlers)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import reflex as rx
from sqlmodel import Session

from lcadmin.domain.permissions import Permission
from lcadmin.services import admin_center, receipts
from lcadmin.services.context import RequestContext
from lcadmin.settings import get_settings
from lcadmin.states.base import loads_list, page_param
from lcadmin.states.service import run


class InvoiceState(rx.State):
    """One invoice, as its page shows it."""

    found: bool = False
    loaded: bool = False
    view: dict[str, Any] = {}
    lines: list[dict[str, str]] = []
    credit_notes: list[dict[str, str]] = []
    payments: list[dict[str, str]] = []
    error: str = ""

    @rx.event
    @loads_list
    async def load(self):
        """/admin/invoices/[number] loaded."""
        number, settings = page_param(self, "number", 40), get_settings()

        def work(session: Session, ctx: RequestContext):
            detail = admin_center.invoice_detail(session, ctx, number, vendor=settings.vendor,
                                                 online_payment=settings.online_payment)
            return detail, receipts.list_payments(session, ctx, zone=settings.vendor.timezone,
                                                  invoice_number=detail.number)

        self.error = ""
        done = await run(self, work, permission=Permission.VIEW_BILLING)
        if not done.ok:
            self.found, self.view, self.lines, self.credit_notes, self.payments = False, {}, [], [], []
            return done.event
        detail, payments = done.value
        self.view = {key: value for key, value in asdict(detail).items() if key not in ("lines", "credit_notes")}
        self.lines = [asdict(line) for line in detail.lines]
        self.credit_notes = [asdict(row) for row in detail.credit_notes]
        self.payments = [asdict(row) for row in payments]
        self.found = True
        return None
