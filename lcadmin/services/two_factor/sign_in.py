"""The sign-in step between a right password and the session: the code.

After the password, an account with two-step verification gets a challenge instead of a
session: a random key whose SHA-256 is stored with the account and five minutes to live. The
key stays in the signing-in tab's backend-only state (``AuthState._challenge``), so only that
tab can bring a code for it, and the session is created (through the usual hand-off) only once a
right code came. Wrong codes count as wrong passwords do, under the same locks.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from lcadmin.domain.audit import AuditAction
from lcadmin.models import Company, TwoFactorChallenge, UserAccount
from lcadmin.services.accounts import sign_in_limits
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import NotAllowed
from lcadmin.services.tokens import digest, new_secret
from lcadmin.services.two_factor.codes import checked_code
from lcadmin.services.two_factor.enrolment import tell_account

CHALLENGE_TTL = timedelta(minutes=5)


def open_challenge(session: Session, ctx: RequestContext, *, user_id: int) -> str | None:
    """After a right password: the key of a new challenge when the account has two-step
    verification on (the only time the key exists in clear), or None when the password is
    enough."""
    user = session.get(UserAccount, user_id)
    if user is None or user.two_factor_enabled_at is None:
        return None
    key = new_secret()
    session.add(TwoFactorChallenge(key_hash=digest(key), user_id=user_id, ip=ctx.ip, created_at=ctx.now,
                                   expires_at=ctx.now + CHALLENGE_TTL))
    return key


def complete_challenge(session: Session, ctx: RequestContext, *, key: str, code: object, secret_key: str) -> int:
    """Check the code brought for a challenge; a right one uses the challenge up.

    Returns:
        The account's user id, for the hand-off that starts its session.

    Raises:
        NotAllowed: ``code_step_expired`` (no such challenge, used, older than five minutes, or
            its account can no longer sign in this way).
        InvalidInput: ``code_empty``, ``code_malformed``, ``code_wrong``, ``code_used``.
        Throttled: Too many wrong codes or passwords for this account from this IP (the sign-in
            locks).
    """
    challenge = session.exec(select(TwoFactorChallenge).where(
        TwoFactorChallenge.key_hash == digest(key or ""))).first() if key and len(key) <= 100 else None
    if challenge is None or challenge.used_at is not None or challenge.expires_at <= ctx.now:
        raise NotAllowed("code_step_expired")
    user = session.get(UserAccount, challenge.user_id)
    if user is None or not user.is_active or user.two_factor_enabled_at is None:
        raise NotAllowed("code_step_expired")
    method = checked_code(session, ctx, user, code, limits=sign_in_limits(user.email, ctx.ip),
                          action=AuditAction.TWO_FACTOR_CHALLENGE, secret_key=secret_key)
    won = session.exec(sa.update(TwoFactorChallenge).where(
        TwoFactorChallenge.id == challenge.id, col(TwoFactorChallenge.used_at).is_(None),
        TwoFactorChallenge.expires_at > ctx.now,
    ).values(used_at=ctx.now)).rowcount == 1
    if not won:  # the same challenge completed by a concurrent request: this one rolls back
        raise NotAllowed("code_step_expired")
    user.last_sign_in_at = ctx.now  # signed in now, with both steps
    session.add(user)
    record_event(session, action=AuditAction.TWO_FACTOR_CHALLENGE, outcome="success", actor_user_id=user.id,
                 actor_email=user.email, ip=ctx.ip, detail={"method": method}, now=ctx.now)
    if method == "recovery":
        tell_account(session, ctx, user, "recovery")
    return challenge.user_id


def enrolment_due(session: Session, user_id: int, company_id: int | None) -> bool:
    """Whether the account must enrol before acting for this company: its policy asks for
    two-step verification and the account has none."""
    if company_id is None:
        return False
    company, user = session.get(Company, company_id), session.get(UserAccount, user_id)
    return bool(company and company.require_two_factor and user and user.two_factor_enabled_at is None)
