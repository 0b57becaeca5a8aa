"""The access form: the business e-mail, then the proof of authority when it is needed.

Failed proofs are counted per e-mail, per IP and, for one of a company's real documents, per
company, and lock the proof after five in 15 minutes; every failure gives the same answer. A
proof from an address outside the company's known domains waits for a contact's approval;
otherwise the contacts are alerted.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.emails import email_domain
from lcadmin.domain.money import AmountError, amount_problem, parse_amount
from lcadmin.domain.permissions import Permission, has_permission
from lcadmin.domain.references import normalize_reference
from lcadmin.domain.statuses import (
    ACTIVATION_LINKS,
    ActivationMethod,
    ActivationStatus,
    InvoiceKind,
    InvoiceStatus,
    LinkPurpose,
    OrderStatus,
)
from lcadmin.models import (
    ActivationRequest,
    Company,
    CompanyDomain,
    Contact,
    Invoice,
    Membership,
    SalesOrder,
    UserAccount,
)
from lcadmin.services import throttle
from lcadmin.services.audit import lock_refusals_recorded, record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import InvalidInput, ServiceError, Throttled
from lcadmin.services.inputs import email_input
from lcadmin.services.lifecycle import move
from lcadmin.services.onboarding.emails import alert_contacts, ask_contacts_for_approval, send_activation
from lcadmin.services.tokens import revoke_tokens
from lcadmin.settings import Settings


class ProofRejected(ServiceError):
    """The order or invoice and amount match nothing: one answer for every cause."""


@dataclass(frozen=True)
class AccessOutcome:
    """What the access form shows next: ``activation_sent``, ``sign_in``, ``proof_needed`` or
    ``awaiting_approval``."""

    outcome: str
    email: str


@dataclass(frozen=True)
class _Document:
    """An issued order or invoice a proof may name."""

    label: str  # order:FLD… / invoice:F2026-…
    company_id: int
    subtotal_minor: int
    total_minor: int
    currency: str


def _supersede_open_requests(session: Session, ctx: RequestContext, email: str) -> None:
    """A new request revokes the older ones for the same address, and their links."""
    open_states = (ActivationStatus.AWAITING_APPROVAL, ActivationStatus.EMAIL_SENT, ActivationStatus.VERIFIED)
    for old in session.exec(select(ActivationRequest).where(
            ActivationRequest.business_email == email,
            col(ActivationRequest.status).in_([s.value for s in open_states]))):
        move(session, old, ActivationStatus.REVOKED, ctx, company_id=old.company_id,
             subject=f"activation_request:{old.id}", detail={"reason": "superseded"}, actor_email=email)
        revoke_tokens(session, ACTIVATION_LINKS, old.id, ctx.now)


def _new_request(session: Session, ctx: RequestContext, *, company: Company, email: str, method: ActivationMethod,
                 document: str | None, status: ActivationStatus) -> ActivationRequest:
    _supersede_open_requests(session, ctx, email)
    request = ActivationRequest(company_id=company.id, business_email=email, method=method.value,
                                proof_document=document, status=status.value, locale=ctx.locale,
                                requested_ip=ctx.ip, created_at=ctx.now, updated_at=ctx.now)
    session.add(request)
    session.flush()
    return request


def _already_manages(session: Session, email: str) -> bool:
    roles = session.exec(select(Membership.role).join(UserAccount, UserAccount.id == Membership.user_id)
                         .where(UserAccount.email == email)).all()
    return any(has_permission(role, Permission.VIEW_BILLING) for role in roles)


def _count_activation_mail(session: Session, ctx: RequestContext, address: str) -> None:
    """One more activation e-mail for this address, or Throttled (see ``throttle.ACTIVATION_MAIL``)."""
    limits = ((throttle.ACTIVATION_MAIL, [f"email:{address}|{throttle.ip_key(ctx.ip)}"]),
              (throttle.ACTIVATION_MAIL_ADDRESS, [f"email:{address}"]))
    with lock_refusals_recorded(session, action=AuditAction.ACCESS_ACTIVATION_MAIL, actor_email=address, ip=ctx.ip,
                                now=ctx.now):
        for policy, keys in limits:  # both checked before either counts: a refusal counts nothing
            throttle.ensure_unlocked(session, policy, keys, ctx.now)
    for policy, keys in limits:
        throttle.register_failure(session, policy, keys, ctx.now)


def start_access(session: Session, ctx: RequestContext, *, email: str, settings: Settings) -> AccessOutcome:
    """The "Suivant" of the business e-mail step.

    Raises:
        InvalidInput: ``email_empty`` / ``email_invalid``.
        Throttled: This IP made too many e-mail steps recently, or this contact got too many
            activation e-mails (``throttle.ACTIVATION_MAIL``).
    """
    address = email_input(email)
    with lock_refusals_recorded(session, action=AuditAction.ACCESS_EMAIL_STEP, actor_email=address, ip=ctx.ip,
                                now=ctx.now):
        throttle.count_attempt(session, throttle.EMAIL_STEP, [throttle.ip_key(ctx.ip)], ctx.now)  # every step counts

    if _already_manages(session, address):
        record_event(session, action=AuditAction.ACCESS_SIGN_IN_HINT, outcome="success", actor_email=address,
                     ip=ctx.ip, now=ctx.now)
        return AccessOutcome("sign_in", address)
    contact = session.exec(select(Contact).where(Contact.email == address).order_by(Contact.id)).first()
    if contact is not None:
        _count_activation_mail(session, ctx, address)
        company = session.get(Company, contact.company_id)
        request = _new_request(session, ctx, company=company, email=address, method=ActivationMethod.CONTACT,
                               document=None, status=ActivationStatus.EMAIL_SENT)
        send_activation(session, ctx, request, company, settings)
        record_event(session, action=AuditAction.ACCESS_ACTIVATION_SENT, outcome="success", actor_email=address,
                     company_id=company.id, ip=ctx.ip, subject=f"activation_request:{request.id}",
                     detail={"method": "contact", "contact_role": contact.role}, now=ctx.now)
        return AccessOutcome("activation_sent", address)
    record_event(session, action=AuditAction.ACCESS_PROOF_REQUESTED, outcome="success", actor_email=address,
                 ip=ctx.ip, now=ctx.now)
    return AccessOutcome("proof_needed", address)


def _amount_in(text: str, currency: str) -> int | None:
    """The typed amount in the document's currency (minor units), or None when it is written in
    another currency or with more decimals than that currency has."""
    try:
        return parse_amount(text, currency).minor
    except AmountError:
        return None


def _reference_key(column):
    """The SQL twin of ``normalize_reference`` for a stored number (``F2026-00001`` -> ``F202600001``)."""
    key = sa.func.upper(column)
    for noise in ("-", " ", ".", "/", "_", "#"):
        key = sa.func.replace(key, noise, "")
    return key


def _find_document(session: Session, reference: str) -> _Document | None:
    """The issued order or invoice numbered so."""
    order = session.exec(select(SalesOrder).where(
        _reference_key(SalesOrder.number) == reference,
        col(SalesOrder.status).notin_([OrderStatus.DRAFT.value, OrderStatus.CANCELLED.value]))).first()
    if order is not None:
        return _Document(f"order:{order.number}", order.company_id, order.subtotal_minor, order.total_minor,
                         order.currency)
    invoice = session.exec(select(Invoice).where(
        _reference_key(Invoice.number) == reference, Invoice.kind == InvoiceKind.INVOICE.value,
        col(Invoice.status).in_([InvoiceStatus.OPEN.value, InvoiceStatus.PAID.value]))).first()
    if invoice is not None:
        return _Document(f"invoice:{invoice.number}", invoice.company_id, invoice.subtotal_minor, invoice.total_minor,
                         invoice.currency)
    return None


def _companies_of_domain(session: Session, email: str) -> list[int]:
    return list(session.exec(select(CompanyDomain.company_id).where(CompanyDomain.domain == email_domain(email))))


def _proof_matches(session: Session, ctx: RequestContext, address: str, document: _Document | None,
                   amount: str) -> None:
    """Refuse a proof that does not match, counting the failure; refuse a locked one.

    Raises:
        Throttled: The proof is locked for this address or IP.
        ProofRejected: Nothing matched, or the document's company is locked (the failure counts).
    """
    personal = [f"email:{address}", throttle.ip_key(ctx.ip)]
    # Only a wrong amount for one of a company's real documents counts against that company: junk
    # references count against the address and the IP alone, so nobody can lock a company's
    # proof step by sending made-up numbers from addresses at its domain.
    keys = [*personal, *([f"company:{document.company_id}"] if document else [])]
    locked = throttle.locks(session, throttle.PROOF, keys, ctx.now)
    if any(key in locked for key in personal):
        with lock_refusals_recorded(session, action=AuditAction.ACCESS_PROOF, actor_email=address, ip=ctx.ip,
                                    now=ctx.now):
            raise Throttled(max(until for key, until in locked.items() if key in personal))
    # A locked company gets the generic answer, right amount or not: saying "locked" only when the
    # number exists would tell a stranger which order and invoice numbers are real.
    company_locked = len(locked) > 0
    if (not company_locked and document is not None
            and _amount_in(amount, document.currency) in (document.subtotal_minor, document.total_minor)):
        return
    # A lock runs its course: failures while it lasts count against the other keys only.
    throttle.register_failure(session, throttle.PROOF, [key for key in keys if key not in locked], ctx.now)
    reason = "company_locked" if company_locked else "amount_mismatch" if document else "no_such_document"
    record_event(session, action=AuditAction.ACCESS_PROOF, outcome="failure", actor_email=address, ip=ctx.ip,
                 company_id=document.company_id if document else None, detail={"reason": reason}, now=ctx.now)
    session.commit()  # the failure counts even though the caller sees an error
    raise ProofRejected("proof_mismatch")


def submit_proof(session: Session, ctx: RequestContext, *, email: str, reference: str, amount: str,
                 settings: Settings) -> AccessOutcome:
    """The "Suivant" of the proof step.

    Raises:
        InvalidInput: ``email_*``, ``reference_required`` or an ``amount_*`` code (nothing counted).
        Throttled: The proof is locked for this address or IP, or this address got too many
            activation e-mails (``throttle.ACTIVATION_MAIL``).
        ProofRejected: ``proof_mismatch``, whatever did not match, and while the company is locked
            (the failure is counted).
    """
    address = email_input(email)
    number = normalize_reference(reference)
    if not number or len(number) > 40:
        raise InvalidInput("reference_required", "reference")
    problem = amount_problem(amount)
    if problem:
        raise InvalidInput(problem, "amount")
    document = _find_document(session, number)
    _proof_matches(session, ctx, address, document, amount)

    _count_activation_mail(session, ctx, address)
    company = session.get(Company, document.company_id)
    known_domain = document.company_id in set(_companies_of_domain(session, address))
    status = ActivationStatus.EMAIL_SENT if known_domain else ActivationStatus.AWAITING_APPROVAL
    request = _new_request(session, ctx, company=company, email=address, method=ActivationMethod.PROOF,
                           document=document.label, status=status)
    if known_domain:
        send_activation(session, ctx, request, company, settings)
        alert_contacts(session, ctx, request, company, settings)
    else:
        ask_contacts_for_approval(session, ctx, request, company, settings)
    record_event(session, action=AuditAction.ACCESS_PROOF, outcome="success", actor_email=address,
                 company_id=company.id, ip=ctx.ip, subject=f"activation_request:{request.id}",
                 detail={"document": document.label, "known_domain": known_domain}, now=ctx.now)
    return AccessOutcome("activation_sent" if known_domain else "awaiting_approval", address)


def resend_activation(session: Session, ctx: RequestContext, *, email: str, settings: Settings) -> None:
    """"Renvoyer l'e-mail": a new link for the latest open request of this address (the previous
    link stops working). Says nothing about whether there was one.

    Raises:
        Throttled: Too many activation e-mails for this address (``throttle.ACTIVATION_MAIL``).
    """
    address = email_input(email)
    _count_activation_mail(session, ctx, address)
    request = session.exec(select(ActivationRequest).where(
        ActivationRequest.business_email == address, ActivationRequest.status == ActivationStatus.EMAIL_SENT.value,
    ).order_by(col(ActivationRequest.id).desc())).first()
    if request is None:
        record_event(session, action=AuditAction.ACCESS_RESEND, outcome="failure", actor_email=address, ip=ctx.ip,
                     now=ctx.now)
        return
    revoke_tokens(session, [LinkPurpose.ACTIVATE], request.id, ctx.now)  # the contacts' report links stay
    send_activation(session, ctx, request, session.get(Company, request.company_id), settings)
    record_event(session, action=AuditAction.ACCESS_RESEND, outcome="success", actor_email=address, ip=ctx.ip,
                 company_id=request.company_id, subject=f"activation_request:{request.id}", now=ctx.now)
