"""A week before a time-limited access ends, the company's full admins (and the person) are told,
once per end date; the access itself stops by itself (``sessions.live_membership``)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from lcadmin.domain.audit import AuditAction
from lcadmin.i18n import gettext
from lcadmin.models import Membership, UserAccount
from lcadmin.services.admins import notices
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.settings import Settings

NOTICE_BEFORE = timedelta(days=7)


def send_access_expiry_notices(session: Session, ctx: RequestContext, *, settings: Settings) -> int:
    """Tell the admins of every access ending within a week that has not been announced. Each is
    claimed by a conditional UPDATE, so that two job runners never send it twice.

    Returns:
        How many accesses were announced.
    """
    due = session.exec(select(Membership.id).where(
        col(Membership.access_until).is_not(None), Membership.access_until > ctx.now,
        col(Membership.access_until) <= ctx.now + NOTICE_BEFORE, col(Membership.expiry_notice_at).is_(None))).all()
    sent = 0
    for membership_id in due:
        won = session.exec(sa.update(Membership).where(Membership.id == membership_id,
                                                       col(Membership.expiry_notice_at).is_(None))
                           .values(expiry_notice_at=ctx.now)).rowcount == 1
        if not won:
            continue
        membership = session.get(Membership, membership_id, populate_existing=True)
        user = session.get(UserAccount, membership.user_id)
        record_event(session, action=AuditAction.MEMBERSHIP_EXPIRY_NOTICE, outcome="success",
                     company_id=membership.company_id, subject=f"user:{user.id}",
                     detail={"email": user.email, "until": membership.access_until.isoformat()}, now=ctx.now)

        def change(locale: str, user=user, until=membership.access_until) -> str:
            return gettext("admins.mail.ending", locale, person=notices.person(user),
                           date=notices.until_label(until, locale, settings))

        notices.tell(session, ctx, company_id=membership.company_id, concerned=(user.email, user.locale),
                     change=change, settings=settings, kind="admin_access_ending")
        sent += 1
    return sent
