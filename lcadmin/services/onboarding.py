"""Billing access activation: the seed's flow, from the business e-mail to "Accepter et continuer".

1. :func:`start_access` — the business e-mail. A primary or billing contact gets the activation
   e-mail; someone who already manages the company is told to sign in (no e-mail); anyone else
   must prove authority.
2. :func:`submit_proof` — an issued order or invoice number and its subtotal or total. Failures
   are counted per e-mail, per company and per IP and lock the proof after five in 15 minutes.
   Every failure gives the same answer. A proof from an address outside the company's known
   domains waits for a contact's approval; otherwise the contacts are alerted.
3. :func:`confirm_activation` — the "Activer mon compte" button of the e-mailed link (opening the
   link alone never uses it: mail scanners fetch links before people do). It hands back a new
   secret that only the browser tab that clicked holds (only its SHA-256 is stored).
4. :func:`complete_activation` — "Accepter et continuer", signed in, with that secret: the account
   becomes billing admin of the company. Nothing else names the request: knowing its id, its
   company or its requester's address is worth nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from lcadmin.domain.emails import EmailProblem, email_domain, normalize_email
from lcadmin.domain.money import AmountError, parse_amount
from lcadmin.domain.permissions import Permission, Role, has_permission
from lcadmin.domain.references import normalize_reference
from lcadmin.domain.statuses import (
    ActivationStatus,
    InvoiceKind,
    InvoiceStatus,
    OrderStatus,
    check_transition,
)
from lcadmin.domain.terms import TERMS_VERSION
from lcadmin.i18n import gettext
from lcadmin.mail import templates
from lcadmin.mail.outbox import enqueue
from lcadmin.models import (
    ActivationRequest,
    Company,
    CompanyDomain,
    Contact,
    Invoice,
    Membership,
    SalesOrder,
    TermsAcceptance,
    UserAccount,
)
from lcadmin.services import throttle
from lcadmin.services.audit import lock_refusals_recorded, record_event
from lcadmin.services.errors import InvalidInput, LinkProblem, NotAllowed, ServiceError, Throttled
from lcadmin.services.sessions import end_user_sessions
from lcadmin.services.tokens import (
    consume_token,
    digest,
    find_token,
    issue_token,
    new_secret,
    revoke_request_tokens,
    token_state,
)
from lcadmin.settings import Settings

APPROVAL_TTL = timedelta(days=7)
REPORT_TTL = timedelta(days=90)
# Once the link's button is clicked, the person has this long to sign in and accept.
VERIFIED_WINDOW = timedelta(hours=2)


class ProofRejected(ServiceError):
    """The order or invoice and amount match nothing: one answer for every cause."""


@dataclass(frozen=True)
class AccessOutcome:
    """What the access form shows next: ``activation_sent``, ``sign_in``, ``proof_needed`` or
    ``awaiting_approval``."""

    outcome: str
    email: str


@dataclass(frozen=True)
class VerifiedActivation:
    """What the tab that clicked "Activer mon compte" keeps until "Accepter et continuer": the
    secret that finishes the activation (never sent to the browser), and the company's name."""

    secret: str
    company_name: str


@dataclass(frozen=True)
class LinkView:
    """What a link page may show about its token."""

    state: str  # valid, used, expired, unknown
    purpose: str
    company_name: str = ""
    requester: str = ""
    document: str = ""


def _business_email(text: str) -> str:
    try:
        return normalize_email(text)
    except EmailProblem as problem:
        raise InvalidInput(f"email_{problem.code}", "email") from problem


def _document_label(document: str | None, locale: str) -> str:
    kind, _, number = (document or "").partition(":")
    return gettext(f"doc.{kind}", locale, number=number) if kind in ("order", "invoice") else ""


def _link(settings: Settings, path: str, secret: str) -> str:
    return f"{settings.public_url}/{path}/{secret}"


