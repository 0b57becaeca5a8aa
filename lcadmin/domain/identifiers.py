"""French company identifiers: SIREN and intra-community VAT numbers."""

from __future__ import annotations

import re


def luhn_ok(digits: str) -> bool:
    """Whether a string of ASCII digits ends with the right Luhn key (SIREN, card numbers)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def is_valid_siren(value: str) -> bool:
    """Whether ``value`` is a SIREN: nine digits whose Luhn key is right."""
    return bool(re.fullmatch(r"\d{9}", value)) and luhn_ok(value)


def french_vat_number(siren: str) -> str:
    """The French VAT number derived from a SIREN (key = (12 + 3 × (SIREN mod 97)) mod 97)."""
    key = (12 + 3 * (int(siren) % 97)) % 97
    return f"FR{key:02d}{siren}"


def is_valid_vat_number(value: str) -> bool:
    """Whether ``value`` looks like an EU VAT number; French ones are checked against their key."""
    value = value.replace(" ", "").upper()
    if value.startswith("FR"):
        siren = value[4:]
        return bool(re.fullmatch(r"FR\d{2}\d{9}", value)) and french_vat_number(siren) == value
    return bool(re.fullmatch(r"[A-Z]{2}[0-9A-Z+*]{2,12}", value))


def record_id(value: object) -> int | None:
    """A record's id as a browser sends it (up to 12 ASCII digits: "²" or "١" are digits to
    Python, not to an id), or None."""
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None
