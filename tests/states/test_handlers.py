"""Every event handler is a public endpoint: this is the reviewed list of them.

Reflex registers every public method of a state as an event handler that any client may call
with any arguments. The first test enumerates what Reflex really registers, for every state of
the app and Reflex's own, and compares it with :data:`INTENDED`: a new public method, or new
arguments on an old one, fail it until someone reviews them and adds them here on purpose.

The others call each of the app's handlers with hostile arguments, signed in and not, on SQLite
and on PostgreSQL: nothing may escape as an exception, and no var may end up holding text that
cannot go back to the browser (a lone surrogate dropped the tab's websocket) or unbounded text.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest
import reflex as rx
from reflex_base.registry import RegistrationContext

from lcadmin.domain.text import is_clean
from lcadmin.states.tab import app_states
from lcadmin.transport import registered_events as guarded_names
from tests.states.test_flow_states import _signed_in_cookie

# state -> handler -> its arguments as "name: annotation". ``setvar(var_name, value)`` exists on
# every state: Reflex routes it to the state's own ``set_<var_name>`` handler, listed here.
SETVAR = {"setvar": ("var_name: str", "value: Any")}
INTENDED: dict[str, dict[str, tuple[str, ...]]] = {
    "State": {**SETVAR, "hydrate": (), "hydrate_and_load": ("vars: dict[str, Any] | None", "hashes: list[str] | None"),
              "set_is_hydrated": ("value: bool",)},
    "FrontendEventExceptionState": {**SETVAR, "handle_frontend_exception": ("info: str", "component_stack: str")},
    "OnLoadInternalState": {**SETVAR, "on_load_internal": (), "set_is_hydrated": ("value: bool",)},
    "UpdateVarsInternalState": {**SETVAR, "update_vars_internal": ("vars: dict[str, Any]",)},
    "SharedStateBaseInternal": {**SETVAR},
    "AccessState": {**SETVAR, "start": (), "set_email": ("value: str",), "submit_email": ("_form: dict | None",),
                    "set_reference": ("value: str",), "set_amount": ("value: str",),
                    "submit_proof": ("_form: dict | None",), "resend": (), "cancel": (), "relabel": ()},
    "ShellState": {**SETVAR, "load": (), "identify": (), "keep_alive": (), "switch_to": ("choice: str",)},
    "AdminsState": {**SETVAR, "load": (), "refresh": (), "resend": ("key: str",), "revoke": ("key: str",),
                    "ask_remove": ("key: str",), "close_confirm": ("_open: bool",), "remove": ()},
    "AccessFormState": {**SETVAR, "open_invite": (), "open_edit": ("key: str",), "close": ("_open: bool",),
                        "set_email": ("value: str",), "set_role": ("value: str",), "set_everything": ("value: bool",),
                        "toggle_contract": ("key: str", "value: bool"), "set_until": ("value: str",),
                        "set_locale": ("value: str",), "submit": ("_form: dict | None",)},
    "InvitationLinkState": {**SETVAR, "open": (), "accept": ()},
    "LicencesState": {**SETVAR, "load": (), "refresh": (), "set_search": ("value: str",), "set_status": ("value: str",),
                      "set_sort": ("value: str",), "go_to": ("page: int",), "resend": ("seat: str",),
                      "revoke": ("seat: str",), "ask_unassign": ("seat: str",), "close_confirm": ("_open: bool",),
                      "unassign": (), "ask_reassign": ("seat: str",), "close_reassign": ("_open: bool",),
                      "reassign": ("form: dict",)},
    "AssignState": {**SETVAR, "open": (), "close": ("_open: bool",), "set_pool": ("value: str",),
                    "set_locale": ("value: str",), "check": ("value: str",), "submit": ("form: dict",)},
    "LicenceLinkState": {**SETVAR, "open": (), "activate": ()},
    "PurchaseState": {**SETVAR, "open": (), "close": ("_open: bool",), "set_pool": ("value: str",),
                      "set_quantity": ("value: str",), "submit": ("_form: dict | None",)},
    "BulkState": {**SETVAR, "open": (), "close": ("_open: bool",), "set_pool": ("value: str",),
                  "upload": ("files: list[rx.UploadFile]",), "apply": (), "export": ()},
    "AuthState": {**SETVAR, "set_email": ("value: str",), "set_full_name": ("value: str",),
                  "clear_errors": ("_value: str",), "toggle_password": ("_checked: bool | None",),
                  "open_forms": (), "sign_in": ("form: dict | None",),
                  "sign_up": ("form: dict | None",), "open_accept": (), "accept_and_continue": ("_form: dict | None",),
                  "sign_out": (), "verify_code": ("form: dict | None",), "cancel_code": (), "toggle_recovery": ()},
    "SecurityState": {**SETVAR, "load": (), "refresh": (), "start_enrolment": (), "cancel_enrolment": (),
                      "confirm_enrolment": ("form: dict | None",), "ask": ("action: str",), "close_confirm": (),
                      "confirm": ("form: dict | None",), "done_with_codes": (),
                      "end_others": (), "end_session": ("row: str",)},
    "TwoFactorPolicyState": {**SETVAR, "load": (), "set_required": ("value: bool",)},
    "InvoicesState": {**SETVAR, "load": (), "refresh": (), "sort_by": ("column: str",), "set_status": ("value: str",),
                      "set_contract": ("value: str",), "set_period": ("value: str",), "set_search": ("value: str",),
                      "next_page": (), "previous_page": (), "go_to_page": ("page: int",),
                      "go_to_payments_page": ("page: int",),
                      "download_pdf": ("number: str",), "download_facturx": ("number: str",),
                      "download_receipt": ("number: str",)},
    "InvoiceState": {**SETVAR, "load": ()},
    "AuditLogState": {**SETVAR, "load": (), "refresh": (), "set_zone": ("zone: str",), "set_person": ("value: str",),
                      "set_category": ("value: str",), "set_date_from": ("value: str",),
                      "set_date_to": ("value: str",), "set_search": ("value: str",), "clear_filters": (),
                      "older": (), "newer": (), "first_page": (), "export": ()},
    "OverviewState": {**SETVAR, "load": ()},
    "LinkState": {**SETVAR, "relabel": (), "open_activation": (), "open_decision": (), "open_report": (), "activate": (),
                  "decide": (), "report": ()},
    "LocaleState": {**SETVAR, "detect_locale": (), "set_locale": ("locale: str | list[str]",)},
    "MailboxState": {**SETVAR, "load": ()},
    "OrderState": {**SETVAR, "load": (), "refresh": (), "relabel": (), "set_signer_name": ("value: str",),
                   "set_authorized": ("checked: bool",), "sign": ("_form: dict | None",), "download_pdf": ()},
    "OrdersState": {**SETVAR, "load": (), "refresh": (), "set_status": ("value: str",), "set_contract": ("value: str",),
                    "set_sort": ("value: str",), "next_page": (), "previous_page": (), "go_to_page": ("page: int",),
                    "go_to_contracts_page": ("page: int",)},
    "PaymentState": {**SETVAR, "relabel": (), "open_for": ("kind: str", "number: str"), "close": ("_open: bool",),
                     "submit": ("form: dict",), "pay_saved": ("method: str",)},
    "AuthenticationState": {**SETVAR, "load": (), "approve": (), "decline": ()},
    "WalletState": {**SETVAR, "load": (), "refresh": (), "choose_for_contract": ("number: str", "choice: str"),
                    "set_default": ("choice: str",), "open_remove": ("method: str",),
                    "set_replacement": ("value: str",), "close_remove": ("_open: bool",), "confirm_remove": (),
                    "download_mandate": ("method: str",)},
    "CardSetupState": {**SETVAR, "open": (), "close": ("_open: bool",), "set_use_for_all": ("checked: bool",),
                       "submit": ("form: dict",)},
    "MandateState": {**SETVAR, "open": (), "relabel": (), "close": ("_open: bool",), "set_authorized": ("checked: bool",),
                     "set_use_for_all": ("checked: bool",), "check_iban": ("value: str",), "submit": ("form: dict",)},
    "PasswordState": {**SETVAR, "open_forgot": (), "set_email": ("value: str",),
                      "request_link": ("form: dict | None",), "open_reset": (),
                      "toggle_password": ("_checked: bool | None",), "clear_errors": ("_value: str",),
                      "relabel": (), "change_password": ("form: dict | None",)},
    "PendingActivationState": {**SETVAR},
    "TabState": {**SETVAR},
}


def _arguments(handler) -> tuple[str, ...]:
    parameters = list(inspect.signature(handler.fn).parameters.values())[1:]  # without self
    hints = {name: str(value) for name, value in getattr(handler.fn, "__annotations__", {}).items()}
    return tuple(f"{p.name}: {hints.get(p.name, '?').replace('typing.', '')}" for p in parameters)


def test_every_registered_handler_is_one_we_meant_to_expose():
    """What the event processor will dispatch to: Reflex's own registry of handlers by name."""
    registered: dict[str, dict[str, tuple[str, ...]]] = {}
    for full_name, entry in RegistrationContext.get().event_handlers.items():
        state_name, _, handler_name = full_name.rpartition(".")
        state = rx.State.get_class_substate(state_name)
        registered.setdefault(state.__name__, {})[handler_name] = _arguments(entry.handler)
    assert registered == INTENDED
    assert guarded_names() == frozenset(RegistrationContext.get().event_handlers)  # the transport agrees


