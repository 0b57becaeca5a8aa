"""Counting failed attempts in the database and locking keys that fail too often.

The counters live in tables, so every worker sees the same figures and a restart forgets nothing.
A key names what is being protected: ``email:aleroy@flexis.com``, ``company:12``, ``ip:203.0.113.9``.
Each lock lasts longer than the previous one for that key (5, 10, 20 minutes…, at most a day).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from lcadmin.models import ThrottleFailure, ThrottleLock
from lcadmin.services.errors import Throttled


@dataclass(frozen=True)
class Policy:
    """How many failures within ``window`` lock a key, and for how long at first."""

    scope: str
    max_failures: int
    window: timedelta
    first_lock: timedelta
    longest_lock: timedelta = timedelta(hours=24)


PROOF = Policy("proof", 5, timedelta(minutes=15), timedelta(minutes=5))
SIGN_IN = Policy("sign_in", 5, timedelta(minutes=15), timedelta(minutes=5))
# Every e-mail step counts, successful or not: it limits how fast one address can probe addresses.
EMAIL_STEP = Policy("email_step", 20, timedelta(minutes=15), timedelta(minutes=15))
RESEND = Policy("resend", 3, timedelta(minutes=15), timedelta(minutes=15))


def ensure_unlocked(session: Session, policy: Policy, keys: Iterable[str], now: datetime) -> None:
    """Refuse when any of ``keys`` is locked.

    Raises:
        Throttled: With the time the longest lock ends.
    """
    keys = list(keys)
    until = session.exec(
        select(sa.func.max(ThrottleLock.locked_until)).where(
            ThrottleLock.scope == policy.scope, ThrottleLock.key.in_(keys), ThrottleLock.locked_until > now
        )
    ).one()
    if until is not None:
        raise Throttled(until)


def _lock(session: Session, policy: Policy, key: str, now: datetime) -> datetime:
    lock = session.exec(select(ThrottleLock).where(ThrottleLock.scope == policy.scope, ThrottleLock.key == key)).first()
    # A key locked again within a day of its last lock gets a longer lock each time.
    strikes = lock.strikes + 1 if lock and lock.locked_until > now - timedelta(hours=24) else 1
    duration = min(policy.first_lock * (2 ** (strikes - 1)), policy.longest_lock)
    if lock is None:
        lock = ThrottleLock(scope=policy.scope, key=key, locked_until=now + duration, strikes=strikes)
    else:
        lock.locked_until, lock.strikes = now + duration, strikes
    session.add(lock)
    session.exec(sa.delete(ThrottleFailure).where(ThrottleFailure.scope == policy.scope, ThrottleFailure.key == key))
    return lock.locked_until


def register_failure(session: Session, policy: Policy, keys: Iterable[str], now: datetime) -> datetime | None:
    """Count one failure against each key; lock those that reached the limit.

    Returns:
        When the longest lock this failure caused ends, or None when nothing got locked.
    """
    locked: list[datetime] = []
    for key in dict.fromkeys(keys):
        session.exec(sa.delete(ThrottleFailure).where(
            ThrottleFailure.scope == policy.scope, ThrottleFailure.key == key,
            ThrottleFailure.occurred_at <= now - policy.window))
        session.add(ThrottleFailure(scope=policy.scope, key=key, occurred_at=now))
        session.flush()
        count = session.exec(select(sa.func.count()).select_from(ThrottleFailure).where(
            ThrottleFailure.scope == policy.scope, ThrottleFailure.key == key,
            ThrottleFailure.occurred_at > now - policy.window)).one()
        if count >= policy.max_failures:
            locked.append(_lock(session, policy, key, now))
    return max(locked) if locked else None
