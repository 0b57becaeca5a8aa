"""Orders: the order form, its PDF, and the e-signature "Je signe ici et autorise {vendor}".

Everything is scoped to the session's company: any other number is simply not found.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from lcadmin.domain.permissions import Permission
from lcadmin.domain.text import TextProblem, person_name
from lcadmin.domain.statuses import (
    AddressKind,
    ContactRole,
    OrderStatus,
    check_transition,
)
from lcadmin.models import (
    Address,
    Company,
    Contact,
    OrderLine,
    OrderSignature,
    SalesOrder,
)
from lcadmin.pdf.document import DocumentLine, Party
from lcadmin.pdf.order_form import Contact as ContactView
from lcadmin.pdf.order_form import OrderDocument, SignatureCertificate, render_order_pdf, with_certificate
from lcadmin.services.audit import record_event
from lcadmin.services.errors import InvalidInput, NotAllowed, NotFound
from lcadmin.services.invoice_documents import _party
from lcadmin.services.invoicing import issuer_snapshot
from lcadmin.services.sessions import Principal
from lcadmin.settings import VendorSettings


@dataclass(frozen=True)
class SignatureView:
    """Who signed, and when (display strings)."""

    signer_name: str
    signed_at: datetime


def _order(session: Session, principal: Principal, number: str) -> SalesOrder:
    if not principal.can(Permission.VIEW_BILLING):
        raise NotAllowed("forbidden")
    order = session.exec(select(SalesOrder).where(
        SalesOrder.number == (number or "")[:40], SalesOrder.company_id == principal.company_id,
        SalesOrder.status != OrderStatus.DRAFT.value)).first()
    if order is None:
        raise NotFound("order_not_found")
    return order


def order_document(session: Session, principal: Principal, number: str, vendor: VendorSettings) -> OrderDocument:
    """The order form of one of the caller's company's orders.

    Raises:
        NotAllowed: Without billing access. NotFound: ``order_not_found``.
    """
    order = _order(session, principal, number)
    company = session.get(Company, order.company_id)
    contacts = {c.role: ContactView(c.full_name, c.email)
                for c in session.exec(select(Contact).where(Contact.company_id == company.id))}
    addresses = {a.kind: a for a in session.exec(select(Address).where(Address.company_id == company.id))}
    address = addresses.get(AddressKind.BILLING.value) or addresses.get(AddressKind.REGISTERED.value)
    lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.position)).all()
    return OrderDocument(
        number=order.number, company_name=company.name,
        primary_contact=contacts.get(ContactRole.PRIMARY.value), billing_contact=contacts.get(ContactRole.BILLING.value),
        billing_address=Party(legal_name=company.legal_name, address_lines=(address.line1,) if address else (),
                              postal_code=address.postal_code if address else "", city=address.city if address else "",
                              country_code=address.country_code if address else "FR", siren=company.siren,
                              vat_number=company.vat_number or "", recipient=(address.recipient or "") if address else ""),
        issuer=_party(issuer_snapshot(vendor)), vendor_name=vendor.name, start_date=order.start_date,
        end_date=order.end_date, billing_frequency=order.billing_frequency, billing_method=order.billing_method,
        payment_terms_days=order.payment_terms_days, currency=order.currency,
        lines=tuple(DocumentLine(l.description, l.quantity, l.unit_price_minor, l.tax_rate_bp, l.amount_minor)
                    for l in lines),
        subtotal_minor=order.subtotal_minor, tax_minor=order.tax_minor, total_minor=order.total_minor,
        vendor_logo=vendor.logo_path,
    )


def order_status(session: Session, principal: Principal, number: str) -> tuple[str, SignatureView | None]:
    """The order's status and its signature, if any."""
    order = _order(session, principal, number)
    signature = session.exec(select(OrderSignature).where(OrderSignature.order_id == order.id)).first()
    return order.status, SignatureView(signature.signer_name, signature.signed_at) if signature else None


def sign_order(session: Session, principal: Principal, *, number: str, signer_name: str, authorized: bool,
               locale: str, ip: str | None, user_agent: str | None, vendor: VendorSettings,
               now: datetime) -> OrderSignature:
    """"Je signe ici et autorise {vendor}": sign the order form exactly as rendered in ``locale``.

    Raises:
        NotAllowed: ``forbidden`` without the signing permission. NotFound: ``order_not_found``.
        InvalidInput: ``signer_name_required``, ``authorization_required``, ``order_not_signable``.
    """
    document = order_document(session, principal, number, vendor)
    if not principal.can(Permission.SIGN_ORDERS):
        raise NotAllowed("forbidden")
    try:  # nobody signs as three zero-width spaces, nor with a name that displays as another
        name = person_name(signer_name)
    except TextProblem as problem:
        raise InvalidInput("signer_name_required", "signer_name") from problem
    if authorized is not True:
        raise InvalidInput("authorization_required", "authorized")
    order = _order(session, principal, number)
    if order.status != OrderStatus.AWAITING_SIGNATURE.value:
        raise InvalidInput("order_not_signable", "form")
    check_transition(OrderStatus(order.status), OrderStatus.SIGNED)
    signed = render_order_pdf(document, locale)
    digest = hashlib.sha256(signed).hexdigest()
    signature = OrderSignature(order_id=order.id, user_id=principal.user_id, signer_name=name,
                               signer_email=principal.email, signed_at=now, ip=ip, user_agent=(user_agent or "")[:400],
                               document_sha256=digest, document_locale=locale, document_pdf=signed)
    session.add(signature)
    order.status = OrderStatus.SIGNED.value
    session.add(order)
    record_event(session, action="order.signed", outcome="success", actor_user_id=principal.user_id,
                 company_id=order.company_id, ip=ip, subject=f"order:{order.number}",
                 detail={"document_sha256": digest, "locale": locale}, now=now)
    return signature


def order_pdf(session: Session, principal: Principal, number: str, locale: str, vendor: VendorSettings) -> bytes:
    """The order form PDF; once signed, the very pages that were signed (in their signing
    language), followed by the signature certificate."""
    document = order_document(session, principal, number, vendor)
    order = _order(session, principal, number)
    signature = session.exec(select(OrderSignature).where(OrderSignature.order_id == order.id)).first()
    if signature is None:
        return render_order_pdf(document, locale)
    certificate = SignatureCertificate(signature.signer_name, signature.signer_email, signature.signed_at,
                                       signature.ip or "", signature.user_agent or "", signature.document_sha256,
                                       signature.document_locale)
    if not signature.document_pdf:  # signed before the signed pages were kept: rendered again
        return render_order_pdf(document, signature.document_locale, certificate)
    return with_certificate(signature.document_pdf, document, certificate)
