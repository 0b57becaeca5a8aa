"""Online payment of a signed order or an open invoice ("Accéder au paiement en ligne").

The card goes straight to the provider's tokenizer and is forgotten; only the token's brand and
last four digits are kept. Each attempt carries an idempotency key chosen when the payment form
opens: a double click, a retry or a reload finds the same attempt and the provider's same intent,
so nothing is ever charged twice. Success settles the invoice (for an order: issues its invoice,
paid), writes a receipt PDF and e-mails it to the billing contact and to the payer.

Attempts with different keys (two tabs) are kept apart by a claim on the document
(:class:`~lcadmin.models.PaymentClaim`), which records the intent, the card and the payer before
the card is charged. A claim lapses after CLAIM_LAPSE; the next attempt then settles it first
(``_recover_lapsed_attempt``): the lapsed intent is canceled at the provider, which answers
"succeeded" instead when it had charged, and that charge is recorded rather than made again.
State changes that race (a 3-D Secure answer, a recovery) are conditional UPDATE/DELETE
statements whose row counts decide who won.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from lcadmin.domain.cards import CardProblem, card_cvc, card_digits, card_expiry
from lcadmin.domain.money import Money
from lcadmin.domain.permissions import Permission
from lcadmin.domain.statuses import (
    ContactRole,
    InvoiceKind,
    InvoiceStatus,
    OrderStatus,
    check_transition,
)
from lcadmin.i18n import gettext
from lcadmin.i18n.format import format_money
from lcadmin.mail import templates
from lcadmin.mail.outbox import enqueue
from lcadmin.models import (
    Company,
    Contact,
    Invoice,
    OrderLine,
    Payment,
    PaymentClaim,
    SalesOrder,
    UserAccount,
)
from lcadmin.payments.provider import CardError, PaymentIntent, PaymentProvider
from lcadmin.pdf.receipt import ReceiptDocument, render_receipt_pdf
from lcadmin.services.audit import record_event
from lcadmin.services.errors import InvalidInput, NotAllowed, NotFound
from lcadmin.services.invoice_documents import _party, build_document
from lcadmin.services.invoicing import LineInput, amount_due, issue_invoice, mark_paid
from lcadmin.services.sessions import Principal
from lcadmin.settings import VendorSettings

CLAIM_LAPSE = timedelta(minutes=15)


@dataclass(frozen=True)
class CardInput:
    """What the payment form sends; held only for the time of the tokenization call."""

    number: str
    expiry: str  # MM/YY
    cvc: str


@dataclass(frozen=True)
class PaymentOutcome:
    """``succeeded`` (with the paid invoice), ``requires_action`` (with the 3-D Secure page) or
    ``failed`` (with a decline code)."""

    status: str
    invoice_number: str | None = None
    failure_code: str | None = None
    action_url: str | None = None


def _target(session: Session, principal: Principal, kind: str, number: str) -> tuple[SalesOrder | None, Invoice | None]:
    if not principal.can(Permission.PAY):
        raise NotAllowed("forbidden")
    if kind == "order":
        order = session.exec(select(SalesOrder).where(SalesOrder.number == (number or "")[:40],
                                                      SalesOrder.company_id == principal.company_id)).first()
        if order is None:
            raise NotFound("order_not_found")
        return order, None
    invoice = session.exec(select(Invoice).where(Invoice.number == (number or "")[:40],
                                                 Invoice.company_id == principal.company_id)).first()
    if invoice is None:
        raise NotFound("invoice_not_found")
    return None, invoice


def payable_amount(session: Session, principal: Principal, kind: str, number: str) -> Money:
    """What paying this order or invoice online would charge.

    Raises:
        NotAllowed, NotFound, InvalidInput (``not_payable``: an unsigned or paid order, an invoice
        that is not open or has nothing left to pay, a credit note).
    """
    order, invoice = _target(session, principal, kind, number)
    return _amount_due(session, order, invoice)


def _amount_due(session: Session, order: SalesOrder | None, invoice: Invoice | None) -> Money:
    if order is not None:
        if order.status != OrderStatus.SIGNED.value or order.total_minor <= 0:
            raise InvalidInput("not_payable", "form")
        return Money(order.total_minor, order.currency)
    if invoice.kind != InvoiceKind.INVOICE.value or invoice.status != InvoiceStatus.OPEN.value:
        raise InvalidInput("not_payable", "form")
    due = amount_due(session, invoice)  # a credit note in part corrects it: the rest is what is due
    if due <= 0:
        raise InvalidInput("not_payable", "form")
    return Money(due, invoice.currency)


def _outcome(session: Session, payment: Payment, action_url: str | None = None) -> PaymentOutcome:
    invoice = session.get(Invoice, payment.paid_invoice_id) if payment.paid_invoice_id else None
    return PaymentOutcome(payment.status, invoice.number if invoice else None, payment.failure_code, action_url)


def _require_provider(provider: PaymentProvider | None) -> PaymentProvider:
    if provider is None:
        raise InvalidInput("payments_unavailable", "form")
    return provider


def pay(session: Session, principal: Principal, *, kind: str, number: str, idempotency_key: str, card: CardInput,
        provider: PaymentProvider | None, vendor: VendorSettings, now: datetime, ip: str | None = None,
        locale: str = "fr") -> PaymentOutcome:
    """Pay an order (``kind='order'``, signed) or an open invoice (``kind='invoice'``) by card; the
    receipt is written in ``locale``, the payer's language.

    The steps, none with a database transaction open across a provider call (a remote service
    that may be slow; on SQLite an open write transaction would hold the write lock meanwhile):
    an attempt seen before is answered as it stands; an earlier attempt's lapsed claim is settled
    first (it may have charged); the card is tokenized (a typo charges and blocks nothing); the
    document is claimed; the intent is created and written on the claim with the card; only
    then is it confirmed; the payment is recorded and settled.

    Raises:
        NotAllowed: ``forbidden`` without the payment permission. NotFound: another company's or an
            unknown document. InvalidInput: ``not_payable``, ``payment_in_progress``, or a card
            problem (``invalid_number``, ``invalid_expiry``, ``expired_card``, ``invalid_cvc``), or
            ``payments_unavailable`` when no provider is configured.
    """
    provider = _require_provider(provider)
    key = (idempotency_key or "")[:80]
    if len(key) < 16:
        raise InvalidInput("not_payable", "form")
    existing = session.exec(select(Payment).where(Payment.idempotency_key == key,
                                                  Payment.company_id == principal.company_id)).first()
    if existing is not None:  # a double click, a retry, a reload: the same attempt, never a new charge
        return _seen_again(session, existing, provider)
    order, invoice = _target(session, principal, kind, number)
    target = f"order:{order.id}" if order else f"invoice:{invoice.id}"
    lapsed = _lapsed_claim(session, target, key, now)
    if lapsed is not None:  # before the amount is checked: an earlier charge is recorded whatever came since
        settled = _recover_lapsed_attempt(session, lapsed, provider, vendor, now, locale, actor_id=principal.user_id)
        if settled is not None:  # the earlier attempt had charged the card: this one must not
            return settled
        order, invoice = _target(session, principal, kind, number)
    amount = _amount_due(session, order, invoice)
    session.commit()
    try:
        month, year = card_expiry(card.expiry)
        token = provider.tokenize_card(number=card_digits(card.number), exp_month=month, exp_year=year,
                                       cvc=card_cvc(card.cvc))
    except (CardProblem, CardError) as error:
        raise InvalidInput(error.code, "card") from error
    _claim(session, target, key, now)
    session.commit()
    intent = provider.create_intent(amount_minor=amount.minor, currency=amount.currency, idempotency_key=key,
                                    description=f"{kind} {number}")
    fresh = intent.status == "requires_confirmation" and intent.amount_minor == amount.minor
    # Written down before the charge, the claim refreshed: if this attempt stops after it, the next
    # one finds it. Should the claim be gone (taken over as lapsed meanwhile), nothing is charged.
    # An intent this key made before keeps the card it was confirmed with.
    values = {"intent_id": intent.intent_id, "claimed_at": now, "user_id": principal.user_id}
    if fresh:
        values |= {"card_brand": token.brand, "card_last4": token.last4}
    recorded = session.exec(sa.update(PaymentClaim).where(
        PaymentClaim.target == target, PaymentClaim.idempotency_key == key).values(**values))
    session.commit()
    if recorded.rowcount != 1:
        raise InvalidInput("payment_in_progress", "form")
    if intent.status == "requires_confirmation" and intent.amount_minor != amount.minor:
        # The same key sent again after the amount changed (a credit note): never charge the old one.
        provider.cancel_intent(intent.intent_id)
        _release(session, target, key)
        session.commit()
        raise InvalidInput("amount_changed", "form")
    intent = provider.confirm_intent(intent.intent_id, token_id=token.token_id)
    claim = session.exec(select(PaymentClaim).where(PaymentClaim.target == target)
                         .execution_options(populate_existing=True)).first()
    brand, last4 = (claim.card_brand, claim.card_last4) if claim else (token.brand, token.last4)
    payment = Payment(company_id=principal.company_id, order_id=order.id if order else None,
                      invoice_id=invoice.id if invoice else None, idempotency_key=key,
                      amount_minor=intent.amount_minor, currency=intent.currency,
                      provider_intent_id=intent.intent_id, status=_payment_status(intent),
                      failure_code=_failure_code(intent), card_brand=brand, card_last4=last4,
                      created_by=principal.user_id, created_at=now, updated_at=now)
    session.add(payment)
    try:
        session.flush()
    except IntegrityError:  # a concurrent submit of the same key won the race: report its outcome
        session.rollback()
        return _outcome(session, session.exec(select(Payment).where(Payment.idempotency_key == key)).one(),
                        intent.action_url)
    record_event(session, action="payment.attempted", outcome="success" if payment.status != "failed" else "failure",
                 actor_user_id=principal.user_id, company_id=principal.company_id, ip=ip,
                 subject=f"{kind}:{number}", detail={"status": intent.status, "code": intent.failure_code,
                                                      "card": f"{brand} {last4}"}, now=now)
    if payment.status == "succeeded":
        _settle(session, payment, vendor, now, locale)
    elif payment.status == "failed":
        _release(session, target, key)
    return _outcome(session, payment, intent.action_url)


def _seen_again(session: Session, payment: Payment, provider: PaymentProvider) -> PaymentOutcome:
    """The outcome of an attempt already recorded; one waiting for 3-D Secure gets its page again."""
    if payment.status != "requires_action":
        return _outcome(session, payment)
    session.commit()  # no transaction open across the provider call
    try:
        action_url = provider.retrieve_intent(payment.provider_intent_id).action_url
    except KeyError:
        action_url = None
    return _outcome(session, payment, action_url)


def _awaited_payment(session: Session, principal: Principal, intent_id: str) -> Payment:
    """This company's payment behind a 3-D Secure intent, for someone allowed to pay."""
    if not principal.can(Permission.PAY):
        raise NotAllowed("forbidden")
    payment = session.exec(select(Payment).where(Payment.provider_intent_id == (intent_id or "")[:80],
                                                 Payment.company_id == principal.company_id)).first()
    if payment is None:
        raise NotFound("invoice_not_found")
    return payment


