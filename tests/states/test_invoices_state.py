"""The invoices page's handlers: filters, downloads, and no way to reach another company's files."""

from __future__ import annotations

from io import BytesIO

import pytest
from facturx import get_facturx_xml_from_pdf
from pypdf import PdfReader

from lcadmin.states.invoices import InvoicesState
from tests.states.test_flow_states import _signed_in_cookie


def _downloaded(event) -> bytes:
    """The bytes of an rx.download event (a data: URL of the PDF)."""
    import base64
    import re

    text = str(event)
    match = re.search(r"data:application/pdf;base64,([A-Za-z0-9+/=]+)", text)
    assert match, text[:300]
    return base64.b64decode(match.group(1))


@pytest.fixture
def flexis(app_db, browser):
    tab = browser(cookie=_signed_in_cookie("hbernard@flexis.com"))
    state = tab.state(InvoicesState)
    tab.call(state.load)
    return tab, state


def test_filters_by_status_contract_year_and_number(flexis):
    tab, state = flexis
    assert [r["number"] for r in state.rows] == ["F2026-00005", "F2026-00001"]
    tab.call(state.set_status, "paid")
    assert [r["number"] for r in state.rows] == ["F2026-00001"]
    assert state.rows[0]["status_label"] == "Payée"
    tab.call(state.set_status, "open")
    assert [r["number"] for r in state.rows] == ["F2026-00005"]
    tab.call(state.set_status, "all")
    tab.call(state.set_search, "00001")
    assert [r["number"] for r in state.rows] == ["F2026-00001"]
    tab.call(state.set_search, "")
    tab.call(state.set_period, "2025")
    assert state.rows == []
    tab.call(state.set_period, "2026-Q1")
    assert [r["number"] for r in state.rows] == ["F2026-00001"]
    tab.call(state.set_period, "2026-Q5; DROP")  # not a period: all of them
    assert state.period == "all" and len(state.rows) == 2
    tab.call(state.set_period, "all")
    tab.call(state.set_contract, "CTR-FLX-2026")
    assert len(state.rows) == 2
    tab.call(state.set_contract, "CTR-ACM-2026")  # another company's contract: nothing
    assert state.rows == []
    assert state.contracts == ["CTR-FLX-2026", "CTR-FLX-SUPPORT"]  # the filter offers every contract
    assert [(p["value"], p["label"]) for p in state.periods] == [("2026", "2026"), ("2026-Q4", "T4 2026"),
                                                                 ("2026-Q1", "T1 2026")]


def test_unknown_status_values_fall_back_to_all(flexis):
    tab, state = flexis
    tab.call(state.set_status, "'; DROP TABLE invoice; --")
    assert state.status == "all" and len(state.rows) == 2


def test_downloads_are_the_invoice_itself(flexis):
    tab, state = flexis
    pdf = _downloaded(tab.call(state.download_pdf, "F2026-00001"))
    assert "F2026-00001" in PdfReader(BytesIO(pdf)).pages[0].extract_text()
    facturx = _downloaded(tab.call(state.download_facturx, "F2026-00001"))
    filename, xml = get_facturx_xml_from_pdf(BytesIO(facturx))
    assert filename == "factur-x.xml" and b"F2026-00001" in xml


@pytest.mark.parametrize("number", ["F2026-00002", "F2026-00003", "F2026-00004", "nope"])
def test_another_companys_invoice_is_not_found_for_every_download(flexis, number):
    tab, state = flexis
    for handler in (state.download_pdf, state.download_facturx):
        assert tab.call(handler, number) is None
        assert state.error == "Document introuvable."


def test_signed_out_callers_get_nothing(app_db, browser):
    tab = browser(cookie="lcadmin_session=stolen-or-expired")
    state = tab.state(InvoicesState)
    assert "/sign-in" in str(tab.call(state.load))
    answer = str(tab.call(state.download_pdf, "F2026-00001"))
    assert "/sign-in" in answer and "data:application/pdf" not in answer and state.rows == []


def test_credit_notes_have_a_filter_of_their_own_and_search_takes_text_literally(app_db, browser):
    tab = browser(cookie=_signed_in_cookie("pdurand@acme-logistique.fr"))
    state = tab.state(InvoicesState)
    tab.call(state.load)
    assert not state.filtered and len(state.rows) == 3
    tab.call(state.set_status, "issued")
    assert [(r["kind_label"], r["status"]) for r in state.rows] == [("Avoir", "issued")]
    assert state.filtered
    tab.call(state.set_status, "all")
    for pattern in ("%", "_", "F2026%00004"):  # LIKE wildcards match nothing but themselves
        tab.call(state.set_search, pattern)
        assert state.rows == [], pattern
    tab.call(state.set_search, "f2026-0000")
    assert len(state.rows) == 3


def test_the_list_says_it_is_loading_until_its_rows_are_there(app_db, browser):
    """Skeleton rows, not "Aucune facture pour le moment", while the list loads."""
    from lcadmin.states.invoices import InvoicesState
    from tests.states.conftest import run_async
    from tests.states.test_flow_states import _signed_in_cookie

    tab = browser(cookie=_signed_in_cookie("hbernard@flexis.com"))
    state = tab.state(InvoicesState)
    assert state.loaded is False  # before the first load: skeleton rows

    async def steps():
        events = state.load()
        await events.__anext__()
        seen = [(state.loaded, len(state.rows))]
        async for _ in events:
            pass
        return [*seen, (state.loaded, len(state.rows))]

    assert run_async(steps()) == [(False, 0), (True, 2)]
    assert run_async(steps())[0][0] is False  # a page load shows the skeleton again


