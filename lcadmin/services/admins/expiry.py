"""A week before a time-limited access ends, the company's full admins (and the person) are told,
once per end date; the access itself stops by itself (``sessions.live_membership``)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from lcadmin import paths
from lcadmin.db import skip_locked
from lcadmin.domain.audit import AuditAction
from lcadmin.domain.permissions import Permission
from lcadmin.i18n import LOCALES
from lcadmin.mail import templates
from lcadmin.mail.outbox import enqueue
from lcadmin.models import Company, Membership, UserAccount
from lcadmin.services.admins import notices
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.memberships import holders_of
from lcadmin.settings import Settings

NOTICE_BEFORE = timedelta(days=7)


def _announce(session: Session, ctx: RequestContext, membership: Membership, user: UserAccount,
              settings: Settings) -> None:
    """"L'accès de … prend fin le …": to the person, and to the company's full admins (who may
    extend it), each in their language."""
    company = session.get(Company, membership.company_id)
    link = settings.public_url.rstrip("/") + paths.ADMINS
    recipients = {user.email: (user.locale, True)}
    for admin in holders_of(session, membership.company_id, Permission.MANAGE_ADMINS, ctx.now):
        recipients.setdefault(admin.email, (admin.locale, False))
    for address, (locale, own) in recipients.items():
        language = locale if locale in LOCALES else "fr"
        mail = templates.access_ending_mail(language, company=company.name, person=notices.person(user),
                                            date=notices.until_label(membership.access_until, language, settings),
                                            link=link, own=own)
        enqueue(session, to=address, mail=mail, kind="admin_access_ending", now=ctx.now)


def send_access_expiry_notices(session: Session, ctx: RequestContext, *, settings: Settings) -> int:
    """Tell the admins of every access ending within a week that has not been announced. Each is
    claimed by a conditional UPDATE, so that two job runners never send it twice, and each is
    committed with its e-mails; one another runner is announcing is passed over, not waited for.

    Returns:
        How many accesses were announced.
    """
    due = session.exec(select(Membership.id).where(
        col(Membership.access_until).is_not(None), Membership.access_until > ctx.now,
        col(Membership.access_until) <= ctx.now + NOTICE_BEFORE, col(Membership.expiry_notice_at).is_(None))).all()
    sent = 0
    for membership_id in due:
        unannounced = (Membership.id == membership_id, col(Membership.expiry_notice_at).is_(None))
        if session.exec(skip_locked(session, select(Membership.id).where(*unannounced))).first() is None:
            continue  # announced already, or another runner is announcing it
        won = session.exec(sa.update(Membership).where(*unannounced).values(expiry_notice_at=ctx.now)).rowcount == 1
        if not won:
            continue
        membership = session.get(Membership, membership_id, populate_existing=True)
        user = session.get(UserAccount, membership.user_id)
        record_event(session, action=AuditAction.MEMBERSHIP_EXPIRY_NOTICE, outcome="success",
                     company_id=membership.company_id, subject=f"user:{user.id}",
                     detail={"email": user.email, "until": membership.access_until.isoformat()}, now=ctx.now)

        _announce(session, ctx, membership, user, settings)
        session.commit()
        sent += 1
    return sent
