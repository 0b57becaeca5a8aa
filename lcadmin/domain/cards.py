"""What a payment form's card fields may hold, checked before anything reaches a provider.

Only ASCII digits count as digits: ``int("١٢٣")`` is 123 in Python, and a CVC typed in another
script must not pass for one. The number may be grouped with spaces or dashes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lcadmin.domain.identifiers import luhn_ok
from lcadmin.domain.problems import Problem

_NUMBER = re.compile(r"[0-9 -]{12,40}")
_EXPIRY = re.compile(r"\s*([0-9]{1,2})\s*/\s*([0-9]{2}|[0-9]{4})\s*")
_CVC = re.compile(r"[0-9]{3,4}")


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


def card_expiry(text: str) -> tuple[int, int]:
    """(month, four-digit year) of an expiry written ``MM/YY`` or ``MM/YYYY``.

    Raises:
        CardProblem: ``invalid_expiry``.
    """
    match = _EXPIRY.fullmatch(text or "")
    if not match or not 1 <= int(match.group(1)) <= 12:
        raise CardProblem("invalid_expiry")
    year = int(match.group(2))
    return int(match.group(1)), year + 2000 if year < 100 else year


def card_cvc(text: str) -> str:
    """The security code: three or four ASCII digits.

    Raises:
        CardProblem: ``invalid_cvc``.
    """
    cvc = (text or "").strip()
    if not _CVC.fullmatch(cvc):
        raise CardProblem("invalid_cvc")
    return cvc
