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
