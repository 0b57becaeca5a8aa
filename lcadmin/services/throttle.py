"""Counting failed attempts in the database and locking keys that fail too often.

The counters live in tables, so every worker sees the same figures and a restart forgets nothing.
A key names what is being protected: ``email:aleroy@flexis.com``, ``company:12``, ``ip:203.0.113.9``.
Each lock lasts longer than the previous one for that key (5, 10, 20 minutes…, at most a day).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from lcadmin.metrics import count_throttle_lock
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
# Sign-in counts per address *from one IP*, and per IP: a stranger guessing someone's password from
# elsewhere cannot lock that person out with a few tries (a lock per address alone would let anyone
# do so at will). Guessing one password from many IPs is capped by a far higher limit per address,
# whose lock stays short.
SIGN_IN = Policy("sign_in", 5, timedelta(minutes=15), timedelta(minutes=5))
SIGN_IN_IP = Policy("sign_in_ip", 30, timedelta(minutes=15), timedelta(minutes=15))
SIGN_IN_ACCOUNT = Policy("sign_in_account", 50, timedelta(hours=1), timedelta(minutes=15),
                         longest_lock=timedelta(minutes=15))
# Every sign-up counts (each one costs an argon2 hash, and each says whether an address is taken).
SIGN_UP = Policy("sign_up", 10, timedelta(minutes=15), timedelta(minutes=15))
# Every e-mail step counts, successful or not: it limits how fast one address can probe addresses.
EMAIL_STEP = Policy("email_step", 20, timedelta(minutes=15), timedelta(minutes=15))
# Activation e-mails per address, however they are asked for (e-mail step, proof, "send again"):
# each one cancels the previous link, so without a limit anyone could flood a contact's mailbox and
# keep their link broken. Four per address from one IP in 15 minutes, twelve per address in an
# hour from anywhere; neither lock grows, so nobody can keep a contact waiting for long.
ACTIVATION_MAIL = Policy("activation_mail", 4, timedelta(minutes=15), timedelta(minutes=15),
                         longest_lock=timedelta(minutes=15))
ACTIVATION_MAIL_ADDRESS = Policy("activation_mail_all", 12, timedelta(hours=1), timedelta(hours=1),
                                 longest_lock=timedelta(hours=1))
# "Mot de passe oublié ?": every request counts per IP; an address receives at most three reset
# e-mails an hour, whoever asks (each cancels the previous link), and that lock never grows.
RESET_REQUEST = Policy("reset_request", 10, timedelta(minutes=15), timedelta(minutes=15))
RESET_MAIL = Policy("reset_mail", 3, timedelta(hours=1), timedelta(hours=1), longest_lock=timedelta(hours=1))
# Choosing the new password: every attempt counts per IP (each costs an argon2 hash).
RESET_ATTEMPT = Policy("reset_attempt", 10, timedelta(minutes=15), timedelta(minutes=15))
# The code asked on "Sécurité du compte" to turn two-step verification off or to renew the
# recovery codes, per account: a stolen session cannot guess its way to switching it off. (The
# code asked at sign-in counts as a sign-in attempt, under the SIGN_IN policies.)
TWO_FACTOR_MANAGE = Policy("two_factor", 5, timedelta(minutes=15), timedelta(minutes=5))


def ip_key(ip: str | None) -> str:
    """The key of a client IP: ``ip:203.0.113.9``; an IPv6 address counts by its /64, the network
    one subscriber gets, so that rotating through it buys nothing."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return f"ip:{ip or 'unknown'}"
    if address.version == 6 and address.ipv4_mapped is None:
        return f"ip:{ipaddress.ip_network(f'{address}/64', strict=False)}"
    return f"ip:{address.ipv4_mapped or address}" if address.version == 6 else f"ip:{address}"


