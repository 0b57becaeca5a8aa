"""What text fields, names and card fields accept."""

import pytest

from lcadmin.domain.cards import CardProblem, card_brand, card_cvc, card_digits, card_expiry
from lcadmin.domain.text import TextProblem, field_text, is_clean, person_name


@pytest.mark.parametrize("text", ["a\ud800", "\udfff", "nul\x00", "bell\x07", "esc\x1b[31m", "del\x7f", "c1\x85",
                                  "line\nbreak", "tab\there", "\ufffe"])
def test_a_field_refuses_what_no_keyboard_types(text):
    with pytest.raises(TextProblem) as problem:
        field_text(text, 100)
    assert problem.value.code == "invalid_characters"
    # What may cross the websocket: everything but line breaks and tabs (kept for multi-line fields).
    assert is_clean({"x": [text]}) is (text in ("line\nbreak", "tab\there"))


@pytest.mark.parametrize("value", [None, 42, 3.5, True, [], {"a": 1}, b"bytes"])
def test_a_field_wants_text(value):
    with pytest.raises(TextProblem) as problem:
        field_text(value, 100)
    assert problem.value.code == "not_text"


def test_a_field_keeps_ordinary_text_and_is_cut_at_its_limit():
    assert field_text("Anne Leroy — Société Générale, 3 600 € ✓ 😀", 100) == "Anne Leroy — Société Générale, 3 600 € ✓ 😀"
    assert field_text("x" * 500, 40) == "x" * 40
    assert field_text("two\nlines", 100, multiline=True) == "two\nlines"
    assert is_clean({"name": ["Zoë", "Ω"], "n": 3})


@pytest.mark.parametrize(("typed", "kept"), [("  Anne   Leroy ", "Anne Leroy"), ("Ｈｕｇｏ", "Hugo"),
                                             ("Anne\u200bLeroy", "AnneLeroy"), ("\u202eevE", "evE"),
                                             ("O’Brien-Smith", "O’Brien-Smith"), ("李小龍", "李小龍")])
def test_a_name_is_kept_as_it_displays(typed, kept):
    assert person_name(typed) == kept


@pytest.mark.parametrize("typed", ["", "   ", "\u200b\u200b\u200b", "\u202e\u202c", "12 34", "A", "- . -"])
def test_a_name_needs_letters(typed):
    with pytest.raises(TextProblem) as problem:
        person_name(typed)
    assert problem.value.code == "name_required"


def test_card_fields_take_ascii_digits_only():
    assert card_digits("4242 4242 4242 4242") == "4242424242424242"
    assert card_digits("4242-4242-4242-4242") == "4242424242424242"
    assert card_cvc(" 123 ") == "123" and card_cvc("1234") == "1234"
    assert card_expiry("12/28") == (12, 2028) and card_expiry("1 / 2030") == (1, 2030)
    # A phone's numeric keypad has no "/": digits alone, as typed there, and as the form formats them.
    assert card_expiry("1228") == (12, 2028) and card_expiry("122028") == (12, 2028)
    assert card_expiry("12 / 28") == (12, 2028) and card_expiry("0130") == (1, 2030)
    for number in ("4242 4242 4242 4241", "٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢", "4242\x004242424242424242", "42", "4" * 25):
        with pytest.raises(CardProblem, match="invalid_number"):
            card_digits(number)
    for cvc in ("١٢٣", "12", "12345", "abc", "１２３"):
        with pytest.raises(CardProblem, match="invalid_cvc"):
            card_cvc(cvc)
    for expiry in ("١٢/٢٨", "13/28", "0/28", "1328", "0028", "128", "12/2", "12345", "12//28", ""):
        with pytest.raises(CardProblem, match="invalid_expiry"):
            card_expiry(expiry)


def test_the_brand_sets_the_cvc_length():
    assert [card_brand(n) for n in ("4242424242424242", "5555555555554444", "2223003122003222", "378282246310005",
                                    "6011111111111117")] == ["visa", "mastercard", "mastercard", "amex", "card"]
    assert card_cvc("1234", "amex") == "1234" and card_cvc("123", "visa") == "123"
    for cvc, brand in (("123", "amex"), ("1234", "visa"), ("1234", "mastercard")):
        with pytest.raises(CardProblem, match="invalid_cvc"):
            card_cvc(cvc, brand)
