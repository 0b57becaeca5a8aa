"""Invite someone to administer the company: an e-mail with a single-use link valid seven days.
Opening the link shows the invitation without using it (mail scanners open links); the invitee
signs in or creates an account, with any address, and accepts: the role, its contracts and its
end date are then theirs, and their session acts for the company."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from lcadmin import paths
from lcadmin.domain.audit import AuditAction
from lcadmin.domain.identifiers import record_id
from lcadmin.domain.permissions import covers, role_of
from lcadmin.domain.statuses import InvitationStatus, LinkPurpose
from lcadmin.i18n import LOCALES, gettext
from lcadmin.mail import templates
from lcadmin.mail.outbox import enqueue
from lcadmin.models import AdminInvitation, Company, Membership, MembershipContract, UserAccount
from lcadmin.services import sessions
from lcadmin.services.admins import notices
from lcadmin.services.admins.rules import admin_company, end_instant, granted_role, lock_company, scope_ids
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import InvalidInput, LinkProblem, NotFound
from lcadmin.services.inputs import email_input
from lcadmin.services.lifecycle import move_if
from lcadmin.services.tokens import consume_token, find_token, issue_token, revoke_tokens, token_state
from lcadmin.settings import Settings

INVITATION_TTL = timedelta(days=7)


def _send(session: Session, ctx: RequestContext, invitation: AdminInvitation, settings: Settings) -> None:
    """A fresh link (any earlier one stops working), e-mailed in the invitation's language."""
    revoke_tokens(session, [LinkPurpose.ADMIN], invitation.id, ctx.now)
    secret = issue_token(session, purpose=LinkPurpose.ADMIN, subject_id=invitation.id, ttl=INVITATION_TTL,
                         now=ctx.now)
    company = session.get(Company, invitation.company_id)
    mail = templates.admin_invitation_mail(
        invitation.locale, company=company.name, role=notices.role_label(invitation.role, invitation.locale),
        inviter=ctx.user.full_name or ctx.user.email,
        link=paths.emailed_link(settings.public_url, LinkPurpose.ADMIN, secret), days=str(INVITATION_TTL.days))
    enqueue(session, to=invitation.email, mail=mail, kind="admin_invitation", now=ctx.now)


def _audit(session: Session, ctx: RequestContext, action: AuditAction, invitation: AdminInvitation) -> None:
    record_event(session, action=action, outcome="success", actor_user_id=ctx.actor_id, actor_email=ctx.user.email,
                 company_id=invitation.company_id, ip=ctx.ip, subject=f"invitation:{invitation.id}",
                 detail={"email": invitation.email, "role": invitation.role}, now=ctx.now)


def invite_admin(session: Session, ctx: RequestContext, *, email: object, role: object, everything: bool,
                 contracts: object, until: object, locale: str, settings: Settings) -> str:
    """"Inviter": an invitation with a role (limited to some contracts, ending on a date, when
    chosen), e-mailed to ``email``.

    Returns:
        The address invited.

    Raises:
        NotAllowed: ``forbidden``. InvalidInput: ``email_*``, ``already_admin``, ``already_invited``
            (``email``); ``role_*`` (``role``); ``scope_*`` (``scope``); ``until_*`` (``until``).
    """
    company_id = admin_company(ctx)
    try:
        address = email_input(email)
    except InvalidInput as problem:  # "Saisissez l'adresse de la personne", not "votre adresse"
        raise InvalidInput("invitee_email_empty" if problem.code == "email_empty" else problem.code,
                           "email") from problem
    granted = granted_role(ctx, role)
    scope = scope_ids(session, ctx, company_id, granted, everything, contracts)
    access_until = end_instant(until, ctx, settings)
    lock_company(session, company_id)
    member = session.exec(select(Membership.id).join(UserAccount, UserAccount.id == Membership.user_id)
                          .where(Membership.company_id == company_id, UserAccount.email == address)).first()
    if member is not None:
        raise InvalidInput("already_admin", "email")
    pending = session.exec(select(AdminInvitation.id).where(
        AdminInvitation.company_id == company_id, AdminInvitation.email == address,
        AdminInvitation.status == InvitationStatus.PENDING.value)).first()
    if pending is not None:
        raise InvalidInput("already_invited", "email")
    invitation = AdminInvitation(company_id=company_id, email=address, role=granted.value, all_contracts=scope is None,
                                 contract_ids=scope or [], access_until=access_until,
                                 locale=locale if locale in LOCALES else "fr", invited_by=ctx.user.user_id,
                                 link_expires_at=ctx.now + INVITATION_TTL, sent_at=ctx.now, created_at=ctx.now,
                                 updated_at=ctx.now)
    session.add(invitation)
    session.flush()
    _send(session, ctx, invitation, settings)
    _audit(session, ctx, AuditAction.INVITATION_SENT, invitation)
    notices.tell(session, ctx, company_id=company_id, concerned=None, settings=settings, kind="admin_invited",
                 change=lambda language: gettext("admins.mail.invited", language, email=address,
                                                 role=notices.role_label(granted, language)))
    return address


