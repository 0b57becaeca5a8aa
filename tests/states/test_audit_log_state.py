"""The activity log's handlers, as the browser calls them: filters, the time zone, the pages
(whose cursors never leave the server), the export, and who may open it."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from lcadmin.db import session_scope
from lcadmin.domain.audit import AuditAction
from lcadmin.models import AuditEvent, Company, UserAccount, utcnow
from lcadmin.services.audit import record_event
from lcadmin.states.audit_log import AuditLogState, read_period
from tests.states.test_flow_states import _signed_in_cookie


def _csv_of(event) -> str:
    match = re.search(r"data:text/csv;base64,([A-Za-z0-9+/=]+)", str(event))
    assert match, str(event)[:300]
    return base64.b64decode(match.group(1)).decode("utf-8")


def _add_events(engine, count: int, *, email: str = "hbernard@flexis.com") -> None:
    """``count`` invoice events of Flexis by Hugo, a second apart, older than anything else."""
    with session_scope(engine) as session:
        flexis = session.exec(select(Company).where(Company.name == "Flexis")).one()
        hugo = session.exec(select(UserAccount).where(UserAccount.email == email)).one()
        start = utcnow() - timedelta(days=30)
        for n in range(count):
            record_event(session, action=AuditAction.INVOICE_PAID, outcome="success", actor_user_id=hugo.id,
                         company_id=flexis.id, subject=f"invoice:T{n:04d}", ip="198.51.100.1",
                         now=start - timedelta(seconds=n))


@pytest.fixture
def hugo(app_db, browser):
    tab = browser(cookie=_signed_in_cookie("hbernard@flexis.com"))
    state = tab.state(AuditLogState)
    return tab, state


def test_the_page_loads_the_newest_events_then_asks_for_the_browsers_time_zone(hugo):
    tab, state = hugo
    answer = str(tab.call(state.load))
    assert "resolvedOptions().timeZone" in answer  # the browser is asked, and answers set_zone
    assert state.loaded and state.rows and state.zone == "Europe/Paris" and state.page == 1
    assert state.rows[0]["what"] == "Session ouverte" and state.rows[0]["who"] == "Hugo Bernard"
    assert {"value": "hbernard@flexis.com", "label": "Hugo Bernard (hbernard@flexis.com)"} in state.people
    assert not state.has_older


@pytest.mark.parametrize("reported, kept", [("America/New_York", "America/New_York"), ("UTC", "UTC"),
                                            ("Mars/Olympus_Mons", "Europe/Paris"), ("../../etc/passwd", "Europe/Paris"),
                                            (42, "Europe/Paris"), ("Europe/Paris\x00", "Europe/Paris")])
def test_only_a_known_time_zone_is_kept(hugo, reported, kept):
    tab, state = hugo
    tab.call(state.load)
    before = state.rows[0]["when"]
    tab.call(state.set_zone, reported)
    assert state.zone == kept
    if kept == "America/New_York":
        assert state.rows[0]["when"] != before  # the times are shown again in that zone


def test_invalid_and_reversed_dates_are_said_next_to_their_field_and_left_out(hugo):
    tab, state = hugo
    tab.call(state.load)
    count = len(state.rows)
    tab.call(state.set_date_from, "2026-13-45")
    assert state.date_from_error == "Saisissez une date valide, par exemple 26/11/2026." and len(state.rows) == count
    tab.call(state.set_date_from, "2099-01-01")
    assert state.date_from_error == "" and state.rows == [] and state.filtered
    tab.call(state.set_date_to, "2026-01-01")  # before the start: left out, said so
    assert state.date_to_error.startswith("Cette date précède la date de début") and state.rows == []
    tab.call(state.set_date_from, "")
    assert state.date_to_error == "" and state.rows == []  # up to 1 January 2026: nothing yet
    tab.call(state.clear_filters)
    assert (state.date_from, state.date_to, len(state.rows)) == ("", "", count)


def test_reading_the_period():
    assert read_period("26/11/2026", "2026-11-30").day_from.isoformat() == "2026-11-26"
    assert read_period("2026-02-30", "").problems == {"date_from": "auditlog.date_invalid"}
    assert read_period("0001-01-01", "١٢/١١/٢٠٢٦").problems == {"date_from": "auditlog.date_invalid",
                                                              "date_to": "auditlog.date_invalid"}
    period = read_period("2026-11-30", "2026-11-01")
    assert (period.day_from.isoformat(), period.day_to, period.problems) == ("2026-11-30", None,
                                                                             {"date_to": "auditlog.date_reversed"})


def test_filters_take_only_the_choices_offered(hugo):
    tab, state = hugo
    tab.call(state.load)
    tab.call(state.set_category, "billing")
    assert state.category == "billing" and state.rows and {r["category"] for r in state.rows} == {"Facturation"}
    tab.call(state.set_category, "'; DROP TABLE audit_event; --")
    assert state.category == "all"
    tab.call(state.set_person, "pdurand@acme-logistique.fr")  # not among this log's people
    assert state.person == "all"
    tab.call(state.set_person, "hbernard@flexis.com")
    assert state.person == "hbernard@flexis.com" and {r["who"] for r in state.rows} == {"Hugo Bernard"}
    tab.call(state.set_search, "%")
    assert state.rows == []
    tab.call(state.set_search, "bad\x00text")  # refused: said so, the search kept
    assert state.search == "%" and state.error


def test_pages_move_by_cursors_the_browser_never_holds(app_db, hugo):
    _add_events(app_db, 120)
    tab, state = hugo
    tab.call(state.load)
    sent = str(state.dict())  # what the browser receives of this state
    assert "_starts" not in AuditLogState.base_vars and "_older" not in AuditLogState.base_vars
    assert "_starts" not in sent and "|" not in sent  # no cursor ("<instant>|<id>") reaches it
    first = [row["key"] for row in state.rows]
    assert len(first) == 50 and state.has_older
    tab.call(state.older)
    second = [row["key"] for row in state.rows]
    assert state.page == 2 and len(second) == 50 and not set(first) & set(second)
    tab.call(state.older)
    third = [row["key"] for row in state.rows]
    assert state.page == 3 and not state.has_older and not set(third) & (set(first) | set(second))
    tab.call(state.older)  # nothing older: stays
    assert state.page == 3
    tab.call(state.newer)
    assert state.page == 2 and [row["key"] for row in state.rows] == second
    tab.call(state.first_page)
    assert state.page == 1 and [row["key"] for row in state.rows] == first
    tab.call(state.newer)  # already the newest
    assert state.page == 1
    with session_scope(app_db) as session:
        total = len(session.exec(select(AuditEvent).where(AuditEvent.company_id == 1)).all())
    assert len(first) + len(second) + len(third) == total


def test_the_export_is_every_filtered_event_and_goes_on_record(app_db, hugo):
    _add_events(app_db, 70)
    tab, state = hugo
    tab.call(state.load)
    tab.call(state.set_category, "billing")
    text = _csv_of(tab.call(state.export))
    lines = text.splitlines()
    assert text.startswith("\ufeffDate et heure (Europe/Paris);Personne;E-mail;Catégorie;Action;")
    assert len(lines) - 1 > 50  # the whole filtered log, not the page
    assert all(";Facturation;" in line for line in lines[1:])
    assert not state.exporting and state.notice == ""
    with session_scope(app_db) as session:
        exported = session.exec(select(AuditEvent).where(AuditEvent.action == "audit_log.exported")).one()
    assert exported.detail == {"rows": len(lines) - 1, "capped": False, "filtered": True}


@pytest.mark.parametrize("email", ["claire.garnier@cabinet-garnier.fr"])  # a billing reader at Flexis
def test_a_role_without_the_log_gets_nothing(app_db, browser, email):
    tab = browser(cookie=_signed_in_cookie(email))
    state = tab.state(AuditLogState)
    tab.call(state.load)
    assert state.rows == [] and state.people == [] and state.error.startswith("Votre compte n")
    assert tab.call(state.export) is None
    with session_scope(app_db) as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "audit_log.exported")).first() is None


def test_signed_out_callers_are_sent_to_sign_in(app_db, browser):
    tab = browser(cookie="lcadmin_session=stolen-or-expired")
    state = tab.state(AuditLogState)
    assert "/sign-in" in str(tab.call(state.load))
    answer = str(tab.call(state.export))
    assert "/sign-in" in answer and "text/csv" not in answer and state.rows == []
