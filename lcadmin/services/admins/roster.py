"""What the "Administrateurs" page shows: the company's members and pending invitations, the
contracts a scope may name, and the permission matrix (built from ``domain.permissions``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from lcadmin.domain.calendar import business_date
from lcadmin.domain.permissions import ROLE_PERMISSIONS, ROLES, SCOPABLE, Permission, covers
from lcadmin.domain.statuses import InvitationStatus
from lcadmin.i18n import gettext
from lcadmin.i18n.format import format_date
from lcadmin.models import AdminInvitation, Contract, Membership, MembershipContract, UserAccount
from lcadmin.services.admins.notices import role_label, until_label
from lcadmin.services.admins.rules import admin_company, last_day
from lcadmin.services.context import RequestContext
from lcadmin.settings import Settings


@dataclass(frozen=True)
class AdminRow:
    """One line of the page: a member (``key`` "m<id>") or a pending invitation ("i<id>")."""

    key: str
    name: str
    email: str
    role: str
    role_label: str
    scope: str  # "Tous les contrats" or the contracts' numbers
    until: str  # the last day of a time-limited access, or ""
    added_on: str
    last_sign_in: str
    status: str  # active, invited, link_expired, ended
    status_label: str
    is_self: bool = False
    can_edit: bool = False
    contract_keys: list[str] = field(default_factory=list)  # the scope's contracts, for the form
    until_value: str = ""  # ISO date for the form's date field


@dataclass(frozen=True)
class Choice:
    """An option of the page's form: a contract of a scope, or a role to grant."""

    key: str
    label: str


@dataclass(frozen=True)
class Roster:
    admins: list[AdminRow]
    contracts: list[Choice]
    roles: list[Choice]  # the roles the caller may grant (key: the role, label: its name)


def _day(instant: datetime | None, locale: str, settings: Settings) -> str:
    return format_date(business_date(instant, settings.vendor.timezone), locale, "medium") if instant else ""


def _scope_label(numbers: list[str], locale: str) -> str:
    return ", ".join(numbers) if numbers else gettext("admins.scope_all", locale)


def list_admins(session: Session, ctx: RequestContext, *, settings: Settings) -> Roster:
    """The company's members (full admins first, then by name) and its pending invitations.

    Raises:
        NotAllowed: ``forbidden`` without the permission to manage admins.
    """
    company_id, locale = admin_company(ctx), ctx.locale
    contracts = session.exec(select(Contract).where(Contract.company_id == company_id)
                             .order_by(Contract.number)).all()
    numbers = {c.id: c.number for c in contracts}
    members = session.exec(select(Membership, UserAccount).join(UserAccount, UserAccount.id == Membership.user_id)
                           .where(Membership.company_id == company_id)).all()
    scopes: dict[int, list[int]] = {}
    for membership_id, contract_id in session.exec(
            select(MembershipContract.membership_id, MembershipContract.contract_id)
            .join(Membership, Membership.id == MembershipContract.membership_id)
            .where(Membership.company_id == company_id)).all():
        scopes.setdefault(membership_id, []).append(contract_id)
    order = {role.value: rank for rank, role in enumerate(ROLES)}
    rows = []
    for membership, user in sorted(members, key=lambda pair: (order.get(pair[0].role, 9), pair[1].full_name.lower())):
        ids = sorted(scopes.get(membership.id, []), key=lambda i: numbers.get(i, ""))
        ended = membership.access_until is not None and membership.access_until <= ctx.now
        status = "ended" if ended else "active"
        rows.append(AdminRow(
            key=f"m{membership.id}", name=user.full_name, email=user.email, role=membership.role,
            role_label=role_label(membership.role, locale),
            scope=_scope_label([] if membership.all_contracts else [numbers[i] for i in ids if i in numbers], locale),
            until=until_label(membership.access_until, locale, settings),
            added_on=_day(membership.created_at, locale, settings),
            last_sign_in=_day(user.last_sign_in_at, locale, settings) or gettext("admins.never", locale),
            status=status, status_label=gettext(f"admins.status.{status}", locale),
            is_self=user.id == ctx.user.user_id, can_edit=covers(ctx.user.role, membership.role),
            contract_keys=[] if membership.all_contracts else [str(i) for i in ids],
            until_value=last_day(membership.access_until, settings).isoformat() if membership.access_until else ""))
    invitations = session.exec(select(AdminInvitation).where(
        AdminInvitation.company_id == company_id, AdminInvitation.status == InvitationStatus.PENDING.value)
        .order_by(col(AdminInvitation.created_at).desc())).all()
    for invitation in invitations:
        status = "link_expired" if invitation.link_expires_at <= ctx.now else "invited"
        rows.append(AdminRow(
            key=f"i{invitation.id}", name="", email=invitation.email, role=invitation.role,
            role_label=role_label(invitation.role, locale),
            scope=_scope_label([] if invitation.all_contracts else
                               [numbers[i] for i in invitation.contract_ids if i in numbers], locale),
            until=until_label(invitation.access_until, locale, settings),
            added_on=_day(invitation.sent_at, locale, settings), last_sign_in="",
            status=status, status_label=gettext(f"admins.status.{status}", locale),
            can_edit=covers(ctx.user.role, invitation.role)))
    grantable = [Choice(role.value, role_label(role, locale)) for role in ROLES if covers(ctx.user.role, role)]
    return Roster(rows, [Choice(str(c.id), f"{c.number} · {c.title}") for c in contracts
                         if ctx.user.sees_contract(c.id)], grantable)


# The matrix's rows, in the page's and the README's order.
MATRIX: tuple[Permission, ...] = (
    Permission.VIEW_BILLING, Permission.SIGN_ORDERS, Permission.PAY, Permission.MANAGE_PAYMENT_METHODS,
    Permission.VIEW_LICENCES, Permission.MANAGE_LICENCES, Permission.MANAGE_ADMINS, Permission.VIEW_AUDIT_LOG)
assert set(MATRIX) == set(Permission), "the matrix shows every permission"


def matrix_rows(locale: str) -> list[dict[str, str]]:
    """The permission matrix as the page's table: one row per permission, "yes"/"no" per role,
    and whether each role can be limited to some contracts."""
    rows = [{"label": gettext(f"permission.{p.value}", locale),
             **{role.value: "yes" if p in ROLE_PERMISSIONS[role] else "no" for role in ROLES}} for p in MATRIX]
    rows.append({"label": gettext("admins.matrix.scopable", locale),
                 **{role.value: "yes" if role in SCOPABLE else "no" for role in ROLES}})
    return rows