def authentication_amount(session: Session, principal: Principal, *, intent_id: str) -> Money | None:
    """What the 3-D Secure page asks to confirm, or None when it was already answered.

    Raises:
        NotAllowed: ``forbidden`` without the payment permission.
        NotFound: Not a payment of this company.
    """
    payment = _awaited_payment(session, principal, intent_id)
    return Money(payment.amount_minor, payment.currency) if payment.status == "requires_action" else None


def complete_authentication(session: Session, principal: Principal, *, intent_id: str, approved: bool,
                            provider: PaymentProvider | None, vendor: VendorSettings, now: datetime,
                            locale: str = "fr") -> PaymentOutcome:
    """Back from the 3-D Secure page: settle the payment if the bank approved it.

    Raises:
        NotAllowed: ``forbidden`` without the payment permission.
        NotFound: No payment of this company waits for that authentication.
        InvalidInput: ``payments_unavailable`` when no provider is configured.
    """
    provider = _require_provider(provider)
    payment = _awaited_payment(session, principal, intent_id)
    target = _claim_target(payment)
    if payment.status == "requires_action":
        # The claim is refreshed before the bank is asked, so that no other attempt can take the
        # document over meanwhile; if another attempt already took it over (this one was left
        # waiting past CLAIM_LAPSE), approving now could charge twice: it ends here, bank unasked.
        refreshed = session.exec(sa.update(PaymentClaim).where(
            PaymentClaim.target == target, PaymentClaim.idempotency_key == payment.idempotency_key)
            .values(claimed_at=now))
        if refreshed.rowcount != 1:
            payment.status, payment.failure_code, payment.updated_at = "failed", "authentication_expired", now
            session.add(payment)
            return _outcome(session, payment)
        still_due = _still_due(session, payment)
        session.commit()  # see pay(): no transaction open across the provider call
        if still_due:
            intent = provider.complete_authentication(payment.provider_intent_id, approved=approved)
            payment = _conclude(session, payment, intent, vendor, now, locale)
        else:  # cancelled by a credit note, or now due another amount, meanwhile: the bank charges nothing
            payment = _conclude(session, payment, provider.cancel_intent(payment.provider_intent_id), vendor, now,
                                locale, canceled_code="not_payable")
    return _outcome(session, payment)


