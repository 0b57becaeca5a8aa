"""Orders: the order form, its PDF, and the e-signature "Je signe ici et autorise {vendor}".

Everything is scoped to the caller's company: any other number is simply not found.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlmodel import Session, col, select

from lcadmin.domain.calendar import business_date
from lcadmin.domain.money import Money
from lcadmin.domain.permissions import Permission
from lcadmin.domain.statuses import ContactRole, InvoiceKind, InvoiceStatus, OrderStatus
from lcadmin.domain.text import TextProblem, person_name
from lcadmin.i18n import gettext
from lcadmin.i18n.format import format_date, format_money
from lcadmin.models import Company, Contact, Contract, Invoice, OrderLine, OrderSignature, Payment, SalesOrder
from lcadmin.pdf.order_form import Contact as ContactView
from lcadmin.pdf.order_form import (
    OrderDocument,
    SignatureCertificate,
    order_information,
    render_order_pdf,
    total_label,
    with_certificate,
)
from lcadmin.pdf.pool import render
from lcadmin.services import scope
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import InvalidInput, NotAllowed, NotFound
from lcadmin.services.invoicing import LineInput, issue_invoice
from lcadmin.services.lifecycle import move
from lcadmin.services.snapshots import customer_snapshot, document_line, issuer_snapshot, party
from lcadmin.services.views import status_tone
from lcadmin.settings import VendorSettings


@dataclass(frozen=True)
class OrderLineRow:
    description: str
    quantity: str
    unit_price: str
    amount: str


@dataclass(frozen=True)
class OrderView:
    """The order form as the page shows it, with what the caller may do with it."""

    number: str
    title: str
    status_label: str
    status_tone: str
    primary_contact: tuple[str, ...]
    billing_contact: tuple[str, ...]
    billing_address: tuple[str, ...]
    information: tuple[tuple[str, str], ...]
    lines: tuple[OrderLineRow, ...]
    subtotal: str
    tax: str
    total_label: str
    total: str
    can_sign: bool  # awaiting signature, and the caller may sign
    awaiting_signature: bool  # (payment comes after the signature)
    can_pay: bool  # signed, not paid yet, and the caller may pay
    signed_note: str
    step: str = "review"  # the step the order is at: "sign", "pay" or "done" ("review" once cancelled)
    paid_note: str = ""  # once paid: "Payée le …"
    invoice_number: str = ""  # its invoice, once issued
    receipt_number: str = ""  # the receipt of its online payment


def _order(session: Session, ctx: RequestContext, number: str) -> SalesOrder:
    if not ctx.user.can(Permission.VIEW_BILLING):
        raise NotAllowed("forbidden")
    order = session.exec(select(SalesOrder).where(
        SalesOrder.number == (number or "")[:40], SalesOrder.company_id == ctx.user.company_id,
        SalesOrder.status != OrderStatus.DRAFT.value, scope.orders(ctx.user))).first()
    if order is None:
        raise NotFound("order_not_found")
    return order


def _document(session: Session, order: SalesOrder, vendor: VendorSettings) -> OrderDocument:
    company = session.get(Company, order.company_id)
    contacts = {c.role: ContactView(c.full_name, c.email)
                for c in session.exec(select(Contact).where(Contact.company_id == company.id))}
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.position)).all()
    return OrderDocument(
        number=order.number, company_name=company.name,
        primary_contact=contacts.get(ContactRole.PRIMARY.value),
        billing_contact=contacts.get(ContactRole.BILLING.value),
        billing_address=party(customer_snapshot(session, company)), issuer=party(issuer_snapshot(vendor)),
        vendor_name=vendor.name, start_date=order.start_date, end_date=order.end_date,
        billing_frequency=order.billing_frequency, billing_method=order.billing_method,
        payment_terms_days=order.payment_terms_days, currency=order.currency,
        lines=tuple(document_line(line) for line in lines),
        subtotal_minor=order.subtotal_minor, tax_minor=order.tax_minor, total_minor=order.total_minor,
        vendor_logo=vendor.logo_path,
    )


def order_document(session: Session, ctx: RequestContext, number: str, vendor: VendorSettings) -> OrderDocument:
    """The order form of one of the caller's company's orders.

    Raises:
        NotAllowed: Without billing access. NotFound: ``order_not_found``.
    """
    return _document(session, _order(session, ctx, number), vendor)


def order_view(session: Session, ctx: RequestContext, number: str, vendor: VendorSettings) -> OrderView:
    """The order page: the form in the caller's language, its status, and what they may do.

    Raises:
        NotAllowed: Without billing access. NotFound: ``order_not_found``.
    """
    order = _order(session, ctx, number)
    document, locale = _document(session, order, vendor), ctx.locale
    signature = session.exec(select(OrderSignature).where(OrderSignature.order_id == order.id)).first()
    money = lambda minor: format_money(Money(minor, document.currency), locale)
    contact = lambda c: (c.full_name, c.email) if c else ()
    address = document.billing_address
    return OrderView(
        number=order.number, title=gettext("order.title", locale, company=document.company_name),
        status_label=gettext(f"status.order.{order.status}", locale), status_tone=status_tone(order.status),
        primary_contact=contact(document.primary_contact), billing_contact=contact(document.billing_contact),
        billing_address=(address.legal_name, *([address.recipient] if address.recipient else []),
                         *address.address_lines, f"{address.postal_code} {address.city}"),
        information=tuple(order_information(document, locale)),
        lines=tuple(OrderLineRow(line.text(locale), str(line.quantity), money(line.unit_price_minor),
                                 money(line.amount_minor)) for line in document.lines),
        subtotal=money(document.subtotal_minor), tax=money(document.tax_minor),
        total_label=total_label(document, locale), total=money(document.total_minor),
        can_sign=order.status == OrderStatus.AWAITING_SIGNATURE.value and ctx.user.can(Permission.SIGN_ORDERS),
        awaiting_signature=order.status == OrderStatus.AWAITING_SIGNATURE.value,
        # an add-on order is invoiced once signed: its invoice is what is paid
        can_pay=order.status == OrderStatus.SIGNED.value and order.total_minor > 0 and ctx.user.can(Permission.PAY)
        and not order.add_on,
        signed_note=gettext("sign.done", locale, name=signature.signer_name,
                            date=format_date(business_date(signature.signed_at, vendor.timezone), locale))
        if signature else "",
        **_payment_facts(session, order, vendor, locale),
    )


_STEPS = {OrderStatus.AWAITING_SIGNATURE.value: "sign", OrderStatus.SIGNED.value: "pay", OrderStatus.PAID.value: "done"}


def _payment_facts(session: Session, order: SalesOrder, vendor: VendorSettings, locale: str) -> dict[str, str]:
    """Where the order stands (sign, pay, done) and, once paid, when, with its invoice and receipt."""
    facts = {"step": _STEPS.get(order.status, "review")}
    paid = session.exec(select(Payment).where(Payment.order_id == order.id, col(Payment.paid_invoice_id).is_not(None))
                        .order_by(col(Payment.id).desc())).first()
    invoice = session.get(Invoice, paid.paid_invoice_id) if paid and paid.paid_invoice_id else session.exec(
        select(Invoice).where(Invoice.order_id == order.id, Invoice.kind == InvoiceKind.INVOICE.value,
                              Invoice.status != InvoiceStatus.DRAFT.value)
        .order_by(col(Invoice.issue_date).desc(), col(Invoice.id).desc())).first()
    if invoice is None:
        return facts
    facts["invoice_number"], facts["receipt_number"] = invoice.number, (paid.receipt_number or "") if paid else ""
    if order.status == OrderStatus.PAID.value and invoice.paid_at:
        facts["paid_note"] = gettext("order.paid_on", locale,
                                     date=format_date(business_date(invoice.paid_at, vendor.timezone), locale))
    return facts


def sign_order(session: Session, ctx: RequestContext, *, number: str, signer_name: str, authorized: bool,
               vendor: VendorSettings) -> OrderSignature:
    """"Je signe ici et autorise {vendor}": sign the order form exactly as rendered in the
    caller's language.

    Raises:
        NotAllowed: ``forbidden`` without the signing permission. NotFound: ``order_not_found``.
        InvalidInput: ``signer_name_required``, ``authorization_required``, ``order_not_signable``.
    """
    if not ctx.user.can(Permission.SIGN_ORDERS):  # before the lookup: a reader learns nothing of numbers
        raise NotAllowed("forbidden")
    order = _order(session, ctx, number)
    try:  # nobody signs as three zero-width spaces, nor with a name that displays as another
        name = person_name(signer_name)
    except TextProblem as problem:
        raise InvalidInput("signer_name_required", "signer_name") from problem
    if authorized is not True:
        raise InvalidInput("authorization_required", "authorized")
    if order.status != OrderStatus.AWAITING_SIGNATURE.value:
        raise InvalidInput("order_not_signable", "form")
    signed = render(render_order_pdf, _document(session, order, vendor), ctx.locale)
    digest = hashlib.sha256(signed).hexdigest()
    signature = OrderSignature(order_id=order.id, user_id=ctx.user.user_id, signer_name=name,
                               signer_email=ctx.user.email, signed_at=ctx.now, ip=ctx.ip,
                               user_agent=(ctx.user_agent or "")[:400], document_sha256=digest,
                               document_locale=ctx.locale, document_pdf=signed)
    session.add(signature)
    move(session, order, OrderStatus.SIGNED, ctx, company_id=order.company_id, subject=f"order:{order.number}",
         detail={"document_sha256": digest, "locale": ctx.locale})
    if order.add_on:
        _invoice_add_on(session, ctx, order, vendor)
    return signature


def _invoice_add_on(session: Session, ctx: RequestContext, order: SalesOrder, vendor: VendorSettings) -> None:
    """Seats bought for the rest of the term are invoiced once signed: due at once when the
    contract is paid by a saved card or mandate (the collection takes it today), within the
    order's terms by transfer otherwise."""
    contract = session.get(Contract, order.contract_id) if order.contract_id else None
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.position))
    issue_invoice(session, ctx, company_id=order.company_id, order_id=order.id,
                  issue_date=business_date(ctx.now, vendor.timezone),
                  payment_terms_days=0 if contract and contract.payment_method_id else order.payment_terms_days,
                  period=(order.start_date, order.end_date), vendor=vendor, currency=order.currency,
                  purchase_order_ref=order.purchase_order_ref,
                  lines=[LineInput(line.description, line.quantity, line.unit_price_minor, line.tax_rate_bp,
                                   line.description_en or "") for line in lines])


def order_pdf(session: Session, ctx: RequestContext, number: str, vendor: VendorSettings) -> bytes:
    """The order form PDF in the caller's language; once signed, the very pages that were signed
    (in their signing language), followed by the signature certificate."""
    order = _order(session, ctx, number)
    document = _document(session, order, vendor)
    signature = session.exec(select(OrderSignature).where(OrderSignature.order_id == order.id)).first()
    if signature is None:
        return render(render_order_pdf, document, ctx.locale)
    certificate = SignatureCertificate(signature.signer_name, signature.signer_email, signature.signed_at,
                                       signature.ip or "", signature.user_agent or "", signature.document_sha256,
                                       signature.document_locale)
    if not signature.document_pdf:  # signed before the signed pages were kept: rendered again
        return render(render_order_pdf, document, signature.document_locale, certificate)
    return render(with_certificate, signature.document_pdf, document, certificate)
