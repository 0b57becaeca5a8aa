"""Claims on a document, and what an attempt cut short leaves behind.

While one attempt pays an order or invoice, its claim (:class:`~lcadmin.models.PaymentClaim`)
stops another attempt (another tab, another key) from charging it too; before the card is
charged the claim records the provider's intent, the card and the payer. A claim lapses after
:data:`CLAIM_LAPSE`. The next attempt, or the background reconciliation a minute after the
claim was last touched, then settles it with the provider: its intent is canceled, which the
provider answers with "succeeded" when it had charged, and that charge is recorded rather than
made again. Every state change that may race is a conditional statement (``move_if``, a
conditional DELETE) whose row count decides who won. Several processes reconciling at once take
each claim in turn: one holds it (``settling_until``) across its provider calls, the others pass
it over.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from lcadmin.db import skip_locked
from lcadmin.domain.audit import AuditAction
from lcadmin.domain.statuses import PaymentStatus
from lcadmin.metrics import count_payment
from lcadmin.models import Invoice, Payment, PaymentClaim, SalesOrder, UserAccount
from lcadmin.payments.provider import PaymentIntent, PaymentProvider
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import InvalidInput
from lcadmin.services.lifecycle import move_if
from lcadmin.services.payments.settlement import PaymentOutcome, failure_code, outcome, payment_status, settle
from lcadmin.settings import VendorSettings

CLAIM_LAPSE = timedelta(minutes=15)
# A claim left this long without its payment recorded is asked about in the background: no
# attempt spends that long between recording its intent on the claim and recording its payment.
SETTLE_AFTER = timedelta(minutes=1)
# The reconciliation holds a claim it settles this long; past it (a crash), another one may.
SETTLING_CLAIM = timedelta(minutes=5)


def claim_target(payment: Payment) -> str:
    """What a payment claims: ``order:<id>`` or ``invoice:<id>``."""
    return f"order:{payment.order_id}" if payment.order_id else f"invoice:{payment.invoice_id}"


def claim(session: Session, target: str, key: str, ctx: RequestContext) -> None:
    """Reserve the document for this attempt, or refuse: another attempt is paying it right now
    (a lapsed claim was settled or dropped by :func:`recover_lapsed_attempt` first)."""
    existing = session.exec(select(PaymentClaim).where(PaymentClaim.target == target)).first()
    if existing is not None:
        if existing.idempotency_key == key:  # this attempt again (a resubmit): its claim starts afresh
            existing.claimed_at = ctx.now
            session.add(existing)
            return
        raise InvalidInput("payment_in_progress", "form")
    session.add(PaymentClaim(target=target, idempotency_key=key, claimed_at=ctx.now))
    try:
        session.flush()
    except IntegrityError as error:  # a concurrent attempt claimed it between our read and write
        session.rollback()
        raise InvalidInput("payment_in_progress", "form") from error


def release(session: Session, target: str, key: str) -> None:
    """A failed attempt frees the document for the next one."""
    session.exec(sa.delete(PaymentClaim).where(PaymentClaim.target == target, PaymentClaim.idempotency_key == key))


def lapsed_claim(session: Session, target: str, key: str, ctx: RequestContext) -> PaymentClaim | None:
    """Another attempt's claim on the document once it has lapsed; None when the document is free
    or claimed by this attempt.

    Raises:
        InvalidInput: ``payment_in_progress`` while another attempt's claim is fresh.
    """
    existing = session.exec(select(PaymentClaim).where(PaymentClaim.target == target)).first()
    if existing is None or existing.idempotency_key == key:
        return None
    if ctx.now - existing.claimed_at < CLAIM_LAPSE:
        raise InvalidInput("payment_in_progress", "form")
    debiting = session.exec(select(Payment.id).where(Payment.idempotency_key == existing.idempotency_key,
                                                     Payment.status == PaymentStatus.PROCESSING.value)).first()
    if debiting is not None:  # a SEPA debit awaiting the bank: it may still be paid, whatever its age
        raise InvalidInput("payment_in_progress", "form")
    return existing


def conclude(session: Session, ctx: RequestContext, payment: Payment, intent: PaymentIntent, vendor: VendorSettings,
             canceled_code: str = "authentication_expired") -> Payment:
    """Record the provider's final answer on a payment that waited for 3-D Secure, once: when
    another request (a second tab, a recovery) recorded it first, its record stands as it is."""
    won = move_if(session, Payment, payment.id, PaymentStatus.REQUIRES_ACTION, payment_status(intent), ctx,
                  values={"failure_code": failure_code(intent, canceled_code)}, company_id=payment.company_id,
                  subject=claim_target(payment), detail={"payment": intent.intent_id})
    if won:
        count_payment(session, payment_status(intent))
    payment = session.exec(select(Payment).where(Payment.id == payment.id)
                           .execution_options(populate_existing=True)).one()
    if won and payment.status == PaymentStatus.SUCCEEDED.value:
        settle(session, ctx, payment, vendor)
    elif won:
        release(session, claim_target(payment), payment.idempotency_key)
    return payment


def _ask_to_cancel(provider: PaymentProvider, intent_id: str) -> PaymentIntent:
    """Cancel an intent: it can never charge from now on; one that already charged comes back
    succeeded. An intent unknown to the provider (another provider, a reset sandbox) never did."""
    try:
        return provider.cancel_intent(intent_id)
    except KeyError:
        return PaymentIntent(intent_id, 0, "EUR", "canceled")


def recover_lapsed_attempt(session: Session, ctx: RequestContext, lapsed: PaymentClaim, provider: PaymentProvider,
                           vendor: VendorSettings) -> PaymentOutcome | None:
    """Deal with an attempt that never finished before another one may start.

    - It recorded no intent: it never reached the charge; its claim is dropped.
    - Otherwise it may have stopped right after the bank charged (a crash after the charge, or
      after a 3-D Secure approval): its intent is canceled at the provider, which answers
      ``succeeded`` instead when it had charged. Charged: the payment is recorded (card, payer)
      and settled, and its outcome returned; nothing else happens.
    - Not charged: the intent can never charge now; a payment waiting for 3-D Secure ends as
      ``authentication_expired``; the claim is dropped.

    Returns None when the document is free again. The claim is dropped only if it is still the
    same lapsed claim (a 3-D Secure answer refreshes it before asking the bank).

    Raises:
        InvalidInput: ``payment_in_progress`` when the lapsed attempt came back to life meanwhile.
    """
    target, key = lapsed.target, lapsed.idempotency_key
    waiting = session.exec(select(Payment).where(Payment.idempotency_key == key)).first()
    intent_id = waiting.provider_intent_id if waiting is not None else lapsed.intent_id
    if intent_id is not None and (waiting is None or waiting.status == PaymentStatus.REQUIRES_ACTION.value):
        session.commit()  # no transaction open across the provider call
        intent = _ask_to_cancel(provider, intent_id)
        if intent.status == "succeeded" and waiting is None:
            return record_recovered(session, ctx, lapsed, intent, vendor)
        if intent.status == "succeeded":  # approved at the bank, then cut short before it was recorded
            return outcome(session, conclude(session, ctx, waiting, intent, vendor))
    if waiting is not None and waiting.status == PaymentStatus.REQUIRES_ACTION.value:
        expired = move_if(session, Payment, waiting.id, PaymentStatus.REQUIRES_ACTION, PaymentStatus.FAILED, ctx,
                          values={"failure_code": "authentication_expired"}, company_id=waiting.company_id,
                          subject=target,
                          detail={"payment": waiting.provider_intent_id, "code": "authentication_expired"})
        if expired:
            count_payment(session, PaymentStatus.FAILED)
    dropped = session.exec(sa.delete(PaymentClaim).where(
        PaymentClaim.target == target, PaymentClaim.idempotency_key == key,
        PaymentClaim.claimed_at <= ctx.now - CLAIM_LAPSE))
    if dropped.rowcount != 1:
        session.rollback()
        raise InvalidInput("payment_in_progress", "form")
    session.flush()
    return None


def _claim_company(session: Session, target: str) -> int:
    """The company whose order or invoice a claim's target names."""
    kind, _, document_id = target.partition(":")
    return session.get(SalesOrder if kind == "order" else Invoice, int(document_id)).company_id


