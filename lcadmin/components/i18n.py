"""Translated text in components. Both languages are compiled into the page and the active one is
picked in the browser, so text never waits for the server and the first paint is already worded."""

from __future__ import annotations

import re
from typing import cast

import reflex as rx

from lcadmin.i18n import LOCALES, catalog
from lcadmin.settings import get_settings
from lcadmin.states.locale import LocaleState

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _by_locale(make) -> rx.Component | rx.Var:
    default = get_settings().default_locale
    others = [(locale, make(locale)) for locale in LOCALES if locale != default]
    return rx.match(LocaleState.locale, *others, make(default))


def t(key: str) -> rx.Var:
    """The message ``key`` in the active language, usable as a child or a prop."""
    return cast(rx.Var, _by_locale(lambda locale: catalog(locale)[key]))


def _rich(text: str) -> rx.Component:
    parts = _BOLD.split(text)
    # split() alternates plain text and the captured bold runs.
    return rx.fragment(
        *[rx.text.strong(part) if index % 2 else part for index, part in enumerate(parts) if part]
    )


def t_rich(key: str) -> rx.Component:
    """The message ``key`` with its ``**bold**`` runs rendered as <strong>."""
    return cast(rx.Component, _by_locale(lambda locale: _rich(catalog(locale)[key])))


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def t_fmt(key: str, **values: rx.Var) -> rx.Component:
    """The message ``key`` with its ``{name}`` placeholders filled by state vars."""

    def make(locale: str) -> rx.Component:
        parts = _PLACEHOLDER.split(catalog(locale)[key])
        # split() alternates literal text and placeholder names.
        return rx.fragment(*[values[part] if index % 2 else part for index, part in enumerate(parts) if part])

    return cast(rx.Component, _by_locale(make))
