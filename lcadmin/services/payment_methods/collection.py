"""Automatic collection: each open invoice of a contract paid by a saved card or SEPA mandate is
collected with it, off session, on its due date; a failure is tried again on the retry days.

The job runs in two steps, both safe with several processes (or a cron and the app) at once:
each invoice and each collection is worked on by one process at a time, and the others pass it
over rather than wait for it (on PostgreSQL, ``skip_locked`` rows; on SQLite, writers one at a
time), so that no debit is announced twice, no attempt made twice, no e-mail sent twice.

- :func:`schedule_collections` gives each such invoice its :class:`~lcadmin.models.Collection`
  (one per invoice, a unique row). A SEPA debit is announced first: the pre-notification e-mail
  states the amount and the debit date, at least ``sepa_prenotification_days`` ahead.
- :func:`collect_due` claims each collection whose date has come with a conditional UPDATE (one
  process wins it, until ``claimed_until``), takes the invoice's payment claim (no online payment
  can charge it too), and charges the saved method with the idempotency key
  ``collect:<invoice>:<attempt>``: a retried call gets the provider's same answer, never a second
  charge. An attempt under way is followed up (the bank's answer asked, the holder's time to
  authenticate watched) by one process at a time too, under the same claim. Then:

  - a card charged: the invoice is paid and its receipt sent, as for an online payment;
  - the bank asks the holder to authenticate: the payment waits on the 3-D Secure page, whose
    link is e-mailed, and the invoice says "Action requise" until the holder answers (or the next
    retry day comes);
  - a SEPA debit: "Prélèvement en cours" until the bank settles it (paid) or returns it with a
    SEPA reason code (AM04: insufficient funds);
  - a failure: an e-mail with a link to pay online, and another try on the next retry day; after
    the last one the invoice stays open with a banner saying so.

A contract whose method changes has its waiting collections canceled and scheduled again with
the new one (:func:`reschedule_contract`): bank transfer stops them; a new mandate's debit is
announced again before it is taken. Attempts keep counting across methods (each attempt's key
stays its own), so the retry days left are those the invoice had left. The contract's method is
also read again at each attempt, in case it changed in between.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from lcadmin import paths
from lcadmin.db import skip_locked
from lcadmin.domain.audit import AuditAction
from lcadmin.domain.calendar import business_date
from lcadmin.domain.money import Money
from lcadmin.domain.statuses import (
    CollectionStatus,
    InvoiceKind,
    InvoiceStatus,
    PaymentMethodKind,
    PaymentMethodStatus,
    PaymentStatus,
)
from lcadmin.i18n import gettext
from lcadmin.i18n.format import format_date, format_money
from lcadmin.mail import templates
from lcadmin.mail.outbox import enqueue
from lcadmin.metrics import count_payment
from lcadmin.models import Collection, Company, Contract, Invoice, Payment, PaymentMethod, SalesOrder
from lcadmin.payments.provider import PaymentIntent, PaymentProvider
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import InvalidInput
from lcadmin.services.invoicing import amount_due
from lcadmin.services.lifecycle import move_if
from lcadmin.services.payment_methods.notices import wallet_recipients
from lcadmin.services.payment_methods.wallet import method_label, usable
from lcadmin.services.payments.claims import claim, release
from lcadmin.services.payments.settlement import failure_code, payment_status, settle
from lcadmin.settings import Settings

log = logging.getLogger(__name__)
# A claimed attempt (or follow-up) that recorded nothing for this long was cut short (a crash):
# it is made again with the same idempotency key, which finds the provider's same intent.
ATTEMPT_LAPSE = timedelta(minutes=10)
KEY_PREFIX = "collect:"


def _today(ctx: RequestContext, settings: Settings) -> date:
    return business_date(ctx.now, settings.vendor.timezone)


def _contract_method(session: Session, invoice: Invoice) -> tuple[Contract | None, PaymentMethod | None]:
    order = session.get(SalesOrder, invoice.order_id) if invoice.order_id else None
    contract = session.get(Contract, order.contract_id) if order and order.contract_id else None
    method = session.get(PaymentMethod, contract.payment_method_id) if contract and contract.payment_method_id \
        else None
    return contract, method if method and method.status == PaymentMethodStatus.ACTIVE.value else None


def _debit_date(invoice: Invoice, method: PaymentMethod, today: date, settings: Settings) -> date:
    """A card is charged on the due date; a SEPA debit no earlier than its announced date."""
    due = invoice.due_date or today
    if method.kind == PaymentMethodKind.SEPA_DEBIT.value:
        return max(due, today + timedelta(days=settings.sepa_prenotification_days))
    return max(due, today)


def _mail_all(session: Session, ctx: RequestContext, company_id: int, kind: str, render) -> None:
    for address, locale in wallet_recipients(session, company_id, ctx.now).items():
        enqueue(session, to=address, mail=render(locale), kind=kind, now=ctx.now)


def _invoice_link(settings: Settings, number: str) -> str:
    return settings.public_url.rstrip("/") + paths.INVOICE_PAGES + number


def _announce_debit(session: Session, ctx: RequestContext, invoice: Invoice, method: PaymentMethod, on: date,
                    settings: Settings) -> None:
    """The SEPA pre-notification: amount, debit date, mandate and creditor."""
    company = session.get(Company, invoice.company_id)
    left = Money(amount_due(session, invoice), invoice.currency)
    _mail_all(session, ctx, invoice.company_id, "debit_notice", lambda locale: templates.debit_notice_mail(
        locale, company=company.name, number=invoice.number, amount=format_money(left, locale),
        date=format_date(on, locale), method=method_label(method, locale), reference=method.mandate_reference or "",
        creditor_id=settings.vendor.sepa_creditor_id, link=_invoice_link(settings, invoice.number)))


def _live_collection():
    return select(Collection.id).where(Collection.invoice_id == Invoice.id,
                                       Collection.status != CollectionStatus.CANCELED.value).exists()


def _take_unscheduled(session: Session, invoice_id: int) -> bool:
    """Hold the open invoice ``invoice_id`` for scheduling until the next commit, if it still has no
    collection and no other process holds it."""
    return session.exec(skip_locked(session, select(Invoice.id).where(
        Invoice.id == invoice_id, Invoice.status == InvoiceStatus.OPEN.value, ~_live_collection()))).first() is not None


def schedule_collections(session: Session, ctx: RequestContext, *, settings: Settings) -> int:
    """Give every open invoice of a contract paid by a saved method its collection (announcing
    SEPA debits), each once however many processes schedule at once; returns how many were
    scheduled."""
    today = _today(ctx, settings)
    live = _live_collection()
    candidates = session.exec(
        select(Invoice).join(SalesOrder, SalesOrder.id == Invoice.order_id)
        .join(Contract, Contract.id == SalesOrder.contract_id)
        .join(PaymentMethod, PaymentMethod.id == Contract.payment_method_id)
        .where(Invoice.kind == InvoiceKind.INVOICE.value, Invoice.status == InvoiceStatus.OPEN.value,
               PaymentMethod.status == PaymentMethodStatus.ACTIVE.value, ~live)
        .order_by(Invoice.id)).all()
    scheduled = 0
    for invoice in candidates:
        if not _take_unscheduled(session, invoice.id):
            continue  # another process is scheduling it, or has
        _, method = _contract_method(session, invoice)
        if method is None or amount_due(session, invoice) <= 0:
            session.commit()  # lets go of the invoice
            continue
        on = _debit_date(invoice, method, today, settings)
        canceled = session.exec(select(Collection).where(Collection.invoice_id == invoice.id)).first()
        if canceled is not None:  # its contract is paid by a (new) saved method again
            # Its attempts keep counting: each attempt's idempotency key must stay its own.
            won = move_if(session, Collection, canceled.id, CollectionStatus.CANCELED, CollectionStatus.SCHEDULED, ctx,
                          values={"payment_method_id": method.id, "next_attempt_on": on, "last_failure_code": None,
                                  "payment_key": None})
        else:
            try:
                with session.begin_nested():
                    session.add(Collection(invoice_id=invoice.id, company_id=invoice.company_id,
                                           payment_method_id=method.id, next_attempt_on=on, created_at=ctx.now,
                                           updated_at=ctx.now))
                won = True
            except IntegrityError:  # another process scheduled it first
                won = False
        if won:
            if method.kind == PaymentMethodKind.SEPA_DEBIT.value:
                _announce_debit(session, ctx, invoice, method, on, settings)
            scheduled += 1
        session.commit()
    return scheduled


def _retry_or_fail(session: Session, ctx: RequestContext, collection: Collection, invoice: Invoice,
                   method: PaymentMethod | None, code: str, settings: Settings, *, source: CollectionStatus) -> None:
    """After a failed attempt: the next retry day, or the end; an e-mail either way."""
    retries = settings.collection_retry_days
    attempt = collection.attempts
    due = invoice.due_date or _today(ctx, settings)
    next_on = due + timedelta(days=retries[attempt - 1]) if attempt <= len(retries) else None
    if next_on is not None:
        next_on = max(next_on, _today(ctx, settings))  # a debit returned late: its retry day may have come
        won = move_if(session, Collection, collection.id, source, CollectionStatus.SCHEDULED, ctx,
                      values={"next_attempt_on": next_on, "last_failure_code": code, "payment_key": None,
                              "claimed_until": None})
    else:
        won = move_if(session, Collection, collection.id, source, CollectionStatus.FAILED, ctx,
                      values={"last_failure_code": code, "claimed_until": None}, company_id=invoice.company_id,
                      subject=f"invoice:{invoice.number}", detail={"code": code, "attempts": attempt})
    if not won:  # recorded by another process: so was its e-mail
        return
    company = session.get(Company, invoice.company_id)
    left = Money(amount_due(session, invoice), invoice.currency)
    _mail_all(session, ctx, invoice.company_id, "collection_failed", lambda locale: templates.collection_failed_mail(
        locale, company=company.name, number=invoice.number, amount=format_money(left, locale),
        method=method_label(method, locale), reason=failure_reason(code, locale),
        retry=format_date(next_on, locale) if next_on else "", link=_invoice_link(settings, invoice.number)))


def failure_reason(code: str | None, locale: str) -> str:
    """Why a collection failed, in words (a SEPA reason code keeps its code)."""
    try:
        return gettext(f"error.{code}", locale)
    except KeyError:
        return gettext("error.card_declined", locale)


def _record(session: Session, ctx: RequestContext, collection: Collection, invoice: Invoice, method: PaymentMethod,
            intent: PaymentIntent | None, code: str | None) -> Payment:
    is_card = method.kind == PaymentMethodKind.CARD.value
    status = payment_status(intent) if intent else PaymentStatus.FAILED
    payment = Payment(company_id=invoice.company_id, invoice_id=invoice.id, idempotency_key=collection.payment_key,
                      amount_minor=intent.amount_minor if intent else amount_due(session, invoice),
                      currency=invoice.currency, provider_intent_id=intent.intent_id if intent else "",
                      status=status.value, failure_code=code if intent is None else failure_code(intent),
                      card_brand=method.card_brand if is_card else "sepa",
                      card_last4=method.card_last4 if is_card else method.iban_last4, payment_method_id=method.id,
                      method_kind=method.kind, created_by=None, created_at=ctx.now, updated_at=ctx.now)
    session.add(payment)
    session.flush()
    count_payment(session, status)
    record_event(session, action=AuditAction.COLLECTION_ATTEMPTED,
                 outcome="failure" if status is PaymentStatus.FAILED else "success", company_id=invoice.company_id,
                 subject=f"invoice:{invoice.number}",
                 detail={"attempt": collection.attempts, "status": status.value, "code": payment.failure_code,
                         "method": f"payment_method:{method.id}"}, now=ctx.now)
    return payment


def _outcome(session: Session, ctx: RequestContext, collection: Collection, invoice: Invoice, method: PaymentMethod,
             payment: Payment, action_url: str | None, settings: Settings) -> None:
    """What the provider's answer does to the invoice and the collection."""
    status = PaymentStatus(payment.status)
    if status is PaymentStatus.SUCCEEDED:
        settle(session, ctx, payment, settings.vendor)
        move_if(session, Collection, collection.id, CollectionStatus.PROCESSING, CollectionStatus.SUCCEEDED, ctx,
                values={"claimed_until": None}, company_id=invoice.company_id, subject=f"invoice:{invoice.number}",
                detail={"payment": payment.provider_intent_id})
    elif status is PaymentStatus.REQUIRES_ACTION:
        if not move_if(session, Collection, collection.id, CollectionStatus.PROCESSING,
                       CollectionStatus.ACTION_REQUIRED, ctx, values={"claimed_until": None},
                       company_id=invoice.company_id, subject=f"invoice:{invoice.number}",
                       detail={"payment": payment.provider_intent_id}):
            return
        company = session.get(Company, invoice.company_id)
        link = settings.public_url.rstrip("/") + (action_url or paths.INVOICE_PAGES + invoice.number)
        amount = Money(payment.amount_minor, payment.currency)
        _mail_all(session, ctx, invoice.company_id, "collection_action",
                  lambda locale: templates.collection_action_mail(
                      locale, company=company.name, number=invoice.number, amount=format_money(amount, locale),
                      method=method_label(method, locale), link=link))
    elif status is PaymentStatus.PROCESSING:  # a SEPA debit: the bank answers in a few days
        session.exec(sa.update(Collection).where(Collection.id == collection.id).values(claimed_until=None))
    else:
        release(session, f"invoice:{invoice.id}", payment.idempotency_key)
        _retry_or_fail(session, ctx, collection, invoice, method, payment.failure_code or "card_declined", settings,
                       source=CollectionStatus.PROCESSING)