def _contacts(session: Session, company_id: int) -> list[Contact]:
    return list(session.exec(select(Contact).where(Contact.company_id == company_id).order_by(Contact.role.desc())))


def _supersede_open_requests(session: Session, email: str, now: datetime) -> None:
    """A new request revokes the links of the older ones for the same address."""
    open_states = (ActivationStatus.AWAITING_APPROVAL, ActivationStatus.EMAIL_SENT, ActivationStatus.VERIFIED)
    for old in session.exec(select(ActivationRequest).where(
            ActivationRequest.business_email == email, ActivationRequest.status.in_([s.value for s in open_states]))):
        _move(session, old, ActivationStatus.REVOKED, now)
        revoke_request_tokens(session, old.id, now)


def _move(session: Session, request: ActivationRequest, target: ActivationStatus, now: datetime) -> None:
    check_transition(ActivationStatus(request.status), target)
    request.status, request.updated_at = target.value, now
    session.add(request)


def _send_activation(session: Session, request: ActivationRequest, company: Company, settings: Settings,
                     now: datetime) -> None:
    secret = issue_token(session, purpose="activate", request_id=request.id,
                         ttl=timedelta(hours=settings.activation_ttl_hours), now=now)
    mail = templates.activation_mail(request.locale, company=company.name, link=_link(settings, "activate", secret),
                                     hours=settings.activation_ttl_hours)
    enqueue(session, to=request.business_email, mail=mail, kind="activation", now=now)


def _new_request(session: Session, *, company: Company, email: str, method: str, document: str | None,
                 status: ActivationStatus, locale: str, ip: str | None, now: datetime) -> ActivationRequest:
    _supersede_open_requests(session, email, now)
    request = ActivationRequest(company_id=company.id, business_email=email, method=method, proof_document=document,
                                status=status.value, locale=locale, requested_ip=ip, created_at=now, updated_at=now)
    session.add(request)
    session.flush()
    return request


def _already_manages(session: Session, email: str) -> bool:
    roles = session.exec(select(Membership.role).join(UserAccount, UserAccount.id == Membership.user_id)
                         .where(UserAccount.email == email)).all()
    return any(has_permission(role, Permission.VIEW_BILLING) for role in roles)


def _count_activation_mail(session: Session, address: str, now: datetime, ip: str | None) -> None:
    """One more activation e-mail for this address, or Throttled (see ``throttle.ACTIVATION_MAIL``)."""
    limits = ((throttle.ACTIVATION_MAIL, [f"email:{address}|{throttle.ip_key(ip)}"]),
              (throttle.ACTIVATION_MAIL_ADDRESS, [f"email:{address}"]))
    with lock_refusals_recorded(session, action="access.activation_mail", actor_email=address, ip=ip, now=now):
        for policy, keys in limits:  # both checked before either counts: a refusal counts nothing
            throttle.ensure_unlocked(session, policy, keys, now)
    for policy, keys in limits:
        throttle.register_failure(session, policy, keys, now)


def start_access(session: Session, *, email: str, locale: str, ip: str | None, settings: Settings,
                 now: datetime) -> AccessOutcome:
    """The "Suivant" of the business e-mail step.

    Raises:
        InvalidInput: ``email_empty`` / ``email_invalid``.
        Throttled: This IP made too many e-mail steps recently, or this contact got too many
            activation e-mails (``throttle.ACTIVATION_MAIL``).
    """
    address = _business_email(email)
    with lock_refusals_recorded(session, action="access.email_step", actor_email=address, ip=ip, now=now):
        throttle.count_attempt(session, throttle.EMAIL_STEP, [throttle.ip_key(ip)], now)  # every step counts

    if _already_manages(session, address):
        record_event(session, action="access.sign_in_hint", outcome="success", actor_email=address, ip=ip, now=now)
        return AccessOutcome("sign_in", address)
    contact = session.exec(select(Contact).where(Contact.email == address).order_by(Contact.id)).first()
    if contact is not None:
        _count_activation_mail(session, address, now, ip)
        company = session.get(Company, contact.company_id)
        request = _new_request(session, company=company, email=address, method="contact", document=None,
                               status=ActivationStatus.EMAIL_SENT, locale=locale, ip=ip, now=now)
        _send_activation(session, request, company, settings, now)
        record_event(session, action="access.activation_sent", outcome="success", actor_email=address,
                     company_id=company.id, ip=ip, subject=f"activation_request:{request.id}",
                     detail={"method": "contact", "contact_role": contact.role}, now=now)
        return AccessOutcome("activation_sent", address)
    record_event(session, action="access.proof_requested", outcome="success", actor_email=address, ip=ip, now=now)
    return AccessOutcome("proof_needed", address)


