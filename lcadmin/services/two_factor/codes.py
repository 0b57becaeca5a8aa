"""What stands behind a two-step code: the account's TOTP secret, sealed at rest, the check of a
code against it (once only), the recovery codes, and the throttled check every caller uses.

The secret is encrypted (Fernet: AES-128-CBC and HMAC-SHA256) with a key derived by HKDF from
the app's secret key, so a copy of the database alone gives no one the codes. A code's 30-second
step is remembered per account (``UserAccount.totp_last_step``): a code, or an older one still
inside the one-step window, is refused once a code of its step or a later one was accepted.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pyotp.totp import TOTP
from sqlmodel import Session, col, select

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.two_factor import CodeProblem, TypedCode, grouped, new_recovery_codes, read_code
from lcadmin.models import RecoveryCode, UserAccount
from lcadmin.services import throttle
from lcadmin.services.audit import lock_refusals_recorded, record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import InvalidInput
from lcadmin.services.tokens import digest

CODE_FIELD = "code"
# A code of the step before or after the current one is accepted too: clocks drift, and people
# type a code in the last seconds of its step.
STEP_WINDOW = 1
Limits = Sequence[tuple[throttle.Policy, list[str]]]


@lru_cache(maxsize=4)
def _box(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"lcadmin two-step verification: TOTP secret, v1").derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str, secret_key: str) -> str:
    """``secret`` encrypted for storage."""
    return _box(secret_key).encrypt(secret.encode()).decode()


def unseal(sealed: str | None, secret_key: str) -> str | None:
    """The secret behind ``sealed``, or None when there is none or it was sealed under another
    secret key (then no code matches; the recovery codes still work)."""
    if not sealed:
        return None
    try:
        return _box(secret_key).decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The 30-second step, within :data:`STEP_WINDOW` of ``now``, whose code is ``code``, or None."""
    totp = TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - STEP_WINDOW, current + STEP_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _accept_totp(session: Session, user: UserAccount, code: str, *, secret_key: str, now: datetime) -> None:
    secret = unseal(user.totp_secret_encrypted, secret_key)
    step = matching_step(secret, code, now) if secret else None
    if step is None:
        raise InvalidInput("code_wrong", CODE_FIELD)
    # Compare-and-set: of two requests bringing the same code at once, one wins.
    won = session.exec(sa.update(UserAccount).where(
        UserAccount.id == user.id,
        sa.or_(col(UserAccount.totp_last_step).is_(None), col(UserAccount.totp_last_step) < step),
    ).values(totp_last_step=step)).rowcount == 1
    if not won:
        raise InvalidInput("code_used", CODE_FIELD)


def replace_recovery_codes(session: Session, user_id: int, now: datetime) -> list[str]:
    """A new set of recovery codes for the account (the previous set stops working), grouped
    for display: the only time they exist in clear."""
    session.exec(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = new_recovery_codes()
    for code in codes:
        session.add(RecoveryCode(user_id=user_id, code_hash=digest(code), created_at=now))
    session.flush()
    return [grouped(code) for code in codes]


def drop_recovery_codes(session: Session, user_id: int) -> None:
    """Remove every recovery code of the account."""
    session.exec(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user_id))


def recovery_codes_left(session: Session, user_id: int) -> int:
    """How many of the account's recovery codes are still unused."""
    return session.exec(select(sa.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user_id, col(RecoveryCode.used_at).is_(None))).one()


def _use_recovery_code(session: Session, user_id: int, value: str, now: datetime) -> bool:
    return session.exec(sa.update(RecoveryCode).where(
        RecoveryCode.user_id == user_id, RecoveryCode.code_hash == digest(value), col(RecoveryCode.used_at).is_(None),
    ).values(used_at=now)).rowcount == 1


def typed_code(text: object, *, recovery: bool) -> TypedCode:
    """What was typed, read as a code (a recovery code only where ``recovery`` allows it).

    Raises:
        InvalidInput: ``code_empty`` or ``code_malformed``, for the code field.
    """
    try:
        code = read_code(text)
    except CodeProblem as problem:
        raise InvalidInput(problem.code, CODE_FIELD) from problem
    if code.kind == "recovery" and not recovery:
        raise InvalidInput("code_malformed", CODE_FIELD)
    return code


def checked_code(session: Session, ctx: RequestContext, user: UserAccount, text: object, *, limits: Limits,
                 action: AuditAction, secret_key: str, recovery: bool = True) -> str:
    """Check a code typed for ``user``, counted against ``limits`` like a password: each attempt
    is counted first, a right code takes its attempt back, a wrong one keeps it (committed, with
    its audit event ``action``/denied, although the caller's work is rolled back) and may lock.
    Text that is no code at all is refused before anything is counted.

    Returns:
        ``totp`` or ``recovery``: what the code was.

    Raises:
        InvalidInput: ``code_empty``, ``code_malformed``, ``code_wrong`` or ``code_used`` (a TOTP
            code already accepted once), for the code field.
        Throttled: Too many wrong codes (or passwords) for these limits.
    """
    code = typed_code(text, recovery=recovery)
    with lock_refusals_recorded(session, action=action, actor_email=user.email, ip=ctx.ip, now=ctx.now):
        admitted = [throttle.admit(session, policy, keys, ctx.now) for policy, keys in limits]
    try:
        if code.kind == "totp":
            _accept_totp(session, user, code.value, secret_key=secret_key, now=ctx.now)
        elif not _use_recovery_code(session, user.id, code.value, ctx.now):
            raise InvalidInput("code_wrong", CODE_FIELD)
    except InvalidInput as refusal:
        for (policy, keys), ids in zip(limits, admitted, strict=True):
            throttle.confirm(session, policy, keys, ids, failed=True, now=ctx.now)
        record_event(session, action=action, outcome="denied", actor_user_id=user.id, actor_email=user.email,
                     ip=ctx.ip, detail={"reason": refusal.code, "method": code.kind}, now=ctx.now)
        session.commit()  # the failure counts although the caller sees an error
        raise
    for (policy, keys), ids in zip(limits, admitted, strict=True):
        throttle.confirm(session, policy, keys, ids, failed=False, now=ctx.now)
    if code.kind == "recovery":
        record_event(session, action=AuditAction.TWO_FACTOR_RECOVERY_USED, outcome="success", actor_user_id=user.id,
                     actor_email=user.email, ip=ctx.ip, now=ctx.now,
                     detail={"left": recovery_codes_left(session, user.id)})
    return code.kind
