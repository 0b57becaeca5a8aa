"""Attacks on the wallet ("Modes de paiement") over the real websocket of the production build:
another company's ids, vars set from the client, odd arguments, a signed-out tab, a member
without billing rights, and where a submitted card number and CVC could end up. Each compares
the database before and after, and checks every event was answered (one tab's events run in
order: see :func:`_settle`) without an unexpected error, on a websocket that still answers.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import date
from urllib.parse import urlsplit

import pytest
from sqlmodel import func, select

from lcadmin.db import read_scope, session_scope
from lcadmin.domain.permissions import Role
from lcadmin.i18n import gettext
from lcadmin.models import (
    Contract,
    Invoice,
    MandateSignature,
    Membership,
    OutboxMessage,
    Payment,
    PaymentClaim,
    PaymentMethod,
    UserAccount,
    utcnow,
)
from lcadmin.services.context import system
from lcadmin.services.invoicing import LineInput, issue_invoice
from lcadmin.states.access import AccessState
from lcadmin.states.payment import AuthenticationState, PaymentState
from lcadmin.states.payment_methods import CardSetupState, MandateState, WalletState
from tests.e2e.test_security import _client, _cookie_for, _settings
from tests.sio import ROOT, handler_name

pytestmark = pytest.mark.e2e

W, C, M, P = WalletState, CardSetupState, MandateState, PaymentState
FLEXIS, ACME, MEMBER = "hbernard@flexis.com", "pdurand@acme-logistique.fr", "marc.membre@flexis.com"
WALLET = "/admin/payment-methods"
CARD = {"holder_name": "X Y", "card_number": "4242 4242 4242 4242", "card_expiry": "12/30", "card_cvc": "123"}
MANDATE = {"holder_name": "Flexis SAS", "address": "8 avenue des Ternes", "postal_code": "75017", "city": "Paris",
           "iban": "FR1420041010050500013M02606", "bic": "", "signer_name": "Hugo Bernard"}
ODD = [None, 42, [], {}, "x" * 100_000, "a\ud800b", "' OR 1=1 --", "²", "-1", "1e9", "99999999999999999999"]
UPDATE_VARS = f"{ROOT}.reflex___state____update_vars_internal_state.update_vars_internal"


def _error(code: str) -> str:
    return gettext(f"error.{code}", "fr")


def _db(app) -> dict:
    """What no attack may change: the wallets, who pays which contract, payments, mandates, notices."""
    with read_scope(app.engine) as session:
        _count = lambda model, *where: session.exec(select(func.count()).select_from(model).where(*where)).one()
        return {
            "methods": sorted((m.id, m.company_id, m.status, m.is_default, m.use_for_all, m.removed_at)
                              for m in session.exec(select(PaymentMethod))),
            "contracts": sorted(tuple(row) for row in session.exec(select(Contract.number, Contract.payment_method_id))),
            "payments": _count(Payment), "claims": _count(PaymentClaim), "signatures": _count(MandateSignature),
            "notices": _count(OutboxMessage, OutboxMessage.kind.in_(("wallet_change", "mandate"))),
        }


def _scalar(app, query):
    with read_scope(app.engine) as session:
        return session.exec(query).first()


def _open_invoice(app, contract: str) -> str:
    """An open invoice of the contract's company: the demo's, or one issued now (an earlier test paid it)."""
    company = _scalar(app, select(Contract.company_id).where(Contract.number == contract))
    number = _scalar(app, select(Invoice.number).where(Invoice.company_id == company, Invoice.status == "open",
                                                       Invoice.kind == "invoice"))
    if number is None:
        with session_scope(app.engine) as session:
            number = issue_invoice(session, system(utcnow()), company_id=company, issue_date=date.today(),
                                   lines=[LineInput("Licence", 1, 100_00, 2000, "Licence")], payment_terms_days=30,
                                   period=None, vendor=_settings(app).vendor).number
    return number


def _paid_by(app, contract: str) -> int | None:
    return _scalar(app, select(Contract.payment_method_id).where(Contract.number == contract))


@pytest.fixture(scope="module")
def flexis_card(prod_app) -> str:
    """The id of Flexis's Visa •••• 4242, which pays CTR-FLX-2026."""
    method_id = _paid_by(prod_app, "CTR-FLX-2026")
    assert method_id is not None and _scalar(prod_app, select(PaymentMethod.card_last4).where(
        PaymentMethod.id == method_id)) == "4242"
    return str(method_id)