def _still_due(session: Session, payment: Payment) -> bool:
    """Whether the payment's document still awaits exactly this payment."""
    order = session.get(SalesOrder, payment.order_id) if payment.order_id else None
    invoice = session.get(Invoice, payment.invoice_id) if payment.invoice_id else None
    try:
        due = _amount_due(session, order, invoice)
    except InvalidInput:
        return False
    return (due.minor, due.currency) == (payment.amount_minor, payment.currency)


def _conclude(session: Session, payment: Payment, intent: PaymentIntent, vendor: VendorSettings, now: datetime,
              locale: str, canceled_code: str = "authentication_expired") -> Payment:
    """Record the provider's final answer on a payment that waited for 3-D Secure, once: when
    another request (a second tab, a recovery) recorded it first, its record stands as it is."""
    moved = session.exec(sa.update(Payment).where(Payment.id == payment.id, Payment.status == "requires_action")
                         .values(status=_payment_status(intent), failure_code=_failure_code(intent, canceled_code),
                                 updated_at=now))
    payment = session.exec(select(Payment).where(Payment.id == payment.id)
                           .execution_options(populate_existing=True)).one()
    if moved.rowcount != 1:
        return payment
    if intent.status == "succeeded":
        _settle(session, payment, vendor, now, locale)
    else:
        _release(session, _claim_target(payment), payment.idempotency_key)
    return payment


