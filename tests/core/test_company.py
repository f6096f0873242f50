"""The company profile: its identifiers validated (in any digits), only an administrator edits
it, every change audited, and its logo checked by content and kept from anonymous visitors."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image

from peyvand.core import identifiers
from peyvand.core.jalali import local_numbers
from peyvand.core.models import AuditEvent, CompanyProfile
from peyvand.core.selectors.company import company_logo, company_profile
from peyvand.core.services.company import CompanyProfileInput, company_profile_save
from peyvand.core.text import to_persian_digits

pytestmark = pytest.mark.django_db

IBAN = "IR062960000000100324200001"  # a valid check (mod 97 = 1)
LEGAL_ID = "14007650912"


def image(kind: str = "PNG", size: tuple[int, int] = (8, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, kind)
    return buffer.getvalue()


PNG = image()
GOOD = {
    "legal_name_fa": "شرکت پیوند نوین",
    "legal_name_en": "Peyvand Novin Co.",
    "economic_code": "411111111111",
    "national_id": LEGAL_ID,
    "registration_number": "123456",
    "address": "تهران، خیابان آزادی، پلاک ۱۰",
    "postal_code": "1234567890",
    "phone": "021-88888888",
    "iban": IBAN,
    "bank_name": "بانک ملت",
    "default_terms": "پرداخت ظرف ۳۰ روز",
}


# --- the identifiers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("411111111111", "411111111111"),
        ("۴۱۱۱۱۱۱۱۱۱۱۱", "411111111111"),  # Persian digits
        ("٤١١١ ١١١١ ١١١١", "411111111111"),  # Arabic digits, grouped
        (LEGAL_ID, LEGAL_ID),  # a legal entity's new economic code is its national ID
        ("", ""),
    ],
)
def test_an_economic_code_in_any_digits(raw, stored):
    assert identifiers.normalize_economic_code(raw) == stored


@pytest.mark.parametrize("raw", ["123", "123456789", "1234567890123", "41111111111x"])
def test_an_economic_code_of_the_wrong_length_is_refused(raw):
    with pytest.raises(ValidationError):
        identifiers.normalize_economic_code(raw)


def test_an_iban_passes_its_mod_97_check(english):
    assert identifiers.normalize_iban(IBAN) == IBAN
    assert identifiers.normalize_iban("ir06 2960 0000 0010 0324 2000 01") == IBAN
    assert identifiers.normalize_iban("IR" + to_persian_digits(IBAN[2:])) == IBAN
    assert identifiers.normalize_iban(IBAN[2:]) == IBAN  # typed without IR
    assert identifiers.iban_display(IBAN) == "IR06 2960 0000 0010 0324 2000 01"
    mistyped = IBAN[:-1] + "2"
    with pytest.raises(ValidationError, match="check digits"):
        identifiers.normalize_iban(mistyped)
    for wrong in ("DE89370400440532013000", "IR06296000000010032420000", "IR0629600000001003242000AB"):
        with pytest.raises(ValidationError):
            identifiers.normalize_iban(wrong)


def test_postal_code_and_national_id():
    assert identifiers.normalize_postal_code("۱۲۳۴۵-۶۷۸۹۰") == "1234567890"
    with pytest.raises(ValidationError):
        identifiers.normalize_postal_code("123456789")
    assert identifiers.normalize_legal_id(to_persian_digits(LEGAL_ID)) == LEGAL_ID
    with pytest.raises(ValidationError):
        identifiers.normalize_legal_id("14007650913")  # wrong check digit


# --- the service ------------------------------------------------------------------------------


def test_an_administrator_saves_the_profile_and_it_is_audited(admin):
    assert company_profile().pk and not CompanyProfile.objects.exists()  # empty until saved
    data = {**GOOD, "economic_code": to_persian_digits(GOOD["economic_code"])}
    profile = company_profile_save(actor=admin, data=CompanyProfileInput(**data))
    assert profile.economic_code == "411111111111" and profile.iban == IBAN
    assert company_profile().legal_name("en") == "Peyvand Novin Co."
    event = AuditEvent.objects.get(model="core.companyprofile")
    assert event.kind == AuditEvent.Kind.CREATE and event.actor == admin
    assert event.changes["economic_code"] == ["", "411111111111"]

    company_profile_save(actor=admin, data=CompanyProfileInput(phone="021-99999999"))
    change = AuditEvent.objects.filter(model="core.companyprofile").latest("at")
    assert change.kind == AuditEvent.Kind.UPDATE
    assert change.changes == {"phone": ["021-88888888", "021-99999999"]}
    assert CompanyProfile.objects.get().legal_name_fa == GOOD["legal_name_fa"]  # the rest kept

    company_profile_save(actor=admin, data=CompanyProfileInput(phone="021-99999999"))
    assert AuditEvent.objects.filter(model="core.companyprofile").count() == 2  # nothing changed


def test_every_wrong_field_is_named(admin):
    with pytest.raises(ValidationError) as caught:
        company_profile_save(
            actor=admin,
            data=CompanyProfileInput(
                economic_code="12345", national_id="12345678901", postal_code="12", iban="IR00"
            ),
        )
    assert set(caught.value.message_dict) == {"economic_code", "national_id", "postal_code", "iban"}
    assert not CompanyProfile.objects.exists()


@pytest.mark.parametrize("role", ["manager", "sales", "support", "marketing", "readonly"])
def test_only_an_administrator_may_save_it(users, role):
    with pytest.raises(PermissionDenied):
        company_profile_save(actor=users[role], data=CompanyProfileInput(legal_name_fa="x"))
    assert not CompanyProfile.objects.exists()
    assert not AuditEvent.objects.filter(model="core.companyprofile").exists()


def test_the_logo_is_checked_by_its_content(admin, english):
    with pytest.raises(ValidationError, match="PNG or JPEG"):
        company_profile_save(actor=admin, data=CompanyProfileInput(logo=b"<svg xmlns='...'></svg>"))
    with pytest.raises(ValidationError, match="1 MB"):
        company_profile_save(actor=admin, data=CompanyProfileInput(logo=PNG + b"\0" * 1024 * 1024))
    with pytest.raises(ValidationError, match="PNG or JPEG"):  # the magic bytes, then nothing
        company_profile_save(actor=admin, data=CompanyProfileInput(logo=PNG[:30]))
    with pytest.raises(ValidationError, match="PNG or JPEG"):  # a GIF called logo.png
        company_profile_save(actor=admin, data=CompanyProfileInput(logo=image("GIF")))
    jpeg = image("JPEG")
    assert company_logo(company_profile_save(actor=admin, data=CompanyProfileInput(logo=jpeg))) == (
        jpeg,
        "image/jpeg",
    )
    profile = company_profile_save(actor=admin, data=CompanyProfileInput(logo=PNG))
    assert company_logo(profile) == (PNG, "image/png")
    company_profile_save(actor=admin, data=CompanyProfileInput(logo=None))
    assert company_logo(company_profile()) is None


# --- the page ---------------------------------------------------------------------------------


def test_the_page_saves_in_persian_with_persian_digits(admin):
    client = Client()
    client.force_login(admin)
    url = reverse("company")
    assert client.get(url).status_code == 200
    with translation.override("fa"):
        response = client.post(
            url, {**GOOD, "economic_code": "۴۱۱۱۱۱۱۱۱۱۱۱", "logo": io.BytesIO(PNG)}, HTTP_ACCEPT_LANGUAGE="fa"
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = CompanyProfile.objects.get()
    assert profile.economic_code == "411111111111" and profile.logo_type == "image/png"
    page = client.get(url).content.decode()
    assert "IR06 2960 0000 0010 0324 2000 01" in page and reverse("company_logo") in page
    logo = client.get(reverse("company_logo"))
    assert logo.status_code == 200 and logo.content == PNG and logo["Content-Type"] == "image/png"
    assert Client().get(reverse("company_logo")).status_code == 302  # anonymous: to sign in


def test_the_page_shows_translated_errors_and_saves_nothing(admin):
    client = Client()
    client.force_login(admin)
    client.cookies["django_language"] = "fa"
    response = client.post(reverse("company"), {**GOOD, "iban": IBAN[:-1] + "2", "postal_code": "۱۲۳"})
    assert response.status_code == 400
    page = response.content.decode()
    with translation.override("fa"):
        assert local_numbers(translation.gettext("A postal code has 10 digits.")) in page
    assert "۱۰" in page  # the number in the interface's digits
    assert not CompanyProfile.objects.exists()


@pytest.mark.parametrize("role", ["manager", "sales", "readonly"])
def test_other_roles_get_403(users, role):
    client = Client()
    client.force_login(users[role])
    assert client.get(reverse("company")).status_code == 403
    assert client.post(reverse("company"), GOOD).status_code == 403
    assert not CompanyProfile.objects.exists()