def check_proof_amount(text: str) -> str | None:
    """Live check of the amount field: the error code, or None when it is usable (in whichever
    currency it is written: only the document tells which one it must be)."""
    try:
        amount = parse_amount(text, currency=None)
    except AmountError as error:
        return f"amount_{error.code}"
    return "amount_zero" if amount.is_zero else None


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


def _find_document(session: Session, reference: str) -> tuple[str, int, int, int, str] | None:
    """(label, company id, subtotal, total, currency) of the issued order or invoice numbered so."""
    order = session.exec(select(SalesOrder).where(
        _reference_key(SalesOrder.number) == reference,
        SalesOrder.status.notin_([OrderStatus.DRAFT.value, OrderStatus.CANCELLED.value]))).first()
    if order is not None:
        return f"order:{order.number}", order.company_id, order.subtotal_minor, order.total_minor, order.currency
    invoice = session.exec(select(Invoice).where(
        _reference_key(Invoice.number) == reference, Invoice.kind == InvoiceKind.INVOICE.value,
        Invoice.status.in_([InvoiceStatus.OPEN.value, InvoiceStatus.PAID.value]))).first()
    if invoice is not None:
        return (f"invoice:{invoice.number}", invoice.company_id, invoice.subtotal_minor, invoice.total_minor,
                invoice.currency)
    return None


def _companies_of_domain(session: Session, email: str) -> list[int]:
    return list(session.exec(select(CompanyDomain.company_id).where(CompanyDomain.domain == email_domain(email))))


