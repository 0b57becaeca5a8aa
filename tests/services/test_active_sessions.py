"""The account's own sessions ("Sessions actives"): listed with their browser and system, the
current one marked, the others ended all at once or one by one, and never another account's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from lcadmin.db import read_scope, session_scope
from lcadmin.domain.audit import AuditAction
from lcadmin.domain.user_agents import browser_of, system_of
from lcadmin.models import AuditEvent, UserSession
from lcadmin.services import account_sessions, sessions
from lcadmin.services.errors import NotFound
from lcadmin.settings import load_settings
from tests import factories
from tests.factories import NOW, context

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Version/18.1 Mobile/15E148 Safari/604.1")
EDGE_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
                "Safari/537.36 Edg/131.0.0.0")
CHROME_LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"


def _signed_in(engine, settings, user_id, user_agent, *, now=NOW, ip="203.0.113.7") -> str:
    with session_scope(engine) as session:
        code = sessions.create_handoff(session, user_id=user_id, company_id=None, return_to="/", ip=ip, now=now)
    with session_scope(engine) as session:
        raw_id, _ = sessions.redeem_handoff(session, code=code, binding=sessions.handoff_binding(code, settings.secret_key),
                                            previous_session=None, ip=ip, user_agent=user_agent, settings=settings,
                                            now=now)
    return raw_id


@pytest.fixture
def two_accounts(engine):
    settings = load_settings({})
    with session_scope(engine) as session:
        anne = factories.account(session, email="anne@perso.example", full_name="Anne Leroy")
        paul = factories.account(session, email="paul@perso.example", full_name="Paul Martin")
        ids = anne.id, paul.id
        principals = factories.principal(anne, None, None), factories.principal(paul, None, None)
    anne_sessions = [_signed_in(engine, settings, ids[0], ua, now=NOW + timedelta(minutes=n))
                     for n, ua in enumerate((FIREFOX_WINDOWS, SAFARI_IPHONE, CHROME_LINUX))]
    paul_session = _signed_in(engine, settings, ids[1], EDGE_WINDOWS)
    return {"settings": settings, "anne": principals[0], "paul": principals[1], "anne_sessions": anne_sessions,
            "paul_session": paul_session}


def _live(engine, settings, raw_id, now=NOW + timedelta(minutes=5)) -> bool:
    with read_scope(engine) as session:
        return sessions.session_is_live(session, raw_id, settings=settings, now=now)


def test_user_agents_name_browser_and_system_simply():
    assert (browser_of(FIREFOX_WINDOWS), system_of(FIREFOX_WINDOWS)) == ("Firefox", "Windows")
    assert (browser_of(SAFARI_IPHONE), system_of(SAFARI_IPHONE)) == ("Safari", "iOS")
    assert (browser_of(EDGE_WINDOWS), system_of(EDGE_WINDOWS)) == ("Edge", "Windows")
    assert (browser_of(CHROME_LINUX), system_of(CHROME_LINUX)) == ("Chrome", "Linux")
    assert (browser_of(None), system_of("")) == ("", "")


def test_the_sessions_are_listed_with_the_current_one_first_and_marked(engine, two_accounts):
    settings, current = two_accounts["settings"], two_accounts["anne_sessions"][0]
    with read_scope(engine) as session:
        rows = account_sessions.list_sessions(session, context(principal=two_accounts["anne"],
                                                               now=NOW + timedelta(minutes=5)),
                                              raw_id=current, settings=settings)
    assert [(row.browser, row.system, row.current) for row in rows] == [
        ("Firefox", "Windows", True), ("Chrome", "Linux", False), ("Safari", "iOS", False)]
    assert rows[0].ip == "203.0.113.7" and rows[0].started == "26 nov. 2026, 10:00"
    assert rows[1].last_active == "26 nov. 2026, 10:02"


def test_signing_out_everywhere_else_ends_the_others_only_and_never_another_accounts(engine, two_accounts):
    settings, (current, *others) = two_accounts["settings"], two_accounts["anne_sessions"]
    ctx = context(principal=two_accounts["anne"], now=NOW + timedelta(minutes=5))
    with session_scope(engine) as session:
        assert account_sessions.end_other_sessions(session, ctx, raw_id=current, settings=settings) == 2
    assert _live(engine, settings, current)
    assert not any(_live(engine, settings, raw_id) for raw_id in others)
    assert _live(engine, settings, two_accounts["paul_session"])
    with read_scope(engine) as session:
        event = session.exec(select(AuditEvent).where(
            AuditEvent.action == AuditAction.SESSION_ENDED_OTHERS.value)).one()
    assert (event.detail, event.outcome) == ({"count": 2}, "success")


def _row_id(engine, raw_id) -> int:
    with read_scope(engine) as session:
        return session.exec(select(UserSession.id).where(UserSession.id_hash == sessions.digest(raw_id))).one()


def test_one_other_session_is_ended_by_its_row_and_another_accounts_row_does_nothing(engine, two_accounts):
    settings, (current, phone, laptop) = two_accounts["settings"], two_accounts["anne_sessions"]
    ctx = context(principal=two_accounts["anne"], now=NOW + timedelta(minutes=5))
    with session_scope(engine) as session:
        account_sessions.end_one_session(session, ctx, raw_id=current, key=str(_row_id(engine, phone)),
                                         settings=settings)
    assert not _live(engine, settings, phone) and _live(engine, settings, laptop) and _live(engine, settings, current)
    for key in (str(_row_id(engine, two_accounts["paul_session"])), str(_row_id(engine, current)),
                str(_row_id(engine, phone)), "", "1 OR 1=1", None, "١", "9" * 40):
        with pytest.raises(NotFound), session_scope(engine) as session:
            account_sessions.end_one_session(session, ctx, raw_id=current, key=key, settings=settings)
    assert _live(engine, settings, two_accounts["paul_session"]) and _live(engine, settings, current)