def test_the_activation_can_only_be_held_by_the_tabs_own_click():
    """Nothing a client sends can name a request, a company or a user: no handler of the app
    takes such an argument, and the held secret is a backend-only var no handler sets from one."""
    for state, handlers in INTENDED.items():
        for name, arguments in handlers.items():
            assert not any(word in argument for argument in arguments
                           for word in ("request", "company", "user", "_id", "secret")), (state, name)
    from lcadmin.states.tab import PendingActivationState

    assert "_secret" not in PendingActivationState.base_vars  # never sent to the browser


HOSTILE = (None, 42, 3.5, True, [], ["x"], {"a": 1}, "", "x" * 100_000, "a\ud800b", "\udfff", "nul\x00byte",
           "bell\x07", "\u202eesrever", "\u200b\u200b\u200b", "' OR 1=1 --", "%_%", "../../etc/passwd",
           "FLD102776277396\x00", "١٢٣")
HOSTILE_FORMS = ({}, {"password": None}, {"password": "a\ud800"}, {"password": "x" * 100_000},
                 {"card_number": "4242\x004242424242424242", "card_expiry": "١٢/٢٨", "card_cvc": "١٢٣"},
                 {"card_number": ["4242"], "card_expiry": {"a": 1}, "card_cvc": 123})


