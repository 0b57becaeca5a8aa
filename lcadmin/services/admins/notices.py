"""The e-mail every change of an admin's access sends: to the person concerned and to every full
admin of the company, each in their own language, naming who made the change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from lcadmin import paths
from lcadmin.domain.permissions import Permission
from lcadmin.i18n import LOCALES, gettext
from lcadmin.i18n.format import format_date
from lcadmin.mail import templates
from lcadmin.mail.outbox import enqueue
from lcadmin.models import Company, UserAccount
from lcadmin.services.admins.rules import last_day
from lcadmin.services.context import RequestContext
from lcadmin.services.memberships import holders_of
from lcadmin.settings import Settings

Sentence = Callable[[str], str]  # the change, in a language


def role_label(role: str, locale: str) -> str:
    """A role's name in ``locale``."""
    return gettext(f"role.{role}", locale)


def until_label(until: datetime | None, locale: str, settings: Settings) -> str:
    """The last day of a time-limited access (the day before the instant it stops), or ""."""
    if until is None:
        return ""
    return format_date(last_day(until, settings), locale)


def tell(session: Session, ctx: RequestContext, *, company_id: int, concerned: tuple[str, str] | None,
         change: Sentence, settings: Settings, kind: str) -> int:
    """E-mail ``change`` to the person ``concerned`` ((address, language), if any) and to the
    company's full admins, once per address.

    Returns:
        How many e-mails were queued.
    """
    company = session.get(Company, company_id)
    link = settings.public_url.rstrip("/") + paths.ADMINS
    recipients: dict[str, str] = {}
    if concerned is not None:
        recipients[concerned[0]] = concerned[1]
    for admin in holders_of(session, company_id, Permission.MANAGE_ADMINS, ctx.now):
        recipients.setdefault(admin.email, admin.locale)
    for address, locale in recipients.items():
        language = locale if locale in LOCALES else "fr"
        actor = ((ctx.principal.full_name or ctx.principal.email) if ctx.principal
                 else gettext("admins.system", language))
        mail = templates.admin_change_mail(language, company=company.name, actor=actor, change=change(language),
                                           link=link)
        enqueue(session, to=address, mail=mail, kind=kind, now=ctx.now)
    return len(recipients)


def person(user: UserAccount) -> str:
    """How an e-mail names someone: "Name (address)"."""
    return f"{user.full_name} ({user.email})" if user.full_name else user.email
