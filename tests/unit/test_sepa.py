"""SEPA rules (accounts, creditor identifiers, mandate references), card expiry dates, and the
settings that name them."""

from datetime import date

import pytest

from lcadmin.domain.cards import EXPIRY_WARNING_DAYS, days_left, expiry_state, last_valid_day
from lcadmin.domain.sepa import (
    SEPA_COUNTRIES,
    BankAccountProblem,
    bank_account,
    creditor_id_ok,
    group_by_four,
    is_mandate_reference,
    masked_iban,
    new_mandate_reference,
)
from lcadmin.settings import SettingsError, load_settings

IBAN = "FR1420041010050500013M02606"


def _code(iban: str, bic: str = "") -> str:
    with pytest.raises(BankAccountProblem) as problem:
        bank_account(iban, bic)
    return problem.value.code


# Bank accounts


@pytest.mark.parametrize("typed", [
    "FR1420041010050500013M02606",
    "FR14 2004 1010 0505 0001 3M02 606",
    "fr14 2004 1010 0505 0001 3m02 606",
    "FR14.2004.1010.0505.0001.3M02.606",
    "FR14-2004-1010-0505-0001-3M02-606",
    "  FR14 2004\t1010 0505 0001 3M02 606  ",
])
def test_an_iban_is_read_in_any_grouping_and_case(typed):
    account = bank_account(typed)
    assert account.iban == IBAN
    assert (account.country, account.last4, account.grouped) == ("FR", "2606", "FR14 2004 1010 0505 0001 3M02 606")
    assert account.bic == "PSSTFRPP" and "POSTALE" in account.bank_name.upper()


def test_a_german_iban_derives_its_bic_from_the_bank_code():
    account = bank_account("DE89 3704 0044 0532 0130 00")
    assert (account.iban, account.bic, account.country) == ("DE89370400440532013000", "COBADEFFXXX", "DE")


@pytest.mark.parametrize("iban", [
    "FR1520041010050500013M02606",  # the ISO 13616 check digits
    "FR1420041010050500013M02607",  # one character of the account mistyped
    "FR4120041010050500013M02605",  # right check digits, wrong French RIB key
    "FR0630006000011234567890188",  # the same, another bank
    "DE89370400440532013001",
])
def test_a_wrong_check_digit_or_national_key_is_a_checksum_problem(iban):
    assert _code(iban) == "iban_checksum"


@pytest.mark.parametrize("iban", ["", "FR14", "n'importe quoi", "FR14 2004 1010 0505 0001 3M02 6O6 !",
                                  "US64SVBKUS6S3300958879", "XX1420041010050500013M02606", "1420041010050500013M02606",
                                  "FR1420041010050500013M026060000000000000000"])
def test_what_is_not_an_iban_is_invalid(iban):
    assert _code(iban) == "iban_invalid"


@pytest.mark.parametrize("iban", ["BR1800360305000010009795493C1", "TR330006100519786457841326",
                                  "SA0380000000608010167519"])
def test_a_valid_account_outside_the_sepa_area_cannot_be_debited(iban):
    assert iban[:2] not in SEPA_COUNTRIES
    assert _code(iban) == "iban_not_sepa"


def test_a_typed_bic_is_normalised_and_wins_over_the_derived_one():
    assert bank_account(IBAN, "bnpa frpp").bic == "BNPAFRPP"
    assert bank_account(IBAN, "PSSTFRPPXXX").bic == "PSSTFRPPXXX"
    assert bank_account("DE89370400440532013000", "DEUTDEFF").bic == "DEUTDEFF"


@pytest.mark.parametrize(("iban", "bic"), [
    (IBAN, "DEUTDEFF"),  # a German bank for a French account
    ("DE89370400440532013000", "BNPAFRPP"),
    (IBAN, "PSST"),
    (IBAN, "PSSTFRPPX"),  # 9 characters
    (IBAN, "1SSTFRPP"),
    (IBAN, "PSSTFRP!"),
])
def test_a_bic_that_is_malformed_or_names_another_country_is_refused(iban, bic):
    assert _code(iban, bic) == "bic_invalid"


def test_an_account_whose_bank_is_unknown_asks_for_its_bic():
    assert _code("GB82WEST12345698765432") == "bic_required"
    assert bank_account("GB82WEST12345698765432", "NWBKGB2L").bic == "NWBKGB2L"


def test_a_monaco_account_accepts_its_monaco_bank_bic():
    assert bank_account("MC5811222000010123456789030", "CFMOMCMX").bic == "CFMOMCMX"


def test_what_is_shown_of_an_account_again():
    assert masked_iban("FR", "2606") == "FR•• •••• 2606"
    assert group_by_four("DE89370400440532013000") == "DE89 3704 0044 0532 0130 00"
    assert group_by_four("") == ""


# Creditor identifiers and mandate references


@pytest.mark.parametrize("value", ["FR72ZZZ123456", "DE98ZZZ09999999999", "fr72 zzz 123456", "FR72ABC123456"])
def test_well_formed_creditor_identifiers(value):
    assert creditor_id_ok(value)


@pytest.mark.parametrize("value", ["FR73ZZZ123456", "FR72ZZZ123457", "FR72ZZZ12345", "FR72ZZZ1234567",
                                   "DE98ZZZ09999999998", "DE99ZZZ09999999999", "", "FR", "ZZZ123456",
                                   "FR72ZZZ12345!"])
def test_creditor_identifiers_with_altered_digits_or_shape_are_refused(value):
    assert not creditor_id_ok(value)


