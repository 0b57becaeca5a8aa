"""Totals of an order or invoice from its lines: subtotal, VAT per rate, total."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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
