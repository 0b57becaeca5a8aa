"""Change what an admin may do (role, contracts, end date) or remove them, under the guardrails:
only a full admin acts, nobody grants more than they hold, the company keeps a standing full
admin, and whatever narrows someone's access ends their sessions in the company at once."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.identifiers import record_id
from lcadmin.domain.permissions import covers
from lcadmin.i18n import gettext
from lcadmin.models import Membership, MembershipContract, UserAccount
from lcadmin.services.admins import notices
from lcadmin.services.admins.invitations import withdraw_invitations_of
from lcadmin.services.admins.rules import (
    admin_company,
    end_instant,
    granted_role,
    keeps_an_admin,
    lock_company,
    scope_ids,
)
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import InvalidInput, NotAllowed, NotFound
from lcadmin.services.memberships import end_company_sessions
from lcadmin.services.sessions import scope_of
from lcadmin.settings import Settings


def _member(session: Session, ctx: RequestContext, company_id: int, key: object) -> Membership:
    """The company's membership named by ``key``, when the caller holds all it grants.

    Raises:
        NotFound: ``admin_not_found`` (another company's, unknown). NotAllowed: ``forbidden``.
    """
    number = record_id(key)
    membership = session.get(Membership, number, populate_existing=True) if number is not None else None
    if membership is None or membership.company_id != company_id:
        raise NotFound("admin_not_found")
    if not covers(ctx.user.role, membership.role):
        raise NotAllowed("forbidden")
    return membership


def _set_scope(session: Session, membership: Membership, contract_ids: list[int] | None) -> None:
    session.exec(sa.delete(MembershipContract).where(MembershipContract.membership_id == membership.id))
    membership.all_contracts = contract_ids is None
    for contract_id in contract_ids or []:
        session.add(MembershipContract(membership_id=membership.id, contract_id=contract_id))


def change_access(session: Session, ctx: RequestContext, *, key: object, role: object, everything: bool,
                  contracts: object, until: object, settings: Settings) -> str:
    """"Modifier l'accès": a member's role, the contracts it covers and its end date, at once.

    Anything that narrows the access (a role lacking something the old one had, fewer contracts,
    an earlier end) ends that person's sessions in the company: their very next action is refused.

    Returns:
        The member's e-mail address.

    Raises:
        NotAllowed: ``forbidden``. NotFound: ``admin_not_found``.
        InvalidInput: ``role_invalid``, ``role_too_high`` (``role``); ``scope_*`` (``scope``);
            ``until_*`` (``until``); ``last_admin`` (``role``): the company would keep no
            standing full admin.
    """
    company_id = admin_company(ctx)
    lock_company(session, company_id)
    membership = _member(session, ctx, company_id, key)
    new_role = granted_role(ctx, role)
    new_scope = scope_ids(session, ctx, company_id, new_role, everything, contracts)
    new_until = end_instant(until, ctx, settings)
    if not keeps_an_admin(session, membership, role=new_role, until=new_until):
        raise InvalidInput("last_admin", "role")
    old_role, old_scope, old_until = membership.role, scope_of(session, membership), membership.access_until
    if (old_role, old_scope, old_until) == (new_role.value, frozenset(new_scope) if new_scope is not None else None,
                                            new_until):
        return session.get(UserAccount, membership.user_id).email
    narrowed = (not covers(new_role, old_role)
                or (new_scope is not None and (old_scope is None or not set(new_scope) <= old_scope))
                or (new_until is not None and (old_until is None or new_until < old_until)))
    membership.role, membership.access_until = new_role.value, new_until
    if new_until != old_until:
        membership.expiry_notice_at = None  # a new end date gets its own notice
    _set_scope(session, membership, new_scope)
    session.add(membership)
    if narrowed:
        end_company_sessions(session, user_id=membership.user_id, company_id=company_id, ctx=ctx)
        withdraw_invitations_of(session, ctx, user_id=membership.user_id, company_id=company_id)
    user = session.get(UserAccount, membership.user_id)
    record_event(session, action=AuditAction.MEMBERSHIP_CHANGED, outcome="success", actor_user_id=ctx.actor_id,
                 actor_email=ctx.user.email, company_id=company_id, ip=ctx.ip, subject=f"user:{user.id}",
                 detail={"email": user.email, "role": new_role.value, "previous": old_role,
                         "contracts": len(new_scope) if new_scope is not None else "all",
                         "until": new_until.isoformat() if new_until else "", "reason": "admins_page"},
                 now=ctx.now)

    def change(locale: str) -> str:
        until_text = notices.until_label(new_until, locale, settings)
        sentence = gettext("admins.mail.changed", locale, person=notices.person(user),
                           role=notices.role_label(new_role, locale))
        if new_scope is not None:
            sentence += " " + gettext("admins.mail.scoped", locale, count=str(len(new_scope)))
        return sentence + (" " + gettext("admins.mail.until", locale, date=until_text) if until_text else "")

    notices.tell(session, ctx, company_id=company_id, concerned=(user.email, user.locale), change=change,
                 settings=settings, kind="admin_changed")
    return user.email


def remove_admin(session: Session, ctx: RequestContext, *, key: object, settings: Settings) -> str:
    """"Retirer": the person no longer acts for the company; their sessions there end.

    Returns:
        Their e-mail address.

    Raises:
        NotAllowed: ``forbidden``. NotFound: ``admin_not_found``.
        InvalidInput (field ``role``): ``last_admin``.
    """
    company_id = admin_company(ctx)
    lock_company(session, company_id)
    membership = _member(session, ctx, company_id, key)
    if not keeps_an_admin(session, membership, role=None, until=None):
        raise InvalidInput("last_admin", "role")
    user = session.get(UserAccount, membership.user_id)
    session.exec(sa.delete(MembershipContract).where(MembershipContract.membership_id == membership.id))
    session.exec(sa.delete(Membership).where(Membership.id == membership.id))
    end_company_sessions(session, user_id=user.id, company_id=company_id, ctx=ctx)
    withdraw_invitations_of(session, ctx, user_id=user.id, company_id=company_id)
    record_event(session, action=AuditAction.MEMBERSHIP_REVOKED, outcome="success", actor_user_id=ctx.actor_id,
                 actor_email=ctx.user.email, company_id=company_id, ip=ctx.ip, subject=f"user:{user.id}",
                 detail={"email": user.email, "role": membership.role, "reason": "admins_page"}, now=ctx.now)
    notices.tell(session, ctx, company_id=company_id, concerned=(user.email, user.locale),
                 change=lambda locale: gettext("admins.mail.removed", locale, person=notices.person(user)),
                 settings=settings, kind="admin_removed")
    return user.email


def holds_scope(session: Session, membership_id: int) -> list[int]:
    """The contracts a membership lists (its scope when it does not cover them all)."""
    return list(session.exec(select(MembershipContract.contract_id)
                             .where(MembershipContract.membership_id == membership_id)
                             .order_by(col(MembershipContract.contract_id))).all())