def test_a_header_sorts_the_list_and_a_second_click_turns_it_round(app_db, browser):
    from lcadmin.states.invoices import InvoicesState
    from tests.states.test_flow_states import _signed_in_cookie

    tab = browser(cookie=_signed_in_cookie("hbernard@flexis.com"))
    state = tab.state(InvoicesState)
    tab.call(state.load)
    assert [row["number"] for row in state.rows] == ["F2026-00005", "F2026-00001"]  # newest first
    tab.call(state.sort_by, "total")  # the largest first
    assert [row["number"] for row in state.rows] == ["F2026-00001", "F2026-00005"] and state.descending
    tab.call(state.sort_by, "total")
    assert [row["number"] for row in state.rows] == ["F2026-00005", "F2026-00001"] and not state.descending
    tab.call(state.sort_by, "number")
    assert state.sort == "number" and [row["number"] for row in state.rows] == ["F2026-00001", "F2026-00005"]
    tab.call(state.sort_by, "password; DROP TABLE invoice")  # anything else: the default column
    assert state.sort == "issue_date"


@pytest.fixture
def thirty_more(app_db, browser):
    """Flexis with 30 invoices of 2024 besides its two of 2026 (32: two pages), its admin's tab
    on the first page."""
    from datetime import date, timedelta

    from sqlmodel import select

    from lcadmin.db import session_scope
    from lcadmin.demo import FLEXIS_SIREN
    from lcadmin.domain.statuses import InvoiceStatus
    from lcadmin.models import Company
    from tests import factories

    with session_scope(app_db) as session:
        flexis = session.exec(select(Company).where(Company.siren == FLEXIS_SIREN)).one()
        for n in range(30):
            factories.invoice(session, flexis, issue_date=date(2024, 1, 1) + timedelta(days=n),
                              status=InvoiceStatus.PAID)
    tab = browser(cookie=_signed_in_cookie("hbernard@flexis.com"))
    state = tab.state(InvoicesState)
    tab.call(state.load)
    return tab, state


def test_the_list_holds_one_page_and_the_pager_moves_through_them(thirty_more):
    tab, state = thirty_more
    assert (len(state.rows), state.total, state.page, state.pages) == (25, 32, 1, 2)
    first = [row["number"] for row in state.rows]
    assert first[:2] == ["F2026-00005", "F2026-00001"]  # newest first
    tab.call(state.previous_page)  # the first page stays the first
    assert state.page == 1 and [row["number"] for row in state.rows] == first
    tab.call(state.next_page)
    second = [row["number"] for row in state.rows]
    assert (state.page, len(second)) == (2, 7) and not set(first) & set(second)
    tab.call(state.next_page)  # the last page stays the last
    assert state.page == 2 and [row["number"] for row in state.rows] == second
    tab.call(state.go_to_page, 1)
    assert state.page == 1 and [row["number"] for row in state.rows] == first
    tab.call(state.go_to_page, 10**12)  # past the end: the last page
    assert state.page == 2 and [row["number"] for row in state.rows] == second


@pytest.mark.parametrize("change", [("set_status", "paid"), ("set_contract", "CTR-FLX-2026"),
                                    ("set_period", "2024"), ("set_search", "F2024"), ("sort_by", "number")])
def test_any_filter_sort_or_search_starts_again_from_the_first_page(thirty_more, change):
    tab, state = thirty_more
    tab.call(state.go_to_page, 2)
    assert state.page == 2
    tab.call(getattr(state, change[0]), change[1])
    assert state.page == 1 and state.total > 0 and len(state.rows) == min(25, state.total)


@pytest.mark.parametrize("odd", ["2", 2.0, True, False, None, 0, -1, [], [2], {"page": 2}, "x" * 100_000, "\ud800"])
def test_a_page_argument_that_is_no_page_number_changes_nothing(thirty_more, odd):
    tab, state = thirty_more
    tab.call(state.go_to_page, 2)
    before = [row["number"] for row in state.rows]
    for handler in (state.go_to_page, state.go_to_payments_page):
        assert tab.call(handler, odd) is None
    assert state.page == 2 and state.payments_page == 1 and [row["number"] for row in state.rows] == before


def test_a_page_that_no_longer_exists_shows_the_last_one(thirty_more):
    from sqlmodel import col, delete

    from lcadmin.db import session_scope
    from lcadmin.models import AuditEvent, Invoice, InvoiceLine

    tab, state = thirty_more
    tab.call(state.go_to_page, 2)
    with session_scope() as session:  # another tab's world: the 2024 invoices are gone
        gone = [row.id for row in session.exec(select_2024(Invoice))]
        session.exec(delete(InvoiceLine).where(col(InvoiceLine.invoice_id).in_(gone)))
        session.exec(delete(AuditEvent).where(col(AuditEvent.subject).like("invoice:F2024-%")))
        session.exec(delete(Invoice).where(col(Invoice.id).in_(gone)))
    tab.call(state.refresh)
    assert (state.page, state.pages, state.total, len(state.rows)) == (1, 1, 2, 2)


def select_2024(model):
    from sqlmodel import col, select

    return select(model).where(col(model.number).startswith("F2024-"))


def test_the_payments_history_is_paged_apart_from_the_invoices(app_db, browser):
    tab = browser(cookie=_signed_in_cookie("hbernard@flexis.com"))
    state = tab.state(InvoicesState)
    tab.call(state.load)
    assert (state.payments_page, state.payments_pages, state.payments_total) == (1, 1, len(state.payments))
    tab.call(state.go_to_payments_page, 5)  # past the end: the last (here the only) page
    assert state.payments_page == 1 and state.page == 1
