"""SEPA Direct Debit mandates (SEPA Core, recurrent payments): the account checked as it is
typed, the mandate's wording with the creditor's name and identifier, and the e-signature.

Consent is given like an order's signature: the signer types their name and ticks the
authorization; the mandate PDF is rendered with who signed, when and where, and those exact
bytes are kept with their SHA-256, the signer's IP and user agent. The signed mandate is
e-mailed to the signer and to the billing contact. The account is attached at the provider with
its mandate reference (RUM) before anything is recorded: an account the provider refuses is
refused next to the IBAN field and nothing is kept.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from sqlmodel import Session, select

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.calendar import business_time
from lcadmin.domain.permissions import Permission
from lcadmin.domain.sepa import BankAccountProblem, bank_account, new_mandate_reference
from lcadmin.domain.statuses import ContactRole, PaymentMethodKind, PaymentMethodStatus
from lcadmin.domain.text import TextProblem, field_text, person_name
from lcadmin.i18n import gettext
from lcadmin.mail import templates
from lcadmin.mail.outbox import enqueue
from lcadmin.models import Company, Contact, MandateSignature, PaymentMethod
from lcadmin.payments.provider import BankAccountError, PaymentProvider
from lcadmin.pdf.mandate import MandateDocument, render_mandate_pdf
from lcadmin.pdf.pool import render
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import InvalidInput, NotFound
from lcadmin.services.lifecycle import move
from lcadmin.services.payment_methods.cards import customer_id
from lcadmin.services.payment_methods.changes import apply_everywhere
from lcadmin.services.payment_methods.notices import notify_change
from lcadmin.services.payment_methods.wallet import company_of, find_method, method_label
from lcadmin.services.payments.checkout import require_provider
from lcadmin.services.snapshots import issuer_snapshot, party
from lcadmin.settings import Settings, VendorSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccountCheck:
    """An IBAN as checked while typed: grouped by four, its BIC and bank when known."""

    iban: str
    bic: str
    bank: str


def _account(iban: str, bic: str = ""):
    try:
        return bank_account(iban, bic)
    except BankAccountProblem as problem:
        raise InvalidInput(problem.code, "bic" if problem.code == "bic_invalid" else "iban") from problem


def check_account(*, iban: str, bic: str = "") -> AccountCheck:
    """The account an IBAN names, for the form's live check (no database, no provider).

    Raises:
        InvalidInput: ``iban_invalid``, ``iban_checksum``, ``iban_not_sepa``, ``bic_required``
            (field ``iban``); ``bic_invalid`` (field ``bic``).
    """
    account = _account(iban, bic)
    return AccountCheck(account.grouped, account.bic, account.bank_name)


def mandate_terms(locale: str, vendor: VendorSettings) -> tuple[str, str, str]:
    """The mandate's wording as the form shows it: the authorization, the refund rights, and the
    creditor with its identifier."""
    return (gettext("mandate.legal", locale, creditor=vendor.legal_name), gettext("mandate.rights", locale),
            f"{vendor.legal_name} · {gettext('mandate.creditor_id', locale, id=vendor.sepa_creditor_id)}")


@dataclass(frozen=True)
class MandateInput:
    """What the "Ajouter un mandat SEPA" form sends."""

    holder_name: str
    address: str
    postal_code: str
    city: str
    iban: str
    bic: str
    signer_name: str
    authorized: bool
    use_for_all: bool


def _required(value: str, code: str, field: str, limit: int = 200) -> str:
    try:
        text = " ".join(field_text(value, limit).split())
    except TextProblem as problem:
        raise InvalidInput(code, field) from problem
    if not text:
        raise InvalidInput(code, field)
    return text


def _checked(form: MandateInput):
    """Every field of the form, checked in the order shown (the first refusal is reported)."""
    try:
        holder = person_name(form.holder_name)
    except TextProblem as problem:
        raise InvalidInput("holder_name_required", "holder_name") from problem
    address = _required(form.address, "address_required", "address")
    postal_code = _required(form.postal_code, "postal_code_required", "postal_code", 20)
    city = _required(form.city, "city_required", "city", 100)
    account = _account(form.iban, form.bic)
    try:
        signer = person_name(form.signer_name)
    except TextProblem as problem:
        raise InvalidInput("signer_name_required", "signer_name") from problem
    if form.authorized is not True:
        raise InvalidInput("authorization_required", "authorized")
    return holder, (address, f"{postal_code} {city}"), city, account, signer


def sign_mandate(session: Session, ctx: RequestContext, *, form: MandateInput, provider: PaymentProvider | None,
                 settings: Settings) -> PaymentMethod:
    """"Signer le mandat": attach the account at the provider, keep the signed mandate, e-mail it.

    Raises:
        NotAllowed: Without the payment-methods permission. InvalidInput: a field's refusal
            (``holder_name_required``, ``address_required``, ``postal_code_required``,
            ``city_required``, an IBAN or BIC problem, ``live_iban_in_sandbox``,
            ``signer_name_required``, ``authorization_required``), ``payments_unavailable``.
    """
    company_id = company_of(ctx, Permission.MANAGE_PAYMENT_METHODS)
    provider = require_provider(provider)
    holder, address, city, account, signer = _checked(form)
    vendor = settings.vendor
    reference = new_mandate_reference(company_id)
    customer = customer_id(session, provider, company_id)
    try:
        saved = provider.attach_sepa_debit(customer_id=customer, iban=account.iban, holder_name=holder,
                                           mandate_reference=reference)
    except BankAccountError as error:
        raise InvalidInput(error.code, "iban") from error
    signed_at = business_time(ctx.now, vendor.timezone)
    document = MandateDocument(reference=reference, creditor=party(issuer_snapshot(vendor)),
                               creditor_id=vendor.sepa_creditor_id, debtor_name=holder, debtor_address=address,
                               iban=account.grouped, bic=account.bic, signer_name=signer,
                               signer_email=ctx.user.email, signed_at=signed_at, city=city,
                               vendor_name=vendor.name, vendor_logo=vendor.logo_path)
    try:
        pdf = render(render_mandate_pdf, document, ctx.locale)
        digest = hashlib.sha256(pdf).hexdigest()
        method = PaymentMethod(company_id=company_id, kind=PaymentMethodKind.SEPA_DEBIT.value,
                               status=PaymentMethodStatus.PENDING.value, provider_method_id=saved.method_id,
                               holder_name=holder, iban_country=account.country, iban_last4=account.last4,
                               bic=account.bic, mandate_reference=reference, use_for_all=form.use_for_all is True,
                               created_by=ctx.user.user_id, created_at=ctx.now, updated_at=ctx.now)
        session.add(method)
        session.flush()
        session.add(MandateSignature(payment_method_id=method.id, user_id=ctx.user.user_id, signer_name=signer,
                                     signer_email=ctx.user.email, holder_address=", ".join(address),
                                     signed_at=ctx.now, ip=ctx.ip, user_agent=(ctx.user_agent or "")[:400],
                                     document_sha256=digest, document_locale=ctx.locale, document_pdf=pdf))
        move(session, method, PaymentMethodStatus.ACTIVE, ctx, company_id=company_id,
             subject=f"payment_method:{method.id}", detail={"kind": method.kind, "reference": reference})
        record_event(session, action=AuditAction.MANDATE_SIGNED, outcome="success", actor_user_id=ctx.user.user_id,
                     actor_email=ctx.user.email, company_id=company_id, ip=ctx.ip, subject=f"mandate:{reference}",
                     detail={"document_sha256": digest, "locale": ctx.locale, "signer": signer}, now=ctx.now)
        switched = apply_everywhere(session, ctx, method) if method.use_for_all else []
        session.flush()
    except Exception:
        session.rollback()
        provider.detach_method(saved.method_id)  # nothing kept here: the provider keeps nothing either
        raise
    _send_mandate(session, ctx, company_id, reference, pdf)
    label_of = method

    def change(locale: str) -> str:
        text = gettext("wallet.change.mandate_signed", locale, method=method_label(label_of, locale),
                       reference=reference)
        return text + (" " + gettext("wallet.change.used_for", locale, contracts=", ".join(switched))
                       if switched else "")

    notify_change(session, ctx, company_id, settings, change)
    return method


def mandate_filename(reference: str, locale: str) -> str:
    """``Mandat-SEPA-LCA-….pdf`` / ``SEPA-mandate-LCA-….pdf``."""
    return f"{gettext('mandate.file', locale)}-{reference}.pdf"


def _send_mandate(session: Session, ctx: RequestContext, company_id: int, reference: str, pdf: bytes) -> None:
    """The signed mandate, attached, to the signer and to the billing contact (the same signed
    document to both: it exists in the language it was signed in)."""
    company = session.get(Company, company_id)
    recipients = {ctx.user.email.lower(): ctx.locale}
    billing = session.exec(select(Contact).where(Contact.company_id == company_id,
                                                 Contact.role == ContactRole.BILLING.value)).first()
    if billing is not None:
        recipients.setdefault(billing.email.lower(), billing.locale)
    for address, locale in recipients.items():
        mail = templates.mandate_mail(locale, company=company.name, reference=reference)
        message = enqueue(session, to=address, mail=mail, kind="mandate", now=ctx.now)
        message.attachment_name = mandate_filename(reference, ctx.locale)
        message.attachment = pdf


def mandate_pdf(session: Session, ctx: RequestContext, method_id: object) -> tuple[str, bytes]:
    """The signed mandate of one of the company's mandates (revoked ones too), exactly as signed.

    Raises:
        NotAllowed: Without billing access. NotFound: ``payment_method_not_found``.
    """
    company_id = company_of(ctx, Permission.VIEW_BILLING)
    method = find_method(session, company_id, method_id, include_removed=True)
    signature = session.exec(select(MandateSignature).where(MandateSignature.payment_method_id == method.id)).first()
    if signature is None:
        raise NotFound("payment_method_not_found")
    return mandate_filename(method.mandate_reference or "", signature.document_locale), signature.document_pdf
