"""Attacks on "Administrateurs" and the company switcher over the real websocket of the
production build: another company's admins and invitations, vars set from the client, odd
arguments, a signed-out tab, a billing reader, and the switch to a company the account does not
belong to. Each compares the database before and after, and checks every event was answered
without an unexpected error. (Named to run after ``test_security``, which reads the guard's
rate-limited log.)"""

from __future__ import annotations

import json

import pytest
from sqlmodel import func, select

from lcadmin.db import read_scope
from lcadmin.models import AdminInvitation, Company, Membership, OutboxMessage, UserAccount, UserSession
from lcadmin.states.admins import AccessFormState, AdminsState, InvitationLinkState
from lcadmin.states.shell import ShellState
from tests.e2e.test_security import _client, _cookie_for
from tests.e2e.test_wallet_attacks import _answered_cleanly, _error, _send, _settle, _values

pytestmark = pytest.mark.e2e

D, F, S, K = AdminsState, AccessFormState, ShellState, InvitationLinkState
FLEXIS, ACME, READER = "hbernard@flexis.com", "pdurand@acme-logistique.fr", "claire.garnier@cabinet-garnier.fr"
PAGE = "/admin/admins"
ODD = [None, 42, [], {}, "x" * 100_000, "' OR 1=1 --", "²", "m-1", "i1e9", 10**30, True, "\\ud800"]


def _db(app) -> dict:
    """What no attack may change: who holds which access, the invitations, the admins' e-mails."""
    with read_scope(app.engine) as session:
        return {"members": sorted((m.id, m.user_id, m.company_id, m.role, m.all_contracts, m.access_until)
                                  for m in session.exec(select(Membership))),
                "invitations": sorted((i.id, i.status, i.email) for i in session.exec(select(AdminInvitation))),
                "mails": session.exec(select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.kind.like("admin_%"))).one()}


def _key(app, email: str) -> str:
    with read_scope(app.engine) as session:
        return "m" + str(session.exec(select(Membership.id).join(UserAccount, UserAccount.id == Membership.user_id)
                                      .where(UserAccount.email == email)).first())


def _setvars(state, **values) -> list:
    return [(state, "setvar", {"var_name": name, "value": value}) for name, value in values.items()]


def _flexis_invitation(app) -> str:
    """A pending invitation of Flexis's (made by hbernard over the socket), as a row key."""
    flexis = _client(app, cookie=_cookie_for(app, FLEXIS), pathname=PAGE)
    _send(flexis, (F, "open_invite", {}), (F, "set_email", {"value": "invitee.flexis@cabinet.example"}),
          (F, "submit", {"_form": {}}))
    _settle(flexis)
    flexis.close()
    with read_scope(app.engine) as session:
        return "i" + str(session.exec(select(AdminInvitation.id).where(
            AdminInvitation.email == "invitee.flexis@cabinet.example")).one())


def _attempts(target: str, invitation: str = "i999999") -> list:
    return [(D, "ask_remove", {"key": target}), *_setvars(D, confirming=target), (D, "remove", {}),
            (F, "open_edit", {"key": target}), *_setvars(F, editing=target, role="billing_reader"),
            (F, "submit", {"_form": {}}), (D, "resend", {"key": invitation}), (D, "revoke", {"key": invitation}),
            (F, "open_invite", {}), (F, "set_email", {"value": "x@acme.example"}),
            (F, "set_role", {"value": "admin"}), (F, "submit", {"_form": {}})]


def test_another_companys_admin_cannot_reach_flexis_admins(prod_app):
    invitation = _flexis_invitation(prod_app)
    acme = _client(prod_app, cookie=_cookie_for(prod_app, ACME), pathname=PAGE)
    before, log_from = _db(prod_app), len(prod_app.log())
    target = _key(prod_app, FLEXIS)
    _send(acme, (D, "load", {}), *_attempts(target, invitation))
    sent = _answered_cleanly(prod_app, acme, log_from)
    acme.close()
    # ask_remove and open_edit find no such row of Acme's list; setvar cannot reach these vars
    assert target not in _values(acme, D, "confirming") + _values(acme, F, "editing") and "hbernard" not in sent
    assert _values(acme, D, "error").count(_error("invitation_not_found")) == 2  # resend, revoke
    after = _db(prod_app)
    assert after["members"] == before["members"]
    # Acme's own admin may invite: the one invitation it made is Acme's, none of Flexis's changed
    flexis_invitations = [i for i in after["invitations"] if i not in before["invitations"]]
    with read_scope(prod_app.engine) as session:
        acme_id = session.exec(select(Company.id).where(Company.name == "Acme Logistique")).one()
        assert all(session.get(AdminInvitation, i[0]).company_id == acme_id for i in flexis_invitations)