def _serialize(session: Session, policy: Policy, keys: list[str]) -> None:
    """Make attempts on the same keys wait for each other until their transaction ends.

    Without it, concurrent attempts would all read the count before any of them adds to it, and a
    burst of guesses would get more than ``max_failures`` tries. SQLite already runs one writing
    transaction at a time (``BEGIN IMMEDIATE``); PostgreSQL takes a transaction-level advisory lock
    per key, in sorted order so two attempts never wait for each other in a cycle.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                        {"key": f"throttle:{policy.scope}:{key}"})


def locks(session: Session, policy: Policy, keys: Iterable[str], now: datetime) -> dict[str, datetime]:
    """The keys among ``keys`` that are locked now, with when each lock ends.

    Call it once per attempt, with every key the attempt may count against: it also holds off
    concurrent attempts on those keys until this transaction ends.
    """
    keys = list(keys)
    _serialize(session, policy, keys)
    rows = session.exec(select(ThrottleLock.key, ThrottleLock.locked_until).where(
        ThrottleLock.scope == policy.scope, col(ThrottleLock.key).in_(keys), ThrottleLock.locked_until > now)).all()
    return dict(rows)


def ensure_unlocked(session: Session, policy: Policy, keys: Iterable[str], now: datetime) -> None:
    """Refuse when any of ``keys`` is locked (see ``locks``).

    Raises:
        Throttled: With the time the longest lock ends.
    """
    locked = locks(session, policy, keys, now)
    if locked:
        raise Throttled(max(locked.values()))


def count_attempt(session: Session, policy: Policy, keys: Iterable[str], now: datetime) -> None:
    """For limits on every attempt, successful or not: refuse when locked, else count this one.

    Raises:
        Throttled: With the time the longest lock ends.
    """
    keys = list(keys)
    ensure_unlocked(session, policy, keys, now)
    register_failure(session, policy, keys, now)


def _lock(session: Session, policy: Policy, key: str, now: datetime) -> datetime:
    lock = session.exec(select(ThrottleLock).where(ThrottleLock.scope == policy.scope, ThrottleLock.key == key)).first()
    # A key locked again within a day of its last lock gets a longer lock each time.
    strikes = lock.strikes + 1 if lock and lock.locked_until > now - timedelta(hours=24) else 1
    duration = min(policy.first_lock * (2 ** min(strikes - 1, 16)), policy.longest_lock)
    if lock is None:
        lock = ThrottleLock(scope=policy.scope, key=key, locked_until=now + duration, strikes=strikes)
    else:
        lock.locked_until, lock.strikes = now + duration, strikes
    session.add(lock)
    session.exec(sa.delete(ThrottleFailure).where(ThrottleFailure.scope == policy.scope, ThrottleFailure.key == key))
    count_throttle_lock(session, policy.scope)
    return lock.locked_until


def _forget_expired(session: Session, policy: Policy, key: str, now: datetime) -> None:
    session.exec(sa.delete(ThrottleFailure).where(
        ThrottleFailure.scope == policy.scope, ThrottleFailure.key == key,
        ThrottleFailure.occurred_at <= now - policy.window))


def _recent_failures(session: Session, policy: Policy, key: str, now: datetime) -> int:
    return session.exec(select(sa.func.count()).select_from(ThrottleFailure).where(
        ThrottleFailure.scope == policy.scope, ThrottleFailure.key == key,
        ThrottleFailure.occurred_at > now - policy.window)).one()


def register_failure(session: Session, policy: Policy, keys: Iterable[str], now: datetime) -> datetime | None:
    """Count one failure against each key; lock those that reached the limit.

    Returns:
        When the longest lock this failure caused ends, or None when nothing got locked.
    """
    locked: list[datetime] = []
    for key in dict.fromkeys(keys):
        _forget_expired(session, policy, key, now)
        session.add(ThrottleFailure(scope=policy.scope, key=key, occurred_at=now))
        session.flush()
        count = _recent_failures(session, policy, key, now)
        if count >= policy.max_failures:
            locked.append(_lock(session, policy, key, now))
    return max(locked) if locked else None


def admit(session: Session, policy: Policy, keys: Iterable[str], now: datetime) -> list[int]:
    """Let one attempt in, counted as a failure until it proves otherwise (:func:`confirm`).

    For checks too slow to run inside a transaction (a password hash): the attempt is counted
    before it is checked, so a burst of concurrent attempts gets ``max_failures`` checks and no
    more, even though none has failed yet.

    Returns:
        The ids of the failure rows written for this attempt.

    Raises:
        Throttled: A key is locked, or has as many failures (counted or under way) as it may.
    """
    keys = list(dict.fromkeys(keys))
    ensure_unlocked(session, policy, keys, now)
    ids = []
    for key in keys:
        _forget_expired(session, policy, key, now)
        count = _recent_failures(session, policy, key, now)
        if count >= policy.max_failures:  # the attempts under way may all fail: wait for them
            raise Throttled(now + timedelta(minutes=1))
        row = ThrottleFailure(scope=policy.scope, key=key, occurred_at=now)
        session.add(row)
        session.flush()
        ids.append(row.id)
    return ids


def confirm(session: Session, policy: Policy, keys: Iterable[str], admitted: list[int], *, failed: bool,
            now: datetime) -> datetime | None:
    """The admitted attempt is over: a success takes its failures back; a failure keeps them and
    locks the keys that reached the limit.

    Returns:
        When the longest lock this failure caused ends, or None.
    """
    if not failed:
        if admitted:
            session.exec(sa.delete(ThrottleFailure).where(col(ThrottleFailure.id).in_(admitted)))
        return None
    locked = []
    for key in dict.fromkeys(keys):
        count = _recent_failures(session, policy, key, now)
        if count >= policy.max_failures:
            locked.append(_lock(session, policy, key, now))
    return max(locked) if locked else None
