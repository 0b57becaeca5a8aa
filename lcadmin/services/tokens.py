"""Single-use link tokens: 256 random bits, only the SHA-256 stored, consumed atomically.

A token acts on one record: its purpose (``LinkPurpose``) says what it does and what kind of
record its ``subject_id`` names, so activation requests, invitations or password resets share
the same mechanism."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from lcadmin.domain.statuses import LinkPurpose
from lcadmin.models import ActionToken


def new_secret() -> str:
    """A fresh 256-bit secret, URL-safe."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What is stored for a secret: its SHA-256, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(session: Session, *, purpose: LinkPurpose, subject_id: int, ttl: timedelta, now: datetime) -> str:
    """Store a new token and return its secret (the only time it exists in clear)."""
    secret = new_secret()
    session.add(ActionToken(token_hash=digest(secret), purpose=LinkPurpose(purpose).value, subject_id=subject_id,
                            expires_at=now + ttl, created_at=now))
    session.flush()
    return secret


def find_token(session: Session, secret: str, purpose: LinkPurpose) -> ActionToken | None:
    """The token for ``secret`` if it exists for ``purpose``, without using it."""
    if not secret or len(secret) > 100:
        return None
    return session.exec(
        select(ActionToken).where(ActionToken.token_hash == digest(secret),
                                  ActionToken.purpose == LinkPurpose(purpose).value)
    ).first()


def token_state(token: ActionToken | None, now: datetime) -> str:
    """``valid``, ``used``, ``expired`` or ``unknown``."""
    if token is None:
        return "unknown"
    if token.used_at is not None:
        return "used"
    if token.expires_at <= now:
        return "expired"
    return "valid"


def consume_token(session: Session, secret: str, purpose: LinkPurpose, now: datetime) -> ActionToken | None:
    """Use the token once: of any number of concurrent callers exactly one gets it back.

    The conditional UPDATE is atomic on SQLite (BEGIN IMMEDIATE) and on PostgreSQL (row lock,
    condition re-checked after the wait).
    """
    token = find_token(session, secret, purpose)
    if token is None:
        return None
    result = session.exec(
        sa.update(ActionToken)
        .where(ActionToken.id == token.id, col(ActionToken.used_at).is_(None), ActionToken.expires_at > now)
        .values(used_at=now)
    )
    if result.rowcount != 1:
        return None
    session.refresh(token)
    return token


def revoke_tokens(session: Session, purposes: Iterable[LinkPurpose], subject_id: int, now: datetime) -> None:
    """Make every unused token of these purposes for this subject unusable (a newer request
    replaces it, a decision was made)."""
    session.exec(
        sa.update(ActionToken)
        .where(col(ActionToken.purpose).in_([LinkPurpose(p).value for p in purposes]),
               ActionToken.subject_id == subject_id, col(ActionToken.used_at).is_(None))
        .values(used_at=now)
    )
