"""The payment form's handlers: the card never lands in a state var; a double click pays once."""

from __future__ import annotations

import re

from sqlmodel import func, select

from lcadmin.db import read_scope
from lcadmin.models import Invoice, Payment
from lcadmin.states.payment import AuthenticationState, PaymentState
from tests.states.test_flow_states import _signed_in_cookie

CARD = {"card_number": "4242 4242 4242 4242", "card_expiry": "12/30", "card_cvc": "123"}


def test_an_open_invoice_is_paid_once_even_with_a_double_click(app_db, browser):
    tab = browser(cookie=_signed_in_cookie("hbernard@flexis.com"))
    state = tab.state(PaymentState)
    tab.call(state.open_for, "invoice", "F2026-00005")
    assert state.opened and state.amount.replace("\u202f", " ").replace("\u00a0", " ") == "180,00 €"
    tab.call(state.submit, CARD)
    tab.call(state.submit, CARD)  # the second click of a double click
    assert "F2026-00005" in state.succeeded
    with read_scope() as session:
        assert session.exec(select(func.count()).select_from(Payment)).one() == 1
        assert session.exec(select(Invoice).where(Invoice.number == "F2026-00005")).one().status == "paid"
    everything = str(tab.root.dict())  # the whole state tree as the state store would keep it
    assert "F2026-00005" in everything  # the payment form's own vars are in it
    assert "4242 4242 4242 4242" not in everything and "4242424242424242" not in everything
    assert not re.search(r"(?<![0-9A-Za-z])123(?![0-9A-Za-z])", everything)


def test_a_declined_card_then_a_good_one_are_two_attempts(app_db, browser):
    tab = browser(cookie=_signed_in_cookie("hbernard@flexis.com"))
    state = tab.state(PaymentState)
    tab.call(state.open_for, "invoice", "F2026-00005")
    tab.call(state.submit, {**CARD, "card_number": "4000 0000 0000 0002"})
    assert state.error == "Paiement refusé par la banque. Essayez une autre carte."
    tab.call(state.submit, CARD)
    assert "F2026-00005" in state.succeeded
    with read_scope() as session:
        assert session.exec(select(func.count()).select_from(Payment)).one() == 2


def test_each_card_field_is_refused_under_itself(app_db, browser):
    tab = browser(cookie=_signed_in_cookie("hbernard@flexis.com"))
    state = tab.state(PaymentState)
    tab.call(state.open_for, "invoice", "F2026-00005")
    for form, var, message in (({**CARD, "card_number": "4242 4242 4242 4241"}, "number_error", "Ce numéro de carte n'est pas valide."),
                               ({**CARD, "card_expiry": "13 / 30"}, "expiry_error", "Saisissez la date d'expiration au format MM/AA."),
                               ({**CARD, "card_expiry": "01 / 20"}, "expiry_error", "Cette carte a expiré."),
                               ({**CARD, "card_cvc": "12"}, "cvc_error", "Le cryptogramme a 3 chiffres (4 sur une carte American Express).")):
        tab.call(state.submit, form)
        errors = {name: getattr(state, name) for name in ("number_error", "expiry_error", "cvc_error", "error")}
        assert errors == {**dict.fromkeys(errors, ""), var: message.replace("'", "\u2019")}, form
        assert state.opened
    tab.call(state.submit, {**CARD, "card_expiry": "1230"})  # digits alone, as a phone's keypad types them
    assert "F2026-00005" in state.succeeded


def test_a_payment_without_an_opened_form_or_for_another_company_goes_nowhere(app_db, browser):
    tab = browser(cookie=_signed_in_cookie("hbernard@flexis.com"))
    state = tab.state(PaymentState)
    tab.call(state.submit, CARD)  # no idempotency key: nothing happens
    assert state.error and state.succeeded == ""
    tab.call(state.open_for, "invoice", "F2026-00004")  # Acme's invoice
    assert not state.opened and state.error == "Document introuvable."
    signed_out = browser(cookie="")
    tab2 = signed_out.state(PaymentState)
    signed_out.call(tab2.open_for, "invoice", "F2026-00005")
    assert not tab2.opened