def submit_proof(session: Session, *, email: str, reference: str, amount: str, locale: str, ip: str | None,
                 settings: Settings, now: datetime) -> AccessOutcome:
    """The "Suivant" of the proof step.

    Raises:
        InvalidInput: ``email_*``, ``reference_required`` or an ``amount_*`` code (nothing counted).
        Throttled: The proof is locked for this address or IP, or this address got too many
            activation e-mails (``throttle.ACTIVATION_MAIL``).
        ProofRejected: ``proof_mismatch``, whatever did not match, and while the company is locked
            (the failure is counted).
    """
    address = _business_email(email)
    number = normalize_reference(reference)
    if not number or len(number) > 40:
        raise InvalidInput("reference_required", "reference")
    problem = check_proof_amount(amount)
    if problem:
        raise InvalidInput(problem, "amount")

    document = _find_document(session, number)
    personal = [f"email:{address}", throttle.ip_key(ip)]
    # Only a wrong amount for one of a company's real documents counts against that company: junk
    # references count against the address and the IP alone, so nobody can lock a company's
    # proof step by sending made-up numbers from addresses at its domain.
    keys = [*personal, *([f"company:{document[1]}"] if document else [])]
    locked = throttle.locks(session, throttle.PROOF, keys, now)
    if any(key in locked for key in personal):
        with lock_refusals_recorded(session, action="access.proof", actor_email=address, ip=ip, now=now):
            raise Throttled(max(until for key, until in locked.items() if key in personal))
    # A locked company gets the generic answer, right amount or not: saying "locked" only when the
    # number exists would tell a stranger which order and invoice numbers are real.
    company_locked = len(locked) > 0
    matches = (not company_locked and document is not None
               and _amount_in(amount, document[4]) in (document[2], document[3]))
    if not matches:
        # A lock runs its course: failures while it lasts count against the other keys only.
        throttle.register_failure(session, throttle.PROOF, [key for key in keys if key not in locked], now)
        reason = "company_locked" if company_locked else "amount_mismatch" if document else "no_such_document"
        record_event(session, action="access.proof", outcome="failure", actor_email=address, ip=ip,
                     company_id=document[1] if document else None, detail={"reason": reason}, now=now)
        session.commit()  # the failure counts even though the caller sees an error
        raise ProofRejected("proof_mismatch")

    _count_activation_mail(session, address, now, ip)
    label, company_id = document[0], document[1]
    company = session.get(Company, company_id)
    known_domain = company_id in set(_companies_of_domain(session, address))
    detail = {"document": label, "known_domain": known_domain}
    if known_domain:
        request = _new_request(session, company=company, email=address, method="proof", document=label,
                               status=ActivationStatus.EMAIL_SENT, locale=locale, ip=ip, now=now)
        _send_activation(session, request, company, settings, now)
        _alert_contacts(session, request, company, settings, now)
        outcome = "activation_sent"
    else:
        request = _new_request(session, company=company, email=address, method="proof", document=label,
                               status=ActivationStatus.AWAITING_APPROVAL, locale=locale, ip=ip, now=now)
        _ask_contacts_for_approval(session, request, company, settings, now)
        outcome = "awaiting_approval"
    record_event(session, action="access.proof", outcome="success", actor_email=address, company_id=company_id,
                 ip=ip, subject=f"activation_request:{request.id}", detail=detail, now=now)
    return AccessOutcome(outcome, address)


def _alert_contacts(session: Session, request: ActivationRequest, company: Company, settings: Settings,
                    now: datetime, account: str | None = None) -> None:
    """Tell the company's contacts, with a link to report it: that someone proved a document and got
    an activation link, or (with ``account``) that the access is now active for that account."""
    locale = settings.default_locale
    for contact in _contacts(session, company.id):
        secret = issue_token(session, purpose="report", request_id=request.id, ttl=REPORT_TTL, now=now)
        values = {"company": company.name, "requester": request.business_email,
                  "document": _document_label(request.proof_document, locale),
                  "report_link": _link(settings, "report", secret)}
        if account is None:
            mail, kind = templates.access_alert_mail(locale, **values), "access_alert"
        else:
            mail, kind = templates.access_granted_mail(locale, account=account, **values), "access_granted"
        enqueue(session, to=contact.email, mail=mail, kind=kind, now=now)


def _ask_contacts_for_approval(session: Session, request: ActivationRequest, company: Company, settings: Settings,
                               now: datetime) -> None:
    locale = settings.default_locale
    for contact in _contacts(session, company.id):
        approve = issue_token(session, purpose="approve", request_id=request.id, ttl=APPROVAL_TTL, now=now)
        refuse = issue_token(session, purpose="refuse", request_id=request.id, ttl=APPROVAL_TTL, now=now)
        mail = templates.approval_request_mail(
            locale, company=company.name, requester=request.business_email,
            document=_document_label(request.proof_document, locale),
            approve_link=_link(settings, "decision", approve), refuse_link=_link(settings, "decision", refuse))
        enqueue(session, to=contact.email, mail=mail, kind="approval_request", now=now)