def _payment_status(intent: PaymentIntent) -> str:
    """A payment's status for the provider's answer: a canceled intent is a failed attempt."""
    return intent.status if intent.status in ("requires_action", "succeeded", "failed") else "failed"


def _failure_code(intent: PaymentIntent, canceled_code: str = "authentication_expired") -> str | None:
    return canceled_code if intent.status == "canceled" else intent.failure_code


def _claim_target(payment: Payment) -> str:
    """What a payment claims: ``order:<id>`` or ``invoice:<id>``."""
    return f"order:{payment.order_id}" if payment.order_id else f"invoice:{payment.invoice_id}"


def _lapsed_claim(session: Session, target: str, key: str, now: datetime) -> PaymentClaim | None:
    """Another attempt's claim on the document once it has lapsed (older than CLAIM_LAPSE); None
    when the document is free or claimed by this attempt.

    Raises:
        InvalidInput: ``payment_in_progress`` while another attempt's claim is fresh.
    """
    claim = session.exec(select(PaymentClaim).where(PaymentClaim.target == target)).first()
    if claim is None or claim.idempotency_key == key:
        return None
    if now - claim.claimed_at < CLAIM_LAPSE:
        raise InvalidInput("payment_in_progress", "form")
    return claim


def _recover_lapsed_attempt(session: Session, lapsed: PaymentClaim, provider: PaymentProvider,
                            vendor: VendorSettings, now: datetime, locale: str, *,
                            actor_id: int | None) -> PaymentOutcome | None:
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
    if intent_id is not None and (waiting is None or waiting.status == "requires_action"):
        session.commit()  # no transaction open across the provider call
        # Canceled, it can never charge from now on; one that already charged comes back succeeded.
        try:
            intent = provider.cancel_intent(intent_id)
        except KeyError:  # unknown to the provider (another provider, a reset sandbox): never charged
            intent = PaymentIntent(intent_id, 0, "EUR", "canceled")
        if intent.status == "succeeded" and waiting is None:
            return _record_recovered(session, lapsed, intent, vendor, now, locale, actor_id=actor_id)
        if intent.status == "succeeded":  # approved at the bank, then cut short before it was recorded
            return _outcome(session, _conclude(session, waiting, intent, vendor, now, locale))
    if waiting is not None and waiting.status == "requires_action":
        session.exec(sa.update(Payment).where(Payment.id == waiting.id, Payment.status == "requires_action")
                     .values(status="failed", failure_code="authentication_expired", updated_at=now))
    dropped = session.exec(sa.delete(PaymentClaim).where(
        PaymentClaim.target == target, PaymentClaim.idempotency_key == key,
        PaymentClaim.claimed_at <= now - CLAIM_LAPSE))
    if dropped.rowcount != 1:
        session.rollback()
        raise InvalidInput("payment_in_progress", "form")
    session.flush()
    return None


