"""Who may act for a company: every write to ``Membership`` goes through here, with its audit
event, and a withdrawn access ends that person's sessions for that company at once; and the
companies an account acts for, between which its session switches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.identifiers import record_id
from lcadmin.domain.permissions import ROLES, Permission, Role, covers, has_permission, outranks
from lcadmin.i18n import gettext
from lcadmin.models import Company, Membership, MembershipContract, UserAccount, UserSession
from lcadmin.services import sessions
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import NotAllowed


def _audit(session: Session, ctx: RequestContext, action: AuditAction, user_id: int, company_id: int,
           **detail: str) -> None:
    record_event(session, action=action, outcome="success", actor_user_id=ctx.actor_id, company_id=company_id,
                 ip=ctx.ip, subject=f"user:{user_id}", detail=detail, now=ctx.now)


def grant_at_least(session: Session, ctx: RequestContext, *, user_id: int, company_id: int, role: Role,
                   reason: str) -> Membership:
    """Give ``user_id`` at least ``role`` in the company: a new membership, or a higher role than
    the one they had; a higher role they already hold stays. An access that has ended counts as
    none (the new one has no end and covers every contract).

    Raises:
        NotAllowed: ``role_held``: they hold a role that grants other things (a licence admin
            asking for billing): a full admin gives both, nothing is changed here.
    """
    membership = session.exec(select(Membership).where(Membership.user_id == user_id,
                                                       Membership.company_id == company_id)).first()
    if membership is not None and membership.access_until is not None and membership.access_until <= ctx.now:
        session.exec(sa.delete(MembershipContract).where(MembershipContract.membership_id == membership.id))
        membership.access_until, membership.all_contracts, membership.expiry_notice_at = None, True, None
        _set_role(session, ctx, membership, role, reason)
    elif membership is None:
        membership = Membership(user_id=user_id, company_id=company_id, role=role.value, created_at=ctx.now)
        session.add(membership)
        _audit(session, ctx, AuditAction.MEMBERSHIP_GRANTED, user_id, company_id, role=role.value, reason=reason)
    elif outranks(role, membership.role):
        _set_role(session, ctx, membership, role, reason)
    elif not covers(membership.role, role):
        raise NotAllowed("role_held")
    return membership


def _set_role(session: Session, ctx: RequestContext, membership: Membership, role: Role, reason: str) -> None:
    _audit(session, ctx, AuditAction.MEMBERSHIP_CHANGED, membership.user_id, membership.company_id,
           role=role.value, previous=membership.role, reason=reason)
    membership.role = role.value
    session.add(membership)


def revoke(session: Session, ctx: RequestContext, *, user_id: int, company_id: int, role: Role | None = None,
           reason: str) -> bool:
    """Withdraw ``user_id``'s access to the company (only if they hold ``role``, when given), and
    end their sessions in that company.

    Returns:
        Whether there was an access to withdraw.
    """
    condition = [Membership.user_id == user_id, Membership.company_id == company_id]
    if role is not None:
        condition.append(Membership.role == role.value)
    ids = session.exec(select(Membership.id).where(*condition)).all()
    if ids:
        session.exec(sa.delete(MembershipContract).where(col(MembershipContract.membership_id).in_(ids)))
    removed = session.exec(sa.delete(Membership).where(*condition)).rowcount > 0
    if removed:
        end_company_sessions(session, user_id=user_id, company_id=company_id, ctx=ctx)
        _audit(session, ctx, AuditAction.MEMBERSHIP_REVOKED, user_id, company_id, reason=reason)
    return removed


def end_company_sessions(session: Session, *, user_id: int, company_id: int, ctx: RequestContext) -> None:
    """End every open session in which ``user_id`` acts for ``company_id``."""
    session.exec(sa.update(UserSession).where(UserSession.user_id == user_id, UserSession.company_id == company_id,
                                              col(UserSession.ended_at).is_(None)).values(ended_at=ctx.now))


def live(now: datetime) -> sa.ColumnElement[bool]:
    """The memberships whose access has not ended (time-limited ones before their end)."""
    return sa.or_(col(Membership.access_until).is_(None), col(Membership.access_until) > now)


def holders_of(session: Session, company_id: int, permission: Permission, now: datetime, *,
               contract_id: int | None = None) -> list[UserAccount]:
    """The company's active accounts whose role holds ``permission`` today, in the order they
    joined: with ``contract_id``, those whose scope covers that contract; without, those acting
    on the whole company (a member limited to some contracts hears of those contracts only)."""
    covered = col(Membership.all_contracts).is_(True)
    if contract_id is not None:
        covered = sa.or_(covered, sa.exists().where(MembershipContract.membership_id == Membership.id,
                                                    MembershipContract.contract_id == contract_id))
    members = session.exec(select(UserAccount, Membership.role).join(Membership, Membership.user_id == UserAccount.id)
                           .where(Membership.company_id == company_id, UserAccount.is_active, live(now), covered)
                           .order_by(UserAccount.id)).all()
    return [user for user, role in members if has_permission(role, permission)]


@dataclass(frozen=True)
class CompanyChoice:
    """A company the signed-in account acts for, in the header's switcher."""

    company_id: int
    name: str
    role_label: str


def companies_of(session: Session, ctx: RequestContext) -> list[CompanyChoice]:
    """The companies the caller holds a role in today, by name (the switcher lists them)."""
    rows = session.exec(select(Company.id, Company.name, Membership.role)
                        .join(Membership, Membership.company_id == Company.id)
                        .where(Membership.user_id == ctx.user.user_id, live(ctx.now))
                        .order_by(Company.name, Company.id)).all()
    return [CompanyChoice(company_id, name, gettext(f"role.{role}", ctx.locale) if role in ROLES else "")
            for company_id, name, role in rows]


def switch_company(session: Session, ctx: RequestContext, *, raw_id: str, key: object) -> str:
    """Make the session act for another company; the membership is checked again here (and on
    every later call), so a company the account no longer belongs to cannot be chosen.

    Returns:
        The company's name.

    Raises:
        NotAllowed: ``forbidden`` without a live membership there; ``signed_out``.
    """
    company_id = record_id(key)
    membership = sessions.live_membership(session, ctx.user.user_id, company_id, ctx.now) if company_id else None
    company = session.get(Company, company_id) if membership else None
    if company is None:
        record_event(session, action=AuditAction.COMPANY_SWITCHED, outcome="denied", actor_user_id=ctx.actor_id,
                     actor_email=ctx.user.email, company_id=ctx.user.company_id, ip=ctx.ip,
                     detail={"to": str(key)[:20]}, now=ctx.now)
        session.commit()
        raise NotAllowed("forbidden")
    sessions.switch_session_company(session, raw_id, company.id)
    record_event(session, action=AuditAction.COMPANY_SWITCHED, outcome="success", actor_user_id=ctx.actor_id,
                 actor_email=ctx.user.email, company_id=company.id, ip=ctx.ip,
                 detail={"from": str(ctx.user.company_id or "")}, now=ctx.now)
    return company.name
