"""Paying a signed order or an open invoice by card: the payment form's "Payer".

The card goes straight to the provider's tokenizer and is forgotten; only the token's brand and
last four digits are kept. Each attempt carries an idempotency key chosen when the form opens: a
double click, a retry or a reload finds the same attempt and the provider's same intent, so
nothing is ever charged twice. No database transaction stays open across a provider call (a
remote service that may be slow; on SQLite an open write transaction would hold the write lock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.calendar import business_date
from lcadmin.domain.cards import FIELD_OF, CardInput, CardProblem, card_brand, card_cvc, card_digits, card_expiry
from lcadmin.domain.money import Money
from lcadmin.domain.permissions import Permission
from lcadmin.domain.statuses import InvoiceKind, InvoiceStatus, OrderStatus, PaymentStatus
from lcadmin.metrics import count_payment
from lcadmin.models import Company, Invoice, Payment, PaymentClaim, PaymentMethod, SalesOrder
from lcadmin.payments.provider import CardError, CardToken, PaymentIntent, PaymentProvider
from lcadmin.services import scope
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import InvalidInput, NotAllowed, NotFound
from lcadmin.services.invoicing import amount_due
from lcadmin.services.payments.claims import claim, lapsed_claim, recover_lapsed_attempt, release
from lcadmin.services.payments.settlement import PaymentOutcome, failure_code, outcome, payment_status, settle
from lcadmin.settings import VendorSettings


@dataclass(frozen=True)
class PayableDocument:
    """The order or the invoice an attempt pays, of the caller's company."""

    kind: str  # order, invoice
    number: str
    order: SalesOrder | None
    invoice: Invoice | None

    @property
    def target(self) -> str:
        """What its claim is on: ``order:<id>`` or ``invoice:<id>``."""
        return f"order:{self.order.id}" if self.order else f"invoice:{self.invoice.id}"


def require_provider(provider: PaymentProvider | None) -> PaymentProvider:
    """The configured provider.

    Raises:
        InvalidInput: ``payments_unavailable`` when online payment is off.
    """
    if provider is None:
        raise InvalidInput("payments_unavailable", "form")
    return provider


def find_payable(session: Session, ctx: RequestContext, kind: str, number: str) -> PayableDocument:
    """The caller's company's order (``kind='order'``) or invoice numbered so.

    Raises:
        NotAllowed: ``forbidden`` without the payment permission. NotFound: another company's or
            an unknown document.
    """
    if not ctx.user.can(Permission.PAY):
        raise NotAllowed("forbidden")
    number = (number or "")[:40]
    if kind == "order":
        order = session.exec(select(SalesOrder).where(SalesOrder.number == number, scope.orders(ctx.user),
                                                      SalesOrder.company_id == ctx.user.company_id)).first()
        if order is None:
            raise NotFound("order_not_found")
        return PayableDocument("order", number, order, None)
    invoice = session.exec(select(Invoice).where(Invoice.number == number, scope.invoices(ctx.user),
                                                 Invoice.company_id == ctx.user.company_id)).first()
    if invoice is None:
        raise NotFound("invoice_not_found")
    return PayableDocument("invoice", number, None, invoice)


def due(session: Session, order: SalesOrder | None, invoice: Invoice | None) -> Money:
    """What paying the document online charges now.

    Raises:
        InvalidInput: ``not_payable``: an unsigned or paid order, an invoice that is not open or
            has nothing left to pay, a credit note.
    """
    if order is not None:
        if order.status != OrderStatus.SIGNED.value or order.total_minor <= 0:
            raise InvalidInput("not_payable", "form")
        return Money(order.total_minor, order.currency)
    if invoice.kind != InvoiceKind.INVOICE.value or invoice.status != InvoiceStatus.OPEN.value:
        raise InvalidInput("not_payable", "form")
    left = amount_due(session, invoice)  # a credit note in part corrects it: the rest is what is due
    if left <= 0:
        raise InvalidInput("not_payable", "form")
    return Money(left, invoice.currency)


def payable_amount(session: Session, ctx: RequestContext, kind: str, number: str) -> Money:
    """What paying this order or invoice online would charge.

    Raises:
        NotAllowed, NotFound, InvalidInput (``not_payable``).
    """
    document = find_payable(session, ctx, kind, number)
    return due(session, document.order, document.invoice)


def _attempt_key(idempotency_key: str) -> str:
    key = (idempotency_key or "")[:80]
    if len(key) < 16:
        raise InvalidInput("not_payable", "form")
    return key