def _claim_company(session: Session, target: str) -> int:
    """The company whose order or invoice a claim's target names."""
    kind, _, document_id = target.partition(":")
    document = session.get(SalesOrder if kind == "order" else Invoice, int(document_id))
    return document.company_id


def _record_recovered(session: Session, lapsed: PaymentClaim, intent: PaymentIntent, vendor: VendorSettings,
                      now: datetime, locale: str, *, actor_id: int | None) -> PaymentOutcome:
    """The charge a cut-short attempt made, recorded and settled as it would have been (``actor_id``:
    who came across it, or None for the background reconciliation)."""
    kind, _, document_id = lapsed.target.partition(":")
    company_id = _claim_company(session, lapsed.target)
    payment = Payment(company_id=company_id, order_id=int(document_id) if kind == "order" else None,
                      invoice_id=int(document_id) if kind == "invoice" else None,
                      idempotency_key=lapsed.idempotency_key, amount_minor=intent.amount_minor,
                      currency=intent.currency, provider_intent_id=intent.intent_id, status="succeeded",
                      card_brand=lapsed.card_brand, card_last4=lapsed.card_last4,
                      created_by=lapsed.user_id or actor_id, created_at=now, updated_at=now)
    session.add(payment)
    try:
        session.flush()
    except IntegrityError:  # a concurrent attempt recovered it first
        session.rollback()
        return _outcome(session, session.exec(select(Payment).where(
            Payment.idempotency_key == lapsed.idempotency_key)).one())
    record_event(session, action="payment.recovered", outcome="success", actor_user_id=actor_id,
                 company_id=company_id, subject=lapsed.target, detail={"payment": intent.intent_id}, now=now)
    _settle(session, payment, vendor, now, locale)
    return _outcome(session, payment)


# A claim left this long without its payment recorded is asked about in the background: no
# attempt spends that long between recording its intent on the claim and recording its payment.
SETTLE_AFTER = timedelta(minutes=1)


def settle_unfinished_attempts(session: Session, *, provider: PaymentProvider | None, vendor: VendorSettings,
                               now: datetime) -> int:
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
    waiting = select(Payment.id).where(Payment.idempotency_key == PaymentClaim.idempotency_key,
                                       Payment.status != "requires_action").exists()
    claims = session.exec(select(PaymentClaim).where(PaymentClaim.claimed_at <= now - SETTLE_AFTER, ~waiting)
                          .order_by(PaymentClaim.claimed_at)).all()
    session.commit()  # no transaction open across the provider calls below
    settled = 0
    for claim in claims:
        locale = _payer_locale(session, claim.user_id)
        session.commit()  # nor here: the provider is asked next
        try:
            if claim.claimed_at <= now - CLAIM_LAPSE:
                _recover_lapsed_attempt(session, claim, provider, vendor, now, locale, actor_id=None)
                settled += 1
            elif claim.intent_id is not None and _settle_if_charged(session, claim, provider, vendor, now, locale):
                settled += 1
        except InvalidInput:  # another process or the payer's own attempt got there first
            session.rollback()
            continue
        session.commit()
    return settled


def _payer_locale(session: Session, user_id: int | None) -> str:
    user = session.get(UserAccount, user_id) if user_id else None
    return user.locale if user and user.locale in ("fr", "en") else "fr"


def _settle_if_charged(session: Session, claim: PaymentClaim, provider: PaymentProvider, vendor: VendorSettings,
                       now: datetime, locale: str) -> bool:
    """Record the charge of a claim whose intent the provider reports succeeded (asked read-only:
    an attempt still under way is left alone)."""
    try:
        intent = provider.retrieve_intent(claim.intent_id)
    except KeyError:
        return False
    if intent.status != "succeeded":
        return False
    waiting = session.exec(select(Payment).where(Payment.idempotency_key == claim.idempotency_key)).first()
    if waiting is None:
        _record_recovered(session, claim, intent, vendor, now, locale, actor_id=None)
    else:
        _conclude(session, waiting, intent, vendor, now, locale)
    return True


