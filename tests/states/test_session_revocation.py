"""A revocation takes effect on the very next event of a tab that is already open and loaded: the
company, the role and the session are read afresh on every call, never remembered by the tab."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from lcadmin.db import session_scope
from lcadmin.domain.permissions import Role
from lcadmin.i18n import gettext
from lcadmin.models import Company, Contract, Membership, MembershipContract, UserAccount, UserSession, utcnow
from lcadmin.services import sessions
from lcadmin.services.tokens import digest
from lcadmin.states.invoices import InvoicesState
from tests.states.test_flow_states import _signed_in_cookie

HUGO = "hbernard@flexis.com"
FORBIDDEN = gettext("error.forbidden", "fr")


@pytest.fixture
def open_tab(app_db, browser):
    """Hugo's invoices page, loaded, and the session id of its cookie."""
    cookie = _signed_in_cookie(HUGO)
    tab = browser(cookie=cookie, path="/admin/invoices")
    page = tab.state(InvoicesState)
    tab.call(page.load)
    assert [row["number"] for row in page.rows] == ["F2026-00005", "F2026-00001"]
    return tab, page, cookie.split("lcadmin_session=")[1]


def _hugos_membership(session) -> Membership:
    return session.exec(select(Membership).join(UserAccount, UserAccount.id == Membership.user_id)
                        .join(Company, Company.id == Membership.company_id)
                        .where(UserAccount.email == HUGO, Company.name == "Flexis")).one()


def _refused(page, event) -> None:
    assert page.rows == [] and page.total == 0, "nothing of the company stays on the page"
    assert event is None and page.error == FORBIDDEN


def test_a_removed_membership_holds_nothing_from_the_next_event(open_tab):
    tab, page, _ = open_tab
    with session_scope() as session:
        session.delete(_hugos_membership(session))
    _refused(page, tab.call(page.set_status, "paid"))


def test_a_role_without_billing_holds_nothing_from_the_next_event(open_tab):
    tab, page, _ = open_tab
    with session_scope() as session:
        _hugos_membership(session).role = Role.LICENCE_ADMIN.value
    _refused(page, tab.call(page.set_status, "paid"))


def test_an_access_that_ended_holds_nothing_from_the_next_event(open_tab):
    tab, page, _ = open_tab
    with session_scope() as session:
        _hugos_membership(session).access_until = utcnow() - timedelta(seconds=1)
    _refused(page, tab.call(page.set_status, "paid"))


def test_a_narrowed_scope_applies_from_the_next_event(open_tab):
    tab, page, _ = open_tab
    with session_scope() as session:
        membership = _hugos_membership(session)
        membership.all_contracts = False
        support = session.exec(select(Contract.id).where(Contract.number == "CTR-FLX-SUPPORT")).one()
        session.add(MembershipContract(membership_id=membership.id, contract_id=support))
    assert tab.call(page.set_status, "all") is None
    assert page.rows == [] and page.error == ""  # no invoice of that contract yet


@pytest.mark.parametrize("revoke", ["end_session", "deactivate"])
def test_an_ended_session_or_a_deactivated_account_is_signed_out_at_the_next_event(open_tab, revoke):
    tab, page, raw_id = open_tab
    with session_scope() as session:
        if revoke == "end_session":  # signed out elsewhere ("Fermer les autres sessions")
            assert sessions.end_session(session, raw_id, utcnow())
        else:
            session.exec(sa.update(UserAccount).where(UserAccount.email == HUGO).values(is_active=False))
    event = str(tab.call(page.set_status, "paid"))
    assert "_redirect" in event and "/sign-in" in event
    assert page.rows == [] and page.status == "all", "the tab was cleared before leaving"


def test_two_step_verification_required_sends_to_enrol_at_the_next_event(open_tab):
    tab, page, _ = open_tab
    with session_scope() as session:
        session.exec(sa.update(Company).where(Company.name == "Flexis").values(require_two_factor=True))
    event = str(tab.call(page.set_status, "paid"))
    assert "_redirect" in event and "/admin/security" in event
    assert page.rows == []


def test_the_activity_of_a_session_in_use_is_recorded_at_most_once_a_minute(open_tab):
    tab, page, raw_id = open_tab

    def seen() -> object:
        with session_scope() as session:
            return session.exec(select(UserSession.last_seen_at)
                                .where(UserSession.id_hash == digest(raw_id))).one()

    first = seen()
    tab.call(page.set_status, "paid")
    assert seen() == first  # just signed in: nothing to write
    earlier = utcnow() - sessions.TOUCH_EVERY - timedelta(seconds=5)
    with session_scope() as session:
        session.exec(sa.update(UserSession).where(UserSession.id_hash == digest(raw_id))
                     .values(last_seen_at=earlier))
    tab.call(page.set_status, "open")
    assert seen() > earlier and page.rows
