"""What reaches the log, and what the event websocket lets through."""

from __future__ import annotations

import inspect
import json
import logging

import pytest

from lcadmin.logs import MAX_MESSAGE, install_log_redaction, redact
from lcadmin.transport import MAX_EVENT_BYTES, refusal

SESSION = "Q2hhbmdlLW1lLXNlc3Npb24taWQtMjU2LWJpdHMtbG9uZw"


@pytest.mark.parametrize("leaky", [
    f"Event(router_data={{'headers': {{'cookie': 'lcadmin_session={SESSION}; lcadmin_locale=fr'}}}})",
    f'{{"cookie": "lcadmin_session={SESSION}"}}',
    f"Cookie: lcadmin_session={SESSION}",
    f"lcadmin_session={SESSION}",
    f"GET /auth/session?code={SESSION} HTTP/1.1",
    f"http://localhost:3000/activate/{SESSION}",
    f"payload={{'form': {{'password': '{SESSION}'}}}}",
    f"{{'token': '{SESSION}'}}",
    f"{{'card_cvc': '{SESSION}'}}",
])
def test_secrets_never_survive_redaction(leaky):
    assert SESSION not in redact(leaky)


def test_card_numbers_are_redacted_but_other_numbers_kept():
    text = redact("paid with 4242 4242 4242 4242 (order FLD102776277396, SIREN 552203101, 1234567890123)")
    assert "4242" not in text and "[card]" in text
    assert "FLD102776277396" in text and "552203101" in text and "1234567890123" in text


def test_a_long_message_is_cut():
    assert len(redact("x" * 100_000)) < MAX_MESSAGE + 50


def test_every_record_of_the_process_is_redacted(caplog):
    install_log_redaction()
    install_log_redaction()  # twice is once
    logger = logging.getLogger("some.library")
    with caplog.at_level(logging.INFO):
        logger.info("event %s", {"password": "hunter2-hunter2", "headers": {"cookie": f"lcadmin_session={SESSION}"}})
        try:
            raise KeyError(f"No handler for payload {{'password': 'hunter2-hunter2'}} cookie: lcadmin_session={SESSION}")
        except KeyError:
            logger.exception("failed with %s", "x" * 50_000)
    assert "hunter2" not in caplog.text and SESSION not in caplog.text
    assert "KeyError" in caplog.text  # the traceback is kept, redacted
    assert all(len(record.getMessage()) < 5 * MAX_MESSAGE for record in caplog.records)


KNOWN = frozenset({"reflex___state____state.hydrate_and_load", "reflex___state____state.app____app_state.set_email",
                   "reflex___state____state.app____app_state.setvar"})
OWN = frozenset({"reflex___state____state.app____app_state.set_email", "reflex___state____state.app____app_state.setvar"})


def _event(name: str, payload: object = None, router_data: object = None) -> dict:
    return {"name": name, "payload": payload or {}, "router_data": router_data or {"pathname": "/"}}


@pytest.mark.parametrize(("data", "reason"), [
    ("not json", "not JSON"),
    ([1, 2], "not an object"),
    (_event("reflex___state____state.nope"), "unknown handler"),
    ({"payload": {}}, "unknown handler"),
    (_event("reflex___state____state.app____app_state.set_email", {"value": "x" * MAX_EVENT_BYTES}), "too large"),
    (_event("reflex___state____state.app____app_state.set_email", router_data={"pathname": "/\ud800"}),
     "invalid characters in router data"),
    (_event("reflex___state____state.hydrate_and_load", {"vars": {"a.b": "\udfff"}}), "invalid characters in payload"),
    (_event("reflex___state____state.app____app_state.setvar", {"var_name": "_secret", "value": "x"}),
     "setvar of no handler"),
    (_event("reflex___state____state.app____app_state.setvar", {"var_name": ["email"], "value": "x"}),
     "setvar of no handler"),
])
def test_the_websocket_drops_what_no_page_sends(data, reason):
    assert refusal(data, KNOWN, OWN)[0] == reason


@pytest.mark.parametrize("data", [
    _event("reflex___state____state.app____app_state.set_email", {"value": "a\ud800b"}),  # the handler says why
    _event("reflex___state____state.app____app_state.setvar", {"var_name": "email", "value": "x"}),
    _event("reflex___state____state.hydrate_and_load", {"vars": {}, "hashes": []}),
])
def test_the_websocket_lets_the_apps_own_events_through(data):
    assert refusal(data, KNOWN, OWN)[0] is None
    assert refusal(json.dumps(data), KNOWN, OWN)[0] is None


def _choose(self, number: str, choice: str = "transfer"):
    """A handler's function, as its signature is read."""


SIGNATURES = {"reflex___state____state.app____app_state.set_email": inspect.signature(_choose)}


@pytest.mark.parametrize(("payload", "reason"), [
    ({"number": "CTR-1"}, None),
    ({"number": "CTR-1", "choice": "1"}, None),
    ({}, "arguments the handler does not take"),  # a required argument missing
    ({"number": "CTR-1", "extra": 1}, "arguments the handler does not take"),
    ({"self": 1, "number": "CTR-1"}, "arguments the handler does not take"),
])
def test_an_own_handler_only_gets_the_arguments_it_takes(payload, reason):
    # Reflex would call it anyway and log the TypeError's traceback for every such frame.
    data = _event("reflex___state____state.app____app_state.set_email", payload)
    assert refusal(data, KNOWN, OWN, SIGNATURES)[0] == reason


def test_setvar_of_a_coroutine_setter_is_dropped():
    # Reflex would call it without awaiting it: nothing set, a warning logged for every frame
    data = _event("reflex___state____state.app____app_state.setvar", {"var_name": "email", "value": "x"})
    assert refusal(data, KNOWN, OWN, awaited=frozenset({"reflex___state____state.app____app_state.set_email"}))[0] \
        == "setvar of a coroutine handler"
    assert refusal(data, KNOWN, OWN)[0] is None
