"""The activity log ("Journal d'activité"): the company's audit events, newest first, filtered by
person, category, period and a search, read one page at a time, and exported as CSV.

For full admins only (``Permission.VIEW_AUDIT_LOG``), always scoped to the company of the
session. The log is read here and never changed: the one write is the export's own event. Of an
event, only when, who, what, on which document, from which IP and how it went are shown; its
details (which may hold anything a service chose to keep) never leave this module.

Pages are cut by keyset on (``occurred_at`` DESC, ``id`` DESC): a cursor names the last event
shown, so events arriving meanwhile never shift a page, and two events of the same instant are
neither skipped nor repeated.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.numbers import format_decimal
from sqlmodel import Session, col, select

from lcadmin.domain.audit import AuditAction, AuditCategory, actions_in, category_of
from lcadmin.domain.permissions import Permission
from lcadmin.domain.statuses import AuditOutcome
from lcadmin.i18n import gettext
from lcadmin.i18n.format import format_date
from lcadmin.models import (
    ActivationRequest,
    AdminInvitation,
    AuditEvent,
    Invoice,
    Membership,
    PaymentMethod,
    Product,
    SalesOrder,
    Seat,
    UserAccount,
)
from lcadmin.services.audit import record_event
from lcadmin.services.context import RequestContext
from lcadmin.services.errors import NotAllowed
from lcadmin.services.payment_methods.wallet import TRANSFER, method_label

PAGE_SIZE = 50
EXPORT_CAP = 100_000  # rows in one export: a bigger file is cut, and the page says so
SYSTEM = "system"  # the person filter's value for events no person caused (the app's own jobs)
SEARCH_LIMIT = 100
_OUTCOME_TONES = {AuditOutcome.SUCCESS.value: "success", AuditOutcome.DENIED.value: "warning",
                  AuditOutcome.FAILURE.value: "danger"}
_NUMBERS = {"fr": "fr_FR", "en": "en_GB"}  # Babel's locales, as lcadmin.i18n.format names them
_LOOKUP_CHUNK = 500  # ids per IN (...) when naming documents
# How a subject is named when its record is not looked up or not found: with its reference…
_WITH_REF = {"order": "auditlog.subject.order", "contract": "auditlog.subject.contract",
             "mandate": "auditlog.subject.mandate", "user": "auditlog.subject.account"}
# …or by its kind alone.
_WITHOUT_REF = {"card": "auditlog.subject.card", TRANSFER: "wallet.transfer", "audit_log": "admin.nav.activity",
                "payment_method": "auditlog.subject.payment_method", "seat": "auditlog.subject.seat_unknown",
                "activation_request": "auditlog.subject.request_unknown",
                "invitation": "auditlog.subject.invitation_unknown"}


@dataclass(frozen=True)
class AuditFilters:
    """What narrows the log; the default shows everything."""

    person: str = ""  # an actor's e-mail (lower case), SYSTEM, or "" for everyone
    category: str = ""  # an AuditCategory value, or "" for every category
    day_from: date | None = None  # first and last calendar days, in the viewer's zone, inclusive
    day_to: date | None = None
    search: str = ""  # a piece of the document, of the actor's e-mail or of the IP


@dataclass(frozen=True)
class EventRow:
    """One event as the page shows it."""

    key: str  # the event's id, to tell rows apart
    when: str  # in the viewer's zone: "26 nov. 2026, 10:00:05"
    who: str  # the actor's name, their e-mail when no name is known, or "Système"
    who_email: str  # the actor's e-mail under their name ("" when ``who`` already is it)
    what: str  # the action's sentence in the viewer's language
    category: str  # its category's label
    document: str  # "Facture F2026-00001", "Visa •••• 4242", …, or ""
    ip: str
    outcome: str  # success, denied, failure
    outcome_label: str
    outcome_tone: str  # the badge's colour: success, warning, danger


@dataclass(frozen=True)
class EventPage:
    """One page of the log and where the next (older) one starts."""

    rows: tuple[EventRow, ...]
    older: str = ""  # the cursor of the next page, "" when these are the oldest events


@dataclass(frozen=True)
class PersonChoice:
    value: str  # an e-mail in lower case, or SYSTEM
    label: str


@dataclass(frozen=True)
class ExportFile:
    filename: str
    data: bytes
    rows: int
    capped: bool  # more events matched than the file holds (the newest EXPORT_CAP are in it)
    note: str = ""  # what the page says of a cut file, in the viewer's language


def _require(ctx: RequestContext) -> int:
    company_id = ctx.user.company_id
    if company_id is None or not ctx.user.can(Permission.VIEW_AUDIT_LOG):
        raise NotAllowed("forbidden")
    return company_id


def _midnight(day: date, zone: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def format_cursor(occurred_at: datetime, event_id: int) -> str:
    """The cursor after an event: ``<ISO instant>|<id>``."""
    return f"{occurred_at.astimezone(UTC).isoformat()}|{event_id}"


def parse_cursor(text: object) -> tuple[datetime, int] | None:
    """A cursor made by :func:`format_cursor`, or None for anything else (the first page)."""
    if not isinstance(text, str) or len(text) > 60 or text.count("|") != 1:
        return None
    instant, _, number = text.partition("|")
    if not number.isascii() or not number.isdigit() or len(number) > 18:
        return None
    try:
        moment = datetime.fromisoformat(instant)
    except ValueError:
        return None
    return (moment, int(number)) if moment.tzinfo is not None else None


def _who_email() -> Any:
    """The actor's address: their account's (current) one, or the one the event noted."""
    return sa.func.lower(sa.func.coalesce(UserAccount.email, AuditEvent.actor_email))


_COLUMNS = (AuditEvent.id, AuditEvent.occurred_at, AuditEvent.action, AuditEvent.outcome, AuditEvent.actor_email,
            AuditEvent.ip, AuditEvent.subject, UserAccount.full_name, UserAccount.email)


def _events(company_id: int, filters: AuditFilters, zone: str) -> Any:
    """The company's events matching ``filters``, newest first (never their details)."""
    query = (select(*_COLUMNS).join(UserAccount, UserAccount.id == AuditEvent.actor_user_id, isouter=True)
             .where(AuditEvent.company_id == company_id))
    if filters.person == SYSTEM:
        query = query.where(col(AuditEvent.actor_user_id).is_(None), col(AuditEvent.actor_email).is_(None))
    elif filters.person:
        query = query.where(_who_email() == filters.person.lower())
    if filters.category:
        try:
            actions = actions_in(AuditCategory(filters.category))
        except ValueError:
            actions = ()
        query = query.where(col(AuditEvent.action).in_(actions))
    if filters.day_from:
        query = query.where(AuditEvent.occurred_at >= _midnight(filters.day_from, zone))
    if filters.day_to:
        query = query.where(AuditEvent.occurred_at < _midnight(filters.day_to + timedelta(days=1), zone))
    term = filters.search.strip().lower()[:SEARCH_LIMIT]
    if term:  # autoescape: % and _ are looked for as themselves
        query = query.where(sa.or_(sa.func.lower(AuditEvent.subject).contains(term, autoescape=True),
                                   _who_email().contains(term, autoescape=True),
                                   sa.func.lower(AuditEvent.ip).contains(term, autoescape=True)))
    return query.order_by(col(AuditEvent.occurred_at).desc(), col(AuditEvent.id).desc())


