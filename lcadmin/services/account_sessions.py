"""The signed-in account's own sessions ("Sessions actives"): where it is signed in, and ending
the others, all at once or one by one.

A session is named to the browser by its row's id, and every lookup is made within the caller's
own sessions: an id of another account's session finds nothing. The caller's current session
(the cookie of this very call) is marked, and is never ended from here (signing out does that).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.identifiers import record_id
from lcadmin.domain.user_agents import browser_of, system_of
from lcadmin.i18n.format import format_instant
from lcadmin.models import UserSession
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import NotFound
from lcadmin.services.tokens import digest
from lcadmin.settings import Settings


@dataclass(frozen=True)
class SessionRow:
    """One live session of the account, as the page shows it."""

    key: str  # what the page sends back to end it
    browser: str  # "Firefox", or "" when the user agent does not say
    system: str  # "Windows", or ""
    ip: str
    started: str
    last_active: str
    current: bool  # the session of this very call ("Cette session")


def _live(ctx: RequestContext, settings: Settings) -> list[sa.ColumnElement[bool]]:
    """The conditions of the caller's sessions that still let someone in."""
    return [col(UserSession.user_id) == ctx.user.user_id, col(UserSession.ended_at).is_(None),
            col(UserSession.expires_at) > ctx.now,
            col(UserSession.last_seen_at) > ctx.now - timedelta(minutes=settings.session_idle_minutes)]


def list_sessions(session: Session, ctx: RequestContext, *, raw_id: str | None, settings: Settings) -> list[SessionRow]:
    """The account's live sessions, the current one first, then by latest activity."""
    current = digest(raw_id or "")
    rows = session.exec(select(UserSession).where(*_live(ctx, settings))
                        .order_by(col(UserSession.last_seen_at).desc(), col(UserSession.id).desc())).all()
    zone, locale = settings.vendor.timezone, ctx.locale
    views = [SessionRow(key=str(row.id), browser=browser_of(row.user_agent), system=system_of(row.user_agent),
                        ip=row.ip or "", started=format_instant(row.created_at, zone, locale),
                        last_active=format_instant(row.last_seen_at, zone, locale), current=row.id_hash == current)
             for row in rows]
    return sorted(views, key=lambda view: not view.current)  # stable: the others keep their order


def end_other_sessions(session: Session, ctx: RequestContext, *, raw_id: str | None, settings: Settings) -> int:
    """"Se déconnecter partout ailleurs": end every live session of the account but this one.

    Returns:
        How many sessions were ended.
    """
    ended = session.exec(sa.update(UserSession).where(
        *_live(ctx, settings), col(UserSession.id_hash) != digest(raw_id or ""),
    ).values(ended_at=ctx.now)).rowcount
    record_event(session, action=AuditAction.SESSION_ENDED_OTHERS, outcome="success", actor_user_id=ctx.user.user_id,
                 actor_email=ctx.user.email, company_id=ctx.user.company_id, ip=ctx.ip, detail={"count": ended},
                 now=ctx.now)
    return ended


def end_one_session(session: Session, ctx: RequestContext, *, raw_id: str | None, key: object,
                    settings: Settings) -> None:
    """End one other live session of the account, named by its row's key.

    Raises:
        NotFound: ``session_not_found``: no such live session among the caller's own (another
            account's, ended, or the current one).
    """
    row_id = record_id(key)
    row = session.exec(select(UserSession).where(
        col(UserSession.id) == row_id, *_live(ctx, settings), col(UserSession.id_hash) != digest(raw_id or ""),
    )).first() if row_id is not None else None
    if row is None:
        raise NotFound("session_not_found")
    row.ended_at = ctx.now
    session.add(row)
    record_event(session, action=AuditAction.SESSION_ENDED, outcome="success", actor_user_id=ctx.user.user_id,
                 actor_email=ctx.user.email, company_id=ctx.user.company_id, ip=ctx.ip,
                 detail={"by": "account_owner"}, now=ctx.now)