def _pending(session: Session, ctx: RequestContext, company_id: int, key: object) -> AdminInvitation:
    number = record_id(key)
    invitation = session.get(AdminInvitation, number, populate_existing=True) if number is not None else None
    if (invitation is None or invitation.company_id != company_id
            or invitation.status != InvitationStatus.PENDING.value):
        raise NotFound("invitation_not_found")
    return invitation


def resend_invitation(session: Session, ctx: RequestContext, *, key: object, settings: Settings) -> str:
    """"Renvoyer": a new link valid seven days (the old one stops working). Returns the address."""
    company_id = admin_company(ctx)
    invitation = _pending(session, ctx, company_id, key)
    if not covers(ctx.user.role, invitation.role):
        raise NotFound("invitation_not_found")
    invitation.link_expires_at, invitation.sent_at, invitation.updated_at = (
        ctx.now + INVITATION_TTL, ctx.now, ctx.now)
    session.add(invitation)
    _send(session, ctx, invitation, settings)
    _audit(session, ctx, AuditAction.INVITATION_RESENT, invitation)
    return invitation.email


def revoke_invitation(session: Session, ctx: RequestContext, *, key: object, settings: Settings) -> str:
    """"Révoquer": the invitation's link stops working. Returns the address."""
    company_id = admin_company(ctx)
    invitation = _pending(session, ctx, company_id, key)
    if not move_if(session, AdminInvitation, invitation.id, InvitationStatus.PENDING, InvitationStatus.REVOKED, ctx,
                   company_id=company_id, subject=f"invitation:{invitation.id}",
                   detail={"email": invitation.email, "role": invitation.role}):
        raise NotFound("invitation_not_found")
    revoke_tokens(session, [LinkPurpose.ADMIN], invitation.id, ctx.now)
    notices.tell(session, ctx, company_id=company_id, concerned=(invitation.email, invitation.locale),
                 settings=settings, kind="admin_uninvited",
                 change=lambda language: gettext("admins.mail.invitation_revoked", language, email=invitation.email))
    return invitation.email


@dataclass(frozen=True)
class InvitationView:
    """What the invitation's page may show."""

    state: str  # valid, used, expired, unknown, done
    company: str = ""
    role: str = ""
    inviter: str = ""
    email: str = ""


def _view(session: Session, invitation: AdminInvitation, state: str, locale: str) -> InvitationView:
    inviter = session.get(UserAccount, invitation.invited_by)
    return InvitationView(state, session.get(Company, invitation.company_id).name,
                          notices.role_label(invitation.role, locale), inviter.full_name if inviter else "",
                          invitation.email)


def inspect_invitation(session: Session, ctx: RequestContext, *, secret: str) -> InvitationView:
    """The invitation behind a link, without using it (a revoked one's link is "used")."""
    token = find_token(session, secret, LinkPurpose.ADMIN)
    if token is None:
        return InvitationView("unknown")
    invitation = session.get(AdminInvitation, token.subject_id)
    state = token_state(token, ctx.now)
    if state == "valid" and invitation.status != InvitationStatus.PENDING.value:
        state = "used"
    return _view(session, invitation, state, ctx.locale)


def _still_grantable(session: Session, invitation: AdminInvitation, ctx: RequestContext) -> bool:
    """Whether the invitation may still be accepted: its inviter still holds, today, everything it
    grants (an admin removed or lowered since cannot come back through a link they sent), and the
    access it gives has not already ended."""
    if invitation.access_until is not None and invitation.access_until <= ctx.now:
        return False
    inviter = sessions.live_membership(session, invitation.invited_by, invitation.company_id, ctx.now)
    if inviter is None or not covers(inviter.role, invitation.role):
        return False
    if inviter.access_until is not None and (invitation.access_until is None
                                             or invitation.access_until > inviter.access_until):
        return False
    return inviter.all_contracts or (not invitation.all_contracts and set(invitation.contract_ids) <= (
        sessions.scope_of(session, inviter) or frozenset()))