def _claim(session: Session, target: str, key: str, now: datetime) -> None:
    """Reserve the document for this attempt, or refuse: another attempt is paying it right now
    (a lapsed claim was settled or dropped by ``_recover_lapsed_attempt`` first)."""
    claim = session.exec(select(PaymentClaim).where(PaymentClaim.target == target)).first()
    if claim is not None:
        if claim.idempotency_key == key:  # this attempt again (a resubmit): its claim starts afresh
            claim.claimed_at = now
            session.add(claim)
            return
        raise InvalidInput("payment_in_progress", "form")
    session.add(PaymentClaim(target=target, idempotency_key=key, claimed_at=now))
    try:
        session.flush()
    except IntegrityError as error:  # a concurrent attempt claimed it between our read and write
        session.rollback()
        raise InvalidInput("payment_in_progress", "form") from error


def _release(session: Session, target: str, key: str) -> None:
    """A failed attempt frees the document for the next one."""
    session.exec(sa.delete(PaymentClaim).where(PaymentClaim.target == target, PaymentClaim.idempotency_key == key))


def _settle(session: Session, payment: Payment, vendor: VendorSettings, now: datetime, locale: str) -> None:
    """The charge succeeded: the invoice is paid (an order first gets its invoice), a receipt goes
    out. An invoice no longer open by then (a credit note cancelled it meanwhile) is left as it
    is: the charge stays on record and an audit event asks for a refund."""
    if payment.order_id is not None:
        order = session.get(SalesOrder, payment.order_id)
        check_transition(OrderStatus(order.status), OrderStatus.PAID)
        lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.position))
        invoice = issue_invoice(
            session, company_id=order.company_id, order_id=order.id, issue_date=now.date(), payment_terms_days=0,
            period=(order.start_date, order.end_date), vendor=vendor, now=now, currency=order.currency,
            purchase_order_ref=order.purchase_order_ref,
            lines=[LineInput(l.description, l.quantity, l.unit_price_minor, l.tax_rate_bp) for l in lines])
        order.status = OrderStatus.PAID.value
        session.add(order)
    else:
        invoice = session.exec(select(Invoice).where(Invoice.id == payment.invoice_id).with_for_update()
                               .execution_options(populate_existing=True)).one()
        if invoice.status != InvoiceStatus.OPEN.value:
            record_event(session, action="payment.needs_refund", outcome="failure", company_id=payment.company_id,
                         subject=f"invoice:{invoice.number}",
                         detail={"payment": payment.provider_intent_id, "invoice_status": invoice.status}, now=now)
            return
        if payment.amount_minor > amount_due(session, invoice):  # a credit note came while it was charged
            record_event(session, action="payment.needs_refund", outcome="failure", company_id=payment.company_id,
                         subject=f"invoice:{invoice.number}",
                         detail={"payment": payment.provider_intent_id, "reason": "paid_more_than_due"}, now=now)
    mark_paid(session, invoice, paid_at=now)
    payment.paid_invoice_id = invoice.id
    session.add(payment)
    _send_receipt(session, payment, invoice, vendor, now, locale)


def _send_receipt(session: Session, payment: Payment, invoice: Invoice, vendor: VendorSettings, now: datetime,
                  locale: str) -> None:
    """The receipt, PDF attached, to the company's billing contact and to the person who paid."""
    company = session.get(Company, payment.company_id)
    document = build_document(session, invoice, vendor)
    receipt = ReceiptDocument(
        invoice_number=invoice.number, paid_at=now, amount_minor=payment.amount_minor, currency=payment.currency,
        card=f"{(payment.card_brand or '').upper()} •••• {payment.card_last4}", reference=payment.provider_intent_id,
        issuer=document.issuer, customer=_party(invoice.customer_snapshot), vendor_name=document.vendor_name,
        vendor_logo=document.vendor_logo)
    amount = format_money(Money(payment.amount_minor, payment.currency), locale)
    mail = templates.receipt_mail(locale, company=company.name, number=invoice.number, amount=amount)
    billing = session.exec(select(Contact.email).where(Contact.company_id == company.id,
                                                       Contact.role == ContactRole.BILLING.value)).first()
    payer = session.get(UserAccount, payment.created_by)
    pdf = render_receipt_pdf(receipt, locale)
    for address in dict.fromkeys(a for a in (billing, payer.email if payer else None) if a):
        message = enqueue(session, to=address, mail=mail, kind="receipt", now=now)
        message.attachment_name = f"{gettext('receipt.title', locale)} {invoice.number}.pdf".replace(" ", "-")
        message.attachment = pdf
    record_event(session, action="payment.succeeded", outcome="success", company_id=company.id,
                 subject=f"invoice:{invoice.number}", detail={"payment": payment.provider_intent_id}, now=now)