def _send(client, *calls) -> None:
    """Send ``(state, handler, payload)`` events in that order."""
    for state, handler, payload in calls:
        client.emit(handler_name(state, handler), payload)


def _settle(client) -> None:
    """Wait until every event sent so far was answered (a last one, whose answer is known)."""
    marker = f"{uuid.uuid4().hex[:12]}@exemple.fr"
    before = len(client.updates)
    _send(client, (AccessState, "set_email", {"value": marker}))
    client.value(AccessState, "email", where=lambda value: value == marker, after=before, timeout=60)


def _answered_cleanly(app, client, log_from: int) -> str:
    """All answered, no unexpected error, the websocket still open; the updates' text."""
    _settle(client)
    assert client.alive()
    sent = json.dumps(client.updates)
    assert "inattendue" not in sent
    log = app.log()[log_from:]
    assert "handler failed" not in log and "Traceback" not in log, log[-3000:]
    return sent


def _values(client, state, var: str) -> list:
    key, field = state.get_full_name(), f"{var}_rx_state_"
    return [u["delta"][key][field] for u in client.updates if field in u.get("delta", {}).get(key, {})]


def _assert_card_intact(app, card: str) -> None:
    with read_scope(app.engine) as session:
        method = session.get(PaymentMethod, int(card))
    assert method.status == "active" and method.removed_at is None and method.is_default
    assert _paid_by(app, "CTR-FLX-2026") == method.id


def test_another_companys_session_cannot_use_or_change_the_flexis_wallet(prod_app, flexis_card):
    acme, invoice = _client(prod_app, cookie=_cookie_for(prod_app, ACME), pathname=WALLET), \
        _open_invoice(prod_app, "CTR-ACM-2026")
    before, log_from = _db(prod_app), len(prod_app.log())
    _send(acme, (W, "choose_for_contract", {"number": "CTR-FLX-2026", "choice": "transfer"}),
          (W, "choose_for_contract", {"number": "CTR-ACM-2026", "choice": flexis_card}),
          (W, "set_default", {"choice": flexis_card}), (W, "open_remove", {"method": flexis_card}),
          (W, "set_replacement", {"value": "transfer"}), (W, "confirm_remove", {}),
          (W, "download_mandate", {"method": flexis_card}),
          (P, "open_for", {"kind": "invoice", "number": invoice}), (P, "pay_saved", {"method": flexis_card}))
    sent = _answered_cleanly(prod_app, acme, log_from)
    acme.close()
    for code in ("contract_not_found", "method_not_usable", "payment_method_not_found"):
        assert _error(code) in _values(acme, W, "error")
    assert True in _values(acme, P, "opened")  # the form opened: pay_saved got as far as the card
    assert _values(acme, P, "error")[-1] == _error("method_not_usable")
    assert flexis_card not in _values(acme, W, "removing")
    assert acme.events("_download") == [] and "Hugo Bernard" not in sent and "Visa" not in sent
    assert _db(prod_app) == before
    _assert_card_intact(prod_app, flexis_card)


def test_vars_the_client_must_not_set_stay_out_of_its_reach(prod_app, flexis_card):
    acme = _client(prod_app, cookie=_cookie_for(prod_app, ACME), pathname=WALLET)
    before, log_from = _db(prod_app), len(prod_app.log())
    forged = {"removing": flexis_card, "removing_default": False, "removing_contracts": "", "replacement": "transfer",
              "cards": [{"id": flexis_card, "can_remove": True, "label": "x", "kind": "card", "contracts": "",
                         "is_default": False}]}
    qualified = {f"{W.get_full_name()}.{name}": value for name, value in forged.items()}
    acme.emit(f"{ROOT}.hydrate_and_load", {"vars": qualified, "hashes": []})
    _send(acme, *((W, "setvar", {"var_name": name, "value": value}) for name, value in forged.items()))
    acme.emit(UPDATE_VARS, {"vars": qualified})
    _send(acme, (W, "confirm_remove", {}))
    # A key of the attacker's choosing would let a set-up or a payment go on without the form opened.
    chosen = "attacker-chosen-idempotency-key-0001"
    for state in (C, P):
        _send(acme, (state, "setvar", {"var_name": "_key", "value": chosen}))
        acme.emit(UPDATE_VARS, {"vars": {f"{state.get_full_name()}._key": chosen}})
    _send(acme, (C, "submit", {"form": CARD}), (P, "submit", {"form": CARD}))
    _answered_cleanly(prod_app, acme, log_from)
    acme.close()
    assert _values(acme, W, "error")[-1] == _error("payment_method_not_found")
    assert flexis_card not in _values(acme, W, "removing")
    assert _values(acme, C, "error")[-1] == _error("not_payable")  # no key: refused before anything else
    assert _values(acme, P, "error")[-1] == _error("not_payable")
    assert _db(prod_app) == before
    _assert_card_intact(prod_app, flexis_card)