def _attempt(session: Session, ctx: RequestContext, collection: Collection, provider: PaymentProvider,
             settings: Settings) -> bool:
    """One claimed attempt of ``collection`` (status processing). Returns whether it charged or
    asked the bank."""
    invoice = session.get(Invoice, collection.invoice_id, populate_existing=True)
    _, method = _contract_method(session, invoice)
    today = _today(ctx, settings)
    left = amount_due(session, invoice) if invoice.status == InvoiceStatus.OPEN.value else 0
    if left <= 0 or method is None:  # paid or corrected meanwhile, or the contract is paid by transfer now
        move_if(session, Collection, collection.id, CollectionStatus.PROCESSING, CollectionStatus.CANCELED, ctx,
                values={"claimed_until": None})
        return False
    previous = collection.attempts - 1
    if method.id != collection.payment_method_id and method.kind == PaymentMethodKind.SEPA_DEBIT.value:
        # another mandate: its debit is announced before it is taken
        on = _debit_date(invoice, method, today, settings)
        if move_if(session, Collection, collection.id, CollectionStatus.PROCESSING, CollectionStatus.SCHEDULED, ctx,
                   values={"payment_method_id": method.id, "next_attempt_on": on, "attempts": previous,
                           "payment_key": None, "claimed_until": None}):
            _announce_debit(session, ctx, invoice, method, on, settings)
        return False
    if method.id != collection.payment_method_id:
        session.exec(sa.update(Collection).where(Collection.id == collection.id).values(payment_method_id=method.id))
    try:
        claim(session, f"invoice:{invoice.id}", collection.payment_key or "", ctx)
    except InvalidInput:  # someone is paying it online right now: the next round looks again
        session.rollback()
        move_if(session, Collection, collection.id, CollectionStatus.PROCESSING, CollectionStatus.SCHEDULED, ctx,
                values={"attempts": previous, "payment_key": None, "claimed_until": None, "next_attempt_on": today})
        return False
    customer = session.get(Company, invoice.company_id).provider_customer_id or ""
    session.commit()  # no transaction open across the provider call
    intent, code = None, None
    if not usable(method, today):
        code = "expired_card"
    else:
        intent = provider.charge_saved(customer_id=customer, method_id=method.provider_method_id, amount_minor=left,
                                       currency=invoice.currency, idempotency_key=collection.payment_key or "",
                                       description=f"invoice {invoice.number}")
    try:
        payment = _record(session, ctx, collection, invoice, method, intent, code)
    except IntegrityError:  # the same attempt recorded by a process that took it over
        session.rollback()
        return False
    _outcome(session, ctx, collection, invoice, method, payment, intent.action_url if intent else None, settings)
    return intent is not None


