"""Money as an integer number of minor units plus an ISO 4217 currency, and the parsing of amounts
as people type them in French or English.

A :class:`Money` never holds a float and refuses to mix currencies. Formatting for display lives in
``lcadmin.i18n.format``; this module only knows numbers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import get_currency_precision

from lcadmin.domain.problems import Problem

# Every kind of blank a keyboard, a PDF or a copy from a web page may put inside an amount:
# space, no-break space, narrow no-break space (Babel's French group separator), thin spaces.
_BLANKS = re.compile(r"[\s\u00a0\u2007\u2009\u202f\u200a]+")
# The currencies a person may write beside an amount, longest writing first ("euros" before "eur").
_CURRENCY_MARKS = re.compile(r"(euros|euro|eur|€|usd|us\$|\$|gbp|£|chf)", re.IGNORECASE)
_MARK_CURRENCY = {"euros": "EUR", "euro": "EUR", "eur": "EUR", "€": "EUR", "usd": "USD", "us$": "USD",
                  "$": "USD", "gbp": "GBP", "£": "GBP", "chf": "CHF"}


class CurrencyMismatch(ValueError):
    """Two amounts in different currencies were combined."""


class AmountError(Problem):
    """A typed amount could not be read; ``code`` says why (``empty``, ``malformed``,
    ``negative``, ``too_precise``, ``too_large``, ``other_currency``)."""


def minor_digits(currency: str) -> int:
    """How many decimal places the currency has (EUR 2, JPY 0)."""
    return get_currency_precision(currency.upper())


@dataclass(frozen=True, order=False)
class Money:
    """An amount of one currency, counted in its minor units (cents for EUR)."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError("Money.minor must be an int of minor units")
        if not re.fullmatch(r"[A-Z]{3}", self.currency):
            raise ValueError(f"not an ISO 4217 currency code: {self.currency!r}")

    @classmethod
    def zero(cls, currency: str) -> Money:
        """No money in ``currency``."""
        return cls(0, currency)

    @classmethod
    def from_decimal(cls, amount: Decimal | str | int, currency: str) -> Money:
        """The money for a decimal amount of major units, rounded half up to the minor unit."""
        digits = minor_digits(currency)
        scaled = (Decimal(amount) * (10**digits)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return cls(int(scaled), currency)

    def to_decimal(self) -> Decimal:
        """The amount in major units, exactly."""
        return Decimal(self.minor).scaleb(-minor_digits(self.currency))

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("can only combine Money with Money")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency} cannot be combined")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __mul__(self, quantity: int) -> Money:
        if not isinstance(quantity, int) or isinstance(quantity, bool):
            raise TypeError("Money can only be multiplied by a whole quantity")
        return Money(self.minor * quantity, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.minor <= other.minor

    def percent(self, basis_points: int) -> Money:
        """This amount times ``basis_points`` / 10 000, rounded half up (2000 bp = 20 %)."""
        scaled = (Decimal(self.minor) * basis_points / Decimal(10_000)).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
        return Money(int(scaled), self.currency)

    @property
    def is_zero(self) -> bool:
        """Whether the amount is nothing."""
        return self.minor == 0


_GROUPED = {
    # Thousands written with a separator must come in groups of three digits.
    ",": re.compile(r"[0-9]{1,3}(,[0-9]{3})+"),
    ".": re.compile(r"[0-9]{1,3}(\.[0-9]{3})+"),
    "'": re.compile(r"[0-9]{1,3}('[0-9]{3})+"),
}
_MAX_MINOR = 10**15  # a trillion euros: anything larger is a typing accident


def _integer_part(text: str, group_mark: str | None) -> str:
    if group_mark is None:
        if not re.fullmatch(r"[0-9]+", text):
            raise AmountError("malformed")
        return text
    if not _GROUPED[group_mark].fullmatch(text):
        raise AmountError("malformed")
    return text.replace(group_mark, "")


def _typed_currency(text: str) -> str | None:
    """The one currency written beside the amount, if any.

    Raises:
        AmountError: ``malformed`` when two different currencies are written.
    """
    found = {_MARK_CURRENCY[mark.lower()] for mark in _CURRENCY_MARKS.findall(text)}
    if len(found) > 1:
        raise AmountError("malformed")
    return found.pop() if found else None


def parse_amount(text: str, currency: str | None = "EUR") -> Money:
    """Read an amount typed in French or English writing.

    Accepts ``3600``, ``3 600``, ``3 600,00 €``, ``3600,5``, ``3,600.00``, ``€3,600``, ``3.600,00``
    and the no-break spaces that copying from a PDF brings. A lone ``,`` or ``.`` followed by exactly
    three digits is a thousands separator (``3,600`` and ``3.600`` are 3 600), since no currency we
    bill has three decimals.

    Digits are ASCII digits, after NFKC folding (so full-width ``３６００`` reads as 3600, while
    other scripts' digits are refused as ``malformed``). A currency written beside the amount
    (``€``, ``EUR``, ``USD``, ``$``…) must be ``currency``: ``3600 USD`` is not 3 600 €.

    Args:
        text: What the person typed.
        currency: The currency the amount must be in; None to accept whichever is written
            (euros when none is).

    Returns:
        The amount; zero is returned as such (refusing it is the caller's rule).

    Raises:
        AmountError: With code ``empty``, ``malformed``, ``negative``, ``too_precise``,
            ``too_large`` or ``other_currency``.
    """
    folded = unicodedata.normalize("NFKC", text or "")
    typed = _typed_currency(folded)
    if currency is not None and typed is not None and typed != currency.upper():
        raise AmountError("other_currency")
    currency = (currency or typed or "EUR").upper()
    cleaned = _CURRENCY_MARKS.sub("", folded)
    blanks_as_groups = _BLANKS.sub(" ", cleaned).strip()
    if not blanks_as_groups:
        raise AmountError("empty")
    if blanks_as_groups.startswith(("-", "−", "(")) or blanks_as_groups.endswith("-"):
        raise AmountError("negative")
    if blanks_as_groups.startswith("+"):
        blanks_as_groups = blanks_as_groups[1:].lstrip()
    # Blanks may only separate groups of three digits ("3 600", "1 234 567,89").
    if " " in blanks_as_groups and not re.fullmatch(r"[0-9]{1,3}( [0-9]{3})+([.,][0-9]*)?", blanks_as_groups):
        raise AmountError("malformed")
    compact = blanks_as_groups.replace(" ", "")
    if not re.fullmatch(r"[0-9.,']+", compact) or compact[0] not in "0123456789":
        raise AmountError("malformed")

    marks = [c for c in compact if c in ".,"]
    decimal_mark: str | None = None
    if "," in compact and "." in compact:
        decimal_mark = compact[max(compact.rfind(","), compact.rfind("."))]
    elif len(marks) == 1:
        after = compact.split(marks[0])[1]
        decimal_mark = None if len(after) == 3 else marks[0]

    if decimal_mark is None:
        integer_text, fraction_text = compact, ""
    else:
        integer_text, _, fraction_text = compact.rpartition(decimal_mark)
        if not re.fullmatch(r"[0-9]*", fraction_text):
            raise AmountError("malformed")
    group_marks = set(re.sub(r"[0-9]", "", integer_text))
    if len(group_marks) > 1:
        raise AmountError("malformed")
    integer = _integer_part(integer_text, group_marks.pop() if group_marks else None)

    digits = minor_digits(currency)
    if len(fraction_text.rstrip("0")) > digits:
        raise AmountError("too_precise")
    minor = int(integer) * 10**digits + int((fraction_text + "0" * digits)[:digits] or "0")
    if minor >= _MAX_MINOR:
        raise AmountError("too_large")
    return Money(minor, currency)


def amount_problem(text: str) -> str | None:
    """Why a typed amount cannot prove an order or an invoice (``amount_<code>``, or
    ``amount_zero``: the seed refuses 0 €), or None; in whichever currency it is written, since
    only the document tells which one it must be."""
    try:
        amount = parse_amount(text, currency=None)
    except AmountError as error:
        return f"amount_{error.code}"
    return "amount_zero" if amount.is_zero else None
