"""Payment receipts: numbered in a series of their own (``R2026-00001``, no gap, allocated when the
charge succeeds), dated on the vendor's clocks, e-mailed to the billing contact and to the payer
each in their own language, and downloadable again from the Admin Center with the payments
history."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from lcadmin.domain.calendar import business_date, business_time
from lcadmin.domain.money import Money
from lcadmin.domain.permissions import Permission
from lcadmin.domain.statuses import ContactRole, PaymentStatus
from lcadmin.i18n import gettext
from lcadmin.i18n.format import format_date, format_money
from lcadmin.mail import templates
from lcadmin.mail.outbox import enqueue
from lcadmin.models import Company, Contact, Invoice, Payment, UserAccount
from lcadmin.pdf.pool import render
from lcadmin.pdf.receipt import ReceiptDocument, render_receipt_pdf
from lcadmin.services import scope
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import NotAllowed, NotFound
from lcadmin.services.invoice_documents import build_document
from lcadmin.services.invoicing import allocate_number
from lcadmin.services.paging import Page, fetch_page
from lcadmin.services.snapshots import party
from lcadmin.settings import VendorSettings

SERIES = "R"


def number_receipt(session: Session, ctx: RequestContext, payment: Payment, vendor: VendorSettings) -> None:
    """Give a succeeded payment its receipt number and time, in the settling transaction."""
    payment.paid_at = ctx.now
    payment.receipt_number = allocate_number(session, year=business_date(ctx.now, vendor.timezone).year,
                                             series=SERIES)
    session.add(payment)


def card_label(payment: Payment) -> str:
    """``VISA •••• 4242``."""
    return f"{(payment.card_brand or '').upper()} •••• {payment.card_last4 or ''}".strip()


def receipt_document(session: Session, payment: Payment, invoice: Invoice, vendor: VendorSettings) -> ReceiptDocument:
    """What the receipt of a succeeded payment states."""
    document = build_document(session, invoice, vendor)
    return ReceiptDocument(
        receipt_number=payment.receipt_number or "", invoice_number=invoice.number,
        paid_at=business_time(payment.paid_at or payment.updated_at, vendor.timezone),
        amount_minor=payment.amount_minor, currency=payment.currency, card=card_label(payment),
        reference=payment.provider_intent_id, issuer=document.issuer, customer=party(invoice.customer_snapshot),
        vendor_name=document.vendor_name, vendor_logo=document.vendor_logo)


def receipt_filename(receipt_number: str, locale: str) -> str:
    """``Recu-R2026-00001.pdf`` / ``Receipt-R2026-00001.pdf``."""
    return f"{gettext('receipt.file', locale)}-{receipt_number}.pdf"


def send_receipts(session: Session, ctx: RequestContext, payment: Payment, invoice: Invoice,
                  vendor: VendorSettings) -> None:
    """The receipt, PDF attached, to the company's billing contact (in the contact's language)
    and to the person who paid (in the language they paid in)."""
    company = session.get(Company, payment.company_id)
    billing = session.exec(select(Contact).where(Contact.company_id == company.id,
                                                 Contact.role == ContactRole.BILLING.value)).first()
    payer = session.get(UserAccount, payment.created_by) if payment.created_by else None  # None: collected
    recipients: dict[str, str] = {}
    if billing:
        recipients[billing.email] = billing.locale
    if payer:
        recipients.setdefault(payer.email, ctx.locale)
    receipt = receipt_document(session, payment, invoice, vendor)
    pdfs: dict[str, bytes] = {}
    for address, locale in recipients.items():
        if locale not in pdfs:
            pdfs[locale] = render(render_receipt_pdf, receipt, locale)
        amount = format_money(Money(payment.amount_minor, payment.currency), locale)
        mail = templates.receipt_mail(locale, company=company.name, number=invoice.number, amount=amount)
        message = enqueue(session, to=address, mail=mail, kind="receipt", now=ctx.now)
        message.attachment_name = receipt_filename(receipt.receipt_number, locale)
        message.attachment = pdfs[locale]


@dataclass(frozen=True)
class PaymentRow:
    receipt_number: str
    paid_on: str
    invoice_number: str
    amount: str
    card: str


def _company(ctx: RequestContext) -> int:
    if ctx.user.company_id is None or not ctx.user.can(Permission.VIEW_BILLING):
        raise NotAllowed("forbidden")
    return ctx.user.company_id


def list_payments(session: Session, ctx: RequestContext, *, zone: str, invoice_number: str = "",
                  page: int = 1) -> Page[PaymentRow]:
    """One page of the company's succeeded payments that paid an invoice, newest first (one
    invoice's only, with ``invoice_number``), counted and cut in SQL."""
    company_id, locale = _company(ctx), ctx.locale
    # Of an invoice (or an order) in the caller's scope: the condition reads the payment alone,
    # so counting an unscoped caller's history reads the payments' index and nothing else.
    where = [Payment.company_id == company_id, Payment.status == PaymentStatus.SUCCEEDED.value,
             col(Payment.paid_invoice_id).is_not(None), scope.payments(ctx.user)]
    # (payments settled before receipts were numbered are listed too, without a receipt to download)
    if invoice_number:
        where.append(col(Payment.paid_invoice_id).in_(select(Invoice.id).where(
            Invoice.company_id == company_id, Invoice.number == invoice_number[:40])))
    newest = (col(Payment.paid_at).desc(), col(Payment.id).desc())
    paid = (select(Payment, col(Invoice.number).label("invoice_number"))
            .join(Invoice, Invoice.id == Payment.paid_invoice_id).order_by(*newest))
    found = fetch_page(session, paid, select(func.count()).select_from(Payment).where(*where), page,
                       keys=select(Payment.id).where(*where).order_by(*newest))
    return found.map(lambda row: PaymentRow(
        receipt_number=row[0].receipt_number or "",
        paid_on=format_date(business_date(row[0].paid_at or row[0].updated_at, zone), locale, "medium"),
        invoice_number=row[1], amount=format_money(Money(row[0].amount_minor, row[0].currency), locale),
        card=card_label(row[0])))


def receipt_pdf(session: Session, ctx: RequestContext, receipt_number: str,
                vendor: VendorSettings) -> tuple[str, bytes]:
    """(file name, PDF) of one of the company's receipts, in the reader's language.

    Raises:
        NotAllowed: ``signed_out``, or ``forbidden`` without billing access.
        NotFound: ``receipt_not_found`` for an unknown number or another company's receipt.
    """
    company_id = _company(ctx)
    row = session.exec(select(Payment, Invoice).join(Invoice, Invoice.id == Payment.paid_invoice_id).where(
        Payment.receipt_number == (receipt_number or "")[:40], Payment.company_id == company_id,
        scope.invoices(ctx.user))).first()
    if row is None:
        raise NotFound("receipt_not_found")
    payment, invoice = row
    return (receipt_filename(payment.receipt_number or "", ctx.locale),
            render(render_receipt_pdf, receipt_document(session, payment, invoice, vendor), ctx.locale))
