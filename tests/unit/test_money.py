from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lcadmin.domain.money import (
    AmountError,
    CurrencyMismatch,
    Money,
    minor_digits,
    parse_amount,
)
from lcadmin.i18n.format import format_money


@pytest.mark.parametrize(
    "typed",
    ["3600", "3 600", "3\u00a0600", "3\u202f600", "3 600,00 €", "3600,00", "3 600 €", "3,600.00",
     "€3,600.00", "3.600,00", "3600.", "3600,0", "EUR 3600", "3,600", "3.600", "+3600", " 3600 "],
)
def test_french_and_english_writings_of_3600_euros_read_the_same(typed):
    assert parse_amount(typed) == Money(360_000, "EUR")


@pytest.mark.parametrize(
    ("typed", "minor"),
    [("3,6", 360), ("3.60", 360), ("0,5", 50), ("1 234 567,89", 123_456_789), ("1,234,567.89", 123_456_789),
     ("0", 0), ("0,00 €", 0), ("12", 1200)],
)
def test_amounts_parse_to_exact_minor_units(typed, minor):
    assert parse_amount(typed).minor == minor


@pytest.mark.parametrize(
    ("typed", "code"),
    [("", "empty"), ("   ", "empty"), ("€", "empty"), ("-3600", "negative"), ("−12", "negative"),
     ("(12)", "negative"), ("12-", "negative"), ("abc", "malformed"), ("12abc", "malformed"),
     ("3 60", "malformed"), ("1,2,3", "malformed"), ("1.234,567.8", "malformed"), ("3600.001", "malformed"),
     ("36,05,5", "malformed"), ("3,6055", "too_precise"),
     ("1.5e3", "malformed"), ("10000000000000", "too_large"), (",50", "malformed")],
)
def test_unreadable_amounts_say_why(typed, code):
    with pytest.raises(AmountError) as error:
        parse_amount(typed)
    assert error.value.code == code


def test_currency_precision_comes_from_the_currency():
    assert minor_digits("EUR") == 2
    assert minor_digits("JPY") == 0
    assert parse_amount("1 200", "JPY") == Money(1200, "JPY")
    with pytest.raises(AmountError):
        parse_amount("12,50", "JPY")


def test_money_refuses_to_mix_currencies_and_floats():
    with pytest.raises(CurrencyMismatch):
        Money(100, "EUR") + Money(100, "USD")
    with pytest.raises(TypeError):
        Money(1.5, "EUR")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(100, "EUR") * 1.5  # type: ignore[operator]
    with pytest.raises(ValueError):
        Money(100, "euro")


def test_money_arithmetic_and_vat_rounding():
    price = Money(300_00, "EUR")
    assert price * 12 == Money(3_600_00, "EUR")
    assert (price * 12).percent(2000) == Money(720_00, "EUR")
    assert Money(5, "EUR").percent(1000) == Money(1, "EUR")  # 0.5 cent rounds half up
    assert Money(4, "EUR").percent(1000) == Money(0, "EUR")
    assert Money.from_decimal(Decimal("19.995"), "EUR") == Money(2000, "EUR")
    assert Money(360_000, "EUR").to_decimal() == Decimal("3600.00")
    assert Money(1, "EUR") < Money(2, "EUR")


@given(minor=st.integers(min_value=0, max_value=10**13), locale=st.sampled_from(["fr", "en"]))
def test_what_is_displayed_reads_back_to_the_same_amount(minor, locale):
    money = Money(minor, "EUR")
    assert parse_amount(format_money(money, locale)) == money


@pytest.mark.parametrize(("typed", "currency"), [("3600 USD", "EUR"), ("$3,600.00", "EUR"), ("3 600 £", "EUR"),
                                                 ("CHF 3600", "EUR"), ("3600 €", "USD")])
def test_an_amount_written_in_another_currency_is_not_that_amount(typed, currency):
    with pytest.raises(AmountError) as error:
        parse_amount(typed, currency)
    assert error.value.code == "other_currency"


def test_the_currency_written_is_read_when_none_is_expected():
    assert parse_amount("3 600 euros", None) == Money(360_000, "EUR")
    assert parse_amount("$3,600.00", None) == Money(360_000, "USD")
    assert parse_amount("3600", None) == Money(360_000, "EUR")
    with pytest.raises(AmountError) as error:
        parse_amount("3600 € USD", None)
    assert error.value.code == "malformed"


@pytest.mark.parametrize("typed", ["٣٦٠٠", "३६००", "3٦00", "๓๖๐๐"])
def test_only_ascii_digits_are_digits(typed):
    """``int()`` reads every script's digits; an amount typed with them is refused, not guessed."""
    with pytest.raises(AmountError) as error:
        parse_amount(typed)
    assert error.value.code == "malformed"


def test_full_width_digits_fold_to_ascii():
    assert parse_amount("３ ６００，００ €") == Money(360_000, "EUR")