def list_events(session: Session, ctx: RequestContext, *, filters: AuditFilters, zone: str,
                after: str = "") -> EventPage:
    """The page of events that follows the cursor ``after`` ("" or an unreadable one: the newest).

    Raises:
        NotAllowed: ``forbidden`` without ``VIEW_AUDIT_LOG`` in the session's company.
    """
    company_id = _require(ctx)
    query = _events(company_id, filters, zone)
    if cursor := parse_cursor(after):
        instant, event_id = cursor
        query = query.where(sa.or_(AuditEvent.occurred_at < instant,
                                   sa.and_(AuditEvent.occurred_at == instant, AuditEvent.id < event_id)))
    found = session.exec(query.limit(PAGE_SIZE + 1)).all()
    rows = _rows(session, company_id, found[:PAGE_SIZE], ctx.locale, zone)
    last = found[PAGE_SIZE - 1] if len(found) > PAGE_SIZE else None
    return EventPage(tuple(rows), format_cursor(last.occurred_at, last.id) if last else "")


def people(session: Session, ctx: RequestContext) -> list[PersonChoice]:
    """Everyone who appears in the company's log, by name (then "Système" if the app itself acted),
    for the person filter.

    Raises:
        NotAllowed: ``forbidden`` without ``VIEW_AUDIT_LOG``.
    """
    company_id = _require(ctx)
    email = _who_email()
    found = session.exec(
        select(email, sa.func.max(UserAccount.full_name)).select_from(AuditEvent)
        .join(UserAccount, UserAccount.id == AuditEvent.actor_user_id, isouter=True)
        .where(AuditEvent.company_id == company_id, email.is_not(None)).group_by(email).limit(500)).all()
    choices = sorted((PersonChoice(address, f"{name} ({address})" if name else address) for address, name in found),
                     key=lambda choice: choice.label.casefold())
    anonymous = session.exec(select(AuditEvent.id).where(
        AuditEvent.company_id == company_id, col(AuditEvent.actor_user_id).is_(None),
        col(AuditEvent.actor_email).is_(None)).limit(1)).first()
    return choices + ([PersonChoice(SYSTEM, gettext("auditlog.system", ctx.locale))] if anonymous else [])


