"""What a payment form's card fields may hold, checked before anything reaches a provider.

Only ASCII digits count as digits: ``int("١٢٣")`` is 123 in Python, and a CVC typed in another
script must not pass for one. The number may be grouped with spaces or dashes; the expiry may be
typed without a separator (``1228``: a phone's numeric keypad has no "/"). The browser formats
and checks the same rules as the person types (``assets/card-fields.js``); these are the ones
that count.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from lcadmin.domain.identifiers import luhn_ok
from lcadmin.domain.problems import Problem

_NUMBER = re.compile(r"[0-9 -]{12,40}")
_EXPIRY = re.compile(r"\s*([0-9]{1,2})\s*/\s*([0-9]{2}|[0-9]{4})\s*|\s*([0-9]{2})([0-9]{2}|[0-9]{4})\s*")
_CVC = re.compile(r"[0-9]{3,4}")

# Which field of the form each problem belongs to (the form shows it under that field).
FIELD_OF = {"invalid_number": "card_number", "invalid_expiry": "card_expiry", "expired_card": "card_expiry",
            "invalid_cvc": "card_cvc", "incorrect_cvc": "card_cvc"}


@dataclass(frozen=True)
class CardInput:
    """What the payment form sends; held only for the time of the tokenization call."""

    number: str
    expiry: str  # MM/YY
    cvc: str


class CardProblem(Problem):
    """A card field cannot be used (``code``: ``invalid_number``, ``invalid_expiry``, ``invalid_cvc``)."""


def card_digits(number: str) -> str:
    """The card number's digits (12 to 19 of them, with a right Luhn key).

    Raises:
        CardProblem: ``invalid_number``.
    """
    if not _NUMBER.fullmatch(number or ""):
        raise CardProblem("invalid_number")
    digits = number.replace(" ", "").replace("-", "")
    if not 12 <= len(digits) <= 19 or not luhn_ok(digits):
        raise CardProblem("invalid_number")
    return digits


def card_brand(digits: str) -> str:
    """The card's network, from the first digits: ``visa``, ``mastercard``, ``amex`` or ``card``."""
    if digits.startswith("4"):
        return "visa"
    if digits[:2] in {"51", "52", "53", "54", "55"} or "2221" <= digits[:4] <= "2720":
        return "mastercard"
    if digits[:2] in {"34", "37"}:
        return "amex"
    return "card"


def card_expiry(text: str) -> tuple[int, int]:
    """(month, four-digit year) of an expiry written ``MM/YY``, ``MM / YY``, ``MM/YYYY``, or as
    digits alone (``1228``, ``122028``).

    Raises:
        CardProblem: ``invalid_expiry``.
    """
    match = _EXPIRY.fullmatch(text or "")
    if not match:
        raise CardProblem("invalid_expiry")
    month, year = (int(part) for part in (match.group(1, 2) if match.group(1) else match.group(3, 4)))
    if not 1 <= month <= 12:
        raise CardProblem("invalid_expiry")
    return month, year + 2000 if year < 100 else year


def card_cvc(text: str, brand: str | None = None) -> str:
    """The security code: four ASCII digits on an American Express card, three on the others
    (three or four when the brand is not known).

    Raises:
        CardProblem: ``invalid_cvc``.
    """
    cvc = (text or "").strip()
    if not _CVC.fullmatch(cvc) or (brand is not None and len(cvc) != (4 if brand == "amex" else 3)):
        raise CardProblem("invalid_cvc")
    return cvc


# A card is flagged, and its holders told, this many days before it stops working.
EXPIRY_WARNING_DAYS = 30


def last_valid_day(exp_month: int, exp_year: int) -> date:
    """The last day a card can be charged: the last day of its expiry month."""
    return date(exp_year, exp_month, calendar.monthrange(exp_year, exp_month)[1])


def days_left(exp_month: int, exp_year: int, today: date) -> int:
    """Days from ``today`` to the card's last valid day (negative once expired)."""
    return (last_valid_day(exp_month, exp_year) - today).days


def expiry_state(exp_month: int, exp_year: int, today: date) -> str:
    """``active``, ``expiring`` (within :data:`EXPIRY_WARNING_DAYS` of its last day) or ``expired``."""
    left = days_left(exp_month, exp_year, today)
    if left < 0:
        return "expired"
    return "expiring" if left <= EXPIRY_WARNING_DAYS else "active"
