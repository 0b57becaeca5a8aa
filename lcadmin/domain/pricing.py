"""Totals of an order or invoice from its lines: subtotal, VAT per rate, total."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from lcadmin.domain.money import Money


@dataclass(frozen=True)
class PricedLine:
    """One line as priced: quantity × unit price excluding tax, at a VAT rate in basis points."""

    quantity: int
    unit_price: Money
    tax_rate_bp: int

    @property
    def amount(self) -> Money:
        """The line's amount excluding tax."""
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class Totals:
    """What a document adds up to; ``tax_by_rate`` maps a rate in basis points to (base, tax)."""

    subtotal: Money
    tax_by_rate: dict[int, tuple[Money, Money]]
    tax: Money
    total: Money


def compute_totals(lines: Iterable[PricedLine], currency: str) -> Totals:
    """Add up ``lines``; the VAT is computed once per rate on the summed base, as French
    invoices state it (one base and one tax amount per rate)."""
    bases: dict[int, Money] = {}
    for line in lines:
        if line.quantity <= 0:
            raise ValueError("a line's quantity must be positive")
        bases[line.tax_rate_bp] = bases.get(line.tax_rate_bp, Money.zero(currency)) + line.amount
    by_rate = {rate: (base, base.percent(rate)) for rate, base in sorted(bases.items())}
    subtotal = sum((base for base, _ in by_rate.values()), Money.zero(currency))
    tax = sum((amount for _, amount in by_rate.values()), Money.zero(currency))
    return Totals(subtotal=subtotal, tax_by_rate=by_rate, tax=tax, total=subtotal + tax)


def days_between(first: date, last: date) -> int:
    """Calendar days from ``first`` to ``last``, both counted."""
    return (last - first).days + 1


def prorated_unit_price(term_price_minor: int, *, start: date, term_start: date, term_end: date) -> int:
    """The price of one seat bought on ``start`` for the rest of a term, in minor units.

    The rule (README, "Buying more seats"): the term's price of a seat × the days from ``start``
    to the term's end, both counted, ÷ the term's days, both counted; rounded to the nearest minor
    unit, halves away from zero. A seat bought on the term's first day costs the full price; on
    its last day, one day's worth. Leap days count as days.

    Raises:
        ValueError: ``start`` outside the term, or a negative price.
    """
    if term_price_minor < 0:
        raise ValueError("a price cannot be negative")
    if not term_start <= start <= term_end:
        raise ValueError("the start must fall within the term")
    numerator = term_price_minor * days_between(start, term_end)
    denominator = days_between(term_start, term_end)
    quotient, remainder = divmod(numerator, denominator)
    return quotient + (1 if 2 * remainder >= denominator else 0)
