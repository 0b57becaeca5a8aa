"""Finishing an activation: "Activer mon compte", then, signed in, "Accepter et continuer".

The link's button binds the activation to the browser tab that clicked: it stores the SHA-256 of
a fresh secret on the request and hands the secret to that tab alone. "Accepter et continuer"
must bring it back; nothing else names the request, so knowing its id, its company or its
requester's address is worth nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from lcadmin.domain.permissions import Role
from lcadmin.domain.statuses import ActivationMethod, ActivationStatus, LinkPurpose
from lcadmin.domain.terms import TERMS_VERSION
from lcadmin.models import ActivationRequest, Company, TermsAcceptance
from lcadmin.services import memberships
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import LinkProblem, NotAllowed
from lcadmin.services.lifecycle import move
from lcadmin.services.onboarding.emails import alert_contacts
from lcadmin.services.onboarding.links import use_link
from lcadmin.services.tokens import digest, new_secret
from lcadmin.settings import Settings

# Once the link's button is clicked, the person has this long to sign in and accept.
VERIFIED_WINDOW = timedelta(hours=2)


@dataclass(frozen=True)
class VerifiedActivation:
    """What the tab that clicked "Activer mon compte" keeps until "Accepter et continuer": the
    secret that finishes the activation (never sent to the browser), and the company's name."""

    secret: str
    company_name: str


def confirm_activation(session: Session, ctx: RequestContext, *, secret: str) -> VerifiedActivation:
    """"Activer mon compte": uses the link, and binds the activation to the caller.

    Returns:
        A fresh 256-bit secret for the caller to keep (its SHA-256 is stored on the request), and
        the company's name. :func:`complete_activation` wants that secret back.

    Raises:
        LinkProblem: ``link_unknown``, ``link_used``, ``link_expired`` (or ``link_revoked``).
    """
    request = use_link(session, ctx, secret, LinkPurpose.ACTIVATE)
    if request.status != ActivationStatus.EMAIL_SENT.value:
        session.commit()  # the token stays used
        raise LinkProblem("link_revoked")
    held = new_secret()
    request.completion_hash = digest(held)
    move(session, request, ActivationStatus.VERIFIED, ctx, company_id=request.company_id,
         subject=f"activation_request:{request.id}", actor_email=request.business_email)
    return VerifiedActivation(held, session.get(Company, request.company_id).name)


def _verified_request(session: Session, held: str | None, now: datetime) -> ActivationRequest | None:
    """The verified request whose link was clicked by the holder of ``held``, while it can still
    be completed."""
    if not held or len(held) > 100:
        return None
    request = session.exec(select(ActivationRequest).where(ActivationRequest.completion_hash == digest(held))).first()
    if request is None or request.status != ActivationStatus.VERIFIED.value:
        return None
    if now - request.updated_at > VERIFIED_WINDOW:
        return None
    return request


def pending_company_name(session: Session, held: str | None, now: datetime) -> str | None:
    """The company of the activation the holder of ``held`` may finish, or None."""
    request = _verified_request(session, held, now)
    return session.get(Company, request.company_id).name if request else None


def complete_activation(session: Session, ctx: RequestContext, *, held: str | None, settings: Settings) -> int:
    """"Accepter et continuer": the click is the acceptance (the seed's one click). Record the
    terms' version and make the signed-in account billing admin of
    the company (an admin stays admin). An access proved with a document is announced to the
    company's contacts, naming the account. ``held`` is the secret :func:`confirm_activation`
    gave the tab that clicked the link.

    Returns:
        The company id.

    Raises:
        NotAllowed: ``signed_out``; ``no_pending_activation`` (no such secret, revoked, or
            verified too long ago); ``role_held`` (the account holds another role there, such
            as licence admin: nothing is completed, a full admin gives billing).
    """
    user = ctx.user
    request = _verified_request(session, held, ctx.now)
    if request is None:
        raise NotAllowed("no_pending_activation")
    memberships.grant_at_least(session, ctx, user_id=user.user_id, company_id=request.company_id,
                               role=Role.BILLING_ADMIN, reason=f"activation_request:{request.id}")
    session.add(TermsAcceptance(user_id=user.user_id, company_id=request.company_id, terms_version=TERMS_VERSION,
                                accepted_at=ctx.now, ip=ctx.ip))
    request.granted_user_id = user.user_id
    move(session, request, ActivationStatus.COMPLETED, ctx, company_id=request.company_id,
         subject=f"activation_request:{request.id}", detail={"terms_version": TERMS_VERSION, "method": request.method})
    if request.method == ActivationMethod.PROOF.value:
        alert_contacts(session, ctx, request, session.get(Company, request.company_id), settings, account=user.email)
    return request.company_id