def _follow_up(session: Session, ctx: RequestContext, collection: Collection, provider: PaymentProvider,
               settings: Settings) -> None:
    """A debit awaiting the bank, a payment awaiting the holder, or an attempt cut short (taken
    over, with its idempotency key), once the caller holds the collection's claim."""
    invoice = session.get(Invoice, collection.invoice_id)
    payment = session.exec(select(Payment).where(Payment.idempotency_key == collection.payment_key)
                           .execution_options(populate_existing=True)).first()
    method = session.get(PaymentMethod, collection.payment_method_id)
    source = CollectionStatus(collection.status)
    if payment is None:
        if source is CollectionStatus.PROCESSING:  # its claim had lapsed: the attempt was cut short
            _attempt(session, ctx, collection, provider, settings)
        return
    status = PaymentStatus(payment.status)
    if status is not PaymentStatus.SUCCEEDED and invoice.status != InvoiceStatus.OPEN.value:
        # paid another way meanwhile (online, after taking the attempt over), or corrected
        move_if(session, Collection, collection.id, source, CollectionStatus.CANCELED, ctx,
                values={"claimed_until": None})
        return
    if status is PaymentStatus.SUCCEEDED:  # the holder authenticated on the bank's page
        move_if(session, Collection, collection.id, source, CollectionStatus.SUCCEEDED, ctx,
                company_id=invoice.company_id, subject=f"invoice:{invoice.number}",
                detail={"payment": payment.provider_intent_id})
        return
    if status is PaymentStatus.FAILED:
        _retry_or_fail(session, ctx, collection, invoice, method, payment.failure_code or "card_declined", settings,
                       source=source)
        return
    if status is PaymentStatus.REQUIRES_ACTION:
        if _today(ctx, settings) < _next_retry_day(collection, invoice, settings):
            return  # the holder still has until the next retry day to answer
        session.commit()
        provider.cancel_intent(payment.provider_intent_id)
        if move_if(session, Payment, payment.id, PaymentStatus.REQUIRES_ACTION, PaymentStatus.FAILED, ctx,
                   values={"failure_code": "authentication_required"}, company_id=invoice.company_id,
                   subject=f"invoice:{invoice.number}", detail={"payment": payment.provider_intent_id}):
            count_payment(session, PaymentStatus.FAILED)
            release(session, f"invoice:{invoice.id}", payment.idempotency_key)
            _retry_or_fail(session, ctx, collection, invoice, method, "authentication_required", settings,
                           source=source)
        return
    # PROCESSING: ask the bank's answer
    session.commit()
    intent = provider.retrieve_intent(payment.provider_intent_id)
    if intent.status == "succeeded":
        if move_if(session, Payment, payment.id, PaymentStatus.PROCESSING, PaymentStatus.SUCCEEDED, ctx):
            count_payment(session, PaymentStatus.SUCCEEDED)
            settle(session, ctx, payment, settings.vendor)
            move_if(session, Collection, collection.id, CollectionStatus.PROCESSING, CollectionStatus.SUCCEEDED, ctx,
                    company_id=invoice.company_id, subject=f"invoice:{invoice.number}",
                    detail={"payment": payment.provider_intent_id})
    elif intent.status == "failed" and move_if(
            session, Payment, payment.id, PaymentStatus.PROCESSING, PaymentStatus.FAILED, ctx,
            values={"failure_code": intent.failure_code}, company_id=invoice.company_id,
            subject=f"invoice:{invoice.number}", detail={"payment": payment.provider_intent_id,
                                                          "code": intent.failure_code}):
        count_payment(session, PaymentStatus.FAILED)
        release(session, f"invoice:{invoice.id}", payment.idempotency_key)
        _retry_or_fail(session, ctx, collection, invoice, method, intent.failure_code or "AM04", settings,
                       source=CollectionStatus.PROCESSING)


