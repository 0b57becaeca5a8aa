"""Invoices as documents: the snapshot a PDF or Factur-X file is rendered from, for the caller's
own company only (any other number is simply not found)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from lcadmin.domain.calendar import business_date
from lcadmin.domain.money import Money
from lcadmin.domain.permissions import Permission
from lcadmin.domain.pricing import PricedLine, compute_totals
from lcadmin.domain.statuses import InvoiceKind, InvoiceStatus
from lcadmin.models import Invoice, InvoiceLine, Payment, SalesOrder
from lcadmin.pdf.document import InvoiceDocument, TaxLine
from lcadmin.services import scope
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import NotAllowed, NotFound
from lcadmin.services.snapshots import document_line, issuer_snapshot, party
from lcadmin.settings import VendorSettings


def _existing(logo: str) -> str:
    """The logo file named at issue, or none (the vendor's initial is drawn) if it is gone."""
    return logo if logo and Path(logo).is_file() else ""


def build_document(session: Session, invoice: Invoice, vendor: VendorSettings) -> InvoiceDocument:
    """The snapshot of an issued invoice or credit note, from what was stored when it was issued:
    the issuer, its name and its logo file as they were then (``vendor`` only stands in for
    what an invoice issued before they were kept lacks)."""
    lines = session.exec(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
                         .order_by(InvoiceLine.position)).all()
    totals = compute_totals((PricedLine(line.quantity, Money(line.unit_price_minor, invoice.currency), line.tax_rate_bp)
                             for line in lines), invoice.currency)
    credited = session.get(Invoice, invoice.credited_invoice_id) if invoice.credited_invoice_id else None
    order = session.get(SalesOrder, invoice.order_id) if invoice.order_id else None
    # Invoices issued before the issuer's registry, capital and bank details were kept take them
    # from the settings, like the logo.
    issuer = {**issuer_snapshot(vendor), **(invoice.issuer_snapshot or {})}
    # Paid through the product: by card (typed, or saved and charged on the due date) or by a SEPA
    # debit; otherwise by transfer.
    paid_through = session.exec(select(Payment.method_kind).where(Payment.paid_invoice_id == invoice.id)).first()
    paid = invoice.status == InvoiceStatus.PAID.value and invoice.paid_at is not None
    return InvoiceDocument(
        number=invoice.number, is_credit_note=invoice.kind == InvoiceKind.CREDIT_NOTE.value,
        credited_number=credited.number if credited else None,
        credited_issue_date=credited.issue_date if credited else None,
        issue_date=invoice.issue_date, due_date=invoice.due_date, period_start=invoice.period_start,
        period_end=invoice.period_end, order_number=order.number if order else None,
        purchase_order_ref=invoice.purchase_order_ref, currency=invoice.currency,
        payment_terms_days=(invoice.due_date - invoice.issue_date).days,
        lines=tuple(document_line(line) for line in lines),
        taxes=tuple(TaxLine(rate, base.minor, tax.minor) for rate, (base, tax) in totals.tax_by_rate.items()),
        subtotal_minor=invoice.subtotal_minor, tax_minor=invoice.tax_minor, total_minor=invoice.total_minor,
        issuer=party(issuer), customer=party(invoice.customer_snapshot), vendor_name=issuer.get("name", vendor.name),
        vendor_logo=_existing(issuer.get("logo", vendor.logo_path)),
        iban=issuer.get("iban", ""), bic=issuer.get("bic", ""),
        paid_on=business_date(invoice.paid_at, vendor.timezone) if paid and invoice.paid_at else None,
        paid_by=(paid_through or "transfer") if paid else "",
    )


def invoice_document(session: Session, ctx: RequestContext, number: str, vendor: VendorSettings) -> InvoiceDocument:
    """The document of one of the caller's company's issued invoices.

    Raises:
        NotAllowed: ``signed_out``, or ``forbidden`` without billing access.
        NotFound: ``invoice_not_found`` for an unknown number, a draft, or another company's invoice.
    """
    principal = ctx.user
    if not principal.can(Permission.VIEW_BILLING):
        raise NotAllowed("forbidden")
    invoice = session.exec(select(Invoice).where(
        Invoice.number == (number or "")[:40], Invoice.company_id == principal.company_id,
        Invoice.status != InvoiceStatus.DRAFT.value, scope.invoices(principal))).first()
    if invoice is None:
        raise NotFound("invoice_not_found")
    return build_document(session, invoice, vendor)
