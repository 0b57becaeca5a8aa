"""Saving a card for later off-session charges, shaped like a real provider's set-up flow: the
card is tokenized (its number and CVC go no further), attached to the company's customer record
through a set-up intent, authenticated with 3-D Secure when the bank asks, then saved.

The set-up's idempotency key is chosen when the form opens: a double click or a retry finds the
same set-up, never a second card. "Utiliser pour tous mes contrats" is written on the saved
method and applied once it is active (after the 3-D Secure step, if one is asked), so the choice
survives the trip to the bank's page. No transaction is open across a provider call.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.cards import FIELD_OF, CardInput, card_expiry
from lcadmin.domain.permissions import Permission
from lcadmin.domain.statuses import PaymentMethodKind, PaymentMethodStatus
from lcadmin.domain.text import TextProblem, person_name
from lcadmin.i18n import gettext
from lcadmin.models import Company, PaymentMethod
from lcadmin.payments.provider import PaymentProvider, SetupIntent
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import InvalidInput, NotFound
from lcadmin.services.lifecycle import move_if
from lcadmin.services.payment_methods.changes import apply_everywhere
from lcadmin.services.payment_methods.notices import notify_change
from lcadmin.services.payment_methods.wallet import company_of, method_label
from lcadmin.services.payments.checkout import require_provider, tokenize
from lcadmin.settings import Settings


@dataclass(frozen=True)
class CardSetupInput:
    """What the "Ajouter une carte" form sends; the card is held only for the tokenization call."""

    holder_name: str
    card: CardInput
    use_for_all: bool


@dataclass(frozen=True)
class SetupOutcome:
    """``active`` (saved, with its label), ``requires_action`` (``action_url``: the 3-D Secure
    page) or ``failed`` (``failure_code``)."""

    status: str
    label: str = ""
    action_url: str | None = None
    failure_code: str | None = None


def customer_id(session: Session, provider: PaymentProvider, company_id: int) -> str:
    """The company's customer record at the provider, made on first use (commits)."""
    company = session.get(Company, company_id)
    known, name = company.provider_customer_id, company.legal_name
    session.commit()  # the caller calls the provider next: no transaction open across it
    if known:
        return known
    made = provider.create_customer(reference=f"company:{company_id}", name=name)
    session.exec(sa.update(Company).where(Company.id == company_id, col(Company.provider_customer_id).is_(None))
                 .values(provider_customer_id=made))
    session.commit()
    return made  # the provider gives one customer per reference: a concurrent call got this one too


def _activated(session: Session, ctx: RequestContext, method: PaymentMethod, settings: Settings) -> None:
    """A card just became active: its contracts if it was asked to pay them all, and the notice."""
    switched = apply_everywhere(session, ctx, method) if method.use_for_all else []
    added = method

    def change(locale: str) -> str:
        text = gettext("wallet.change.card_added", locale, method=method_label(added, locale))
        if switched:
            text += " " + gettext("wallet.change.used_for", locale, contracts=", ".join(switched))
        return text

    notify_change(session, ctx, method.company_id, settings, change)


def _failed(session: Session, ctx: RequestContext, company_id: int, code: str, label: str) -> InvalidInput:
    """The refusal of a set-up, its audit event committed (the refusal rolls the rest back)."""
    record_event(session, action=AuditAction.PAYMENT_METHOD_SETUP_FAILED, outcome="failure",
                 actor_user_id=ctx.actor_id, actor_email=ctx.principal.email if ctx.principal else None,
                 company_id=company_id, ip=ctx.ip, subject="card", detail={"code": code, "card": label}, now=ctx.now)
    session.commit()
    return InvalidInput(code, FIELD_OF.get(code, "form"))


def _outcome(method: PaymentMethod, setup: SetupIntent | None, locale: str) -> SetupOutcome:
    status = {PaymentMethodStatus.ACTIVE.value: "active", PaymentMethodStatus.PENDING.value: "requires_action"}.get(
        method.status, "failed")
    return SetupOutcome(status, method_label(method, locale), setup.action_url if setup else None,
                        setup.failure_code if setup and status == "failed" else None)