def test_odd_arguments_to_every_admins_handler_are_refused_quietly(prod_app):
    flexis = _client(prod_app, cookie=_cookie_for(prod_app, FLEXIS), pathname=PAGE)
    before, log_from = _db(prod_app), len(prod_app.log())
    for value in ODD:
        _send(flexis, (D, "resend", {"key": value}), (D, "revoke", {"key": value}), (D, "ask_remove", {"key": value}),
              (D, "close_confirm", {"_open": value}), (F, "open_edit", {"key": value}),
              (F, "set_email", {"value": value}), (F, "set_role", {"value": value}),
              (F, "set_everything", {"value": value}), (F, "toggle_contract", {"key": value, "value": value}),
              (F, "set_until", {"value": value}), (F, "set_locale", {"value": value}), (F, "close", {"_open": value}),
              (S, "switch_to", {"choice": value}))
        _settle(flexis)
    _send(flexis, (F, "open_invite", {}), (F, "set_email", {"value": "odd@cabinet.example"}),
          *_setvars(F, chosen=["1 OR 1=1", "999999"]), (F, "set_everything", {"value": False}),
          (F, "submit", {"_form": None}), (F, "set_until", {"value": "2020-13-45"}), (F, "submit", {"_form": None}))
    _answered_cleanly(prod_app, flexis, log_from)
    flexis.close()
    assert _error("scope_invalid") in _values(flexis, F, "scope_error") or _values(flexis, F, "until_error")
    assert _db(prod_app) == before


def test_a_signed_out_tab_and_a_billing_reader_change_nothing(prod_app):
    before, log_from = _db(prod_app), len(prod_app.log())
    stranger = _client(prod_app, pathname=PAGE)
    after = len(stranger.updates)
    _send(stranger, (D, "load", {}), *_attempts(_key(prod_app, FLEXIS)))
    _answered_cleanly(prod_app, stranger, log_from)
    stranger.close()
    assert [e for e in stranger.events("_redirect", after=after) if "/sign-in" in json.dumps(e)]
    reader = _client(prod_app, cookie=_cookie_for(prod_app, READER), pathname=PAGE)
    _send(reader, (D, "load", {}), *_attempts(_key(prod_app, FLEXIS)))
    sent = _answered_cleanly(prod_app, reader, log_from)
    reader.close()
    assert _values(reader, D, "error").count(_error("forbidden")) >= 2 and "hbernard@flexis.com" not in sent
    assert _error("forbidden") in _values(reader, F, "error")
    assert _db(prod_app) == before


def test_the_switcher_refuses_a_company_the_account_does_not_belong_to(prod_app):
    with read_scope(prod_app.engine) as session:
        acme = str(session.exec(select(Company.id).where(Company.name == "Acme Logistique")).one())
    flexis = _client(prod_app, cookie=_cookie_for(prod_app, FLEXIS), pathname="/admin")
    log_from = len(prod_app.log())
    _send(flexis, (S, "load", {}), (S, "switch_to", {"choice": acme}), *_setvars(S, active_company=acme),
          (S, "load", {}))
    _answered_cleanly(prod_app, flexis, log_from)
    flexis.close()
    assert _error("forbidden") in _values(flexis, S, "switch_error")
    assert "Acme Logistique" not in _values(flexis, S, "company_name")
    with read_scope(prod_app.engine) as session:
        hugo = session.exec(select(UserAccount.id).where(UserAccount.email == FLEXIS)).one()
        companies = set(session.exec(select(UserSession.company_id).where(UserSession.user_id == hugo)).all())
    assert int(acme) not in companies
