"""Languages: the message catalogs and the choice of a locale."""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal

from lcadmin.i18n import en, fr
from lcadmin.settings import VendorSettings, get_settings

LOCALES: tuple[str, ...] = ("fr", "en")
LANGUAGE_NAMES: dict[str, str] = {"fr": "Français", "en": "English"}
_RAW: dict[str, dict[str, str]] = {"fr": fr.MESSAGES, "en": en.MESSAGES}


def _vendor_fields(vendor: VendorSettings, locale: str) -> dict[str, str]:
    capital = format_decimal(vendor.share_capital, format="#,##0", locale="fr_FR" if locale == "fr" else "en_GB")
    return {
        "vendor_capital": f"{capital}\u00a0€" if locale == "fr" else f"€{capital}",
        "vendor": vendor.name,
        "vendor_legal_name": vendor.legal_name,
        "vendor_siren": vendor.siren,
        "vendor_vat": vendor.vat_number,
        "vendor_address": f"{vendor.address_line1}, {vendor.postal_code} {vendor.city}",
        "vendor_support": vendor.support_email,
        "vendor_rcs_city": vendor.rcs_city,
        "vendor_siren_grouped": " ".join((vendor.siren[:3], vendor.siren[3:6], vendor.siren[6:])),
    }


class _KeepUnknown(dict):
    """Fills the vendor's fields and leaves per-message placeholders ({company}…) for later."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def french_typography(text: str) -> str:
    """Typographic apostrophes, and no-break spaces inside « » and before : ; ! ? as French
    typesetting wants (so a guillemet never ends up alone at the end of a line)."""
    text = text.replace("'", "\u2019").replace("« ", "«\u00a0").replace(" »", "\u00a0»")
    return re.sub(r" ([:;!?])", "\u202f\\1", text).replace("\u202f:", "\u00a0:")


@lru_cache(maxsize=4)
def catalog(locale: str) -> dict[str, str]:
    """Every message of ``locale`` with the vendor's details filled in."""
    fields = _vendor_fields(get_settings().vendor, locale)
    polish = french_typography if locale == "fr" else (lambda text: text)
    return {key: polish(text.format_map(_KeepUnknown(fields))) for key, text in _RAW[locale].items()}


def gettext(key: str, locale: str, **values: str) -> str:
    """The message ``key`` in ``locale``, with ``values`` filled in.

    Raises:
        KeyError: No such message (a missing translation is a bug, never shown as a key).
    """
    text = catalog(locale if locale in LOCALES else get_settings().default_locale)[key]
    return text.format(**values) if values else text


def negotiate_locale(accept_language: str | None, default: str | None = None) -> str:
    """The supported locale the browser prefers most, from an ``Accept-Language`` header."""
    default = default or get_settings().default_locale
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if not tag or quality <= 0:
            continue
        try:
            language = Locale.parse(tag.strip().replace("-", "_")).language if tag != "*" else default
        except (UnknownLocaleError, ValueError):
            continue
        ranked.append((-quality, index, language))
    for _, _, language in sorted(ranked):
        if language in LOCALES:
            return language
    return default