def test_the_3d_secure_page_answers_only_the_paying_companys_users(app_db, browser):
    hbernard = _signed_in_cookie("hbernard@flexis.com")
    tab = browser(cookie=hbernard)
    state = tab.state(PaymentState)
    tab.call(state.open_for, "invoice", "F2026-00005")
    tab.call(state.submit, {**CARD, "card_number": "4000 0025 0000 3155"})
    with read_scope() as session:
        intent = session.exec(select(Payment.provider_intent_id)).one()
    page = {"path": f"/payments/authenticate/{intent}", "params": {"intent": intent}}

    def bank_page(cookie: str):
        other = browser(cookie=cookie, **page)
        return other, other.state(AuthenticationState)

    acme, acme_page = bank_page(_signed_in_cookie("pdurand@acme-logistique.fr"))
    acme.call(acme_page.load)
    assert acme_page.amount == "" and acme_page.error == "Document introuvable."
    acme.call(acme_page.approve)
    assert acme_page.outcome == ""
    nobody, nobody_page = bank_page("")
    nobody.call(nobody_page.load)
    nobody.call(nobody_page.approve)
    assert nobody_page.amount == "" and nobody_page.outcome == ""
    with read_scope() as session:
        assert session.exec(select(Payment.status)).one() == "requires_action"
        assert session.exec(select(Invoice.status).where(Invoice.number == "F2026-00005")).one() == "open"

    own, own_page = bank_page(hbernard)
    own.call(own_page.load)
    assert own_page.amount.replace("\u202f", " ").replace("\u00a0", " ") == "180,00 €"
    own.call(own_page.approve)
    assert "F2026-00005" in own_page.outcome
    # Loaded again once answered (a reload, or the tab reconnected to another server, which runs
    # the page's load again): nothing left to confirm, and the page says how it ended.
    own.call(own_page.load)
    assert own_page.amount == "" and own_page.error == "" and "F2026-00005 est payée" in own_page.outcome


def test_paying_shows_it_is_working_at_once_and_stops_whatever_happens(app_db, browser):
    """The first thing "Payer" sends the browser is the busy flag (the button disables itself and
    says "Paiement en cours…"), before any provider call; it is cleared once the work is done."""
    from tests.states.conftest import run_async

    tab = browser(cookie=_signed_in_cookie("hbernard@flexis.com"))
    state = tab.state(PaymentState)
    tab.call(state.open_for, "invoice", "F2026-00005")

    async def steps(form):
        events = state.submit(form)
        await events.__anext__()
        seen = [state.paying]
        async for _ in events:
            pass
        return [*seen, state.paying]

    assert run_async(steps({**CARD, "card_number": "4000 0000 0000 0002"})) == [True, False]  # declined
    assert run_async(steps({**CARD, "card_expiry": "13/30"})) == [True, False]  # refused field
    assert not state.paying and state.expiry_error


def test_a_handler_that_fails_unexpectedly_still_tells_the_browser_it_stopped_working(app_db, browser, monkeypatch):
    """Reflex sends a failing handler's last changes nowhere: the reset is yielded before the error."""
    import pytest

    from lcadmin.services import payments
    from tests.states.conftest import run_async

    tab = browser(cookie=_signed_in_cookie("hbernard@flexis.com"))
    state = tab.state(PaymentState)
    tab.call(state.open_for, "invoice", "F2026-00005")

    def broken(*args, **kwargs):
        raise RuntimeError("the provider's network is down")

    monkeypatch.setattr(payments, "pay", broken)

    async def steps():
        events, seen = state.submit(CARD), []
        await events.__anext__()
        seen.append(state.paying)
        await events.__anext__()  # the reset, sent before the failure
        seen.append(state.paying)
        with pytest.raises(RuntimeError):
            await events.__anext__()
        return seen

    assert run_async(steps()) == [True, False]
