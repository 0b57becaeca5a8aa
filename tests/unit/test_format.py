from datetime import date

from lcadmin.domain.money import Money
from lcadmin.i18n.format import format_date, format_money


def _plain(text: str) -> str:
    """Babel writes French amounts with no-break spaces; compare them as plain spaces."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def test_money_is_written_the_french_way_in_french():
    assert _plain(format_money(Money(360_000, "EUR"), "fr")) == "3 600,00 €"
    assert _plain(format_money(Money(432_000, "EUR"), "fr")) == "4 320,00 €"


def test_money_is_written_the_english_way_in_english():
    assert format_money(Money(360_000, "EUR"), "en") == "€3,600.00"
    assert format_money(Money(72_000, "EUR"), "en") == "€720.00"


def test_french_amounts_never_break_across_lines():
    text = format_money(Money(360_000, "EUR"), "fr")
    assert " " not in text  # only no-break spaces


def test_dates_follow_the_locale():
    assert format_date(date(2026, 1, 1), "fr") == "1er janvier 2026"  # French writes the first day as 1er
    assert format_date(date(2026, 1, 2), "fr") == "2 janvier 2026" and format_date(date(2026, 1, 1), "en") == "1 January 2026"
    assert format_date(date(2026, 12, 31), "en") == "31 December 2026"
    assert format_date(date(2026, 12, 31), "fr", "short") == "31/12/2026"
