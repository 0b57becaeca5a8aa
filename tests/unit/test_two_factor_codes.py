"""Reading a two-step code as people type it, and the shape of recovery codes."""

from __future__ import annotations

import pytest

from lcadmin.domain.two_factor import (
    RECOVERY_ALPHABET,
    CodeProblem,
    TypedCode,
    grouped,
    new_recovery_codes,
    read_code,
    read_totp,
    spaced_key,
)


@pytest.mark.parametrize(("typed", "expected"), [
    ("123456", TypedCode("totp", "123456")),
    (" 123 456 ", TypedCode("totp", "123456")),
    ("123-456", TypedCode("totp", "123456")),
    ("7K2M-QX9D-4HTR-W1ZP", TypedCode("recovery", "7K2MQX9D4HTRW1ZP")),
    ("7k2m qx9d 4htr w1zp", TypedCode("recovery", "7K2MQX9D4HTRW1ZP")),
    ("7K2M-QX9D-4HTR-WIZP", TypedCode("recovery", "7K2MQX9D4HTRW1ZP")),  # I typed for 1
    ("OOOO-0000-LLLL-1111", TypedCode("recovery", "0000000011111111")),
])
def test_codes_are_read_as_people_type_them(typed, expected):
    assert read_code(typed) == expected


@pytest.mark.parametrize(("typed", "problem"), [
    (None, "code_empty"), (123456, "code_empty"), ("", "code_empty"), (" - ", "code_empty"),
    ("12345", "code_malformed"), ("1234567", "code_malformed"), ("١٢٣٤٥٦", "code_malformed"),
    ("12\x003456", "code_malformed"), ("7K2M-QX9D-4HTR-W1Z", "code_malformed"), ("7K2M-QX9D-4HTR-W1ZU", "code_malformed"),
])
def test_what_is_no_code_is_refused_with_a_reason(typed, problem):
    with pytest.raises(CodeProblem) as error:
        read_code(typed)
    assert error.value.code == problem


def test_enrolment_takes_an_app_code_only():
    assert read_totp("654 321") == "654321"
    with pytest.raises(CodeProblem):
        read_totp("7K2M-QX9D-4HTR-W1ZP")


def test_recovery_codes_are_ten_distinct_80_bit_codes_shown_in_groups():
    codes = new_recovery_codes()
    assert len(set(codes)) == 10
    assert all(len(code) == 16 and set(code) <= set(RECOVERY_ALPHABET) for code in codes)
    assert len(RECOVERY_ALPHABET) == 32  # 16 characters of 5 bits
    assert grouped("7K2MQX9D4HTRW1ZP") == "7K2M-QX9D-4HTR-W1ZP"
    assert read_code(grouped(codes[0])).value == codes[0]
    assert spaced_key("ABCDEFGHIJKLMNOP") == "ABCD EFGH IJKL MNOP"
