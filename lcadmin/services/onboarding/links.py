"""The pages behind the links in the flow's e-mails: what a link may show, a contact's decision
on an access proved from an unknown domain, a contact's report of an access proved with a
document. Opening a link never uses it (mail scanners open links); its button does."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.permissions import Role
from lcadmin.domain.statuses import ACTIVATION_LINKS, ActivationStatus, LinkPurpose
from lcadmin.models import ActivationRequest, Company
from lcadmin.services import memberships
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import LinkProblem
from lcadmin.services.lifecycle import move
from lcadmin.services.onboarding.emails import document_label, send_activation, tell_refused
from lcadmin.services.tokens import consume_token, find_token, revoke_tokens, token_state
from lcadmin.settings import Settings


@dataclass(frozen=True)
class LinkView:
    """What a link page may show about its token."""

    state: str  # valid, used, expired, unknown
    purpose: str
    company_name: str = ""
    requester: str = ""
    document: str = ""


def inspect_link(session: Session, ctx: RequestContext, *, secret: str,
                 purposes: tuple[LinkPurpose, ...]) -> LinkView:
    """What a link page shows before anyone clicks: never uses the token."""
    for purpose in purposes:
        token = find_token(session, secret, purpose)
        if token is not None:
            request = session.get(ActivationRequest, token.subject_id)
            company = session.get(Company, request.company_id)
            return LinkView(state=token_state(token, ctx.now), purpose=purpose.value, company_name=company.name,
                            requester=request.business_email,
                            document=document_label(request.proof_document, ctx.locale))
    return LinkView(state="unknown", purpose=purposes[0].value)


def use_link(session: Session, ctx: RequestContext, secret: str, purpose: LinkPurpose) -> ActivationRequest:
    """Use a link's token once and return its activation request.

    Raises:
        LinkProblem: ``link_unknown``, ``link_used`` or ``link_expired`` (the refusal is audited).
    """
    token = consume_token(session, secret, purpose, ctx.now)
    if token is None:
        state = token_state(find_token(session, secret, purpose), ctx.now)
        record_event(session, action=AuditAction.LINK_REFUSED, outcome="failure", ip=ctx.ip,
                     detail={"purpose": purpose.value, "state": state}, now=ctx.now)
        session.commit()
        raise LinkProblem(f"link_{state}")
    request = session.get(ActivationRequest, token.subject_id)
    if request is None:  # a token outlives nothing it names, but say so rather than fail
        raise LinkProblem("link_unknown")
    return request


def decide_approval(session: Session, ctx: RequestContext, *, secret: str, settings: Settings) -> str:
    """A contact clicked "Approuver" or "Refuser" in the approval e-mail.

    Returns:
        ``approved`` or ``refused``.

    Raises:
        LinkProblem: The link is unknown, used, expired, or the request was already decided.
    """
    approve = find_token(session, secret, LinkPurpose.APPROVE) is not None
    request = use_link(session, ctx, secret, LinkPurpose.APPROVE if approve else LinkPurpose.REFUSE)
    if request.status != ActivationStatus.AWAITING_APPROVAL.value:
        raise LinkProblem("link_used")
    revoke_tokens(session, ACTIVATION_LINKS, request.id, ctx.now)  # the other contact's links and the other button
    company = session.get(Company, request.company_id)
    move(session, request, ActivationStatus.EMAIL_SENT if approve else ActivationStatus.REFUSED, ctx,
         company_id=company.id, subject=f"activation_request:{request.id}",
         detail={"requester": request.business_email})
    if approve:
        send_activation(session, ctx, request, company, settings)
    else:
        tell_refused(session, ctx, request, company)
    return "approved" if approve else "refused"


def report_access(session: Session, ctx: RequestContext, *, secret: str) -> None:
    """A contact reports an access granted through a proof: it is withdrawn at once, and the
    account's sessions in that company end.

    Raises:
        LinkProblem: The link is unknown, used or expired.
    """
    request = use_link(session, ctx, secret, LinkPurpose.REPORT)
    if request.status not in (ActivationStatus.REVOKED.value, ActivationStatus.REFUSED.value):
        move(session, request, ActivationStatus.REVOKED, ctx, company_id=request.company_id,
             subject=f"activation_request:{request.id}", detail={"reason": "reported"})
    revoke_tokens(session, ACTIVATION_LINKS, request.id, ctx.now)
    if request.granted_user_id is not None:
        memberships.revoke(session, ctx, user_id=request.granted_user_id, company_id=request.company_id,
                           role=Role.BILLING_ADMIN, reason="reported")
    record_event(session, action=AuditAction.ACCESS_REPORTED, outcome="success", company_id=request.company_id,
                 ip=ctx.ip, subject=f"activation_request:{request.id}",
                 detail={"requester": request.business_email, "was_granted": request.granted_user_id is not None},
                 now=ctx.now)