def _form(fields: dict, value) -> dict:
    """Every field set to ``value``; a huge one in one field only (a frame over Engine.IO's buffer
    closes the websocket before any handler, by design: see rxconfig)."""
    return {"holder_name": value} if isinstance(value, str) and len(value) > 1000 else dict.fromkeys(fields, value)


def _odd_calls(v, card: str, invoice: str) -> list:
    """Every new handler with ``v`` for one argument (the others: what changes nothing)."""
    return [
        (W, "choose_for_contract", {"number": v, "choice": card}), (W, "set_default", {"choice": v}),
        (W, "choose_for_contract", {"number": "CTR-FLX-2026", "choice": v}), (W, "open_remove", {"method": v}),
        (W, "set_replacement", {"value": v}), (W, "confirm_remove", {}), (W, "close_remove", {"_open": v}),
        (W, "download_mandate", {"method": v}), (C, "open", {}), (C, "set_use_for_all", {"checked": v}),
        (C, "submit", {"form": v}), (C, "submit", {"form": _form(CARD, v)}), (C, "close", {"_open": v}),
        (M, "open", {}), (M, "set_authorized", {"checked": v}), (M, "set_use_for_all", {"checked": v}),
        (M, "check_iban", {"value": v}), (M, "submit", {"form": v}), (M, "submit", {"form": _form(MANDATE, v)}),
        (M, "relabel", {}), (M, "close", {"_open": v}), (P, "open_for", {"kind": v, "number": v}),
        (P, "open_for", {"kind": "invoice", "number": invoice}), (P, "pay_saved", {"method": v}), (W, "refresh", {}),
    ]


def test_odd_arguments_to_every_wallet_handler_are_refused_quietly(prod_app, flexis_card):
    flexis = _client(prod_app, cookie=_cookie_for(prod_app, FLEXIS), pathname=WALLET)
    invoice = _open_invoice(prod_app, "CTR-FLX-2026")
    before, log_from = _db(prod_app), len(prod_app.log())
    for value in ODD:
        _send(flexis, *_odd_calls(value, flexis_card, invoice))
        _settle(flexis)
    _answered_cleanly(prod_app, flexis, log_from)
    flexis.close()
    assert _error("contract_not_found") in _values(flexis, W, "error")  # the handlers ran, and refused
    assert _db(prod_app) == before
    _assert_card_intact(prod_app, flexis_card)


def _mutations(card: str, invoice: str) -> list:
    return [(W, "choose_for_contract", {"number": "CTR-FLX-2026", "choice": "transfer"}),
            (W, "set_default", {"choice": "transfer"}), (W, "open_remove", {"method": card}), (W, "confirm_remove", {}),
            (W, "download_mandate", {"method": card}), (C, "open", {}), (C, "set_use_for_all", {"checked": True}),
            (C, "submit", {"form": CARD}), (M, "open", {}), (M, "set_authorized", {"checked": True}),
            (M, "submit", {"form": MANDATE}), (P, "open_for", {"kind": "invoice", "number": invoice}),
            (P, "pay_saved", {"method": card})]


