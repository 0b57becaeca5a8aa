"""The "Contrats et commandes" page's handlers: a page of contracts and a page of orders, each
moved through on its own, filters back to the first page, odd page numbers refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from lcadmin.db import session_scope
from lcadmin.demo import FLEXIS_SIREN
from lcadmin.domain.statuses import OrderStatus
from lcadmin.models import Company, Contract
from lcadmin.states.orders import OrdersState
from tests import factories
from tests.states.test_flow_states import _signed_in_cookie


@pytest.fixture
def flexis(app_db, browser):
    """Flexis with 28 more signed orders under its licences contract (30 orders: two pages), and
    its admin's tab on the page."""
    with session_scope(app_db) as session:
        company = session.exec(select(Company).where(Company.siren == FLEXIS_SIREN)).one()
        contract = session.exec(select(Contract).where(Contract.number == "CTR-FLX-2026")).one()
        for n in range(28):
            order = factories.order(session, company, status=OrderStatus.SIGNED, start=date(2025, 1, 1) + timedelta(days=n),
                                    end=date(2025, 12, 31))
            order.contract_id = contract.id
            session.add(order)
    tab = browser(cookie=_signed_in_cookie("hbernard@flexis.com"))
    state = tab.state(OrdersState)
    tab.call(state.load)
    return tab, state


def test_the_orders_are_paged_and_the_contracts_apart(flexis):
    tab, state = flexis
    assert (len(state.orders), state.total, state.page, state.pages) == (25, 30, 1, 2)
    assert (len(state.contracts), state.contracts_total, state.contracts_page, state.contracts_pages) == (2, 2, 1, 1)
    assert state.contract_numbers == ["CTR-FLX-SUPPORT", "CTR-FLX-2026"]  # every contract, not only a page of them
    first = [row["number"] for row in state.orders]
    tab.call(state.next_page)
    second = [row["number"] for row in state.orders]
    assert (state.page, len(second)) == (2, 5) and not set(first) & set(second)
    tab.call(state.next_page)
    assert state.page == 2 and [row["number"] for row in state.orders] == second  # the last stays the last
    tab.call(state.go_to_contracts_page, 3)  # past the end: the last (the only) page of contracts
    assert state.contracts_page == 1 and state.page == 2  # the orders stay where they were
    tab.call(state.previous_page)
    tab.call(state.previous_page)
    assert state.page == 1 and [row["number"] for row in state.orders] == first
    tab.call(state.go_to_page, 99)
    assert state.page == 2


@pytest.mark.parametrize("change", [("set_status", "signed"), ("set_contract", "CTR-FLX-2026"), ("set_sort", "amount")])
def test_a_filter_or_the_sort_starts_again_from_the_first_page(flexis, change):
    tab, state = flexis
    tab.call(state.go_to_page, 2)
    tab.call(getattr(state, change[0]), change[1])
    assert state.page == 1 and len(state.orders) == min(25, state.total) and state.total > 0


@pytest.mark.parametrize("odd", ["2", 2.0, True, None, 0, -5, [], {"page": 2}, "x" * 100_000, "a\ud800"])
def test_a_page_argument_that_is_no_page_number_changes_nothing(flexis, odd):
    tab, state = flexis
    tab.call(state.go_to_page, 2)
    before = [row["number"] for row in state.orders]
    for handler in (state.go_to_page, state.go_to_contracts_page):
        assert tab.call(handler, odd) is None
    assert (state.page, state.contracts_page) == (2, 1) and [row["number"] for row in state.orders] == before


def test_signed_out_callers_get_no_page(app_db, browser):
    tab = browser(cookie="lcadmin_session=stolen-or-expired")
    state = tab.state(OrdersState)
    for handler in (state.next_page, state.previous_page):
        assert "/sign-in" in str(tab.call(handler))
    assert "/sign-in" in str(tab.call(state.go_to_page, 2)) and "/sign-in" in str(tab.call(state.go_to_contracts_page, 2))
    assert state.orders == [] and state.contracts == [] and state.total == 0