def _seen_again(session: Session, payment: Payment, provider: PaymentProvider) -> PaymentOutcome:
    """The outcome of an attempt already recorded; one waiting for 3-D Secure gets its page again."""
    if payment.status != PaymentStatus.REQUIRES_ACTION.value:
        return outcome(session, payment)
    session.commit()  # no transaction open across the provider call
    try:
        action_url = provider.retrieve_intent(payment.provider_intent_id).action_url
    except KeyError:
        action_url = None
    return outcome(session, payment, action_url)


def tokenize(session: Session, provider: PaymentProvider, card: CardInput) -> CardToken:
    """The card, checked and tokenized before anything is claimed: a typo blocks and charges nothing."""
    session.commit()
    try:
        digits = card_digits(card.number)
        month, year = card_expiry(card.expiry)
        return provider.tokenize_card(number=digits, exp_month=month, exp_year=year,
                                      cvc=card_cvc(card.cvc, card_brand(digits)))
    except (CardProblem, CardError) as error:
        raise InvalidInput(error.code, FIELD_OF.get(error.code, "card_number")) from error


def _write_intent_on_claim(session: Session, ctx: RequestContext, document: PayableDocument, key: str,
                           intent: PaymentIntent, token: CardToken, amount: Money) -> None:
    """Written down before the charge, the claim refreshed: if this attempt stops after it, the
    next one (or the reconciliation) finds it. Should the claim be gone (taken over as lapsed
    meanwhile), nothing is charged. An intent this key made before keeps the card it was
    confirmed with."""
    values = {"intent_id": intent.intent_id, "claimed_at": ctx.now, "user_id": ctx.user.user_id}
    if intent.status == "requires_confirmation" and intent.amount_minor == amount.minor:
        values |= {"card_brand": token.brand, "card_last4": token.last4}
    recorded = session.exec(sa.update(PaymentClaim).where(
        PaymentClaim.target == document.target, PaymentClaim.idempotency_key == key).values(**values))
    session.commit()
    if recorded.rowcount != 1:
        raise InvalidInput("payment_in_progress", "form")


def _refuse_changed_amount(session: Session, provider: PaymentProvider, document: PayableDocument, key: str,
                           intent: PaymentIntent, amount: Money) -> None:
    """The same key sent again after the amount changed (a credit note): never charge the old one."""
    if intent.status == "requires_confirmation" and intent.amount_minor != amount.minor:
        provider.cancel_intent(intent.intent_id)
        release(session, document.target, key)
        session.commit()
        raise InvalidInput("amount_changed", "form")


def _record_attempt(session: Session, ctx: RequestContext, document: PayableDocument, key: str,
                    intent: PaymentIntent, token: CardToken) -> Payment | PaymentOutcome:
    """The provider's answer, recorded once with the card that was charged; a concurrent submit
    of the same key that recorded it first has its outcome returned instead."""
    recorded_claim = session.exec(select(PaymentClaim).where(PaymentClaim.target == document.target)
                                  .execution_options(populate_existing=True)).first()
    brand, last4 = (recorded_claim.card_brand, recorded_claim.card_last4) if recorded_claim else (token.brand,
                                                                                                  token.last4)
    payment = Payment(company_id=ctx.user.company_id, order_id=document.order.id if document.order else None,
                      invoice_id=document.invoice.id if document.invoice else None, idempotency_key=key,
                      amount_minor=intent.amount_minor, currency=intent.currency,
                      provider_intent_id=intent.intent_id, status=payment_status(intent).value,
                      failure_code=failure_code(intent), card_brand=brand, card_last4=last4,
                      created_by=ctx.user.user_id, created_at=ctx.now, updated_at=ctx.now)
    session.add(payment)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return outcome(session, session.exec(select(Payment).where(Payment.idempotency_key == key)).one(),
                       intent.action_url)
    record_event(session, action=AuditAction.PAYMENT_ATTEMPTED,
                 outcome="failure" if payment.status == PaymentStatus.FAILED.value else "success",
                 actor_user_id=ctx.user.user_id, company_id=ctx.user.company_id, ip=ctx.ip,
                 subject=f"{document.kind}:{document.number}",
                 detail={"status": intent.status, "code": intent.failure_code, "card": f"{brand} {last4}"},
                 now=ctx.now)
    count_payment(session, payment.status)
    return payment