def test_mandate_references_are_unique_and_of_the_sepa_set():
    references = {new_mandate_reference(42) for _ in range(500)}
    assert len(references) == 500
    for reference in references:
        assert reference.startswith("LCA-000042-") and len(reference) <= 35 and is_mandate_reference(reference)
    assert new_mandate_reference(1) != new_mandate_reference(1)
    assert is_mandate_reference(new_mandate_reference(10**9))  # a long company id still fits


@pytest.mark.parametrize(("text", "ok"), [
    ("LCA-000001-ABCDEF", True), ("A", True), ("x" * 35, True), ("Ref: 12/34 (a),b.c'd+e?", True),
    ("", False), (None, False), ("x" * 36, False), ("LCA_1", False), ("Référence", False), ("a\nb", False),
])
def test_what_may_be_a_mandate_reference(text, ok):
    assert is_mandate_reference(text) is ok


# Card expiry


@pytest.mark.parametrize(("month", "year", "last"), [
    (2, 2028, date(2028, 2, 29)),  # a leap year
    (2, 2027, date(2027, 2, 28)),
    (2, 2100, date(2100, 2, 28)),  # divisible by 100: not a leap year
    (2, 2000, date(2000, 2, 29)),  # divisible by 400: a leap year
    (4, 2026, date(2026, 4, 30)),
    (12, 2026, date(2026, 12, 31)),
    (1, 2027, date(2027, 1, 31)),
])
def test_a_card_is_valid_until_the_last_day_of_its_month(month, year, last):
    assert last_valid_day(month, year) == last


@pytest.mark.parametrize(("today", "left", "state"), [
    (date(2026, 11, 30), 31, "active"),
    (date(2026, 12, 1), 30, "expiring"),  # EXPIRY_WARNING_DAYS before its last day
    (date(2026, 12, 30), 1, "expiring"),
    (date(2026, 12, 31), 0, "expiring"),  # its last day: still charged
    (date(2027, 1, 1), -1, "expired"),
    (date(2027, 3, 1), -60, "expired"),
])
def test_days_left_and_state_across_a_year_end(today, left, state):
    assert EXPIRY_WARNING_DAYS == 30
    assert days_left(12, 2026, today) == left
    assert expiry_state(12, 2026, today) == state


@pytest.mark.parametrize(("today", "left", "state"), [
    (date(2028, 1, 29), 31, "active"),
    (date(2028, 1, 30), 30, "expiring"),
    (date(2028, 2, 28), 1, "expiring"),
    (date(2028, 2, 29), 0, "expiring"),
    (date(2028, 3, 1), -1, "expired"),
])
def test_a_card_expiring_in_a_leap_february(today, left, state):
    assert (days_left(2, 2028, today), expiry_state(2, 2028, today)) == (left, state)


def test_a_card_expiring_in_an_ordinary_february_stops_on_the_28th():
    assert expiry_state(2, 2027, date(2027, 2, 28)) == "expiring"
    assert expiry_state(2, 2027, date(2027, 3, 1)) == "expired"
    assert days_left(2, 2027, date(2027, 1, 31)) == 28


def test_a_30_day_month_and_a_31_day_month_end_where_they_should():
    assert days_left(4, 2026, date(2026, 4, 30)) == 0 and expiry_state(4, 2026, date(2026, 5, 1)) == "expired"
    assert days_left(3, 2026, date(2026, 3, 31)) == 0 and days_left(3, 2026, date(2026, 3, 30)) == 1


# Settings


def test_the_default_creditor_identifier_and_retry_days():
    settings = load_settings({})
    assert settings.vendor.sepa_creditor_id == "FR72ZZZ123456"
    assert settings.collection_retry_days == (3, 5, 7)


@pytest.mark.parametrize("value", ["FR73ZZZ123456", "FR72ZZZ12345", "not an ICS", "DE98ZZZ09999999998"])
def test_a_wrong_creditor_identifier_is_refused_naming_the_variable(value):
    with pytest.raises(SettingsError) as error:
        load_settings({"LCADMIN_VENDOR_SEPA_CREDITOR_ID": value})
    assert "LCADMIN_VENDOR_SEPA_CREDITOR_ID" in str(error.value)


def test_a_creditor_identifier_is_normalised():
    assert load_settings({"LCADMIN_VENDOR_SEPA_CREDITOR_ID": "de98 zzz 0999 9999 999"}).vendor.sepa_creditor_id == \
        "DE98ZZZ09999999999"


@pytest.mark.parametrize(("value", "days"), [("3,5,7", (3, 5, 7)), (" 2, 10 ,30 ", (2, 10, 30)), ("1", (1,)),
                                             ("60", (60,)), ("none", ()), ("NONE", ()), (" None ", ()),
                                             ("", (3, 5, 7))])
def test_collection_retry_days_are_read(value, days):
    assert load_settings({"LCADMIN_COLLECTION_RETRY_DAYS": value}).collection_retry_days == days


@pytest.mark.parametrize("value", ["5,3", "3,3", "0", "61", "x", "3,,5", "-1", "3;5", "1,2,3,4,5,6,7,8,9,10,11",
                                   "3.5"])
def test_wrong_collection_retry_days_are_refused_naming_the_variable(value):
    with pytest.raises(SettingsError) as error:
        load_settings({"LCADMIN_COLLECTION_RETRY_DAYS": value})
    assert "LCADMIN_COLLECTION_RETRY_DAYS" in str(error.value)


def test_superscript_retry_days_are_refused_naming_the_variable():
    with pytest.raises(SettingsError) as error:
        load_settings({"LCADMIN_COLLECTION_RETRY_DAYS": "²"})
    assert "LCADMIN_COLLECTION_RETRY_DAYS" in str(error.value)