def _next_retry_day(collection: Collection, invoice: Invoice, settings: Settings) -> date:
    retries, due = settings.collection_retry_days, invoice.due_date or collection.next_attempt_on
    if collection.attempts <= len(retries):
        return due + timedelta(days=retries[collection.attempts - 1])
    return due + timedelta(days=(retries[-1] if retries else 0) + 7)


def _claim_under_way(session: Session, collection: Collection, ctx: RequestContext) -> datetime | None:
    """Take the collection under way (processing, or awaiting the holder) for this process's
    follow-up until the returned instant, and commit; None when another process holds it (making
    its attempt, or following it up), whose claim is never waited for."""
    free = sa.or_(col(Collection.claimed_until).is_(None), col(Collection.claimed_until) <= ctx.now)
    current = (Collection.id == collection.id, Collection.status == collection.status, free)
    if session.exec(skip_locked(session, select(Collection.id).where(*current))).first() is None:
        return None
    until = ctx.now + ATTEMPT_LAPSE
    won = session.exec(sa.update(Collection).where(*current).values(claimed_until=until)).rowcount == 1
    session.commit()
    return until if won else None


def _let_go(session: Session, collection_id: int, until: datetime) -> None:
    """Give up the claim taken until ``until``, if the collection still carries it."""
    session.exec(sa.update(Collection).where(Collection.id == collection_id, Collection.claimed_until == until)
                 .values(claimed_until=None))