@lru_cache(maxsize=4096)
def _day_label(day: date, locale: str) -> str:
    # Babel's formatting is most of an export's time, and a log holds many events a day.
    return format_date(day, locale, "medium")


def _when(instant: datetime, locale: str, zone: str) -> str:
    local = instant.astimezone(ZoneInfo(zone))
    return f"{_day_label(local.date(), locale)}, {local:%H:%M:%S}"


def _what(action: str, locale: str) -> str:
    try:
        return gettext(f"audit.{action}", locale)
    except KeyError:  # an action of an older version, no longer listed
        return action


def _category(action: str, locale: str) -> str:
    try:
        return gettext(f"auditlog.category.{category_of(action).value}", locale)
    except KeyError:
        return ""


def _rows(session: Session, company_id: int, found: Sequence[Any], locale: str, zone: str) -> list[EventRow]:
    documents = _Documents(session, company_id, locale).labels(row.subject for row in found)
    rows = []
    for row in found:
        address = row.email or row.actor_email or ""  # the account's address, else what the event noted
        name = row.full_name or ""
        rows.append(EventRow(
            key=str(row.id), when=_when(row.occurred_at, locale, zone),
            who=name or address or gettext("auditlog.system", locale), who_email=address if name else "",
            what=_what(row.action, locale), category=_category(row.action, locale),
            document=documents.get(row.subject or "", ""), ip=row.ip or "", outcome=row.outcome,
            outcome_label=gettext(f"auditlog.outcome.{row.outcome}", locale),
            outcome_tone=_OUTCOME_TONES.get(row.outcome, "info")))
    return rows


