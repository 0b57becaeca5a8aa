"""Server-side sessions behind an opaque cookie.

Sign-in happens over the websocket, which cannot set an HttpOnly cookie; so it ends with a
one-minute, single-use hand-off code that the browser brings to an HTTP route (``routes.py``).
That route creates the session (a new id every time: the id rotates on sign-in), sets the cookie
and sends the browser back. Every privileged handler then resolves the user and the company from
the cookie on each call.

The code only works in the browser that signed in: the sign-in also leaves a short-lived binding
cookie there (an HMAC of the code under the secret key), which the route checks. Without it,
someone could sign in, keep their own code, and have a victim's browser open it (login CSRF):
the victim would then work, unknowingly, in the other person's account.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.permissions import Permission, has_permission
from lcadmin.models import Company, Membership, MembershipContract, SessionHandoff, UserAccount, UserSession
from lcadmin.services.audit import record_event
from lcadmin.services.errors import NotAllowed
from lcadmin.services.tokens import digest, new_secret
from lcadmin.settings import Settings

SESSION_COOKIE = "lcadmin_session"
HANDOFF_TTL = timedelta(minutes=1)
HANDOFF_KEPT = timedelta(hours=1)  # codes that lapsed unused are deleted after this
# last_seen_at is written at most this often, not on every event.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Principal:
    """Who is calling, for which company, with which role; resolved from the session each call."""

    user_id: int
    email: str
    full_name: str
    company_id: int | None
    company_name: str | None
    role: str | None
    seen_at: datetime | None = None  # the session's last recorded activity
    # The contracts a scoped billing role may act on; None: every contract of the company.
    contract_ids: frozenset[int] | None = None
    access_until: datetime | None = None  # a time-limited role stops holding anything then
    # The company requires two-step verification and this account has none: until it enrols, its
    # role holds nothing there (lcadmin.services.two_factor.policy).
    two_factor_due: bool = False

    def can(self, permission: Permission) -> bool:
        """Whether this user holds ``permission`` in the session's company."""
        return (self.company_id is not None and self.role is not None and not self.two_factor_due
                and has_permission(self.role, permission))

    def sees_contract(self, contract_id: int | None) -> bool:
        """Whether the role's scope includes this contract (every contract when unscoped)."""
        return self.contract_ids is None or (contract_id is not None and contract_id in self.contract_ids)


def default_company_id(session: Session, user_id: int, now: datetime) -> int | None:
    """The company a user lands in: their first membership still in force."""
    return session.exec(select(Membership.company_id).where(
        Membership.user_id == user_id,
        sa.or_(col(Membership.access_until).is_(None), col(Membership.access_until) > now))
        .order_by(Membership.id)).first()


HANDOFF_BINDING_COOKIE = "lcadmin_handoff"


def handoff_binding(code: str, secret_key: str) -> str:
    """The value the signing-in browser holds for ``code`` (see the module's docstring)."""
    return hmac.new(secret_key.encode(), f"handoff:{code}".encode(), hashlib.sha256).hexdigest()


def create_handoff(session: Session, *, user_id: int, company_id: int | None, return_to: str, ip: str | None,
                   now: datetime) -> str:
    """A single-use code that the HTTP route exchanges for a session cookie within a minute."""
    code = new_secret()
    session.add(SessionHandoff(code_hash=digest(code), user_id=user_id, company_id=company_id,
                               return_to=return_to, ip=ip, expires_at=now + HANDOFF_TTL))
    return code