def start_card_setup(session: Session, ctx: RequestContext, *, form: CardSetupInput, idempotency_key: str,
                     provider: PaymentProvider | None, settings: Settings) -> SetupOutcome:
    """"Enregistrer la carte": tokenize, attach, and save the card (or send the holder to 3-D Secure).

    Raises:
        NotAllowed: Without the payment-methods permission. InvalidInput: ``holder_name_required``,
            a card problem (``invalid_number``, ``invalid_expiry``, ``expired_card``, ``invalid_cvc``),
            the bank's refusal (``card_declined``, ``incorrect_cvc``, ``live_card_in_sandbox``...),
            ``payments_unavailable``, ``not_payable`` (a malformed attempt key).
    """
    company_id = company_of(ctx, Permission.MANAGE_PAYMENT_METHODS)
    provider = require_provider(provider)
    key = (idempotency_key or "")[:80]
    if len(key) < 16:
        raise InvalidInput("not_payable", "form")
    try:
        holder = person_name(form.holder_name)
    except TextProblem as problem:
        raise InvalidInput("holder_name_required", "holder_name") from problem
    token = tokenize(session, provider, form.card)
    month, year = card_expiry(form.card.expiry)
    customer = customer_id(session, provider, company_id)
    setup = provider.setup_card(customer_id=customer, token_id=token.token_id,
                                idempotency_key=f"setup:{company_id}:{key}")
    label = f"{token.brand} {token.last4}"
    if setup.status == "failed":
        raise _failed(session, ctx, company_id, setup.failure_code or "card_declined", label)
    seen = session.exec(select(PaymentMethod).where(PaymentMethod.setup_intent_id == setup.setup_id,
                                                    PaymentMethod.company_id == company_id)).first()
    if seen is not None:  # the same set-up sent again
        return _outcome(seen, setup, ctx.locale)
    method = PaymentMethod(company_id=company_id, kind=PaymentMethodKind.CARD.value,
                           status=PaymentMethodStatus.PENDING.value, provider_method_id=setup.method_id,
                           setup_intent_id=setup.setup_id, holder_name=holder, card_brand=token.brand,
                           card_last4=token.last4, exp_month=month, exp_year=year, use_for_all=form.use_for_all is True,
                           created_by=ctx.user.user_id, created_at=ctx.now, updated_at=ctx.now)
    session.add(method)
    try:
        session.flush()
    except IntegrityError:  # a concurrent submit of the same set-up recorded it first
        session.rollback()
        seen = session.exec(select(PaymentMethod).where(PaymentMethod.setup_intent_id == setup.setup_id,
                                                        PaymentMethod.company_id == company_id)).one()
        return _outcome(seen, setup, ctx.locale)
    if setup.status == "succeeded":
        _activate(session, ctx, method, settings)
    return _outcome(method, setup, ctx.locale)


def _activate(session: Session, ctx: RequestContext, method: PaymentMethod, settings: Settings) -> bool:
    won = move_if(session, PaymentMethod, method.id, PaymentMethodStatus.PENDING, PaymentMethodStatus.ACTIVE, ctx,
                  company_id=method.company_id, subject=f"payment_method:{method.id}",
                  detail={"kind": method.kind, "card": f"{method.card_brand} {method.card_last4}"})
    session.refresh(method)
    if won:
        _activated(session, ctx, method, settings)
    return won


def _pending(session: Session, ctx: RequestContext, setup_id: str) -> PaymentMethod:
    company_id = company_of(ctx, Permission.MANAGE_PAYMENT_METHODS)
    method = session.exec(select(PaymentMethod).where(PaymentMethod.setup_intent_id == (setup_id or "")[:80],
                                                      PaymentMethod.company_id == company_id)).first()
    if method is None:
        raise NotFound("payment_method_not_found")
    return method


def card_setup_awaiting(session: Session, ctx: RequestContext, *, setup_id: str) -> str | None:
    """The card a 3-D Secure page asks to confirm (``Visa •••• 3155``), or None once answered.

    Raises:
        NotAllowed: Without the payment-methods permission. NotFound: not this company's set-up.
    """
    method = _pending(session, ctx, setup_id)
    return method_label(method, ctx.locale) if method.status == PaymentMethodStatus.PENDING.value else None


def complete_card_setup(session: Session, ctx: RequestContext, *, setup_id: str, approved: bool,
                        provider: PaymentProvider | None, settings: Settings) -> SetupOutcome:
    """Back from 3-D Secure: the card is saved if the bank approved (answered once, even from two tabs).

    Raises:
        NotAllowed, NotFound, InvalidInput (``payments_unavailable``).
    """
    provider = require_provider(provider)
    method = _pending(session, ctx, setup_id)
    if method.status != PaymentMethodStatus.PENDING.value:
        return _outcome(method, None, ctx.locale)
    session.commit()  # no transaction open across the provider call
    setup = provider.complete_setup_authentication(method.setup_intent_id or "", approved=approved is True)
    if setup.status == "succeeded":
        _activate(session, ctx, method, settings)
    elif setup.status == "failed":
        move_if(session, PaymentMethod, method.id, PaymentMethodStatus.PENDING, PaymentMethodStatus.REMOVED, ctx,
                values={"removed_at": ctx.now}, company_id=method.company_id, subject=f"payment_method:{method.id}",
                detail={"code": setup.failure_code or "authentication_failed"})
        session.refresh(method)
    return _outcome(method, setup, ctx.locale)