def _chunks(values: Iterable[Any], size: int = _LOOKUP_CHUNK) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Documents:
    """What the subjects of events name ("invoice:F2026-00001" -> "Facture F2026-00001"), looked
    up in batches and only among the company's own records; a subject of an unknown shape is
    shown as written."""

    def __init__(self, session: Session, company_id: int, locale: str) -> None:
        self.session, self.company_id, self.locale = session, company_id, locale

    def _t(self, key: str, **values: str) -> str:
        return gettext(key, self.locale, **values)

    def labels(self, subjects: Iterable[str | None]) -> dict[str, str]:
        """Each subject's label, by subject."""
        parsed = {subject: subject.partition(":")[::2] for subject in set(subjects) if subject}
        by_kind: dict[str, set[str]] = defaultdict(set)
        for kind, ref in parsed.values():
            by_kind[kind].add(ref)
        named = {kind: self._name(kind, refs) for kind, refs in by_kind.items()}
        return {subject: named[kind].get(ref) or self._fallback(subject, kind, ref)
                for subject, (kind, ref) in parsed.items()}

    def _fallback(self, subject: str, kind: str, ref: str) -> str:
        """A subject's label without its record (another shape, or a record gone)."""
        if ref and kind in _WITH_REF:
            return self._t(_WITH_REF[kind], ref=ref)
        if ref and kind in ("invoice", "credit_note"):
            return f"{self._t(f'kind.{kind}')} {ref}"
        if kind in _WITHOUT_REF:
            return self._t(_WITHOUT_REF[kind])
        return subject

    def _name(self, kind: str, refs: set[str]) -> dict[str, str]:
        ids = {int(ref) for ref in refs if ref.isascii() and ref.isdigit() and len(ref) <= 18}
        numbers = sorted(ref for ref in refs if ref and not ref.isdigit())
        if kind in ("invoice", "credit_note"):
            return self._invoices(ids, numbers)
        if kind == "order":
            return self._orders(ids, numbers)
        lookups = {"payment_method": self._methods, "seat": self._seats, "activation_request": self._requests,
                   "user": self._people, "invitation": self._invitations}
        return lookups[kind](ids) if kind in lookups and ids else {}

    def _invoices(self, ids: set[int], numbers: list[str]) -> dict[str, str]:
        named = {}
        for column, values in ((Invoice.id, sorted(ids)), (Invoice.number, numbers)):
            for batch in _chunks(values):
                for invoice in self.session.exec(select(Invoice).where(Invoice.company_id == self.company_id,
                                                                       col(column).in_(batch))):
                    label = f"{self._t(f'kind.{invoice.kind}')} {invoice.number}"
                    named[str(invoice.id) if column is Invoice.id else invoice.number] = label
        return named

    def _orders(self, ids: set[int], numbers: list[str]) -> dict[str, str]:
        named = {}
        for column, values in ((SalesOrder.id, sorted(ids)), (SalesOrder.number, numbers)):
            for batch in _chunks(values):
                for order_id, number in self.session.exec(select(SalesOrder.id, SalesOrder.number).where(
                        SalesOrder.company_id == self.company_id, col(column).in_(batch))):
                    named[str(order_id) if column is SalesOrder.id else number] = self._t("auditlog.subject.order",
                                                                                          ref=number)
        return named

    def _methods(self, ids: set[int]) -> dict[str, str]:
        return {str(method.id): method_label(method, self.locale) for batch in _chunks(sorted(ids))
                for method in self.session.exec(select(PaymentMethod).where(
                    PaymentMethod.company_id == self.company_id, col(PaymentMethod.id).in_(batch)))}

    def _seats(self, ids: set[int]) -> dict[str, str]:
        name = Product.name_en if self.locale == "en" else Product.name_fr
        return {str(seat_id): self._t("auditlog.subject.seat", product=product, email=email)
                for batch in _chunks(sorted(ids))
                for seat_id, email, product in self.session.exec(
                    select(Seat.id, Seat.email, name).join(Product, Product.id == Seat.product_id)
                    .where(Seat.company_id == self.company_id, col(Seat.id).in_(batch)))}

    def _requests(self, ids: set[int]) -> dict[str, str]:
        return {str(request_id): self._t("auditlog.subject.request", email=email)
                for batch in _chunks(sorted(ids))
                for request_id, email in self.session.exec(
                    select(ActivationRequest.id, ActivationRequest.business_email)
                    .where(ActivationRequest.company_id == self.company_id, col(ActivationRequest.id).in_(batch)))}

    def _invitations(self, ids: set[int]) -> dict[str, str]:
        return {str(invitation_id): self._t("auditlog.subject.invitation", email=email)
                for batch in _chunks(sorted(ids))
                for invitation_id, email in self.session.exec(
                    select(AdminInvitation.id, AdminInvitation.email)
                    .where(AdminInvitation.company_id == self.company_id, col(AdminInvitation.id).in_(batch)))}

    def _people(self, ids: set[int]) -> dict[str, str]:
        # Only people of this company: members, or anyone who acted in it (a member since removed).
        named = {}
        for batch in _chunks(sorted(ids)):
            member = select(Membership.user_id).where(Membership.company_id == self.company_id,
                                                      col(Membership.user_id).in_(batch))
            actor = select(AuditEvent.actor_user_id).where(AuditEvent.company_id == self.company_id,
                                                           col(AuditEvent.actor_user_id).in_(batch))
            known = select(UserAccount.id, UserAccount.full_name, UserAccount.email).where(
                sa.or_(col(UserAccount.id).in_(member), col(UserAccount.id).in_(actor)))
            named.update({str(user_id): f"{name} ({email})" for user_id, name, email in self.session.exec(known)})
        return named


