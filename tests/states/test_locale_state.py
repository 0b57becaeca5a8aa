"""LocaleState handlers, called as the browser would call them."""

import re

import pytest
import reflex as rx
from reflex.istate.data import RouterData

import lcadmin.lcadmin  # noqa: F401  (the app registers every state)
from lcadmin.states.locale import LocaleState


@pytest.fixture
def locale_state() -> LocaleState:
    root = rx.State()
    return root.get_substate(LocaleState.get_full_name().split(".")[1:])


def _browser(state: LocaleState, accept_language: str) -> None:
    state.router = RouterData.from_router_data({"headers": {"accept-language": accept_language}})



def test_a_first_visit_follows_the_browser_language(locale_state):
    _browser(locale_state, "en-US,en;q=0.9,fr;q=0.5")
    event = locale_state.detect_locale()
    assert locale_state.locale == "en"
    assert re.search(r'documentElement\.lang = \\*"en\\*"', str(event.args)), str(event.args)
    assert "Northwind Admin Center" in str(event.args)  # and the page's title, in English


def test_an_unsupported_browser_language_gets_french(locale_state):
    _browser(locale_state, "de-DE,de;q=0.9")
    locale_state.detect_locale()
    assert locale_state.locale == "fr"


def test_the_choice_is_remembered_over_the_browser_language(locale_state):
    _browser(locale_state, "en-US")
    locale_state.set_locale("fr")
    assert locale_state.chosen_locale == "fr"
    locale_state.locale = ""
    locale_state.detect_locale()
    assert locale_state.locale == "fr"


@pytest.mark.parametrize("bad", ["de", "", "<script>", ["en"], None, 42])
def test_unknown_locales_are_ignored(locale_state, bad):
    locale_state.set_locale("en")
    assert locale_state.set_locale(bad) is None
    assert (locale_state.locale, locale_state.chosen_locale) == ("en", "en")


def test_the_remembered_choice_is_a_lax_cookie():
    cookie = LocaleState.get_fields()["chosen_locale"].default
    assert cookie.name == "lcadmin_locale"
    assert cookie.same_site == "lax"
    assert cookie.max_age >= 30 * 24 * 3600