def resend_activation(session: Session, *, email: str, ip: str | None, settings: Settings, now: datetime) -> None:
    """"Renvoyer l'e-mail": a new link for the latest open request of this address (the previous
    link stops working). Says nothing about whether there was one.

    Raises:
        Throttled: Too many activation e-mails for this address (``throttle.ACTIVATION_MAIL``).
    """
    address = _business_email(email)
    _count_activation_mail(session, address, now, ip)
    request = session.exec(select(ActivationRequest).where(
        ActivationRequest.business_email == address, ActivationRequest.status == ActivationStatus.EMAIL_SENT.value,
    ).order_by(ActivationRequest.id.desc())).first()
    if request is None:
        record_event(session, action="access.resend", outcome="failure", actor_email=address, ip=ip, now=now)
        return
    revoke_request_tokens(session, request.id, now)
    _send_activation(session, request, session.get(Company, request.company_id), settings, now)
    record_event(session, action="access.resend", outcome="success", actor_email=address, ip=ip,
                 company_id=request.company_id, subject=f"activation_request:{request.id}", now=now)


def inspect_link(session: Session, *, secret: str, purposes: tuple[str, ...], locale: str, now: datetime) -> LinkView:
    """What a link page shows before anyone clicks: never uses the token."""
    for purpose in purposes:
        token = find_token(session, secret, purpose)
        if token is not None:
            request = session.get(ActivationRequest, token.request_id)
            company = session.get(Company, request.company_id)
            return LinkView(state=token_state(token, now), purpose=purpose, company_name=company.name,
                            requester=request.business_email,
                            document=_document_label(request.proof_document, locale))
    return LinkView(state="unknown", purpose=purposes[0])


def _use_link(session: Session, secret: str, purpose: str, ip: str | None, now: datetime) -> ActivationRequest:
    token = consume_token(session, secret, purpose, now)
    if token is None:
        state = token_state(find_token(session, secret, purpose), now)
        record_event(session, action=f"link.{purpose}", outcome="failure", ip=ip, detail={"state": state}, now=now)
        session.commit()
        raise LinkProblem(f"link_{state}")
    return session.get(ActivationRequest, token.request_id)


def confirm_activation(session: Session, *, secret: str, ip: str | None, now: datetime) -> VerifiedActivation:
    """"Activer mon compte": uses the link, and binds the activation to the caller.

    Returns:
        A fresh 256-bit secret for the caller to keep (its SHA-256 is stored on the request), and
        the company's name. :func:`complete_activation` wants that secret back.

    Raises:
        LinkProblem: ``link_unknown``, ``link_used``, ``link_expired`` (or ``link_revoked``).
    """
    request = _use_link(session, secret, "activate", ip, now)
    if request.status != ActivationStatus.EMAIL_SENT.value:
        session.commit()  # the token stays used
        raise LinkProblem("link_revoked")
    held = new_secret()
    request.completion_hash = digest(held)
    _move(session, request, ActivationStatus.VERIFIED, now)
    record_event(session, action="access.link_confirmed", outcome="success", actor_email=request.business_email,
                 company_id=request.company_id, ip=ip, subject=f"activation_request:{request.id}", now=now)
    return VerifiedActivation(held, session.get(Company, request.company_id).name)


def decide_approval(session: Session, *, secret: str, ip: str | None, settings: Settings, now: datetime) -> str:
    """A contact clicked "Approuver" or "Refuser" in the approval e-mail.

    Returns:
        ``approved`` or ``refused``.

    Raises:
        LinkProblem: The link is unknown, used, expired, or the request was already decided.
    """
    purpose = "approve" if find_token(session, secret, "approve") is not None else "refuse"
    request = _use_link(session, secret, purpose, ip, now)
    if request.status != ActivationStatus.AWAITING_APPROVAL.value:
        raise LinkProblem("link_used")
    revoke_request_tokens(session, request.id, now)  # the other contact's links and the other button
    company = session.get(Company, request.company_id)
    if purpose == "approve":
        _move(session, request, ActivationStatus.EMAIL_SENT, now)
        _send_activation(session, request, company, settings, now)
        decision = "approved"
    else:
        _move(session, request, ActivationStatus.REFUSED, now)
        enqueue(session, to=request.business_email, kind="access_refused", now=now,
                mail=templates.access_refused_mail(request.locale, company=company.name))
        decision = "refused"
    record_event(session, action=f"access.{decision}", outcome="success", company_id=company.id, ip=ip,
                 subject=f"activation_request:{request.id}", detail={"requester": request.business_email}, now=now)
    return decision


