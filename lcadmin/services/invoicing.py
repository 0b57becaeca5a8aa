"""Issuing invoices and credit notes: one continuous number series, allocated in the transaction
that creates the document, and an issue-time snapshot of both parties.

An issued invoice is never edited or deleted; a credit note corrects it and names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from lcadmin.domain.money import Money
from lcadmin.domain.pricing import PricedLine, compute_totals
from lcadmin.domain.statuses import (
    AddressKind,
    InvoiceKind,
    InvoiceStatus,
    check_transition,
)
from lcadmin.models import Address, Company, DocumentSequence, Invoice, InvoiceLine
from lcadmin.services.audit import record_event
from lcadmin.settings import VendorSettings

SERIES = "F"


@dataclass(frozen=True)
class LineInput:
    """A line to invoice: what, how many, at which unit price excluding tax and VAT rate."""

    description: str
    quantity: int
    unit_price_minor: int
    tax_rate_bp: int


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


def issuer_snapshot(vendor: VendorSettings) -> dict[str, Any]:
    """The vendor as invoices state it."""
    return {"name": vendor.name, "legal_name": vendor.legal_name, "siren": vendor.siren,
            "vat_number": vendor.vat_number, "address": [vendor.address_line1], "postal_code": vendor.postal_code,
            "city": vendor.city, "country_code": vendor.country_code}


def customer_snapshot(session: Session, company: Company) -> dict[str, Any]:
    """The customer as invoices state it: legal identity and billing address."""
    addresses = {a.kind: a for a in session.exec(select(Address).where(Address.company_id == company.id))}
    address = addresses.get(AddressKind.BILLING.value) or addresses.get(AddressKind.REGISTERED.value)
    return {"legal_name": company.legal_name, "siren": company.siren, "vat_number": company.vat_number or "",
            "recipient": (address.recipient if address else None) or "",
            "address": [line for line in ((address.line1, address.line2) if address else ()) if line],
            "postal_code": address.postal_code if address else "", "city": address.city if address else "",
            "country_code": address.country_code if address else "FR"}


def issue_invoice(session: Session, *, company_id: int, lines: Sequence[LineInput], issue_date: date,
                  payment_terms_days: int, period: tuple[date, date] | None, vendor: VendorSettings,
                  now: datetime, order_id: int | None = None, purchase_order_ref: str | None = None,
                  currency: str = "EUR", credits: Invoice | None = None) -> Invoice:
    """Create an issued (open) invoice, or a credit note when ``credits`` names the corrected invoice.

    Raises:
        ValueError: No line, or a line with a quantity below 1.
    """
    if not lines:
        raise ValueError("an invoice needs at least one line")
    company = session.get(Company, company_id)
    totals = compute_totals((PricedLine(l.quantity, Money(l.unit_price_minor, currency), l.tax_rate_bp)
                             for l in lines), currency)
    invoice = Invoice(
        company_id=company_id, order_id=order_id, number=allocate_number(session, year=issue_date.year),
        kind=(InvoiceKind.CREDIT_NOTE if credits else InvoiceKind.INVOICE).value,
        credited_invoice_id=credits.id if credits else None, status=InvoiceStatus.OPEN.value,
        purchase_order_ref=purchase_order_ref, issue_date=issue_date,
        due_date=issue_date + timedelta(days=payment_terms_days),
        period_start=period[0] if period else None, period_end=period[1] if period else None, currency=currency,
        subtotal_minor=totals.subtotal.minor, tax_minor=totals.tax.minor, total_minor=totals.total.minor,
        created_at=now, issuer_snapshot=issuer_snapshot(vendor), customer_snapshot=customer_snapshot(session, company),
    )
    session.add(invoice)
    session.flush()
    session.add_all(
        InvoiceLine(invoice_id=invoice.id, position=index, description=line.description, quantity=line.quantity,
                    unit_price_minor=line.unit_price_minor, tax_rate_bp=line.tax_rate_bp,
                    amount_minor=line.quantity * line.unit_price_minor)
        for index, line in enumerate(lines, start=1)
    )
    record_event(session, action=f"{invoice.kind}.issued", outcome="success", company_id=company_id,
                 subject=f"invoice:{invoice.number}", now=now)
    if credits is not None:  # read again, locked: a payment may be settling it right now
        credits = session.exec(select(Invoice).where(Invoice.id == credits.id).with_for_update()
                               .execution_options(populate_existing=True)).one()
    if credits is not None and credits.status == InvoiceStatus.OPEN.value and amount_due(session, credits) == 0:
        check_transition(InvoiceStatus(credits.status), InvoiceStatus.VOID)
        credits.status = InvoiceStatus.VOID.value  # cancelled by its credit notes: nothing left to pay
        session.add(credits)
        record_event(session, action="invoice.voided", outcome="success", company_id=company_id,
                     subject=f"invoice:{credits.number}", detail={"credit_note": invoice.number}, now=now)
    return invoice


def amount_due(session: Session, invoice: Invoice) -> int:
    """What is left to pay on an invoice, in minor units: its total less its credit notes."""
    credited = session.exec(select(sa.func.coalesce(sa.func.sum(Invoice.total_minor), 0)).where(
        Invoice.credited_invoice_id == invoice.id, Invoice.kind == InvoiceKind.CREDIT_NOTE.value,
        Invoice.status != InvoiceStatus.VOID.value)).one()
    return max(invoice.total_minor - credited, 0)


def mark_paid(session: Session, invoice: Invoice, *, paid_at: datetime) -> None:
    """An open invoice was paid."""
    check_transition(InvoiceStatus(invoice.status), InvoiceStatus.PAID)
    invoice.status, invoice.paid_at = InvoiceStatus.PAID.value, paid_at
    session.add(invoice)
    record_event(session, action="invoice.paid", outcome="success", company_id=invoice.company_id,
                 subject=f"invoice:{invoice.number}", now=paid_at)