def withdraw_invitations_of(session: Session, ctx: RequestContext, *, user_id: int, company_id: int) -> int:
    """Revoke the pending invitations ``user_id`` sent in the company (when their access is
    removed or narrowed: what they sent may grant more than they now hold).

    Returns:
        How many were revoked.
    """
    pending = session.exec(select(AdminInvitation.id).where(
        AdminInvitation.company_id == company_id, AdminInvitation.invited_by == user_id,
        AdminInvitation.status == InvitationStatus.PENDING.value)).all()
    for invitation_id in pending:
        if move_if(session, AdminInvitation, invitation_id, InvitationStatus.PENDING, InvitationStatus.REVOKED, ctx,
                   company_id=company_id, subject=f"invitation:{invitation_id}",
                   detail={"reason": "inviter_access_changed"}):
            revoke_tokens(session, [LinkPurpose.ADMIN], invitation_id, ctx.now)
    return len(pending)


def accept_invitation(session: Session, ctx: RequestContext, *, secret: str, raw_id: str,
                      settings: Settings) -> InvitationView:
    """"Accepter l'invitation", by the signed-in account (any address), once: the role becomes
    theirs in the company (a role they already hold that grants more stays), and the session
    acts for that company.

    Raises:
        NotAllowed: ``signed_out``. LinkProblem: ``link_unknown``, ``link_used``, ``link_expired``.
    """
    user = ctx.user
    token = consume_token(session, secret, LinkPurpose.ADMIN, ctx.now)
    if token is None:
        state = token_state(find_token(session, secret, LinkPurpose.ADMIN), ctx.now)
        record_event(session, action=AuditAction.LINK_REFUSED, outcome="failure", ip=ctx.ip,
                     actor_user_id=user.user_id, detail={"purpose": LinkPurpose.ADMIN.value, "state": state},
                     now=ctx.now)
        session.commit()
        raise LinkProblem(f"link_{state}")
    invitation = session.get(AdminInvitation, token.subject_id)
    lock_company(session, invitation.company_id)
    if not _still_grantable(session, invitation, ctx):
        raise LinkProblem("link_used")
    if not move_if(session, AdminInvitation, invitation.id, InvitationStatus.PENDING, InvitationStatus.ACCEPTED, ctx,
                   values={"accepted_by": user.user_id},
                   company_id=invitation.company_id, subject=f"invitation:{invitation.id}",
                   detail={"email": invitation.email, "role": invitation.role, "account": user.email}):
        raise LinkProblem("link_used")  # revoked in between
    role = role_of(invitation.role)
    membership = session.exec(select(Membership).where(Membership.user_id == user.user_id,
                                                       Membership.company_id == invitation.company_id)).first()
    if membership is None:
        membership = Membership(user_id=user.user_id, company_id=invitation.company_id, role=invitation.role,
                                created_at=ctx.now, added_by=invitation.invited_by)
    elif covers(membership.role, invitation.role) and membership.all_contracts and membership.access_until is None:
        role = None  # what they hold already covers the invitation
    if role is not None:
        membership.role, membership.access_until = role.value, invitation.access_until
        membership.all_contracts, membership.expiry_notice_at = invitation.all_contracts, None
        session.add(membership)
        session.flush()
        session.exec(sa.delete(MembershipContract).where(MembershipContract.membership_id == membership.id))
        for contract_id in [] if invitation.all_contracts else invitation.contract_ids:
            session.add(MembershipContract(membership_id=membership.id, contract_id=contract_id))
        record_event(session, action=AuditAction.MEMBERSHIP_GRANTED, outcome="success", actor_user_id=user.user_id,
                     actor_email=user.email, company_id=invitation.company_id, ip=ctx.ip,
                     subject=f"user:{user.user_id}",
                     detail={"email": user.email, "role": role.value, "reason": f"invitation:{invitation.id}"},
                     now=ctx.now)
    if raw_id:
        sessions.switch_session_company(session, raw_id, invitation.company_id)
    account, held = session.get(UserAccount, user.user_id), membership.role
    notices.tell(session, ctx, company_id=invitation.company_id, concerned=None, settings=settings,
                 kind="admin_joined", change=lambda language: gettext(
                     "admins.mail.accepted", language, person=notices.person(account),
                     role=notices.role_label(held, language), email=invitation.email))
    view = _view(session, invitation, "done", ctx.locale)
    return InvitationView(view.state, view.company, notices.role_label(held, ctx.locale), view.inviter, view.email)
