"""The outbox: e-mails are rows written in the transaction that causes them, then delivered.

A sender claims due messages for :data:`CLAIM_FOR` (``claimed_until``) in a short transaction of
its own, sends them with no transaction open, then records each outcome in another. Several
senders (every web process, the worker, a cron) may run at once: on PostgreSQL each claim skips
the rows another sender is claiming (``FOR NO KEY UPDATE SKIP LOCKED``), on SQLite the claims run
one at a time (``BEGIN IMMEDIATE``), and on both a conditional UPDATE takes each message, so
every message is claimed by one sender at a time. A sender that stops hands back what it claimed
and did not send (:func:`release`); one that dies leaves its claims to lapse.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from lcadmin.db import skip_locked
from lcadmin.domain.statuses import OutboxStatus
from lcadmin.mail.templates import RenderedMail
from lcadmin.models import OutboxMessage
from lcadmin.services.context import system
from lcadmin.services.lifecycle import move

CLAIM_FOR = timedelta(minutes=2)
# Like a mail server, keep trying through an outage for days before giving up (RFC 5321 4.5.4.1).
GIVE_UP_AFTER = timedelta(days=5)


def enqueue(session: Session, *, to: str, mail: RenderedMail, kind: str, now: datetime) -> OutboxMessage:
    """Add an e-mail to the outbox; it leaves only if the surrounding transaction commits."""
    message = OutboxMessage(to_address=to, subject=mail.subject, text_body=mail.text, html_body=mail.html,
                            kind=kind, next_attempt_at=now, created_at=now)
    session.add(message)
    return message


def claim_due(session: Session, now: datetime, limit: int = 20) -> list[OutboxMessage]:
    """Take up to ``limit`` due messages for delivery until ``now + CLAIM_FOR`` (their
    ``claimed_until``, which no other sender's claim matches): no other sender takes them
    meanwhile. Messages another sender is claiming at this very moment are passed over, never
    waited for. Commit at once: the claim holds from then on."""
    free = sa.or_(col(OutboxMessage.claimed_until).is_(None), OutboxMessage.claimed_until < now)
    due = session.exec(skip_locked(session, (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING.value, OutboxMessage.next_attempt_at <= now, free)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ))).all()
    claimed = []
    for message_id in due:
        result = session.exec(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING.value, free)
            .values(claimed_until=now + CLAIM_FOR)
        )
        if result.rowcount == 1:
            claimed.append(session.get(OutboxMessage, message_id, populate_existing=True))
    return claimed


def release(session: Session, message_ids: list[int], claimed_until: datetime) -> int:
    """Hand back claimed messages that were not sent, for the next sender to take at once; only
    those still under this very claim (``claimed_until`` as :func:`claim_due` set it).

    Returns:
        How many were handed back.
    """
    if not message_ids:
        return 0
    return session.exec(
        sa.update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(message_ids), OutboxMessage.status == OutboxStatus.PENDING.value,
               OutboxMessage.claimed_until == claimed_until)
        .values(claimed_until=None)
    ).rowcount


def retry_delay(attempts: int) -> timedelta:
    """Back-off after ``attempts`` failures: 10 s, 20 s, 40 s… at most an hour."""
    return min(timedelta(seconds=10 * 2 ** max(attempts - 1, 0)), timedelta(hours=1))


def mark_sent(session: Session, message_id: int, now: datetime, *, keep_body: bool = True) -> None:
    """The SMTP server accepted the message. Without ``keep_body`` (production), only its envelope
    stays: the body holds single-use links and the attachment a document, neither needed any more."""
    message = session.get(OutboxMessage, message_id)
    if message.status != OutboxStatus.PENDING.value:  # recorded already (a sender whose claim had lapsed)
        return
    message.attempts += 1
    message.claimed_until = None
    if not keep_body:
        message.text_body = message.html_body = ""
        message.attachment = None
    move(session, message, OutboxStatus.SENT, system(now))


def mark_failed(session: Session, message_id: int, error: str, now: datetime, *, permanent: bool = False) -> None:
    """Delivery failed: try again later, unless the server refused the message for good (a 5xx
    answer) or it has been failing for :data:`GIVE_UP_AFTER`."""
    message = session.get(OutboxMessage, message_id)
    if message.status != OutboxStatus.PENDING.value:
        return
    message.attempts += 1
    message.last_error = error[:500]
    message.claimed_until = None
    if permanent or now - message.created_at >= GIVE_UP_AFTER:
        move(session, message, OutboxStatus.FAILED, system(now))
    else:
        message.next_attempt_at = now + retry_delay(message.attempts)
        session.add(message)


def latest(session: Session, limit: int = 50) -> list[OutboxMessage]:
    """The most recent messages, newest first (the development mailbox)."""
    return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id).desc()).limit(limit)))
