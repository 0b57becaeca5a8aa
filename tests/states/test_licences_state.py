"""The Licences page's handlers: one page of holders in the state, and another company's seats
or licences out of reach of every handler."""

from __future__ import annotations

from sqlmodel import select

from lcadmin.db import read_scope
from lcadmin.models import OutboxMessage, SalesOrder, Seat
from lcadmin.states.licences import AssignState, BulkState, LicencesState, PurchaseState
from tests.states.test_flow_states import _signed_in_cookie


def _flexis_seat(email: str = "cmartin@flexis.com") -> str:
    with read_scope() as session:
        return str(session.exec(select(Seat.id).where(Seat.email == email)).first())


def _snapshot():
    with read_scope() as session:
        return (sorted((s.id, s.status, s.email) for s in session.exec(select(Seat))),
                len(session.exec(select(OutboxMessage)).all()), len(session.exec(select(SalesOrder)).all()))


def test_the_page_holds_one_page_of_holders_and_its_pools(app_db, browser):
    tab = browser(cookie=_signed_in_cookie("hbernard@flexis.com"))
    page = tab.state(LicencesState)
    tab.call(page.load)
    assert [(p["key"], p["purchased"], p["assigned"], p["available"]) for p in page.pools] == [
        ("CTR-FLX-2026:LRN", 5, 3, 2), ("CTR-FLX-2026:SNA", 12, 9, 3)]
    assert page.total == 12 and len(page.holders) == 12 and page.can_manage and page.company_locale == "fr"
    tab.call(page.set_status, "never")
    assert {row["email"] for row in page.holders} == {"khaddad@flexis.com", "nbenali@flexis.com",
                                                      "jdupuis@flexis.com"}
    tab.call(page.set_search, "lf")
    assert [row["email"] for row in page.holders] == []  # never active and starting with "lf": none
    tab.call(page.set_status, "all")
    assert [row["email"] for row in page.holders] == ["lfontaine@flexis.com"]


def test_acme_reaches_none_of_flexiss_seats_or_licences(app_db, browser):
    before = _snapshot()
    tab = browser(cookie=_signed_in_cookie("pdurand@acme-logistique.fr"))
    page = tab.state(LicencesState)
    tab.call(page.load)
    assert [p["key"] for p in page.pools] == ["CTR-ACM-2026:REC"] and page.total == 25
    seat = _flexis_seat()
    for handler in (page.resend, page.revoke):
        tab.call(handler, seat)
        assert "n’existe pas" in page.error
    tab.call(page.ask_unassign, seat)  # not one of its rows: nothing opens
    assert page.confirming == ""
    page.confirming = seat  # as if a forged dialog had opened
    tab.call(page.unassign)
    page.reassigning = seat
    tab.call(page.reassign, {"email": "thief@acme-logistique.fr"})
    assign = tab.state(AssignState)
    assign.pool = "CTR-FLX-2026:SNA"
    tab.call(assign.submit, {"emails": "thief@acme-logistique.fr"})
    assert "n’existe pas" in assign.error
    purchase = tab.state(PurchaseState)
    purchase.pool = "CTR-FLX-2026:SNA"
    tab.call(purchase.submit)
    assert "n’existe pas" in purchase.error
    bulk = tab.state(BulkState)
    bulk.pool, bulk._data = "CTR-FLX-2026:SNA", b"thief@acme-logistique.fr\n"
    tab.call(bulk.apply)
    assert "n’existe pas" in bulk.error
    assert _snapshot() == before  # nothing of Flexis's changed, nothing was sent, no order made