def redeem_handoff(session: Session, *, code: str, binding: str | None, previous_session: str | None,
                   ip: str | None, user_agent: str | None, settings: Settings,
                   now: datetime) -> tuple[str, str] | None:
    """Exchange a hand-off code for a new session, in the browser that holds its ``binding``.

    Returns:
        (session id for the cookie, where to send the browser), or None for an unknown, used or
        expired code, or one brought by another browser.
    """
    expected = handoff_binding(code or "", settings.secret_key).encode()
    if not hmac.compare_digest((binding or "").encode(errors="replace"), expected):
        return None  # not audited: anyone can send this request, and nothing happened
    handoff = session.exec(select(SessionHandoff).where(SessionHandoff.code_hash == digest(code or ""))).first()
    if handoff is None:
        return None
    return_to = handoff.return_to
    # Used once, the code keeps no address: one may carry an invitation's secret (``?next=``).
    won = session.exec(sa.update(SessionHandoff).where(
        SessionHandoff.id == handoff.id, col(SessionHandoff.used_at).is_(None), SessionHandoff.expires_at > now,
    ).values(used_at=now, return_to="")).rowcount == 1
    session.exec(sa.delete(SessionHandoff).where(SessionHandoff.expires_at < now - HANDOFF_KEPT))
    if not won:
        return None
    if previous_session:
        end_session(session, previous_session, now)
    raw_id = new_secret()
    session.add(UserSession(id_hash=digest(raw_id), user_id=handoff.user_id, company_id=handoff.company_id,
                            created_at=now, last_seen_at=now,
                            expires_at=now + timedelta(hours=settings.session_max_hours),
                            ip=ip, user_agent=(user_agent or "")[:400]))
    record_event(session, action=AuditAction.SESSION_STARTED, outcome="success", actor_user_id=handoff.user_id,
                 company_id=handoff.company_id, ip=ip, now=now)
    return raw_id, return_to


# Everything a call needs to know about its caller, in one statement: the session, its account,
# the session's company and the account's membership there (a membership is unique per account
# and company). Built once; each call only binds the cookie's hash.
_CALLER = (
    select(col(UserSession.id).label("session_id"), UserSession.user_id, UserSession.company_id,
           UserSession.ended_at, UserSession.expires_at, UserSession.last_seen_at,
           UserAccount.email, UserAccount.full_name, UserAccount.is_active, UserAccount.two_factor_enabled_at,
           col(Company.id).label("company_found"), col(Company.name).label("company_name"),
           Company.require_two_factor, col(Membership.id).label("membership_id"), Membership.role,
           Membership.all_contracts, Membership.access_until)
    .join(UserAccount, col(UserAccount.id) == UserSession.user_id)
    .outerjoin(Company, col(Company.id) == UserSession.company_id)
    .outerjoin(Membership, sa.and_(col(Membership.user_id) == UserSession.user_id,
                                   col(Membership.company_id) == UserSession.company_id))
    .where(col(UserSession.id_hash) == sa.bindparam("id_hash"))
)
_CONTRACTS_OF = select(MembershipContract.contract_id).where(
    col(MembershipContract.membership_id) == sa.bindparam("membership_id"))


def resolve_session(session: Session, raw_id: str | None, *, settings: Settings, now: datetime,
                    record_activity: bool = True) -> Principal | None:
    """The principal behind a cookie value, or None when absent, unknown, ended, idle or too old.

    Read afresh on every call (a removed membership, a deactivated account, an ended session or a
    two-step verification now required take effect at once), in one query (two for a role
    limited to some contracts).

    With ``record_activity`` (in a write transaction) the session's last activity is moved
    forward, at most every :data:`TOUCH_EVERY`, and an idle one is ended; without it nothing is
    written (see :func:`activity_due` and :func:`record_activity`).
    """
    if not raw_id or len(raw_id) > 100:
        return None
    row = session.connection().execute(_CALLER, {"id_hash": digest(raw_id)}).first()
    if row is None or row.ended_at is not None or row.expires_at <= now:
        return None
    if now - row.last_seen_at > timedelta(minutes=settings.session_idle_minutes):
        if record_activity:
            session.exec(sa.update(UserSession).where(col(UserSession.id) == row.session_id).values(ended_at=now))
        return None
    if not row.is_active:
        return None
    seen_at = row.last_seen_at
    if record_activity and now - seen_at >= TOUCH_EVERY:
        session.exec(sa.update(UserSession).where(col(UserSession.id) == row.session_id).values(last_seen_at=now))
        seen_at = now
    member = (row.company_found is not None and row.membership_id is not None
              and (row.access_until is None or row.access_until > now))
    if not member:
        return Principal(user_id=row.user_id, email=row.email, full_name=row.full_name, company_id=None,
                         company_name=None, role=None, seen_at=seen_at)
    return Principal(user_id=row.user_id, email=row.email, full_name=row.full_name, company_id=row.company_id,
                     company_name=row.company_name, role=row.role, seen_at=seen_at,
                     contract_ids=None if row.all_contracts else _contracts_of(session, row.membership_id),
                     access_until=row.access_until,
                     two_factor_due=bool(row.require_two_factor and row.two_factor_enabled_at is None))


