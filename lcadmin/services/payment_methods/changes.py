"""Which method pays which contract, the default for what is ordered next, and removing a
method: every change effective at once, audited, and announced to the company's owners.

A choice is a method's id or :data:`TRANSFER` (bank transfer, always available). Only an active
method, and a card not expired, can be chosen. A method paying contracts, or the default, is
removed only with a replacement named in the same call: its contracts and the default go to it
in the same transaction, so no contract is ever left paid by a removed method.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlmodel import Session, select

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.calendar import business_date
from lcadmin.domain.permissions import Permission
from lcadmin.domain.statuses import ContractStatus, PaymentMethodKind, PaymentMethodStatus
from lcadmin.i18n import gettext
from lcadmin.models import Contract, PaymentMethod
from lcadmin.payments.provider import PaymentProvider
from lcadmin.services import scope
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import InvalidInput, NotFound
from lcadmin.services.lifecycle import move
from lcadmin.services.payment_methods.collection import reschedule_contract
from lcadmin.services.payment_methods.notices import notify_change
from lcadmin.services.payment_methods.wallet import TRANSFER, company_of, find_method, method_label, usable
from lcadmin.settings import Settings

log = logging.getLogger(__name__)

__all__ = ["TRANSFER", "apply_everywhere", "choose_for_contract", "remove_method", "set_default"]


def _chosen(session: Session, ctx: RequestContext, company_id: int, choice: object, settings: Settings, *,
            field: str) -> PaymentMethod | None:
    """The method a choice names (None: bank transfer), usable today.

    Raises:
        InvalidInput: ``method_not_usable`` (another company's, removed, pending, an expired card).
    """
    if choice == TRANSFER:
        return None
    try:
        method = find_method(session, company_id, choice, lock=True)
    except NotFound as error:
        raise InvalidInput("method_not_usable", field) from error
    if not usable(method, business_date(ctx.now, settings.vendor.timezone)):
        raise InvalidInput("method_not_usable", field)
    return method


def _audit(session: Session, ctx: RequestContext, action: AuditAction, company_id: int, subject: str,
           **detail: object) -> None:
    record_event(session, action=action, outcome="success", actor_user_id=ctx.actor_id,
                 actor_email=ctx.principal.email if ctx.principal else None, company_id=company_id, ip=ctx.ip,
                 subject=subject, detail=detail, now=ctx.now)


def _ref(method: PaymentMethod | None) -> str:
    return f"payment_method:{method.id}" if method else TRANSFER


def _make_default(session: Session, company_id: int, method: PaymentMethod | None) -> None:
    # One statement clears the old default first: the unique index allows one default at a time.
    session.exec(sa.update(PaymentMethod).where(PaymentMethod.company_id == company_id, PaymentMethod.is_default)
                 .values(is_default=False))
    if method is not None:
        session.exec(sa.update(PaymentMethod).where(PaymentMethod.id == method.id).values(is_default=True))
    session.expire_all()


def _active_contracts(session: Session, company_id: int) -> list[Contract]:
    return list(session.exec(select(Contract).where(Contract.company_id == company_id,
                                                    Contract.status == ContractStatus.ACTIVE.value)
                             .order_by(Contract.number).with_for_update()).all())


def choose_for_contract(session: Session, ctx: RequestContext, *, contract_number: str, choice: object,
                        settings: Settings) -> bool:
    """"Méthode de facturation": the method that pays this contract from now on.

    Returns:
        Whether it changed (False: it was already so).

    Raises:
        NotAllowed: Without the payment-methods permission. NotFound: ``contract_not_found``.
        InvalidInput: ``method_not_usable``.
    """
    company_id = company_of(ctx, Permission.MANAGE_PAYMENT_METHODS, one_contract=True)
    contract = session.exec(select(Contract).where(Contract.company_id == company_id, scope.contracts(ctx.user),
                                                   Contract.number == (contract_number or "")[:40],
                                                   Contract.status == ContractStatus.ACTIVE.value)).first()
    if contract is None:
        raise NotFound("contract_not_found")
    method = _chosen(session, ctx, company_id, choice, settings, field="method")
    new_id = method.id if method else None
    if contract.payment_method_id == new_id:
        return False
    previous = session.get(PaymentMethod, contract.payment_method_id) if contract.payment_method_id else None
    contract.payment_method_id = new_id
    session.add(contract)
    reschedule_contract(session, ctx, contract.id)
    _audit(session, ctx, AuditAction.CONTRACT_PAYMENT_METHOD, company_id, f"contract:{contract.number}",
           previous=_ref(previous), method=_ref(method))
    number = contract.number
    notify_change(session, ctx, company_id, settings, lambda locale: gettext(
        "wallet.change.contract", locale, contract=number, previous=method_label(previous, locale),
        method=method_label(method, locale)))
    return True


def set_default(session: Session, ctx: RequestContext, *, choice: object, settings: Settings) -> bool:
    """The default method for what is ordered next (bank transfer when no method is).

    Raises:
        NotAllowed: Without the payment-methods permission. InvalidInput: ``method_not_usable``.
    """
    company_id = company_of(ctx, Permission.MANAGE_PAYMENT_METHODS)
    method = _chosen(session, ctx, company_id, choice, settings, field="default")
    previous = session.exec(select(PaymentMethod).where(PaymentMethod.company_id == company_id,
                                                        PaymentMethod.is_default)).first()
    if (previous.id if previous else None) == (method.id if method else None):
        return False
    _make_default(session, company_id, method)
    _audit(session, ctx, AuditAction.PAYMENT_METHOD_DEFAULT, company_id, _ref(method), previous=_ref(previous))
    labels = (previous, method)
    notify_change(session, ctx, company_id, settings, lambda locale: gettext(
        "wallet.change.default", locale, previous=method_label(labels[0], locale),
        method=method_label(labels[1], locale)))
    return True


def apply_everywhere(session: Session, ctx: RequestContext, method: PaymentMethod) -> list[str]:
    """"Utiliser pour tous mes contrats": the method pays every contract in force and becomes the
    default; returns the contracts it now pays (their owners hear of it with the method's notice)."""
    switched = []
    for contract in _active_contracts(session, method.company_id):
        if contract.payment_method_id != method.id:
            _audit(session, ctx, AuditAction.CONTRACT_PAYMENT_METHOD, method.company_id,
                   f"contract:{contract.number}", previous=f"payment_method:{contract.payment_method_id}"
                   if contract.payment_method_id else TRANSFER, method=_ref(method))
            contract.payment_method_id = method.id
            session.add(contract)
            reschedule_contract(session, ctx, contract.id)
        switched.append(contract.number)
    if not method.is_default:
        _make_default(session, method.company_id, method)
        _audit(session, ctx, AuditAction.PAYMENT_METHOD_DEFAULT, method.company_id, _ref(method))
    return switched


def remove_method(session: Session, ctx: RequestContext, *, method_id: object, replacement: object = "",
                  settings: Settings, provider: PaymentProvider | None) -> list[str]:
    """Remove a card, or revoke a mandate; what it paid goes to ``replacement`` (a method's id or
    TRANSFER), which is required when it pays a contract or is the default. The provider then
    forgets it (if that call fails, the background job tries again).

    Returns:
        The contracts handed to the replacement.

    Raises:
        NotAllowed: Without the payment-methods permission. NotFound: ``payment_method_not_found``.
        InvalidInput: ``replacement_required``, ``method_not_usable`` (field ``replacement``).
    """
    company_id = company_of(ctx, Permission.MANAGE_PAYMENT_METHODS)
    method = find_method(session, company_id, method_id, lock=True)
    contracts = [c for c in _active_contracts(session, company_id) if c.payment_method_id == method.id]
    taker: PaymentMethod | None = None
    if contracts or method.is_default:
        if replacement in ("", None) or str(replacement) == str(method.id):
            raise InvalidInput("replacement_required", "replacement")
        taker = _chosen(session, ctx, company_id, replacement, settings, field="replacement")
    for contract in contracts:
        contract.payment_method_id = taker.id if taker else None
        session.add(contract)
        reschedule_contract(session, ctx, contract.id)
        _audit(session, ctx, AuditAction.CONTRACT_PAYMENT_METHOD, company_id, f"contract:{contract.number}",
               previous=_ref(method), method=_ref(taker))
    if method.is_default:
        _make_default(session, company_id, taker)
        method = session.get(PaymentMethod, method.id)
    method.removed_at = ctx.now
    move(session, method, PaymentMethodStatus.REMOVED, ctx, company_id=company_id, subject=_ref(method),
         detail={"kind": method.kind, "replacement": _ref(taker)})
    numbers = [c.number for c in contracts]
    revoked = method.kind == PaymentMethodKind.SEPA_DEBIT.value
    removed_method = method
    notify_change(session, ctx, company_id, settings, lambda locale: gettext(
        "wallet.change.revoked" if revoked else "wallet.change.removed", locale,
        method=method_label(removed_method, locale)) + (" " + gettext(
            "wallet.change.taken_over", locale, contracts=", ".join(numbers), method=method_label(taker, locale))
            if numbers else ""))
    provider_id = method.provider_method_id
    session.commit()  # removed for good before the provider is asked to forget it
    if provider is not None:
        try:
            provider.detach_method(provider_id)
        except Exception:
            log.warning("payment methods: detaching method %s failed; the background job will retry", method.id,
                        exc_info=True)
        else:
            session.exec(sa.update(PaymentMethod).where(PaymentMethod.id == method.id).values(detached_at=ctx.now))
    return numbers
