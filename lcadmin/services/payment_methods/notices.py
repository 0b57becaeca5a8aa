"""Who hears of the wallet, and when.

- Every change (a method added or removed, a mandate signed or revoked, a contract switched, the
  default changed) e-mails the company's billing contact and everyone who may manage its payment
  methods, naming who did it and what changed: a change of bank details is a classic fraud route,
  and the real owners must hear of it at once.
- A card is announced 30 days, then 7 days, before its last valid day, once per card and per
  threshold: a conditional UPDATE decides which process sends it when several run the job, and
  a card another process is announcing is passed over, not waited for (``skip_locked``).
- A removed method whose detaching at the provider failed is detached by the next round, by one
  process at a time: the round holds it (``detaching_until``) across the provider call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from lcadmin import paths
from lcadmin.db import skip_locked
from lcadmin.domain.audit import AuditAction
from lcadmin.domain.calendar import business_date
from lcadmin.domain.cards import days_left
from lcadmin.domain.permissions import Permission
from lcadmin.domain.statuses import ContactRole, ContractStatus, PaymentMethodKind, PaymentMethodStatus
from lcadmin.mail import templates
from lcadmin.mail.outbox import enqueue
from lcadmin.models import Company, Contact, Contract, PaymentMethod
from lcadmin.payments.provider import PaymentProvider
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.memberships import holders_of
from lcadmin.settings import Settings

log = logging.getLogger(__name__)
EXPIRY_NOTICES = (30, 7)  # days before a card's last valid day
# A round detaching a method holds it this long; past it (a crash), another round tries again.
DETACH_CLAIM = timedelta(minutes=5)


def wallet_recipients(session: Session, company_id: int, now: datetime) -> dict[str, str]:
    """E-mail address -> language of the billing contact and of every active account that may
    manage the company's payment methods today (not one limited to some contracts: the wallet
    pays them all)."""
    recipients: dict[str, str] = {}
    billing = session.exec(select(Contact).where(Contact.company_id == company_id,
                                                 Contact.role == ContactRole.BILLING.value)).first()
    if billing is not None:
        recipients[billing.email.lower()] = billing.locale
    for user in holders_of(session, company_id, Permission.MANAGE_PAYMENT_METHODS, now):
        recipients.setdefault(user.email.lower(), user.locale if user.locale in ("fr", "en") else "fr")
    return recipients


def wallet_link(settings: Settings) -> str:
    """The wallet page's address, for e-mails."""
    return settings.public_url.rstrip("/") + paths.PAYMENT_METHODS


def notify_change(session: Session, ctx: RequestContext, company_id: int, settings: Settings,
                  change: Callable[[str], str]) -> None:
    """The security notice of a wallet change: ``change(locale)`` says what changed."""
    company = session.get(Company, company_id)
    actor = ctx.principal.email if ctx.principal else settings.vendor.name
    for address, locale in wallet_recipients(session, company_id, ctx.now).items():
        mail = templates.wallet_change_mail(locale, company=company.name, actor=actor, change=change(locale),
                                            link=wallet_link(settings))
        enqueue(session, to=address, mail=mail, kind="wallet_change", now=ctx.now)


