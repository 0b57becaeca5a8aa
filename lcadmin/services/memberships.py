"""Who may act for a company: every write to ``Membership`` goes through here, with its audit
event, and a withdrawn access ends that person's sessions for that company at once."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.permissions import Permission, Role, has_permission, outranks
from lcadmin.models import Membership, UserAccount, UserSession
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext


def _audit(session: Session, ctx: RequestContext, action: AuditAction, user_id: int, company_id: int,
           **detail: str) -> None:
    record_event(session, action=action, outcome="success", actor_user_id=ctx.actor_id, company_id=company_id,
                 ip=ctx.ip, subject=f"user:{user_id}", detail=detail, now=ctx.now)


def grant_at_least(session: Session, ctx: RequestContext, *, user_id: int, company_id: int, role: Role,
                   reason: str) -> Membership:
    """Give ``user_id`` at least ``role`` in the company: a new membership, or a higher role than
    the one they had; a higher role they already hold stays."""
    membership = session.exec(select(Membership).where(Membership.user_id == user_id,
                                                       Membership.company_id == company_id)).first()
    if membership is None:
        membership = Membership(user_id=user_id, company_id=company_id, role=role.value, created_at=ctx.now)
        session.add(membership)
        _audit(session, ctx, AuditAction.MEMBERSHIP_GRANTED, user_id, company_id, role=role.value, reason=reason)
    elif outranks(role, membership.role):
        _set_role(session, ctx, membership, role, reason)
    return membership


def change_role(session: Session, ctx: RequestContext, *, user_id: int, company_id: int, role: Role,
                reason: str) -> bool:
    """Give ``user_id`` exactly ``role`` in the company, higher or lower than the one they had.

    The role is read again on every call, so a change applies at once; a lower one also ends
    that person's sessions in the company, so that no open screen keeps what the new role may
    no longer see.

    Returns:
        Whether the role changed (False when they had no access there or already held it).
    """
    membership = session.exec(select(Membership).where(Membership.user_id == user_id,
                                                       Membership.company_id == company_id)).first()
    if membership is None or membership.role == role.value:
        return False
    lowered = outranks(membership.role, role)
    _set_role(session, ctx, membership, role, reason)
    if lowered:
        end_company_sessions(session, user_id=user_id, company_id=company_id, ctx=ctx)
    return True


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
    removed = session.exec(sa.delete(Membership).where(*condition)).rowcount > 0
    if removed:
        end_company_sessions(session, user_id=user_id, company_id=company_id, ctx=ctx)
        _audit(session, ctx, AuditAction.MEMBERSHIP_REVOKED, user_id, company_id, reason=reason)
    return removed


def end_company_sessions(session: Session, *, user_id: int, company_id: int, ctx: RequestContext) -> None:
    """End every open session in which ``user_id`` acts for ``company_id``."""
    session.exec(sa.update(UserSession).where(UserSession.user_id == user_id, UserSession.company_id == company_id,
                                              col(UserSession.ended_at).is_(None)).values(ended_at=ctx.now))


def holders_of(session: Session, company_id: int, permission: Permission) -> list[UserAccount]:
    """The company's active accounts whose role holds ``permission``, in the order they joined."""
    members = session.exec(select(UserAccount, Membership.role).join(Membership, Membership.user_id == UserAccount.id)
                           .where(Membership.company_id == company_id, UserAccount.is_active)
                           .order_by(UserAccount.id)).all()
    return [user for user, role in members if has_permission(role, permission)]