def collect_due(session: Session, ctx: RequestContext, *, provider: PaymentProvider | None,
                settings: Settings) -> int:
    """Follow up the attempts under way, then make every attempt whose date has come.

    Returns:
        How many attempts charged a method or asked the bank.
    """
    if provider is None:
        return 0
    pending = session.exec(select(Collection).where(col(Collection.status).in_(
        [CollectionStatus.PROCESSING.value, CollectionStatus.ACTION_REQUIRED.value])).order_by(Collection.id)).all()
    for collection in pending:
        until = _claim_under_way(session, collection, ctx)
        if until is None:
            continue  # another process is making this attempt, or following it up, right now
        _follow_up(session, ctx, collection, provider, settings)
        _let_go(session, collection.id, until)
        session.commit()
    today = _today(ctx, settings)
    due = session.exec(select(Collection).where(Collection.status == CollectionStatus.SCHEDULED.value,
                                                Collection.next_attempt_on <= today).order_by(Collection.id)).all()
    made = 0
    for collection in due:
        scheduled = (Collection.id == collection.id, Collection.status == CollectionStatus.SCHEDULED.value)
        if session.exec(skip_locked(session, select(Collection.id).where(*scheduled))).first() is None:
            session.commit()
            continue  # another process is taking it, or took it
        attempt = collection.attempts + 1
        won = move_if(session, Collection, collection.id, CollectionStatus.SCHEDULED, CollectionStatus.PROCESSING, ctx,
                      values={"attempts": attempt, "payment_key": f"{KEY_PREFIX}{collection.invoice_id}:{attempt}",
                              "claimed_until": ctx.now + ATTEMPT_LAPSE})
        session.commit()
        if not won:
            continue  # another process took it
        session.refresh(collection)
        if _attempt(session, ctx, collection, provider, settings):
            made += 1
        session.commit()
    return made


