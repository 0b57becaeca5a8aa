""""Mot de passe oublié ?": a new password chosen through a single-use link sent by e-mail.

- Asking never says whether the address has an account: the same answer, the same work in the
  request (the e-mail itself leaves later, from the outbox), and the same counters either way.
- Requests count per IP (``throttle.RESET_REQUEST``, refused when locked); an address receives at
  most three reset e-mails an hour (``throttle.RESET_MAIL``; past that, nothing more is sent, and
  the answer stays the same). A new link cancels the previous one.
- The link is a token of the existing mechanism (256 bits, only its SHA-256 stored), valid one
  hour; opening the page never uses it, choosing the password does, once.
- A new password ends every session of the account, everywhere, and the account is told by
  e-mail.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from lcadmin import paths
from lcadmin.domain.audit import AuditAction
from lcadmin.domain.emails import EmailProblem, normalize_email
from lcadmin.domain.passwords import password_problem
from lcadmin.domain.statuses import LinkPurpose
from lcadmin.mail import templates
from lcadmin.mail.outbox import enqueue
from lcadmin.models import UserAccount, UserSession
from lcadmin.services import throttle
from lcadmin.services.audit import lock_refusals_recorded, record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import InvalidInput, LinkProblem
from lcadmin.services.passwords import hash_password
from lcadmin.services.tokens import consume_token, find_token, issue_token, revoke_tokens, token_state
from lcadmin.settings import Settings

RESET_TTL = timedelta(hours=1)


def request_reset(session: Session, ctx: RequestContext, *, email: str, settings: Settings) -> None:
    """Send a reset link to ``email`` if it belongs to an active account; otherwise do nothing,
    visibly the same.

    Raises:
        InvalidInput: ``email_empty`` or ``email_invalid`` (about the text typed, never about an
            account).
        Throttled: Too many requests from this IP.
    """
    try:
        address = normalize_email(email if isinstance(email, str) else "")
    except EmailProblem as problem:
        raise InvalidInput(f"email_{problem.code}", "email") from problem
    with lock_refusals_recorded(session, action=AuditAction.PASSWORD_RESET_REQUESTED, actor_email=None, ip=ctx.ip,
                                now=ctx.now):
        throttle.count_attempt(session, throttle.RESET_REQUEST, [throttle.ip_key(ctx.ip)], ctx.now)
    if throttle.locks(session, throttle.RESET_MAIL, [f"email:{address}"], ctx.now):
        return  # enough links for this address this hour: the answer does not change
    throttle.register_failure(session, throttle.RESET_MAIL, [f"email:{address}"], ctx.now)
    user = session.exec(select(UserAccount).where(UserAccount.email == address)).first()
    record_event(session, action=AuditAction.PASSWORD_RESET_REQUESTED, outcome="success" if user else "failure",
                 actor_user_id=user.id if user else None, ip=ctx.ip, now=ctx.now)
    if user is None or not user.is_active:
        return
    revoke_tokens(session, [LinkPurpose.RESET], user.id, ctx.now)
    secret = issue_token(session, purpose=LinkPurpose.RESET, subject_id=user.id, ttl=RESET_TTL, now=ctx.now)
    mail = templates.password_reset_mail(user.locale, link=paths.emailed_link(settings.public_url, LinkPurpose.RESET,
                                                                              secret), minutes=60)
    enqueue(session, to=user.email, mail=mail, kind="password_reset", now=ctx.now)


def reset_link_state(session: Session, ctx: RequestContext, *, secret: str) -> str:
    """``valid``, ``used``, ``expired`` or ``unknown``: what the page says before anything is typed."""
    return token_state(find_token(session, secret, LinkPurpose.RESET), ctx.now)


def reset_password(session: Session, ctx: RequestContext, *, secret: str, password: str) -> str:
    """Set the new password of the link's account, use the link, end every session of the
    account and tell it by e-mail.

    Returns:
        The account's e-mail address (for the sign-in form).

    Raises:
        LinkProblem: ``link_unknown``, ``link_used`` or ``link_expired``.
        InvalidInput: a password problem (``password_too_short``, ``password_common``…).
        Throttled: Too many attempts from this IP.
    """
    with lock_refusals_recorded(session, action=AuditAction.PASSWORD_RESET, actor_email=None, ip=ctx.ip, now=ctx.now):
        throttle.count_attempt(session, throttle.RESET_ATTEMPT, [throttle.ip_key(ctx.ip)], ctx.now)
    session.commit()  # the attempt counts even when the caller sees an error
    token = find_token(session, secret, LinkPurpose.RESET)
    state = token_state(token, ctx.now)
    user = session.get(UserAccount, token.subject_id) if token and state == "valid" else None
    if token is None or user is None or not user.is_active:
        raise LinkProblem(f"link_{state if state != 'valid' else 'unknown'}")
    problem = password_problem(password, email=user.email)
    if problem:
        raise InvalidInput(f"password_{problem}", "password")
    session.commit()  # no transaction open while the password is hashed
    password_hash = hash_password(password)
    if consume_token(session, secret, LinkPurpose.RESET, ctx.now) is None:
        raise LinkProblem(f"link_{token_state(find_token(session, secret, LinkPurpose.RESET), ctx.now)}")
    user = session.get(UserAccount, user.id)
    user.password_hash = password_hash
    session.add(user)
    session.exec(sa.update(UserSession).where(UserSession.user_id == user.id, col(UserSession.ended_at).is_(None))
                 .values(ended_at=ctx.now))
    record_event(session, action=AuditAction.PASSWORD_RESET, outcome="success", actor_user_id=user.id,
                 actor_email=user.email, ip=ctx.ip, now=ctx.now)
    enqueue(session, to=user.email, mail=templates.password_changed_mail(user.locale), kind="password_changed",
            now=ctx.now)
    return user.email
