"""What every change of an admin's access checks: who may make it, what may be granted, which
contracts a scope may name, when an access may end, and that a company keeps a full admin."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from lcadmin.domain.calendar import business_date, zone
from lcadmin.domain.identifiers import record_id
from lcadmin.domain.permissions import SCOPABLE, Permission, Role, covers, role_of
from lcadmin.models import Company, Contract, Membership
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import InvalidInput, NotAllowed
from lcadmin.settings import Settings

MAX_SCOPE = 200  # contracts one scope may list


def admin_company(ctx: RequestContext) -> int:
    """The session's company, when the caller may manage its admins.

    Raises:
        NotAllowed: ``signed_out``, or ``forbidden`` without the permission.
    """
    if ctx.user.company_id is None or not ctx.user.can(Permission.MANAGE_ADMINS):
        raise NotAllowed("forbidden")
    return ctx.user.company_id


def lock_company(session: Session, company_id: int) -> None:
    """Serialise the changes of one company's admins: on PostgreSQL a row lock on the company
    (two demotions at once would each still see the other as an admin); on SQLite the write
    transaction (BEGIN IMMEDIATE) already runs them one after the other."""
    session.exec(select(Company.id).where(Company.id == company_id).with_for_update()).first()


def granted_role(ctx: RequestContext, value: object) -> Role:
    """The role to grant, when the caller holds everything it gives (nobody grants more).

    Raises:
        InvalidInput (field ``role``): ``role_invalid``, ``role_too_high``.
    """
    role = role_of(value if isinstance(value, str) else None)
    if role is None:
        raise InvalidInput("role_invalid", "role")
    if not covers(ctx.user.role, role):
        raise InvalidInput("role_too_high", "role")
    return role


def scope_ids(session: Session, ctx: RequestContext, company_id: int, role: Role,
              everything: bool, keys: object) -> list[int] | None:
    """The contracts a scoped role is limited to (None: all of them). Only billing roles can be
    scoped; each key must name a contract of the company that the caller's own scope includes.

    Raises:
        InvalidInput (field ``scope``): ``scope_required``, ``scope_invalid``, ``scope_not_scopable``.
    """
    if everything:
        if ctx.user.contract_ids is not None:  # a scoped granter cannot widen beyond their contracts
            raise InvalidInput("scope_invalid", "scope")
        return None
    if role not in SCOPABLE:
        raise InvalidInput("scope_not_scopable", "scope")
    values = keys if isinstance(keys, list | tuple) else []
    ids = {record_id(key) for key in values[:MAX_SCOPE]}
    if not ids or None in ids or len(values) > MAX_SCOPE:
        raise InvalidInput("scope_required" if not values else "scope_invalid", "scope")
    found = set(session.exec(select(Contract.id).where(Contract.company_id == company_id,
                                                       col(Contract.id).in_(ids))).all())
    if found != ids or not all(ctx.user.sees_contract(i) for i in ids):
        raise InvalidInput("scope_invalid", "scope")
    return sorted(found)


def end_instant(value: object, ctx: RequestContext, settings: Settings) -> datetime | None:
    """When a time-limited access stops: the end of the chosen day (inclusive) in the vendor's
    time zone; None for no end. A caller whose own access ends cannot grant one that outlasts it.

    Raises:
        InvalidInput (field ``until``): ``until_invalid``, ``until_past``, ``until_too_late``.
    """
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        if ctx.user.access_until is not None:
            raise InvalidInput("until_too_late", "until")
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError as error:
        raise InvalidInput("until_invalid", "until") from error
    today = business_date(ctx.now, settings.vendor.timezone)
    if day < today:
        raise InvalidInput("until_past", "until")
    if day > today + timedelta(days=3 * 366):
        raise InvalidInput("until_invalid", "until")
    instant = datetime.combine(day + timedelta(days=1), time(), zone(settings.vendor.timezone)).astimezone(
        ctx.now.tzinfo)
    if ctx.user.access_until is not None and instant > ctx.user.access_until:
        raise InvalidInput("until_too_late", "until")
    return instant


def last_day(until: datetime, settings: Settings) -> date:
    """The last day an access holds, in the vendor's time zone (the inverse of :func:`end_instant`)."""
    return business_date(until - timedelta(microseconds=1), settings.vendor.timezone)


def standing_admins(session: Session, company_id: int) -> list[int | None]:
    """The ids of the memberships that keep the company administered: full admins whose access
    does not end (a time-limited admin will go by themself)."""
    return list(session.exec(select(Membership.id).where(
        Membership.company_id == company_id, Membership.role == Role.ADMIN.value,
        col(Membership.access_until).is_(None))).all())


def keeps_an_admin(session: Session, membership: Membership, *, role: Role | None,
                   until: datetime | None) -> bool:
    """Whether the company still has a standing full admin once ``membership`` becomes ``role``
    with end ``until`` (``role`` None: removed)."""
    others = [i for i in standing_admins(session, membership.company_id) if i != membership.id]
    return bool(others) or (role is Role.ADMIN and until is None)
