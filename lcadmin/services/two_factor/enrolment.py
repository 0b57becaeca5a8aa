"""Turning two-step verification on and off for one's own account, and renewing its recovery
codes: the "Sécurité du compte" page.

Enrolling keeps a new secret on the account (sealed) without putting it in force; the first right
code from the app puts it in force and gives ten recovery codes, shown once. Turning it off or
renewing the codes asks for a current code (or a recovery code), throttled per account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import segno
import sqlalchemy as sa
from pyotp import random_base32
from pyotp.totp import TOTP
from sqlmodel import Session, col, select

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.calendar import business_date
from lcadmin.domain.two_factor import spaced_key
from lcadmin.i18n import LOCALES
from lcadmin.i18n.format import format_date
from lcadmin.mail import templates
from lcadmin.mail.outbox import enqueue
from lcadmin.models import Company, Membership, UserAccount, UserSession
from lcadmin.services import throttle
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import NotAllowed
from lcadmin.services.tokens import digest
from lcadmin.services.two_factor.codes import (
    checked_code,
    drop_recovery_codes,
    recovery_codes_left,
    replace_recovery_codes,
    seal,
)


@dataclass(frozen=True)
class TwoFactorStatus:
    """What the security page says of the account's two-step verification."""

    enabled: bool
    enabled_on: str  # the day it was turned on, in the reader's language ("" when off)
    recovery_left: int
    # The companies of the account whose policy asks for it (their names, sorted).
    required_by: list[str]


@dataclass(frozen=True)
class Enrolment:
    """What the person needs to add the account to an authenticator app."""

    qr_code: str  # an SVG data URI of the otpauth:// address
    manual_key: str  # the secret, in groups of four, for typing by hand


def _account(session: Session, ctx: RequestContext) -> UserAccount:
    user = session.get(UserAccount, ctx.user.user_id)
    if user is None or not user.is_active:
        raise NotAllowed("signed_out")
    return user


def _manage_limits(user: UserAccount) -> list[tuple[throttle.Policy, list[str]]]:
    return [(throttle.TWO_FACTOR_MANAGE, [f"user:{user.id}"])]


def companies_requiring(session: Session, user_id: int, now: datetime) -> list[str]:
    """The names of the companies, among those the account acts for, whose policy asks for
    two-step verification."""
    return list(session.exec(
        select(Company.name).join(Membership, col(Membership.company_id) == Company.id)
        .where(Membership.user_id == user_id, col(Company.require_two_factor).is_(True),
               sa.or_(col(Membership.access_until).is_(None), col(Membership.access_until) > now))
        .order_by(Company.name)).all())


def two_factor_status(session: Session, ctx: RequestContext, *, zone: str) -> TwoFactorStatus:
    """The signed-in account's two-step verification, for its security page."""
    user = _account(session, ctx)
    enabled_at = user.two_factor_enabled_at
    return TwoFactorStatus(
        enabled=enabled_at is not None,
        enabled_on=format_date(business_date(enabled_at, zone), ctx.locale) if enabled_at else "",
        recovery_left=recovery_codes_left(session, user.id) if enabled_at else 0,
        required_by=companies_requiring(session, user.id, ctx.now),
    )


def start_enrolment(session: Session, ctx: RequestContext, *, secret_key: str, issuer: str) -> Enrolment:
    """A new secret for the account, kept (sealed) until a code confirms it; starting again
    replaces it.

    Raises:
        NotAllowed: ``two_factor_already_on``.
    """
    user = _account(session, ctx)
    if user.two_factor_enabled_at is not None:
        raise NotAllowed("two_factor_already_on")
    secret = random_base32()  # 160 bits, as RFC 4226 recommends
    user.totp_secret_encrypted, user.totp_last_step = seal(secret, secret_key), None
    session.add(user)
    address = TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)
    # Dark on white whatever the page's theme: that is what every scanner reads.
    qr_code = segno.make(address, error="m").svg_data_uri(scale=1, border=2, dark="#000", light="#fff")
    return Enrolment(qr_code=qr_code, manual_key=spaced_key(secret))


def cancel_enrolment(session: Session, ctx: RequestContext) -> None:
    """Forget a secret that no code confirmed (nothing changes once it is in force)."""
    user = _account(session, ctx)
    if user.two_factor_enabled_at is None and user.totp_secret_encrypted is not None:
        user.totp_secret_encrypted = None
        session.add(user)