def record_recovered(session: Session, ctx: RequestContext, lapsed: PaymentClaim, intent: PaymentIntent,
                     vendor: VendorSettings) -> PaymentOutcome:
    """The charge a cut-short attempt made, recorded and settled as it would have been (the
    caller, ``ctx``, is whoever came across it: a payer, or the background reconciliation)."""
    kind, _, document_id = lapsed.target.partition(":")
    company_id = _claim_company(session, lapsed.target)
    payment = Payment(company_id=company_id, order_id=int(document_id) if kind == "order" else None,
                      invoice_id=int(document_id) if kind == "invoice" else None,
                      idempotency_key=lapsed.idempotency_key, amount_minor=intent.amount_minor,
                      currency=intent.currency, provider_intent_id=intent.intent_id,
                      status=PaymentStatus.SUCCEEDED.value, card_brand=lapsed.card_brand,
                      card_last4=lapsed.card_last4, created_by=lapsed.user_id or ctx.actor_id,
                      created_at=ctx.now, updated_at=ctx.now)
    session.add(payment)
    try:
        session.flush()
    except IntegrityError:  # a concurrent attempt recovered it first
        session.rollback()
        return outcome(session, session.exec(select(Payment).where(
            Payment.idempotency_key == lapsed.idempotency_key)).one())
    record_event(session, action=AuditAction.PAYMENT_RECOVERED, outcome="success", actor_user_id=ctx.actor_id,
                 company_id=company_id, subject=lapsed.target, detail={"payment": intent.intent_id}, now=ctx.now)
    count_payment(session, PaymentStatus.SUCCEEDED)
    settle(session, ctx, payment, vendor)
    return outcome(session, payment)


