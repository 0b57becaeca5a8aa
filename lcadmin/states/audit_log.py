"""The "Journal d'activité" page: the company's audit events one page at a time, its filters, and
the CSV export of every event they select.

The state holds one page of rows. Where that page starts lives in backend-only vars (the cursors
the service made), so the browser can only ask for the next older page, the newer one, or the
newest: never name a position of its own. Times are shown in the browser's time zone, which the
page reports once loaded and which is kept only if this machine knows it (otherwise the vendor's
business zone). Every call resolves the company and the right to read its log from the session
cookie (``Permission.VIEW_AUDIT_LOG``: full admins only)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cache
from zoneinfo import available_timezones

import reflex as rx
from sqlmodel import Session

from lcadmin.domain.audit import AuditCategory
from lcadmin.domain.permissions import Permission
from lcadmin.i18n import gettext
from lcadmin.services import audit_log
from lcadmin.services.context import RequestContext
from lcadmin.settings import get_settings
from lcadmin.states.base import active_locale, clip, loads_list, one_of, shows_busy, text_arg, typed_text
from lcadmin.states.service import run

ALL = "all"
CATEGORIES = tuple(category.value for category in AuditCategory)
# What the browser runs once the page is loaded; its answer comes back to ``set_zone``.
_ZONE_SCRIPT = "Intl.DateTimeFormat().resolvedOptions().timeZone"
_MAX_DEPTH = 10_000  # pages one may walk back through (each keeps its cursor)
TABLE_ID = "audit-events"  # where a new page brings the reader back to (its first row)


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def viewer_zone(name: object) -> str:
    """The IANA zone the browser reported, if this machine knows it; else the vendor's business
    zone (``LCADMIN_TIMEZONE``, Europe/Paris by default)."""
    return name if isinstance(name, str) and name in _zones() else get_settings().vendor.timezone


_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_FRENCH_DAY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


def _day(text: str) -> date:
    """``2026-11-26`` (what a date field sends) or ``26/11/2026`` (typed where the browser has no
    date picker).

    Raises:
        ValueError: Anything else, or a day that does not exist.
    """
    if match := _ISO_DAY.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _FRENCH_DAY.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise ValueError(text)
    if not 1970 <= year <= 2999:  # a typo; and the day after the last must still exist
        raise ValueError(text)
    return date(year, month, day)


@dataclass(frozen=True)
class Period:
    """The period's two fields as read: their days, and a message key per field left out."""

    day_from: date | None = None
    day_to: date | None = None
    problems: dict[str, str] = field(default_factory=dict)  # "date_from" / "date_to" -> message key


def read_period(date_from: str, date_to: str) -> Period:
    """The two fields of the period (either may be empty). A day that cannot be read, or an end
    before the start, is left out of the filter, and its field says why."""
    days: dict[str, date | None] = {}
    problems: dict[str, str] = {}
    for name, text in (("date_from", date_from.strip()), ("date_to", date_to.strip())):
        try:
            days[name] = _day(text) if text else None
        except ValueError:
            days[name], problems[name] = None, "auditlog.date_invalid"
    start, end = days["date_from"], days["date_to"]
    if start and end and end < start:
        end, problems["date_to"] = None, "auditlog.date_reversed"
    return Period(start, end, problems)