def test_a_signed_out_tab_is_sent_to_sign_in_and_changes_nothing(prod_app, flexis_card):
    stranger = _client(prod_app, pathname=WALLET)
    before, log_from, after = _db(prod_app), len(prod_app.log()), len(stranger.updates)
    _send(stranger, *_mutations(flexis_card, _open_invoice(prod_app, "CTR-FLX-2026")))
    _answered_cleanly(prod_app, stranger, log_from)
    stranger.close()
    to_sign_in = [e for e in stranger.events("_redirect", after=after) if "/sign-in" in json.dumps(e)]
    assert len(to_sign_in) >= 7  # each handler that asks the server: choose, default, remove, PDF, card, mandate, pay
    assert _db(prod_app) == before
    _assert_card_intact(prod_app, flexis_card)


@pytest.fixture(scope="module")
def member_cookie(prod_app) -> str:
    """A Flexis member without billing access (the member role holds no permission)."""
    with session_scope(prod_app.engine) as session:
        if session.exec(select(UserAccount).where(UserAccount.email == MEMBER)).first() is None:
            user = UserAccount(email=MEMBER, full_name="Marc Membre")
            session.add(user)
            session.flush()
            session.add(Membership(user_id=user.id, company_id=session.exec(select(Contract.company_id).where(
                Contract.number == "CTR-FLX-2026")).one(), role=Role.LICENCE_ADMIN.value))
    return _cookie_for(prod_app, MEMBER)


def test_a_member_without_billing_access_changes_nothing(prod_app, flexis_card, member_cookie):
    member = _client(prod_app, cookie=member_cookie, pathname=WALLET)
    before, log_from = _db(prod_app), len(prod_app.log())
    _send(member, *_mutations(flexis_card, _open_invoice(prod_app, "CTR-FLX-2026")))
    sent = _answered_cleanly(prod_app, member, log_from)
    member.close()
    forbidden = _error("forbidden")
    assert _values(member, W, "error").count(forbidden) >= 3  # choose, default, remove
    assert forbidden in _values(member, C, "error") and forbidden in _values(member, M, "error")
    assert member.events("_download") == [] and "Visa" not in sent
    assert _db(prod_app) == before
    _assert_card_intact(prod_app, flexis_card)


def test_a_saved_cards_number_and_cvc_go_nowhere_and_its_3ds_step_is_flexis_own(prod_app, flexis_card, member_cookie):
    number, cvc = "4000 0025 0000 3155", "739"  # asks for 3-D Secure: the set-up waits for the bank
    flexis, invoice = _client(prod_app, cookie=_cookie_for(prod_app, FLEXIS), pathname=WALLET), \
        _open_invoice(prod_app, "CTR-FLX-2026")
    log_from, after = len(prod_app.log()), len(flexis.updates)
    _send(flexis, (C, "open", {}), (C, "submit", {"form": {"holder_name": "Hugo Bernard", "card_number": number,
                                                            "card_expiry": "12/30", "card_cvc": cvc}}))
    redirect = flexis.wait_for(lambda u: any(e["name"] == "_redirect" for e in u.get("events", [])), after=after)
    path = urlsplit(next(e for e in redirect["events"] if e["name"] == "_redirect")["payload"]["path"]).path
    setup = path.rstrip("/").rpartition("/")[2]
    status = lambda: _scalar(prod_app, select(PaymentMethod.status).where(PaymentMethod.setup_intent_id == setup))
    assert path.startswith("/payments/authenticate/seti_") and status() == "pending", path
    pending = str(_scalar(prod_app, select(PaymentMethod.id).where(PaymentMethod.setup_intent_id == setup)))
    use = [(W, "choose_for_contract", {"number": "CTR-FLX-SUPPORT", "choice": pending}),  # contract, default, pay
           (W, "set_default", {"choice": pending}), (P, "open_for", {"kind": "invoice", "number": invoice}),
           (P, "pay_saved", {"method": pending})]
    before = _db(prod_app)
    _send(flexis, *use)  # a card awaiting its 3-D Secure step pays nothing yet
    _answered_cleanly(prod_app, flexis, log_from)
    assert _db(prod_app) == before and _values(flexis, P, "error")[-1] == _error("method_not_usable")

    # Another company's admin and a member of Flexis answer the bank's page of that set-up.
    router = {"pathname": "/payments/authenticate/[intent]", "query": {"intent": setup},
              "asPath": f"/payments/authenticate/{setup}"}
    for cookie, refusal in ((_cookie_for(prod_app, ACME), "payment_method_not_found"), (member_cookie, "forbidden")):
        other = _client(prod_app, cookie=cookie, pathname=f"/payments/authenticate/{setup}")
        other.emit(handler_name(AuthenticationState, "load"), {}, router_data=router)
        other.emit(handler_name(AuthenticationState, "approve"), {}, router_data=router)
        other_sent = _answered_cleanly(prod_app, other, log_from)
        other.close()
        assert _values(other, AuthenticationState, "error")[-1] == _error(refusal)
        assert "3155" not in other_sent and not any(_values(other, AuthenticationState, "outcome"))
    assert status() == "pending"
    # Flexis's own answer goes through that same page; declined, the card is removed and stays unusable.
    own = _client(prod_app, cookie=_cookie_for(prod_app, FLEXIS), pathname=f"/payments/authenticate/{setup}")
    own.emit(handler_name(AuthenticationState, "decline"), {}, router_data=router)
    _answered_cleanly(prod_app, own, log_from)
    own.close()
    assert status() == "removed"
    before = _db(prod_app)
    _send(flexis, *use)
    sent = _answered_cleanly(prod_app, flexis, log_from)
    flexis.close()
    assert _db(prod_app) == before and _values(flexis, P, "error")[-1] == _error("method_not_usable")

    # Nowhere: not in what the server sent back, not in its log, not in the state store.
    digits = number.replace(" ", "")
    assert number not in sent and digits not in sent and f'"{cvc}"' not in sent and "card_cvc" not in sent
    log = prod_app.log()
    assert number not in log and digits not in log and f"'{cvc}'" not in log and f'"{cvc}"' not in log
    time.sleep(3)  # the disk state manager writes a changed state 2 s after the change
    store = [p for p in (prod_app.log_path.parent / ".states").rglob("*") if p.is_file()]
    assert store, "no state store files to search"
    for stored in store:
        data = stored.read_bytes()
        for secret in (number.encode(), digits.encode(), f'"{cvc}"'.encode(), b"\x8c\x03" + cvc.encode(), b"card_cvc"):
            assert secret not in data, (stored, secret)  # (0x8c 0x03: a pickled 3-character string)
    _assert_card_intact(prod_app, flexis_card)