def send_expiry_notices(session: Session, ctx: RequestContext, *, settings: Settings) -> int:
    """E-mail the notice of every active card reaching 30 or 7 days before its last valid day
    (only the nearer one for a card saved late), once per card and threshold.

    Returns:
        How many cards were announced.
    """
    from lcadmin.services.payment_methods.wallet import expiry_text, method_label

    today = business_date(ctx.now, settings.vendor.timezone)
    cards = session.exec(select(PaymentMethod).where(PaymentMethod.kind == PaymentMethodKind.CARD.value,
                                                     PaymentMethod.status == PaymentMethodStatus.ACTIVE.value)).all()
    sent = 0
    for card in cards:
        left = days_left(card.exp_month or 1, card.exp_year or 2000, today)
        due = [days for days in EXPIRY_NOTICES if 0 <= left <= days]
        if not due:
            continue
        threshold = min(due)
        unannounced = (PaymentMethod.id == card.id, PaymentMethod.status == PaymentMethodStatus.ACTIVE.value,
                       col(PaymentMethod.expiry_notice_days).is_(None) | (PaymentMethod.expiry_notice_days > threshold))
        if session.exec(skip_locked(session, select(PaymentMethod.id).where(*unannounced))).first() is None:
            continue  # announced already, or another process is announcing it
        claimed = session.exec(sa.update(PaymentMethod).where(*unannounced)
                               .values(expiry_notice_days=threshold)).rowcount == 1
        if not claimed:
            continue
        company = session.get(Company, card.company_id)
        contracts = session.exec(select(Contract.number).where(
            Contract.payment_method_id == card.id, Contract.status == ContractStatus.ACTIVE.value)).all()
        for address, locale in wallet_recipients(session, card.company_id, ctx.now).items():
            mail = templates.card_expiry_mail(locale, company=company.name, card=method_label(card, locale),
                                              expiry=expiry_text(card), days=str(left),
                                              contracts=", ".join(contracts), link=wallet_link(settings))
            enqueue(session, to=address, mail=mail, kind="card_expiry", now=ctx.now)
        record_event(session, action=AuditAction.CARD_EXPIRY_NOTICE, outcome="success", company_id=card.company_id,
                     subject=f"payment_method:{card.id}", detail={"days": threshold}, now=ctx.now)
        session.commit()
        sent += 1
    return sent


def _claim_detach(session: Session, method_id: int, ctx: RequestContext) -> datetime | None:
    """Hold the removed method for this round's provider call until the returned instant, and
    commit; None when it is detached already or another round holds it."""
    free = sa.or_(col(PaymentMethod.detaching_until).is_(None), col(PaymentMethod.detaching_until) <= ctx.now)
    undetached = (PaymentMethod.id == method_id, PaymentMethod.status == PaymentMethodStatus.REMOVED.value,
                  col(PaymentMethod.detached_at).is_(None), free)
    if session.exec(skip_locked(session, select(PaymentMethod.id).where(*undetached))).first() is None:
        session.commit()
        return None
    until = ctx.now + DETACH_CLAIM
    won = session.exec(sa.update(PaymentMethod).where(*undetached).values(detaching_until=until)).rowcount == 1
    session.commit()  # no transaction open across the provider call
    return until if won else None


def detach_removed(session: Session, ctx: RequestContext, *, provider: PaymentProvider | None) -> int:
    """Detach at the provider the removed methods that are not detached yet (a removal whose
    provider call failed), each by one process at a time; returns how many were."""
    if provider is None:
        return 0
    free = sa.or_(col(PaymentMethod.detaching_until).is_(None), col(PaymentMethod.detaching_until) <= ctx.now)
    pending = session.exec(select(PaymentMethod).where(PaymentMethod.status == PaymentMethodStatus.REMOVED.value,
                                                       col(PaymentMethod.detached_at).is_(None), free)).all()
    done = 0
    for method in pending:
        until = _claim_detach(session, method.id, ctx)
        if until is None:
            continue  # another round is detaching it, or has
        try:
            provider.detach_method(method.provider_method_id)
        except Exception:  # the provider is down: the next round tries again
            log.warning("payment methods: detaching method %s failed; will retry", method.id, exc_info=True)
            session.exec(sa.update(PaymentMethod).where(PaymentMethod.id == method.id,
                                                        PaymentMethod.detaching_until == until)
                         .values(detaching_until=None))
            session.commit()
            continue
        session.exec(sa.update(PaymentMethod).where(PaymentMethod.id == method.id,
                                                    col(PaymentMethod.detached_at).is_(None))
                     .values(detached_at=ctx.now, detaching_until=None))
        session.commit()
        done += 1
    return done