def tell_account(session: Session, ctx: RequestContext, user: UserAccount, event: str) -> None:
    """The security e-mail of a change to the account's second step (``enabled``, ``disabled``,
    ``recovery``): whoever holds only the password learns nothing, the owner learns at once."""
    enqueue(session, to=user.email, mail=templates.two_factor_mail(user.locale if user.locale in LOCALES else "fr",
                                                                   event=event),
            kind=f"two_factor_{event}", now=ctx.now)


def confirm_enrolment(session: Session, ctx: RequestContext, *, code: object, secret_key: str,
                      raw_id: str | None = None) -> list[str]:
    """Put the secret in force with a right code from the app. Every other session of the
    account ends (one opened with the password alone, by someone else, would otherwise stay), and
    the account's address is told.

    Returns:
        The ten recovery codes, grouped: shown once, stored hashed.

    Raises:
        NotAllowed: ``two_factor_already_on``, ``enrolment_not_started``.
        InvalidInput: ``code_empty``, ``code_malformed``, ``code_wrong``, ``code_used``.
        Throttled: Too many wrong codes for this account.
    """
    user = _account(session, ctx)
    if user.two_factor_enabled_at is not None:
        raise NotAllowed("two_factor_already_on")
    if user.totp_secret_encrypted is None:
        raise NotAllowed("enrolment_not_started")
    checked_code(session, ctx, user, code, limits=_manage_limits(user), action=AuditAction.TWO_FACTOR_ENABLED,
                 secret_key=secret_key, recovery=False)
    session.refresh(user)
    user.two_factor_enabled_at = ctx.now
    session.add(user)
    codes = replace_recovery_codes(session, user.id, ctx.now)
    record_event(session, action=AuditAction.TWO_FACTOR_ENABLED, outcome="success", actor_user_id=user.id,
                 actor_email=user.email, company_id=ctx.user.company_id, ip=ctx.ip, now=ctx.now)
    session.exec(sa.update(UserSession).where(UserSession.user_id == user.id, col(UserSession.ended_at).is_(None),
                                              UserSession.id_hash != digest(raw_id or "")).values(ended_at=ctx.now))
    tell_account(session, ctx, user, "enabled")
    return codes


def _enabled_account(session: Session, ctx: RequestContext) -> UserAccount:
    user = _account(session, ctx)
    if user.two_factor_enabled_at is None:
        raise NotAllowed("two_factor_off")
    return user


def disable_two_factor(session: Session, ctx: RequestContext, *, code: object, secret_key: str) -> None:
    """Turn two-step verification off with a current code or a recovery code: the secret and
    the recovery codes are dropped.

    Allowed even where a company's policy asks for it (that is how one moves to a new phone):
    that company's Admin Center then sends the person to enrol again before anything else.

    Raises:
        NotAllowed: ``two_factor_off``.
        InvalidInput: ``code_empty``, ``code_malformed``, ``code_wrong``, ``code_used``.
        Throttled: Too many wrong codes for this account.
    """
    user = _enabled_account(session, ctx)
    method = checked_code(session, ctx, user, code, limits=_manage_limits(user),
                          action=AuditAction.TWO_FACTOR_DISABLED, secret_key=secret_key)
    session.refresh(user)
    user.totp_secret_encrypted = user.two_factor_enabled_at = user.totp_last_step = None
    session.add(user)
    drop_recovery_codes(session, user.id)
    record_event(session, action=AuditAction.TWO_FACTOR_DISABLED, outcome="success", actor_user_id=user.id,
                 actor_email=user.email, company_id=ctx.user.company_id, ip=ctx.ip, detail={"method": method},
                 now=ctx.now)
    tell_account(session, ctx, user, "disabled")


def regenerate_recovery_codes(session: Session, ctx: RequestContext, *, code: object, secret_key: str) -> list[str]:
    """A new set of ten recovery codes, with a current code (or a recovery code); the previous
    set stops working.

    Returns:
        The new codes, grouped: shown once, stored hashed.

    Raises:
        NotAllowed: ``two_factor_off``.
        InvalidInput: ``code_empty``, ``code_malformed``, ``code_wrong``, ``code_used``.
        Throttled: Too many wrong codes for this account.
    """
    user = _enabled_account(session, ctx)
    method = checked_code(session, ctx, user, code, limits=_manage_limits(user),
                          action=AuditAction.TWO_FACTOR_RECOVERY_CODES, secret_key=secret_key)
    codes = replace_recovery_codes(session, user.id, ctx.now)
    record_event(session, action=AuditAction.TWO_FACTOR_RECOVERY_CODES, outcome="success", actor_user_id=user.id,
                 actor_email=user.email, company_id=ctx.user.company_id, ip=ctx.ip, detail={"method": method},
                 now=ctx.now)
    return codes
