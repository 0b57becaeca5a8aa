"""The order page's handlers: another company's order is not found for every handler; only a
user allowed to sign can sign."""

from __future__ import annotations

from reflex.istate.data import RouterData
from sqlmodel import select

from lcadmin.db import read_scope
from lcadmin.models import OrderSignature
from lcadmin.states.order import OrderState
from tests.states.test_flow_states import _signed_in_cookie


def _order_tab(browser, email: str, number: str):
    tab = browser(cookie=_signed_in_cookie(email))
    tab.root.router = RouterData.from_router_data({
        "headers": {"cookie": _signed_in_cookie(email), "origin": "http://localhost:3000"},
        "ip": "203.0.113.50", "pathname": f"/admin/orders/{number}", "query": {"number": number},
    })
    return tab, tab.state(OrderState)


def test_the_order_form_loads_for_its_company(app_db, browser):
    tab, state = _order_tab(browser, "hbernard@flexis.com", "FLD102776277396")
    tab.call(state.load)
    assert state.found and state.title == "Formulaire de commande pour Flexis"
    assert state.can_sign and state.primary_contact == ["Claire Martin", "cmartin@flexis.com"]


def test_another_companys_order_is_not_found_for_every_handler(app_db, browser):
    tab, state = _order_tab(browser, "pdurand@acme-logistique.fr", "FLD102776277396")
    tab.call(state.load)
    assert not state.found and state.error == "Commande introuvable."
    tab.call(state.set_signer_name, "Paul Durand")
    tab.call(state.set_authorized, True)
    tab.call(state.sign, {})
    assert state.form_error == "Commande introuvable."
    assert tab.call(state.download_pdf) is None and state.error == "Commande introuvable."
    with read_scope() as session:
        assert session.exec(select(OrderSignature)).all() == []
