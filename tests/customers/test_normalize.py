import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from peyvand.core.text import to_persian_digits
from peyvand.customers.normalize import (
    display_phone,
    normalize_email,
    normalize_national_id,
    normalize_phone,
    phone_variants,
    show_contact_value_in_line,
)


@pytest.mark.parametrize(
    "raw",
    [
        "09121234567",
        "+98 912 123 4567",
        "00989121234567",
        "۰۹۱۲۱۲۳۴۵۶۷",
        "٠٩١٢١٢٣٤٥٦٧",
        "0912-123-4567",
        "(0912) 123 4567",
        "9121234567",
    ],
)
def test_every_way_of_writing_one_iranian_mobile_is_one_number(raw):
    assert normalize_phone(raw) == "+989121234567"


def test_landline_and_foreign_numbers():
    assert normalize_phone("021 8888 7777") == "+982188887777"
    assert normalize_phone("+44 20 7946 0958") == "+442079460958"
    assert normalize_phone("0044 20 7946 0958") == "+442079460958"


@pytest.mark.parametrize("raw", ["", "123", "abc", "0912", "+98 912 123 4567 8899 00", "+999 1234"])
def test_invalid_phones_are_refused(raw):
    with pytest.raises(ValidationError):
        normalize_phone(raw)


def test_phone_variants_and_display():
    assert phone_variants("+989121234567") == ["+989121234567", "09121234567"]
    assert display_phone("+989121234567") == "0912 123 4567"
    assert display_phone("+442079460958") == "+44 20 7946 0958"


mobile_suffix = st.text(alphabet="0123456789", min_size=7, max_size=7)


@given(st.sampled_from(["912", "935", "901", "990", "919"]), mobile_suffix)
def test_any_writing_of_a_mobile_normalises_the_same(prefix, suffix):
    expected = f"+98{prefix}{suffix}"
    assert phonenumbers.is_valid_number(phonenumbers.parse(expected))
    for raw in (
        f"0{prefix}{suffix}",
        f"+98 {prefix} {suffix[:3]} {suffix[3:]}",
        f"0098{prefix}{suffix}",
        to_persian_digits(f"0{prefix}{suffix}"),
    ):
        assert normalize_phone(raw) == expected


def test_emails_are_lower_case_and_validated():
    assert normalize_email("  Ali.Karimi@Example.COM ") == "ali.karimi@example.com"
    for bad in ["", "ali", "ali@", "@x.ir", "a b@x.ir"]:
        with pytest.raises(ValidationError):
            normalize_email(bad)


def test_national_codes_are_checked():
    assert normalize_national_id("۰۰۱۳۵۴۲۴۱۹", organisation=False) == "0013542419"
    with pytest.raises(ValidationError):
        normalize_national_id("0013542418", organisation=False)
    with pytest.raises(ValidationError):
        normalize_national_id("1111111111", organisation=False)
    assert normalize_national_id("13542419", organisation=False) == "0013542419"


def test_legal_entity_ids_are_checked():
    assert normalize_national_id("۱۰۳۸۰۲۸۴۷۹۰", organisation=True) == "10380284790"
    with pytest.raises(ValidationError):
        normalize_national_id("10380284791", organisation=True)
    with pytest.raises(ValidationError):
        normalize_national_id("1038028479", organisation=True)


def test_foreign_identifiers_are_kept():
    assert normalize_national_id("AB-1234", organisation=False) == "AB-1234"


@given(
    st.integers(min_value=90000, max_value=99999),
    st.integers(min_value=0, max_value=99999),
    st.sampled_from(["0{n}", "{n}", "+98{n}", "0098{n}", "98{n}", "+98 {n}"]),
)
def test_the_fast_path_for_iranian_mobiles_agrees_with_a_full_parse(prefix, suffix, form):
    national = f"{prefix}{suffix:05d}"
    raw = form.format(n=national)
    number = phonenumbers.parse("+98" + national)
    if phonenumbers.is_valid_number(number):
        assert normalize_phone(raw) == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    else:
        with pytest.raises(ValidationError):
            normalize_phone(raw)


def test_a_phone_in_a_persian_line_keeps_its_groups_in_order():
    with translation.override("fa"):
        assert show_contact_value_in_line("+989121234567") == "\u2066۰۹۱۲ ۱۲۳ ۴۵۶۷\u2069"
        assert show_contact_value_in_line("ali@example.com") == "ali@example.com"
    with translation.override("en"):
        assert show_contact_value_in_line("+442079460958") == "\u2066+44 20 7946 0958\u2069"