def _saved_card(session: Session, ctx: RequestContext, method_id: object, today: date) -> tuple[PaymentMethod, str]:
    """A card of the company's wallet that can pay today, and the company's customer record.

    Raises:
        InvalidInput: ``method_not_usable``.
    """
    from lcadmin.services.payment_methods.wallet import find_method, usable  # the wallet builds on checkout

    try:
        method = find_method(session, ctx.user.company_id or 0, method_id)
    except NotFound as error:
        raise InvalidInput("method_not_usable", "form") from error
    if method.kind != "card" or not usable(method, today):
        raise InvalidInput("method_not_usable", "form")
    return method, session.get(Company, method.company_id).provider_customer_id or ""


def saved_cards(session: Session, ctx: RequestContext, today: date) -> list[tuple[str, str]]:
    """(id, label) of the company's saved cards that can pay today, the default first: "Payer en
    ligne" offers each in one click."""
    from lcadmin.services.payment_methods.wallet import method_label, usable

    if not ctx.user.can(Permission.PAY) or ctx.user.company_id is None:
        return []
    cards = session.exec(select(PaymentMethod).where(PaymentMethod.company_id == ctx.user.company_id,
                                                     PaymentMethod.kind == "card",
                                                     PaymentMethod.status == "active")
                         .order_by(col(PaymentMethod.is_default).desc(), col(PaymentMethod.id).desc())).all()
    return [(str(c.id), method_label(c, ctx.locale)) for c in cards if usable(c, today)]


def pay(session: Session, ctx: RequestContext, *, kind: str, number: str, idempotency_key: str,
        card: CardInput | None, provider: PaymentProvider | None, vendor: VendorSettings,
        method_id: object = None) -> PaymentOutcome:
    """Pay an order (``kind='order'``, signed) or an open invoice (``kind='invoice'``) by card, a
    card typed in (``card``) or one of the wallet's (``method_id``, one click); the receipt is
    written in the payer's language.

    Raises:
        NotAllowed: ``forbidden`` without the payment permission. NotFound: another company's or an
            unknown document. InvalidInput: ``not_payable``, ``payment_in_progress``,
            ``amount_changed``, ``payments_unavailable``, or a card problem (``invalid_number``,
            ``invalid_expiry``, ``expired_card``, ``invalid_cvc``).
    """
    provider, key = require_provider(provider), _attempt_key(idempotency_key)
    document = find_payable(session, ctx, kind, number)  # the permission and the scope first
    seen = session.exec(select(Payment).where(Payment.idempotency_key == key,
                                              Payment.company_id == ctx.user.company_id)).first()
    if seen is not None:  # a double click, a retry, a reload: the same attempt, never a new charge
        return _seen_again(session, seen, provider)
    lapsed = lapsed_claim(session, document.target, key, ctx)
    if lapsed is not None:  # before the amount is checked: an earlier charge is recorded whatever came since
        settled = recover_lapsed_attempt(session, ctx, lapsed, provider, vendor)
        if settled is not None:  # the earlier attempt had charged the card: this one must not
            return settled
        document = find_payable(session, ctx, kind, number)
    amount = due(session, document.order, document.invoice)
    today = business_date(ctx.now, vendor.timezone)
    saved, customer = _saved_card(session, ctx, method_id, today) if method_id is not None else (None, "")
    if saved is not None:
        token = CardToken("", saved.card_brand or "card", saved.card_last4 or "")
        session.commit()
    else:
        token = tokenize(session, provider, card or CardInput("", "", ""))
    claim(session, document.target, key, ctx)
    session.commit()
    intent = provider.create_intent(amount_minor=amount.minor, currency=amount.currency, idempotency_key=key,
                                    description=f"{kind} {number}")
    _write_intent_on_claim(session, ctx, document, key, intent, token, amount)
    _refuse_changed_amount(session, provider, document, key, intent, amount)
    if saved is not None:
        intent = provider.confirm_with_saved(intent.intent_id, customer_id=customer, method_id=saved.provider_method_id)
    else:
        intent = provider.confirm_intent(intent.intent_id, token_id=token.token_id)
    payment = _record_attempt(session, ctx, document, key, intent, token)
    if isinstance(payment, PaymentOutcome):
        return payment
    if saved is not None:
        payment.payment_method_id = saved.id
        session.add(payment)
    if payment.status == PaymentStatus.SUCCEEDED.value:
        settle(session, ctx, payment, vendor)
    elif payment.status == PaymentStatus.FAILED.value:
        release(session, document.target, key)
    return outcome(session, payment, intent.action_url)
