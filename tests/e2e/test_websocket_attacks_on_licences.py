"""Attacks on "Licences" over the real websocket of the production build:
another company's seats and pools, vars set from the client, odd arguments, a signed-out tab, a
member without the licence permission, and the invitation's link. Each compares the database
before and after, and checks every event was answered without an unexpected error.

Its name makes it run after the other journeys on the same production app: its floods of refused
events fill the guard's rate-limited log, which ``test_security`` reads, and it takes a seat.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
from sqlmodel import func, select

from lcadmin.db import read_scope, session_scope
from lcadmin.domain.permissions import Role
from lcadmin.models import Contract, Membership, OutboxMessage, SalesOrder, Seat, SeatPoolCount, UserAccount
from lcadmin.states.licences import AssignState, BulkState, LicenceLinkState, LicencesState, PurchaseState
from tests.e2e.test_security import _client, _cookie_for
from tests.e2e.test_wallet_attacks import UPDATE_VARS, _answered_cleanly, _error, _send, _settle, _values
from tests.sio import ROOT

pytestmark = pytest.mark.e2e

L, A, B, P, K = LicencesState, AssignState, BulkState, PurchaseState, LicenceLinkState
FLEXIS, ACME, MEMBER = "hbernard@flexis.com", "pdurand@acme-logistique.fr", "lea.membre@flexis.com"
PAGE, SNA, LRN = "/admin/licences", "CTR-FLX-2026:SNA", "CTR-FLX-2026:LRN"
MAILS = ("seat_invitation", "seat_removed", "seats_to_sign")
ODD = [None, 42, [], {}, "x" * 100_000, "' OR 1=1 --", "²", "-1", 10**30, True]


def _db(app) -> dict:
    """What no attack may change: the seats, the pools' counts, the orders, the licence e-mails."""
    with read_scope(app.engine) as session:
        return {"seats": sorted((s.id, s.status, s.email) for s in session.exec(select(Seat))),
                "counts": sorted((c.company_id, c.contract_id, c.product_id, c.taken)
                                 for c in session.exec(select(SeatPoolCount))),
                "orders": session.exec(select(func.count()).select_from(SalesOrder)).one(),
                "mails": session.exec(select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.kind.in_(MAILS))).one()}


def _flexis_seats(app) -> dict[str, str]:
    """One invited and one active seat of Flexis: ``{"invited": id, "active": id}``."""
    with read_scope(app.engine) as session:
        company = session.exec(select(Contract.company_id).where(Contract.number == "CTR-FLX-2026")).one()
        return {status: str(session.exec(select(Seat.id).where(Seat.company_id == company,
                                                              Seat.status == status)).first())
                for status in ("invited", "active")}


def _setvars(state, **values) -> list:
    return [(state, "setvar", {"var_name": name, "value": value}) for name, value in values.items()]


def test_another_companys_session_cannot_touch_flexis_seats_or_pools(prod_app):
    seats, acme = _flexis_seats(prod_app), _client(prod_app, cookie=_cookie_for(prod_app, ACME), pathname=PAGE)
    before, log_from = _db(prod_app), len(prod_app.log())
    for seat in seats.values():
        _send(acme, (L, "resend", {"seat": seat}), (L, "revoke", {"seat": seat}), (L, "ask_unassign", {"seat": seat}),
              (L, "ask_reassign", {"seat": seat}))
    _settle(acme)
    assert not set(seats.values()) & set(_values(acme, L, "confirming") + _values(acme, L, "reassigning"))
    for seat in seats.values():
        _send(acme, *_setvars(L, confirming=seat), (L, "unassign", {}), *_setvars(L, reassigning=seat),
              (L, "reassign", {"form": {"email": "x@acme-logistique.fr"}}))
    for pool in (SNA, LRN):
        _send(acme, (A, "open", {}), *_setvars(A, pool=pool), (A, "submit", {"form": {"emails": "x@acme-logistique.fr"}}),
              (P, "open", {}), (P, "set_pool", {"value": pool}), (P, "set_quantity", {"value": "3"}),
              (P, "submit", {}), (B, "open", {}), (B, "set_pool", {"value": pool}))
    # (setvar reaches only a var with a set_<var> handler: confirming, reassigning, _data have none.)
    # The file's bytes are a backend var: no way for the client to put a CSV of its own there.
    csv = "email\nx@acme-logistique.fr\n"
    _send(acme, *_setvars(B, _data=csv, pool="CTR-ACM-2026:REC"))
    acme.emit(UPDATE_VARS, {"vars": {f"{B.get_full_name()}._data": csv}})
    acme.emit(f"{ROOT}.hydrate_and_load", {"vars": {f"{B.get_full_name()}._data": csv}, "hashes": []})
    _send(acme, (B, "set_pool", {"value": SNA}), (B, "apply", {}))
    sent = _answered_cleanly(prod_app, acme, log_from)
    acme.close()
    assert _values(acme, L, "error").count(_error("seat_not_found")) >= 8
    assert _values(acme, A, "error").count(_error("pool_not_found")) >= 2
    assert _values(acme, P, "error").count(_error("pool_not_found")) >= 2
    assert not any(_values(acme, B, "error") + _values(acme, B, "csv_error"))  # apply had nothing to apply
    assert "hbernard" not in sent and acme.events("_download") == []
    assert _db(prod_app) == before