def live_membership(session: Session, user_id: int, company_id: int | None, now: datetime) -> Membership | None:
    """``user_id``'s membership in the company, unless there is none or its time-limited access
    has ended (read on every call: an access stops by itself at its end date)."""
    membership = session.exec(select(Membership).where(
        Membership.user_id == user_id, Membership.company_id == company_id)).first()
    if membership is None or (membership.access_until is not None and membership.access_until <= now):
        return None
    return membership


def _contracts_of(session: Session, membership_id: int | None) -> frozenset[int]:
    return frozenset(session.connection().execute(_CONTRACTS_OF, {"membership_id": membership_id}).scalars())


def scope_of(session: Session, membership: Membership) -> frozenset[int] | None:
    """The contracts a membership is limited to, or None when it covers them all."""
    if membership.all_contracts:
        return None
    return _contracts_of(session, membership.id)


def activity_due(principal: Principal, now: datetime) -> bool:
    """Whether the session's last activity should be moved forward (see :func:`record_activity`)."""
    return principal.seen_at is None or now - principal.seen_at >= TOUCH_EVERY


def record_activity(session: Session, raw_id: str, now: datetime) -> None:
    """Move a live session's last activity forward (the idle timeout counts from it)."""
    session.exec(sa.update(UserSession)
                 .where(UserSession.id_hash == digest(raw_id), col(UserSession.ended_at).is_(None))
                 .values(last_seen_at=now))


def session_is_live(session: Session, raw_id: str | None, *, settings: Settings, now: datetime) -> bool:
    """Whether a cookie value still names a session that :func:`resolve_session` would accept
    (read only: nothing is touched or ended)."""
    if not raw_id or len(raw_id) > 100:
        return False
    row = session.exec(select(UserSession).where(UserSession.id_hash == digest(raw_id))).first()
    return (row is not None and row.ended_at is None and row.expires_at > now
            and now - row.last_seen_at <= timedelta(minutes=settings.session_idle_minutes))


def require_principal(session: Session, raw_id: str | None, *, settings: Settings, now: datetime,
                      permission: Permission | None = None, record_activity: bool = True) -> Principal:
    """Like :func:`resolve_session`, but refuses a missing session or a missing permission.

    Raises:
        NotAllowed: ``signed_out``, ``two_factor_required`` (the company asks for two-step
            verification, which the account has not set up) or ``forbidden``.
    """
    principal = resolve_session(session, raw_id, settings=settings, now=now, record_activity=record_activity)
    if principal is None:
        raise NotAllowed("signed_out")
    if permission is not None and principal.two_factor_due:
        raise NotAllowed("two_factor_required")
    if permission is not None and not principal.can(permission):
        raise NotAllowed("forbidden")
    return principal


def switch_session_company(session: Session, raw_id: str, company_id: int) -> None:
    """Point a session at another company the user belongs to (after an activation)."""
    row = session.exec(select(UserSession).where(UserSession.id_hash == digest(raw_id))).first()
    if row is None:
        raise NotAllowed("signed_out")
    row.company_id = company_id
    session.add(row)


def end_session(session: Session, raw_id: str, now: datetime, ip: str | None = None) -> bool:
    """End a session server-side; the cookie becomes worthless."""
    row = session.exec(select(UserSession).where(UserSession.id_hash == digest(raw_id or ""))).first()
    if row is None or row.ended_at is not None:
        return False
    row.ended_at = now
    session.add(row)
    record_event(session, action=AuditAction.SESSION_ENDED, outcome="success", actor_user_id=row.user_id,
                 company_id=row.company_id, ip=ip, now=now)
    return True