def _safe(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def export_events(session: Session, ctx: RequestContext, *, filters: AuditFilters, zone: str,
                  cap: int = EXPORT_CAP) -> ExportFile:
    """Every event matching ``filters`` (not only a page), newest first, as CSV in the viewer's
    language: UTF-8 with a BOM so that a spreadsheet reads the accents, separated by semicolons
    in French (what a French spreadsheet expects) and commas in English, times in ``zone``.
    At most ``cap`` rows: the newest, and ``capped`` says more matched.

    Raises:
        NotAllowed: ``forbidden`` without ``VIEW_AUDIT_LOG``.
    """
    company_id, locale = _require(ctx), ctx.locale
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if locale == "fr" else ",", lineterminator="\r\n")
    writer.writerow([gettext("auditlog.csv.when", locale, zone=zone)] +
                    [gettext(f"auditlog.csv.{name}", locale)
                     for name in ("person", "email", "category", "action", "document", "ip", "outcome")])
    result = session.exec(_events(company_id, filters, zone).limit(cap + 1).execution_options(yield_per=1000))
    count, capped, system = 0, False, gettext("auditlog.system", locale)
    for batch in _chunks(result, 1000):
        if count + len(batch) > cap:
            batch, capped = batch[:cap - count], True
        for event, row in zip(batch, _rows(session, company_id, batch, locale, zone), strict=True):
            address = event.email or event.actor_email or ""
            local = event.occurred_at.astimezone(ZoneInfo(zone))
            writer.writerow([_safe(cell) for cell in (
                f"{local:%Y-%m-%d %H:%M:%S}", event.full_name or ("" if address else system), address, row.category,
                row.what, row.document, row.ip, row.outcome_label)])
        count += len(batch)
    today = ctx.now.astimezone(ZoneInfo(zone)).date().isoformat()
    filename = f"{gettext('auditlog.csv.filename', locale)}-{today}.csv"
    note = gettext("auditlog.export_capped", locale, count=format_decimal(cap, locale=_NUMBERS.get(locale, locale)))
    return ExportFile(filename, ("\ufeff" + out.getvalue()).encode("utf-8"), count, capped, note if capped else "")


def record_export(session: Session, ctx: RequestContext, *, rows: int, capped: bool, filtered: bool) -> None:
    """Put on record that the caller took a copy of the log (how many events, whether narrowed).

    Raises:
        NotAllowed: ``forbidden`` without ``VIEW_AUDIT_LOG``.
    """
    company_id = _require(ctx)
    record_event(session, action=AuditAction.AUDIT_LOG_EXPORTED, outcome="success", actor_user_id=ctx.user.user_id,
                 actor_email=ctx.user.email, company_id=company_id, ip=ctx.ip, subject="audit_log",
                 detail={"rows": rows, "capped": capped, "filtered": filtered}, now=ctx.now)