def _one(fields: tuple, value) -> dict:
    return dict.fromkeys(fields, value)


def _odd_calls(v) -> list:
    """Every handler with ``v`` for one argument."""
    return [
        (L, "set_search", {"value": v}), (L, "set_status", {"value": v}), (L, "set_sort", {"value": v}),
        (L, "go_to", {"page": v}), (L, "resend", {"seat": v}), (L, "revoke", {"seat": v}),
        (L, "ask_unassign", {"seat": v}), (L, "close_confirm", {"_open": v}), (L, "unassign", {}),
        (L, "ask_reassign", {"seat": v}), (L, "close_reassign", {"_open": v}), (L, "reassign", {"form": v}),
        (L, "reassign", {"form": _one(("email",), v)}),
        (A, "open", {}), (A, "set_pool", {"value": v}), (A, "set_locale", {"value": v}), (A, "check", {"value": v}),
        (A, "submit", {"form": v}), (A, "submit", {"form": _one(("emails",), v)}), (A, "close", {"_open": v}),
        (B, "open", {}), (B, "set_pool", {"value": v}), (B, "apply", {}), (B, "close", {"_open": v}),
        (P, "open", {}), (P, "set_pool", {"value": v}), (P, "set_quantity", {"value": v}), (P, "submit", {"_form": v}),
        (P, "close", {"_open": v}), (L, "go_to", {"page": 1}),
    ]


def test_odd_arguments_to_every_licence_handler_are_refused_quietly(prod_app):
    flexis = _client(prod_app, cookie=_cookie_for(prod_app, FLEXIS), pathname=PAGE)
    before, log_from = _db(prod_app), len(prod_app.log())
    for value in ODD:
        _send(flexis, *_odd_calls(value))
        _settle(flexis)
    _send(flexis, (B, "export", {}), (L, "refresh", {}))
    _answered_cleanly(prod_app, flexis, log_from)
    flexis.close()
    assert _error("seat_not_found") in _values(flexis, L, "error")  # the handlers ran, and refused
    assert _values(flexis, P, "error").count(_error("pool_not_found")) >= len(ODD) - 1
    assert len(flexis.events("_download")) == 1  # the export still works
    assert _db(prod_app) == before


def _mutations(seats: dict[str, str]) -> list:
    return [(L, "resend", {"seat": seats["invited"]}), (L, "revoke", {"seat": seats["invited"]}),
            *_setvars(L, confirming=seats["active"]), (L, "unassign", {}), *_setvars(L, reassigning=seats["active"]),
            (L, "reassign", {"form": {"email": "nouveau@flexis.com"}}), *_setvars(A, pool=LRN),
            (A, "submit", {"form": {"emails": "nouveau@flexis.com"}}), (B, "apply", {}), (B, "export", {}),
            (P, "set_pool", {"value": LRN}), (P, "set_quantity", {"value": "2"}), (P, "submit", {})]


def test_a_signed_out_tab_is_sent_to_sign_in_and_changes_nothing(prod_app):
    stranger = _client(prod_app, pathname=PAGE)
    before, log_from, after = _db(prod_app), len(prod_app.log()), len(stranger.updates)
    _send(stranger, *_mutations(_flexis_seats(prod_app)))
    _answered_cleanly(prod_app, stranger, log_from)
    stranger.close()
    to_sign_in = [e for e in stranger.events("_redirect", after=after) if "/sign-in" in json.dumps(e)]
    assert len(to_sign_in) >= 7  # resend, revoke, unassign, reassign, assign, export, order
    assert stranger.events("_download") == []
    assert _db(prod_app) == before


