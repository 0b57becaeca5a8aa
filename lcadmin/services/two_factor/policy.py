"""A company's policy "two-step verification required for its admins" (on "Administrateurs").

While it is on, every member of the company without two-step verification is sent to enrol at
sign-in, and the company's Admin Center refuses them everything until they have
(``Principal.two_factor_due``, read on every call).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.permissions import Permission
from lcadmin.models import Company, UserAccount
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import NotAllowed


@dataclass(frozen=True)
class TwoFactorPolicy:
    """The policy of the session's company, for its card."""

    company: str
    required: bool
    caller_enrolled: bool  # the caller has two-step verification (needed before requiring it)


def _company(session: Session, ctx: RequestContext) -> Company:
    company = session.get(Company, ctx.user.company_id) if ctx.user.company_id is not None else None
    if company is None:
        raise NotAllowed("forbidden")
    return company


def _view(session: Session, ctx: RequestContext, company: Company) -> TwoFactorPolicy:
    user = session.get(UserAccount, ctx.user.user_id)
    return TwoFactorPolicy(company=company.name, required=company.require_two_factor,
                           caller_enrolled=bool(user and user.two_factor_enabled_at is not None))


def two_factor_policy(session: Session, ctx: RequestContext) -> TwoFactorPolicy:
    """The session's company's policy.

    Raises:
        NotAllowed: ``forbidden`` without a company, or without ``MANAGE_ADMINS``.
    """
    if not ctx.user.can(Permission.MANAGE_ADMINS):
        raise NotAllowed("forbidden")
    return _view(session, ctx, _company(session, ctx))


def set_two_factor_policy(session: Session, ctx: RequestContext, *, required: bool) -> TwoFactorPolicy:
    """Require two-step verification of the company's admins, or stop requiring it (the company
    is the session's, never one named by the caller).

    Raises:
        NotAllowed: ``forbidden`` without ``MANAGE_ADMINS`` in the session's company;
            ``two_factor_self_first`` when the caller, who has none, would require it (they
            would lock themselves out of the page that turns it off).
    """
    if not ctx.user.can(Permission.MANAGE_ADMINS):
        raise NotAllowed("forbidden")
    company, user = _company(session, ctx), session.get(UserAccount, ctx.user.user_id)
    if required and (user is None or user.two_factor_enabled_at is None):
        raise NotAllowed("two_factor_self_first")
    if company.require_two_factor != bool(required):
        company.require_two_factor = bool(required)
        session.add(company)
        record_event(session, action=AuditAction.TWO_FACTOR_POLICY, outcome="success", actor_user_id=ctx.user.user_id,
                     actor_email=ctx.user.email, company_id=company.id, ip=ctx.ip,
                     detail={"required": bool(required)}, now=ctx.now)
    return _view(session, ctx, company)
