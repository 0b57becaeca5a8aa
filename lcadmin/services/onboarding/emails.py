"""The e-mails of the activation flow, each carrying its single-use links (only their SHA-256
is stored), written to the outbox in the transaction of the step that sends them."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from lcadmin import paths
from lcadmin.domain.statuses import LinkPurpose
from lcadmin.i18n import gettext
from lcadmin.mail import templates
from lcadmin.mail.outbox import enqueue
from lcadmin.models import ActivationRequest, Company, Contact
from lcadmin.services.context import RequestContext
from lcadmin.services.tokens import issue_token
from lcadmin.settings import Settings

APPROVAL_TTL = timedelta(days=7)
REPORT_TTL = timedelta(days=90)


def document_label(document: str | None, locale: str) -> str:
    """``la commande FLD…`` / ``the invoice F2026-…`` for a request's ``order:…`` or ``invoice:…``."""
    kind, _, number = (document or "").partition(":")
    return gettext(f"doc.{kind}", locale, number=number) if kind in ("order", "invoice") else ""


def _link(session: Session, settings: Settings, purpose: LinkPurpose, request: ActivationRequest,
          ttl: timedelta, ctx: RequestContext) -> str:
    secret = issue_token(session, purpose=purpose, subject_id=request.id, ttl=ttl, now=ctx.now)
    return paths.emailed_link(settings.public_url, purpose, secret)


def _contacts(session: Session, company_id: int) -> list[Contact]:
    query = select(Contact).where(Contact.company_id == company_id).order_by(col(Contact.role).desc())
    return list(session.exec(query))


def send_activation(session: Session, ctx: RequestContext, request: ActivationRequest, company: Company,
                    settings: Settings) -> None:
    """"Bienvenue dans le {vendor} Admin Center", with "Activer mon compte", to the requester."""
    link = _link(session, settings, LinkPurpose.ACTIVATE, request, timedelta(hours=settings.activation_ttl_hours), ctx)
    mail = templates.activation_mail(request.locale, company=company.name, link=link,
                                     hours=settings.activation_ttl_hours)
    enqueue(session, to=request.business_email, mail=mail, kind="activation", now=ctx.now)


def alert_contacts(session: Session, ctx: RequestContext, request: ActivationRequest, company: Company,
                   settings: Settings, account: str | None = None) -> None:
    """Tell the company's contacts, with a link to report it: that someone proved a document and got
    an activation link, or (with ``account``) that the access is now active for that account."""
    locale = settings.default_locale
    for contact in _contacts(session, company.id):
        values = {"company": company.name, "requester": request.business_email,
                  "document": document_label(request.proof_document, locale),
                  "report_link": _link(session, settings, LinkPurpose.REPORT, request, REPORT_TTL, ctx)}
        if account is None:
            mail, kind = templates.access_alert_mail(locale, **values), "access_alert"
        else:
            mail, kind = templates.access_granted_mail(locale, account=account, **values), "access_granted"
        enqueue(session, to=contact.email, mail=mail, kind=kind, now=ctx.now)


def ask_contacts_for_approval(session: Session, ctx: RequestContext, request: ActivationRequest, company: Company,
                              settings: Settings) -> None:
    """Ask the company's contacts to approve or refuse an access proved from an unknown domain."""
    locale = settings.default_locale
    for contact in _contacts(session, company.id):
        mail = templates.approval_request_mail(
            locale, company=company.name, requester=request.business_email,
            document=document_label(request.proof_document, locale),
            approve_link=_link(session, settings, LinkPurpose.APPROVE, request, APPROVAL_TTL, ctx),
            refuse_link=_link(session, settings, LinkPurpose.REFUSE, request, APPROVAL_TTL, ctx))
        enqueue(session, to=contact.email, mail=mail, kind="approval_request", now=ctx.now)


def tell_refused(session: Session, ctx: RequestContext, request: ActivationRequest, company: Company) -> None:
    """To the requester: a contact refused the request."""
    enqueue(session, to=request.business_email, kind="access_refused", now=ctx.now,
            mail=templates.access_refused_mail(request.locale, company=company.name))
