"""The link in "Vous avez reçu une licence": opening it shows what it gives, never uses it (mail
scanners open links); "Activer ma licence", by a signed-in account (any address: the one the
invitation went to is a work address the person may not sign in with), uses it once and makes
the seat active for that account."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from lcadmin.domain.audit import AuditAction
from lcadmin.domain.statuses import LinkPurpose, SeatStatus
from lcadmin.models import Company, Product, Seat
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import LinkProblem
from lcadmin.services.licences.pools import product_name
from lcadmin.services.lifecycle import move_if
from lcadmin.services.tokens import consume_token, find_token, token_state


@dataclass(frozen=True)
class InvitationView:
    """What the link's page may show."""

    state: str  # valid, used, expired, unknown
    company: str = ""
    product: str = ""
    email: str = ""


def inspect_invitation(session: Session, ctx: RequestContext, *, secret: str) -> InvitationView:
    """The invitation behind a link, without using it (a revoked or ended seat's link is "used")."""
    token = find_token(session, secret, LinkPurpose.LICENCE)
    if token is None:
        return InvitationView("unknown")
    seat = session.get(Seat, token.subject_id)
    state = token_state(token, ctx.now)
    if state == "valid" and seat.status != SeatStatus.INVITED.value:
        state = "used"
    return InvitationView(state, session.get(Company, seat.company_id).name,
                          product_name(session.get(Product, seat.product_id), ctx.locale), seat.email)


def activate_seat(session: Session, ctx: RequestContext, *, secret: str) -> InvitationView:
    """"Activer ma licence": the seat becomes active for the signed-in account, once.

    Raises:
        NotAllowed: ``signed_out``. LinkProblem: ``link_unknown``, ``link_used``, ``link_expired``.
    """
    user = ctx.user
    token = consume_token(session, secret, LinkPurpose.LICENCE, ctx.now)
    if token is None:
        state = token_state(find_token(session, secret, LinkPurpose.LICENCE), ctx.now)
        record_event(session, action=AuditAction.LINK_REFUSED, outcome="failure", ip=ctx.ip, actor_user_id=user.user_id,
                     detail={"purpose": LinkPurpose.LICENCE.value, "state": state}, now=ctx.now)
        session.commit()
        raise LinkProblem(f"link_{state}")
    seat = session.get(Seat, token.subject_id)
    won = move_if(session, Seat, seat.id, SeatStatus.INVITED, SeatStatus.ACTIVE, ctx,
                  values={"user_id": user.user_id, "full_name": user.full_name, "activated_at": ctx.now},
                  company_id=seat.company_id, subject=f"seat:{seat.id}",
                  detail={"email": seat.email, "account": user.email})
    if not won:  # revoked or unassigned in between
        raise LinkProblem("link_used")
    return InvitationView("done", session.get(Company, seat.company_id).name,
                          product_name(session.get(Product, seat.product_id), ctx.locale), seat.email)