def _payer_locale(session: Session, user_id: int | None) -> str:
    user = session.get(UserAccount, user_id) if user_id else None
    return user.locale if user and user.locale in ("fr", "en") else "fr"


def _settle_if_charged(session: Session, ctx: RequestContext, lapsed: PaymentClaim, provider: PaymentProvider,
                       vendor: VendorSettings) -> bool:
    """Record the charge of a claim whose intent the provider reports succeeded (asked read-only:
    an attempt still under way is left alone)."""
    try:
        intent = provider.retrieve_intent(lapsed.intent_id)
    except KeyError:
        return False
    if intent.status != "succeeded":
        return False
    waiting = session.exec(select(Payment).where(Payment.idempotency_key == lapsed.idempotency_key)).first()
    if waiting is None:
        record_recovered(session, ctx, lapsed, intent, vendor)
    else:
        conclude(session, ctx, waiting, intent, vendor)
    return True


def settle_unfinished_attempts(session: Session, ctx: RequestContext, *, provider: PaymentProvider | None,
                               vendor: VendorSettings) -> int:
    """The background reconciliation (every web process runs it, a minute apart): settles, by
    itself, what attempts cut short left behind, so that nobody has to pay again to see it.

    - A claim whose intent the provider reports charged is recorded and settled at once (the
      invoice paid, its receipt sent in the payer's language), as the next attempt would have.
    - A claim past :data:`CLAIM_LAPSE` is settled like a next attempt settles it: its intent is
      canceled (it can never charge afterwards), or recorded if it had charged; the claim is
      dropped and the document free again.

    Every step is a conditional statement: several processes reconciling at once, or a user's
    attempt meanwhile, settle each claim once.

    Returns:
        How many claims were settled or dropped.
    """
    if provider is None:
        return 0
    claims = session.exec(select(PaymentClaim).where(*_unsettled(ctx)).order_by(PaymentClaim.claimed_at)).all()
    settled = 0
    for listed in claims:
        held = _hold_for_settling(session, listed.id, ctx)
        if held is None:
            session.commit()
            continue  # another process is settling it, or has
        lapsed, until = held
        payer = RequestContext(now=ctx.now, locale=_payer_locale(session, lapsed.user_id))
        session.commit()  # no transaction open across the provider calls
        try:
            if lapsed.claimed_at <= ctx.now - CLAIM_LAPSE:
                recover_lapsed_attempt(session, payer, lapsed, provider, vendor)
                settled += 1
            elif lapsed.intent_id is not None and _settle_if_charged(session, payer, lapsed, provider, vendor):
                settled += 1
        except InvalidInput:  # the payer's own attempt got there first
            session.rollback()
        session.exec(sa.update(PaymentClaim).where(PaymentClaim.id == lapsed.id, PaymentClaim.settling_until == until)
                     .values(settling_until=None))  # the claim, when it is still there, is free again
        session.commit()
    return settled


def _unsettled(ctx: RequestContext) -> tuple:
    """What makes a claim one for the reconciliation: untouched for :data:`SETTLE_AFTER`, its
    payment not recorded, not an automatic collection's (``collect:…``: followed up by the
    collection job), and not held by another process settling it."""
    finished = select(Payment.id).where(Payment.idempotency_key == PaymentClaim.idempotency_key,
                                        Payment.status != PaymentStatus.REQUIRES_ACTION.value).exists()
    return (PaymentClaim.claimed_at <= ctx.now - SETTLE_AFTER, ~finished,
            ~col(PaymentClaim.idempotency_key).startswith("collect:"),
            sa.or_(col(PaymentClaim.settling_until).is_(None), col(PaymentClaim.settling_until) <= ctx.now))


def _hold_for_settling(session: Session, claim_id: int, ctx: RequestContext) -> tuple[PaymentClaim, datetime] | None:
    """Take the claim for this process's settling until the returned instant (uncommitted), with
    the claim as it stands now; None when it needs settling no more, or another process holds it."""
    current = (PaymentClaim.id == claim_id, *_unsettled(ctx))
    if session.exec(skip_locked(session, select(PaymentClaim.id).where(*current))).first() is None:
        return None
    until = ctx.now + SETTLING_CLAIM
    if session.exec(sa.update(PaymentClaim).where(*current).values(settling_until=until)).rowcount != 1:
        return None
    lapsed = session.exec(select(PaymentClaim).where(PaymentClaim.id == claim_id)
                          .execution_options(populate_existing=True)).one()
    return lapsed, until