@pytest.fixture(scope="module")
def member_cookie(prod_app) -> str:
    """A Flexis billing reader: no licence permission, no right to sign orders."""
    with session_scope(prod_app.engine) as session:
        if session.exec(select(UserAccount).where(UserAccount.email == MEMBER)).first() is None:
            user = UserAccount(email=MEMBER, full_name="Léa Membre")
            session.add(user)
            session.flush()
            session.add(Membership(user_id=user.id, company_id=session.exec(select(Contract.company_id).where(
                Contract.number == "CTR-FLX-2026")).one(), role=Role.BILLING_READER.value))
    return _cookie_for(prod_app, MEMBER)


def test_a_member_without_the_licence_permission_changes_nothing(prod_app, member_cookie):
    member = _client(prod_app, cookie=member_cookie, pathname=PAGE)
    before, log_from = _db(prod_app), len(prod_app.log())
    _send(member, *_mutations(_flexis_seats(prod_app)))
    sent = _answered_cleanly(prod_app, member, log_from)
    member.close()
    forbidden = _error("forbidden")
    assert _values(member, L, "error").count(forbidden) >= 4  # resend, revoke, unassign, reassign
    for state in (A, B, P):
        assert forbidden in _values(member, state, "error"), state
    assert member.events("_download") == [] and "hbernard" not in sent
    assert _db(prod_app) == before


def _link_router(secret: str) -> dict:
    return {"pathname": "/licence/[secret]", "query": {"secret": secret}, "asPath": f"/licence/{secret}"}


def _activate(app, cookie: str, secret: str):
    """A tab on the link's page that opens it, then presses "Activer ma licence"."""
    tab = _client(app, cookie=cookie, pathname=f"/licence/{secret}")
    after = len(tab.updates)
    tab.emit(f"{K.get_full_name()}.open", {}, router_data=_link_router(secret))
    tab.emit(f"{K.get_full_name()}.activate", {}, router_data=_link_router(secret))
    return tab, after


def test_the_invitations_link_works_once_and_only_for_a_signed_in_account(prod_app):
    invitee, log_from = f"invite.{uuid.uuid4().hex[:8]}@flexis.com", len(prod_app.log())
    flexis = _client(prod_app, cookie=_cookie_for(prod_app, FLEXIS), pathname=PAGE)
    _send(flexis, (A, "open", {}), (A, "set_pool", {"value": LRN}), (A, "submit", {"form": {"emails": invitee}}))
    _answered_cleanly(prod_app, flexis, log_from)
    flexis.close()
    with read_scope(prod_app.engine) as session:
        body = session.exec(select(OutboxMessage.text_body).where(OutboxMessage.to_address == invitee,
                                                                  OutboxMessage.kind == "seat_invitation")).one()
        seat = session.exec(select(Seat).where(Seat.email == invitee)).one()
    secret = re.search(r"/licence/([A-Za-z0-9_\-]+)", body).group(1)
    status = lambda: _scalar_seat(prod_app, seat.id)
    assert status()[0] == "invited"

    acme_cookie = _cookie_for(prod_app, ACME)
    made_up, _ = _activate(prod_app, acme_cookie, "x" * 43)
    _answered_cleanly(prod_app, made_up, log_from)
    made_up.close()
    assert _values(made_up, K, "state")[-1] == "unknown"

    stranger, after = _activate(prod_app, "", secret)
    _answered_cleanly(prod_app, stranger, log_from)
    stranger.close()
    assert any("/sign-in" in json.dumps(e) for e in stranger.events("_redirect", after=after))
    assert "valid" in _values(stranger, K, "state") and "done" not in _values(stranger, K, "state")
    assert status()[0] == "invited"

    acme, _ = _activate(prod_app, acme_cookie, secret)  # any account may activate an invitation it received
    _answered_cleanly(prod_app, acme, log_from)
    acme.close()
    assert _values(acme, K, "state")[-1] == "done"
    with read_scope(prod_app.engine) as session:
        pdurand = session.exec(select(UserAccount.id).where(UserAccount.email == ACME)).one()
    assert status() == ("active", pdurand)

    again, _ = _activate(prod_app, _cookie_for(prod_app, FLEXIS), secret)
    _answered_cleanly(prod_app, again, log_from)
    again.close()
    assert _values(again, K, "state")[-1] == "used" and _values(again, K, "problem")[-1]
    assert status() == ("active", pdurand)


def _scalar_seat(app, seat_id: int) -> tuple:
    with read_scope(app.engine) as session:
        seat = session.get(Seat, seat_id)
        return seat.status, seat.user_id