def collections_of(session: Session, company_id: int, ids: Iterable[int] | None = None) -> dict[int, Collection]:
    """The company's collections not canceled, by invoice id (for the invoice views): of every
    invoice, or of the invoices ``ids`` only (a page of the list, one invoice's page)."""
    query = select(Collection).where(Collection.company_id == company_id,
                                     Collection.status != CollectionStatus.CANCELED.value)
    if ids is not None:
        query = query.where(col(Collection.invoice_id).in_(sorted(set(ids))))
    return {row.invoice_id: row for row in session.exec(query)}


def shown_status(collection: Collection | None) -> str | None:
    """What an open invoice's badge says while it is being collected: ``action_required`` or
    ``debit_pending``; None otherwise."""
    if collection is None:
        return None
    if collection.status == CollectionStatus.ACTION_REQUIRED.value:
        return "action_required"
    if collection.status == CollectionStatus.PROCESSING.value:
        return "debit_pending"
    return None


def collection_note(session: Session, collection: Collection | None, locale: str) -> tuple[str, str]:
    """The sentence an open invoice's page shows about its automatic collection, and its tone
    (``info``, ``warning``, ``danger``); ("", "") when there is none."""
    if collection is None or collection.status in (CollectionStatus.SUCCEEDED.value,
                                                   CollectionStatus.CANCELED.value):
        return "", ""
    method = method_label(session.get(PaymentMethod, collection.payment_method_id), locale)
    reason = failure_reason(collection.last_failure_code, locale)
    if collection.status == CollectionStatus.PROCESSING.value:
        return gettext("invoice.collection.processing", locale, method=method), "info"
    if collection.status == CollectionStatus.ACTION_REQUIRED.value:
        return gettext("invoice.collection.action_required", locale, method=method), "warning"
    if collection.status == CollectionStatus.FAILED.value:
        return gettext("invoice.collection.failed", locale, reason=reason, attempts=str(collection.attempts)), "danger"
    date_text = format_date(collection.next_attempt_on, locale)
    if collection.last_failure_code:
        return gettext("invoice.collection.retry", locale, reason=reason, date=date_text), "warning"
    return gettext("invoice.collection.scheduled", locale, date=date_text, method=method), "info"


def reschedule_contract(session: Session, ctx: RequestContext, contract_id: int) -> int:
    """A contract's method changed: its collections not under way are canceled, and the next
    round schedules them again with the new method (a new mandate's debit announced first; bank
    transfer: none). Returns how many were canceled."""
    invoices = select(Invoice.id).join(SalesOrder, SalesOrder.id == Invoice.order_id).where(
        SalesOrder.contract_id == contract_id)
    waiting = session.exec(select(Collection.id).where(Collection.status == CollectionStatus.SCHEDULED.value,
                                                       col(Collection.invoice_id).in_(invoices))).all()
    return sum(move_if(session, Collection, collection_id, CollectionStatus.SCHEDULED, CollectionStatus.CANCELED, ctx)
               for collection_id in waiting)
