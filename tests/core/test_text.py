from hypothesis import given
from hypothesis import strategies as st

from peyvand.core.text import (
    clean_text,
    collation_key,
    search_key,
    search_terms,
    to_ascii_digits,
    to_persian_digits,
)


def test_arabic_and_persian_letters_search_alike():
    assert search_key("علي كريمي") == search_key("علی کریمی") == "علی کریمی"


def test_digits_of_every_script_search_as_ascii():
    assert search_key("۰۹۱۲") == search_key("٠٩١٢") == "0912"


def test_kashida_zero_width_and_diacritics_are_dropped():
    assert search_key("عـــلی") == "علی"
    assert search_key("عَلی\u200b") == "علی"
    assert search_key("ﻋﻠﯽ") == "علی"  # presentation forms
    assert search_key("\u200fRéza\u200e") == "reza"


def test_zwnj_is_kept_when_cleaning_but_is_a_word_break_in_search():
    assert clean_text("می\u200cخواهم") == "می\u200cخواهم"
    assert clean_text("می \u200c خواهم") == "می\u200cخواهم"
    assert search_key("می\u200cخواهم") == "می خواهم"


def test_control_characters_are_removed():
    assert clean_text("Ali\x00\x07 Reza\tK") == "Ali Reza K"


def test_clean_text_collapses_spaces_and_fixes_letters_only():
    assert clean_text("  علي   رضا  ۱۲ ") == "علی رضا ۱۲"


def test_search_terms_splits_normalised_words():
    assert search_terms(" علي  KARIMI ") == ["علی", "karimi"]
    assert search_terms("") == []


def test_persian_alphabetical_order():
    names = ["یاسمن", "گلناز", "پرویز", "کاوه", "بهرام", "ژاله", "چنگیز", "احمد", "Zoe", "adam", "۲ب"]
    assert sorted(names, key=collation_key) == [
        "۲ب",
        "احمد",
        "بهرام",
        "پرویز",
        "چنگیز",
        "ژاله",
        "کاوه",
        "گلناز",
        "یاسمن",
        "adam",
        "Zoe",
    ]


def test_collation_key_is_ascii_hex():
    key = collation_key("علی Smith ☃")
    assert key.isascii() and all(c in "0123456789abcdef" for c in key)


persian_text = st.text(
    alphabet=st.sampled_from("ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیيكـ \u200c۰۱۲۳٤٥٦abcXYZ0123"), max_size=40
)


@given(persian_text)
def test_search_key_is_idempotent(value):
    assert search_key(search_key(value)) == search_key(value)


@given(persian_text)
def test_clean_text_is_idempotent_and_never_changes_the_search_form(value):
    assert clean_text(clean_text(value)) == clean_text(value)
    assert search_key(clean_text(value)) == search_key(value)


@given(persian_text)
def test_search_key_has_no_arabic_letters_or_non_ascii_digits(value):
    key = search_key(value)
    assert not set(key) & set("يكـ۰۱۲۳٤٥٦\u200c")


@given(st.integers(min_value=0, max_value=10**12))
def test_digit_round_trip(number):
    assert to_ascii_digits(to_persian_digits(str(number))) == str(number)


@given(persian_text, persian_text)
def test_collation_key_order_matches_search_form_order(a, b):
    # Equal search forms sort together, whatever letters and digits they were typed in.
    if search_key(a) == search_key(b):
        assert collation_key(a) == collation_key(b)