class AuditLogState(rx.State):
    """One page of the company's activity log and its filters."""

    rows: list[dict[str, str]] = []
    people: list[dict[str, str]] = []  # the person filter's choices: {"value", "label"}
    person: str = ALL  # an address from ``people``, audit_log.SYSTEM, or ALL
    category: str = ALL
    date_from: str = ""  # as typed (ISO from a date field)
    date_to: str = ""
    date_from_error: str = ""
    date_to_error: str = ""
    search: str = ""
    zone: str = ""  # the IANA zone times are shown in
    error: str = ""
    notice: str = ""  # after an export: whether it was cut
    loaded: bool = False  # the rows are there (skeleton rows until then)
    exporting: bool = False
    page: int = 1  # 1 for the newest events
    has_older: bool = False
    _starts: list[str] = []  # the cursor each page after the first starts from, in the order walked
    _older: str = ""  # where the next older page starts

    @rx.var
    def filtered(self) -> bool:
        """Whether a filter or the search narrows the log (the empty message differs)."""
        return (self.person != ALL or self.category != ALL or self.date_from != "" or self.date_to != ""
                or self.search.strip() != "")

    def _criteria(self) -> tuple[dict, dict[str, str]]:
        """The filters as the service takes them, and the period's problems by field."""
        period = read_period(self.date_from, self.date_to)
        criteria = {"person": "" if self.person == ALL else self.person,
                    "category": "" if self.category == ALL else self.category,
                    "day_from": period.day_from, "day_to": period.day_to, "search": self.search}
        return criteria, period.problems

    async def _refresh(self, *, with_people: bool = False, restart: bool = False):
        """The page the current cursor names (the newest after ``restart``), for the filters."""
        if restart:
            self._starts = []
        self.error, self.zone = "", self.zone or get_settings().vendor.timezone
        (criteria, problems), zone = self._criteria(), self.zone
        after = self._starts[-1] if self._starts else ""
        locale = await active_locale(self)
        self.date_from_error, self.date_to_error = (
            gettext(problems[name], locale) if name in problems else "" for name in ("date_from", "date_to"))

        def work(session: Session, ctx: RequestContext):
            choices = audit_log.people(session, ctx) if with_people else None
            filters = audit_log.AuditFilters(**criteria)
            return choices, audit_log.list_events(session, ctx, filters=filters, zone=zone, after=after)

        done = await run(self, work, permission=Permission.VIEW_AUDIT_LOG)
        if not done.ok:
            self.rows, self.people, self._older, self.has_older = [], [], "", False
            return done.event
        choices, page = done.value
        if choices is not None:
            self.people = [asdict(choice) for choice in choices]
        self.rows = [asdict(row) for row in page.rows]
        self._older, self.has_older, self.page = page.older, page.older != "", len(self._starts) + 1
        return None

    @rx.event
    @loads_list
    async def load(self):
        """/admin/activity loaded: filters reset, the newest events; then the browser is asked
        for its time zone."""
        self.person = self.category = ALL
        self.date_from = self.date_to = self.search = self.notice = ""
        event = await self._refresh(with_people=True, restart=True)
        if event is not None or self.error:  # signed out or refused: nothing more to ask
            return event
        return rx.call_script(_ZONE_SCRIPT, callback=AuditLogState.set_zone)

    @rx.event
    async def refresh(self):
        """The same page again, filters kept (in another language)."""
        return await self._refresh(with_people=True)

    @rx.event
    async def set_zone(self, zone: str):
        """The browser's time zone (``Intl``), once the page is loaded: times and the period's days
        are read in it from now on."""
        zone = viewer_zone(clip(zone, 64))
        if zone == self.zone:
            return None
        self.zone = zone
        return await self._refresh(restart=True)

    @rx.event
    async def set_person(self, value: str):
        """Only what one person did (or the app itself)."""
        self.person = one_of(value, [choice["value"] for choice in self.people], ALL)
        return await self._refresh(restart=True)

    @rx.event
    async def set_category(self, value: str):
        """Only billing, licences, admins and access, sign-ins, or activation."""
        self.category = one_of(value, CATEGORIES, ALL)
        return await self._refresh(restart=True)

    @rx.event
    async def set_date_from(self, value: str):
        """The period's first day (its events from midnight in the viewer's zone)."""
        self.date_from = text_arg(value, 10) or ""
        return await self._refresh(restart=True)

    @rx.event
    async def set_date_to(self, value: str):
        """The period's last day, included."""
        self.date_to = text_arg(value, 10) or ""
        return await self._refresh(restart=True)

    @rx.event
    async def set_search(self, value: str):
        """A piece of a document's reference, of an e-mail address or of an IP address."""
        if (text := await typed_text(self, value, audit_log.SEARCH_LIMIT, error="error")) is None:
            return None
        self.search = text
        return await self._refresh(restart=True)

    @rx.event
    async def clear_filters(self):
        """"Effacer les filtres": the whole log again, from the newest."""
        self.person = self.category = ALL
        self.date_from = self.date_to = self.search = ""
        return await self._refresh(restart=True)

    @rx.event
    async def older(self):
        """"Plus anciens": the next page, from where this one ends."""
        if not self._older or len(self._starts) >= _MAX_DEPTH:
            return None
        self._starts = [*self._starts, self._older]
        return await self._turned()

    @rx.event
    async def newer(self):
        """"Plus récents": the page before this one."""
        if not self._starts:
            return None
        self._starts = self._starts[:-1]
        return await self._turned()

    @rx.event
    async def first_page(self):
        """"Retour au début": the newest events."""
        self._starts = []
        return await self._turned()

    async def _turned(self):
        """Another page is shown: from its first row (the pager sits under the last one)."""
        return await self._refresh() or rx.scroll_to(TABLE_ID)

    @rx.event
    @shows_busy("exporting")
    async def export(self):
        """"Exporter (CSV)": every event the filters select, not only this page, as a file in the
        viewer's language; the export itself goes on record."""
        (criteria, _), zone, filtered = self._criteria(), self.zone or get_settings().vendor.timezone, self.filtered
        done = await run(self, lambda session, ctx: audit_log.export_events(
            session, ctx, filters=audit_log.AuditFilters(**criteria), zone=zone), permission=Permission.VIEW_AUDIT_LOG)
        if not done.ok:
            return done.event
        file = done.value
        # Recorded in a write of its own: the file is read without holding the write lock.
        recorded = await run(self, lambda session, ctx: audit_log.record_export(
            session, ctx, rows=file.rows, capped=file.capped, filtered=filtered),
            write=True, permission=Permission.VIEW_AUDIT_LOG)
        if not recorded.ok:
            return recorded.event
        self.notice = file.note
        if self.page == 1:  # the export's own event heads the newest page
            await self._refresh()
        return rx.download(data=file.data, filename=file.filename, mime_type="text/csv")
