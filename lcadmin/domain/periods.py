"""Accounting periods for filters: a calendar year (``2026``) or a quarter (``2026-Q4``), the
periods an accountant files VAT returns and closes books by."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

_CODE = re.compile(r"(\d{4})(?:-Q([1-4]))?")


def period_bounds(code: str) -> tuple[date, date] | None:
    """First and last day of the period ``code`` names, or None when it names none."""
    match = _CODE.fullmatch(code or "")
    if not match:
        return None
    year, quarter = int(match.group(1)), match.group(2)
    if not 1900 <= year <= 9999:
        return None
    if quarter is None:
        return date(year, 1, 1), date(year, 12, 31)
    first_month = 3 * (int(quarter) - 1) + 1
    last = date(year + 1, 1, 1) if first_month == 10 else date(year, first_month + 3, 1)
    return date(year, first_month, 1), date.fromordinal(last.toordinal() - 1)


def periods_of(days: Iterable[date]) -> list[str]:
    """The years, each followed by its quarters, that hold at least one of ``days``, newest first."""
    quarters = {(day.year, (day.month - 1) // 3 + 1) for day in days}
    codes: list[str] = []
    for year in sorted({year for year, _ in quarters}, reverse=True):
        codes.append(str(year))
        codes += [f"{year}-Q{q}" for q in sorted((q for y, q in quarters if y == year), reverse=True)]
    return codes
