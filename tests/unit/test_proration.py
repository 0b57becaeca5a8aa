"""The price of seats bought during a term (README, "Buying more seats"): the term's price of a
seat × the days left (both ends counted) ÷ the term's days, rounded to the nearest cent, halves
away from zero."""

from __future__ import annotations

from datetime import date

import pytest

from lcadmin.domain.pricing import days_between, prorated_unit_price

YEAR_2026 = (date(2026, 1, 1), date(2026, 12, 31))  # 365 days
YEAR_2028 = (date(2028, 1, 1), date(2028, 12, 31))  # 366 days: a leap year


@pytest.mark.parametrize(("price", "start", "term", "expected"), [
    (300_00, date(2026, 1, 1), YEAR_2026, 300_00),  # the first day: the full price
    (300_00, date(2026, 12, 31), YEAR_2026, 82),  # the last day: 30000 / 365 = 82.19
    (300_00, date(2026, 12, 1), YEAR_2026, 25_48),  # 31 days: 9 300 000 / 365 = 25 479.45
    (300_00, date(2026, 7, 2), YEAR_2026, 150_41),  # 183 days: 5 490 000 / 365 = 15 041.09
    (366_00, date(2028, 2, 29), YEAR_2028, 307_00),  # the leap day counts: 307 days of 366
    (366_00, date(2028, 3, 1), YEAR_2028, 306_00),
    (120_00, date(2026, 12, 15), (date(2026, 12, 1), date(2026, 12, 31)), 65_81),  # a term ending this month
    (2, date(2026, 1, 2), (date(2026, 1, 1), date(2026, 1, 4)), 2),  # 1.5 rounds away from zero: 2
    (1, date(2026, 1, 3), (date(2026, 1, 1), date(2026, 1, 4)), 1),  # 0.5: 1
    (0, date(2026, 6, 1), YEAR_2026, 0),
])
def test_the_proration_rule(price, start, term, expected):
    assert prorated_unit_price(price, start=start, term_start=term[0], term_end=term[1]) == expected


def test_days_are_counted_both_ends_included():
    assert days_between(*YEAR_2026) == 365 and days_between(*YEAR_2028) == 366
    assert days_between(date(2026, 3, 1), date(2026, 3, 1)) == 1


@pytest.mark.parametrize("start", [date(2025, 12, 31), date(2027, 1, 1)])
def test_a_start_outside_the_term_is_refused(start):
    with pytest.raises(ValueError):
        prorated_unit_price(300_00, start=start, term_start=YEAR_2026[0], term_end=YEAR_2026[1])