def _app_handlers():
    for cls in app_states():
        for name, handler in sorted(cls.event_handlers.items()):
            if name != "setvar":
                yield cls, name, handler


def _argument_sets(handler) -> Iterator[tuple]:
    parameters = list(inspect.signature(handler.fn).parameters.values())[1:]
    if not parameters:
        yield ()
        return
    for value in HOSTILE:
        yield tuple(value for _ in parameters)
    if any("dict" in str(p.annotation) for p in parameters):
        for form in HOSTILE_FORMS:
            yield tuple(form for _ in parameters)


def _assert_vars_are_sendable(tab) -> None:
    for cls in app_states():
        state = tab.state(cls)
        for name in cls.base_vars:
            value = getattr(state, name)
            assert is_clean(value), f"{cls.__name__}.{name} holds text the browser cannot receive: {value!r:.80}"
            assert len(repr(value)) < 20_000, f"{cls.__name__}.{name} holds {len(repr(value))} characters"


def _fuzz(browser, cookie: str) -> int:
    calls = 0
    for route_value in ("F2026-00005", "a\ud800", "x\x00y"):
        params = {"number": route_value, "secret": route_value, "intent": route_value}
        tab = browser(cookie=cookie, params=params, path="/admin/orders/[number]")
        for cls, name, handler in _app_handlers():
            for arguments in _argument_sets(handler):
                state = tab.state(cls)
                tab.call(getattr(state, name), *arguments)  # must not raise
                calls += 1
        _assert_vars_are_sendable(tab)
    return calls


def test_every_handler_survives_hostile_arguments_signed_out(app_db, browser):
    assert _fuzz(browser, cookie="") > 300


def test_every_handler_survives_hostile_arguments_signed_in(app_db, browser):
    assert _fuzz(browser, cookie=_signed_in_cookie("hbernard@flexis.com")) > 300


@pytest.mark.postgres
def test_every_handler_survives_hostile_arguments_on_postgresql(pg_app_db, browser):
    """NUL bytes used to reach PostgreSQL, which refuses them in text (an unhandled DataError in
    sign-up, search, downloads, the order page and the proof step)."""
    assert _fuzz(browser, cookie=_signed_in_cookie("hbernard@flexis.com")) > 300
    assert _fuzz(browser, cookie="") > 300