def test_a_replacement_from_another_company_is_refused(prod_app, flexis_card):
    """Acme saves a card for all its contracts, then removes it naming Flexis's card to take over."""
    acme = _client(prod_app, cookie=_cookie_for(prod_app, ACME), pathname=WALLET)
    log_from = len(prod_app.log())
    _send(acme, (C, "open", {}), (C, "set_use_for_all", {"checked": True}), (C, "submit", {"form": CARD}))
    _settle(acme)
    acme_card = _paid_by(prod_app, "CTR-ACM-2026")
    assert acme_card is not None, "the card was not saved for every contract"
    before = _db(prod_app)
    _send(acme, (W, "open_remove", {"method": str(acme_card)}), (W, "set_replacement", {"value": flexis_card}),
          (W, "confirm_remove", {}))
    _answered_cleanly(prod_app, acme, log_from)
    assert _values(acme, W, "replacement_error")[-1] == _error("method_not_usable")
    assert _db(prod_app) == before
    _send(acme, (W, "set_replacement", {"value": "transfer"}), (W, "confirm_remove", {}))  # its own choice: it goes
    _answered_cleanly(prod_app, acme, log_from)
    acme.close()
    assert _paid_by(prod_app, "CTR-ACM-2026") is None
    assert _scalar(prod_app, select(PaymentMethod.status).where(PaymentMethod.id == acme_card)) == "removed"
    _assert_card_intact(prod_app, flexis_card)


def test_arguments_a_handler_does_not_take_are_dropped_like_any_junk_frame(prod_app):
    flexis = _client(prod_app, cookie=_cookie_for(prod_app, FLEXIS), pathname=WALLET)
    log_from = len(prod_app.log())
    _send(flexis, (W, "choose_for_contract", {}), (W, "set_default", {"choice": "transfer", "extra": 1}),
          (W, "confirm_remove", {"x": 1}), (C, "submit", {}), (P, "pay_saved", {"methods": "1"}))
    _answered_cleanly(prod_app, flexis, log_from)  # no "Une erreur inattendue", no traceback in the log
    flexis.close()
