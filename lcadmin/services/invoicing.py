"""Issuing invoices and credit notes: one continuous number series, allocated in the transaction
that creates the document, and an issue-time snapshot of both parties.

An issued invoice is never edited or deleted; a credit note corrects it and names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.money import Money
from lcadmin.domain.pricing import PricedLine, compute_totals
from lcadmin.domain.statuses import InvoiceKind, InvoiceStatus
from lcadmin.models import Company, DocumentSequence, Invoice, InvoiceLine
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.lifecycle import move
from lcadmin.services.snapshots import customer_snapshot, issuer_snapshot
from lcadmin.settings import VendorSettings

SERIES = "F"


@dataclass(frozen=True)
class LineInput:
    """A line to invoice: what, how many, at which unit price excluding tax and VAT rate."""

    description: str
    quantity: int
    unit_price_minor: int
    tax_rate_bp: int
    description_en: str = ""  # the description in English, for documents read in English


def allocate_number(session: Session, *, year: int, series: str = SERIES) -> str:
    """The next number of the series for ``year`` (``F2026-00007``), taken in the caller's
    transaction: if it rolls back, the number was never used.

    The counter row is created if missing (insert-or-ignore), then locked and incremented:
    ``BEGIN IMMEDIATE`` serialises writers on SQLite, ``SELECT … FOR UPDATE`` on PostgreSQL.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.exec(insert(DocumentSequence).values(series=series, year=year, next_value=1)
                 .on_conflict_do_nothing(index_elements=["series", "year"]))
    row = session.exec(select(DocumentSequence).where(DocumentSequence.series == series, DocumentSequence.year == year)
                       .with_for_update()).one()
    value = row.next_value
    session.exec(sa.update(DocumentSequence).where(DocumentSequence.id == row.id)
                 .values(next_value=DocumentSequence.next_value + 1))
    session.expire(row)
    return f"{series}{year}-{value:05d}"


def issue_invoice(session: Session, ctx: RequestContext, *, company_id: int, lines: Sequence[LineInput],
                  issue_date: date, payment_terms_days: int, period: tuple[date, date] | None, vendor: VendorSettings,
                  order_id: int | None = None, purchase_order_ref: str | None = None, currency: str = "EUR",
                  credits: Invoice | None = None) -> Invoice:
    """Create an issued (open) invoice, or a credit note when ``credits`` names the corrected invoice.

    Raises:
        ValueError: No line, or a line with a quantity below 1.
    """
    if not lines:
        raise ValueError("an invoice needs at least one line")
    company = session.get(Company, company_id)
    totals = compute_totals((PricedLine(line.quantity, Money(line.unit_price_minor, currency), line.tax_rate_bp)
                             for line in lines), currency)
    invoice = Invoice(
        company_id=company_id, order_id=order_id, number=allocate_number(session, year=issue_date.year),
        kind=(InvoiceKind.CREDIT_NOTE if credits else InvoiceKind.INVOICE).value,
        credited_invoice_id=credits.id if credits else None, status=InvoiceStatus.OPEN.value,
        purchase_order_ref=purchase_order_ref, issue_date=issue_date,
        due_date=issue_date + timedelta(days=payment_terms_days),
        period_start=period[0] if period else None, period_end=period[1] if period else None, currency=currency,
        subtotal_minor=totals.subtotal.minor, tax_minor=totals.tax.minor, total_minor=totals.total.minor,
        created_at=ctx.now, issuer_snapshot=issuer_snapshot(vendor),
        customer_snapshot=customer_snapshot(session, company),
    )
    session.add(invoice)
    session.flush()
    session.add_all(
        InvoiceLine(invoice_id=invoice.id, position=index, description=line.description,
                    description_en=line.description_en or None, quantity=line.quantity,
                    unit_price_minor=line.unit_price_minor, tax_rate_bp=line.tax_rate_bp,
                    amount_minor=line.quantity * line.unit_price_minor)
        for index, line in enumerate(lines, start=1)
    )
    record_event(session, action=AuditAction.CREDIT_NOTE_ISSUED if credits else AuditAction.INVOICE_ISSUED,
                 outcome="success", actor_user_id=ctx.actor_id, company_id=company_id,
                 subject=f"invoice:{invoice.number}", now=ctx.now)
    if credits is not None:  # read again, locked: a payment may be settling it right now
        credits = session.exec(select(Invoice).where(Invoice.id == credits.id).with_for_update()
                               .execution_options(populate_existing=True)).one()
    if credits is not None and credits.status == InvoiceStatus.OPEN.value and amount_due(session, credits) == 0:
        # Cancelled by its credit notes: nothing left to pay.
        move(session, credits, InvoiceStatus.VOID, ctx, company_id=company_id, subject=f"invoice:{credits.number}",
             detail={"credit_note": invoice.number})
    return invoice


def amount_due(session: Session, invoice: Invoice) -> int:
    """What is left to pay on an invoice, in minor units: its total less its credit notes."""
    credited = session.exec(select(sa.func.coalesce(sa.func.sum(Invoice.total_minor), 0)).where(
        Invoice.credited_invoice_id == invoice.id, Invoice.kind == InvoiceKind.CREDIT_NOTE.value,
        Invoice.status != InvoiceStatus.VOID.value)).one()
    return max(invoice.total_minor - int(credited), 0)  # PostgreSQL sums a BIGINT as NUMERIC: a Decimal


def mark_paid(session: Session, ctx: RequestContext, invoice: Invoice) -> None:
    """An open invoice was paid, at ``ctx.now``."""
    move(session, invoice, InvoiceStatus.PAID, ctx, company_id=invoice.company_id, subject=f"invoice:{invoice.number}")
