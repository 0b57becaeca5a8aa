"""The outbox: e-mails are rows written in the transaction that causes them, then delivered."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from lcadmin.mail.templates import RenderedMail
from lcadmin.models import OutboxMessage

CLAIM_FOR = timedelta(minutes=2)
MAX_ATTEMPTS = 12


def enqueue(session: Session, *, to: str, mail: RenderedMail, kind: str, now: datetime) -> OutboxMessage:
    """Add an e-mail to the outbox; it leaves only if the surrounding transaction commits."""
    message = OutboxMessage(to_address=to, subject=mail.subject, text_body=mail.text, html_body=mail.html,
                            kind=kind, next_attempt_at=now, created_at=now)
    session.add(message)
    return message


def claim_due(session: Session, now: datetime, limit: int = 20) -> list[OutboxMessage]:
    """Take up to ``limit`` due messages for delivery; another worker will not take them for a while."""
    due = session.exec(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now,
               sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    claimed = []
    for message_id in due:
        result = session.exec(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message_id,
                   sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
            .values(claimed_until=now + CLAIM_FOR)
        )
        if result.rowcount == 1:
            claimed.append(session.get(OutboxMessage, message_id))
    return claimed


def retry_delay(attempts: int) -> timedelta:
    """Back-off after ``attempts`` failures: 10 s, 20 s, 40 s… at most an hour."""
    return min(timedelta(seconds=10 * 2 ** max(attempts - 1, 0)), timedelta(hours=1))


def mark_sent(session: Session, message_id: int, now: datetime) -> None:
    """The SMTP server accepted the message."""
    message = session.get(OutboxMessage, message_id)
    message.status, message.sent_at, message.claimed_until = "sent", now, None
    message.attempts += 1
    session.add(message)


def mark_failed(session: Session, message_id: int, error: str, now: datetime) -> None:
    """Delivery failed: try again later, or give up after :data:`MAX_ATTEMPTS`."""
    message = session.get(OutboxMessage, message_id)
    message.attempts += 1
    message.last_error = error[:500]
    message.claimed_until = None
    if message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
    else:
        message.next_attempt_at = now + retry_delay(message.attempts)
    session.add(message)


def latest(session: Session, limit: int = 50) -> list[OutboxMessage]:
    """The most recent messages, newest first (the development mailbox)."""
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)))
