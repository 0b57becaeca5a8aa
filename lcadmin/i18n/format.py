"""Money and dates as the active locale writes them (Babel). The only place that formats them."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_currency

from lcadmin.domain.calendar import business_time
from lcadmin.domain.money import Money

_BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def _babel_locale(locale: str) -> str:
    return _BABEL_LOCALES.get(locale, locale)


def format_money(money: Money, locale: str) -> str:
    """``3 600,00 €`` in French, ``€3,600.00`` in English (Babel's spacing characters kept)."""
    return format_currency(money.to_decimal(), money.currency, locale=_babel_locale(locale))


def format_date(value: date, locale: str, style: str = "long") -> str:
    """``1er janvier 2026`` / ``1 January 2026`` (``long``), or ``short`` / ``medium`` forms.
    French writes the first day of a month as an ordinal (``1er``); Babel does not."""
    text = _babel_date(value, format=style, locale=_babel_locale(locale))
    if locale == "fr" and style == "long" and value.day == 1 and text.startswith("1 "):
        return "1er" + text[1:]
    return text


def format_instant(value: datetime, zone: str, locale: str) -> str:
    """An instant on the clocks of ``zone``, to the minute: ``26 nov. 2026, 10:42`` /
    ``26 Nov 2026, 10:42``."""
    return _babel_datetime(business_time(value, zone), "d MMM y, HH:mm", locale=_babel_locale(locale))