def report_access(session: Session, *, secret: str, ip: str | None, now: datetime) -> None:
    """A contact reports an access granted through a proof: it is withdrawn at once.

    Raises:
        LinkProblem: The link is unknown, used or expired.
    """
    request = _use_link(session, secret, "report", ip, now)
    if request.status not in (ActivationStatus.REVOKED.value, ActivationStatus.REFUSED.value):
        _move(session, request, ActivationStatus.REVOKED, now)
    revoke_request_tokens(session, request.id, now)
    if request.granted_user_id is not None:
        session.exec(sa.delete(Membership).where(
            Membership.user_id == request.granted_user_id, Membership.company_id == request.company_id,
            Membership.role == Role.BILLING_ADMIN.value))
        end_user_sessions(session, request.granted_user_id, now)
    record_event(session, action="access.reported", outcome="success", company_id=request.company_id, ip=ip,
                 subject=f"activation_request:{request.id}",
                 detail={"requester": request.business_email, "was_granted": request.granted_user_id is not None},
                 now=now)


def _verified_request(session: Session, held: str | None, now: datetime) -> ActivationRequest | None:
    """The verified request whose link was clicked by the holder of ``held``, while it can still
    be completed."""
    if not held or len(held) > 100:
        return None
    request = session.exec(select(ActivationRequest).where(ActivationRequest.completion_hash == digest(held))).first()
    if request is None or request.status != ActivationStatus.VERIFIED.value or now - request.updated_at > VERIFIED_WINDOW:
        return None
    return request


def pending_company_name(session: Session, held: str | None, now: datetime) -> str | None:
    """The company of the activation the holder of ``held`` may finish, or None."""
    request = _verified_request(session, held, now)
    return session.get(Company, request.company_id).name if request else None


def complete_activation(session: Session, *, held: str | None, user_id: int, terms_accepted: bool,
                        ip: str | None, settings: Settings, now: datetime) -> int:
    """"Accepter et continuer": record the terms and make the account billing admin of the company.
    An access proved with a document is announced to the company's contacts, naming the account.

    Args:
        held: The secret :func:`confirm_activation` gave the tab that clicked the link.

    Returns:
        The company id.

    Raises:
        InvalidInput: ``terms_required``.
        NotAllowed: ``no_pending_activation`` (no such secret, revoked, or verified too long ago).
    """
    if not terms_accepted:
        raise InvalidInput("terms_required", "terms")
    request = _verified_request(session, held, now)
    if request is None:
        raise NotAllowed("no_pending_activation")
    membership = session.exec(select(Membership).where(
        Membership.user_id == user_id, Membership.company_id == request.company_id)).first()
    if membership is None:
        session.add(Membership(user_id=user_id, company_id=request.company_id, role=Role.BILLING_ADMIN.value,
                               created_at=now))
    elif membership.role == Role.MEMBER.value:
        membership.role = Role.BILLING_ADMIN.value
        session.add(membership)
    session.add(TermsAcceptance(user_id=user_id, company_id=request.company_id, terms_version=TERMS_VERSION,
                                accepted_at=now, ip=ip))
    request.granted_user_id = user_id
    _move(session, request, ActivationStatus.COMPLETED, now)
    if request.method == "proof":
        account = session.get(UserAccount, user_id)
        _alert_contacts(session, request, session.get(Company, request.company_id), settings, now,
                        account=account.email)
    record_event(session, action="access.completed", outcome="success", actor_user_id=user_id,
                 company_id=request.company_id, ip=ip, subject=f"activation_request:{request.id}",
                 detail={"terms_version": TERMS_VERSION, "method": request.method}, now=now)
    return request.company_id
