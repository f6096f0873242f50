"""The portal in the company's colours: a colour an administrator picks (validated hex), a
text colour that reads on it by WCAG's contrast, the logo and name on every portal page."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from PIL import Image

from peyvand.core.models import CompanyProfile
from peyvand.core.services.company import CompanyProfileInput, company_profile_save
from peyvand.portal.branding import DEFAULT_COLOUR, brand, contrast, readable_on
from tests.portal.conftest import portal_client


@pytest.mark.parametrize(
    ("colour", "text"),
    [
        ("#ffd700", "#000000"),  # gold
        ("#ffffff", "#000000"),
        ("#000000", "#ffffff"),
        ("#1f3a93", "#ffffff"),  # navy
        ("#0d6efd", "#000000"),  # Bootstrap's blue: black reads 4.67:1, white 4.5:1
        ("#0b5ed7", "#ffffff"),  # the portal's default
        ("#00ff00", "#000000"),  # bright green
        ("#777777", "#000000"),
    ],
)
def test_the_text_colour_is_the_one_that_reads_better(colour, text):
    assert readable_on(colour) == text
    other = "#ffffff" if text == "#000000" else "#000000"
    assert contrast(colour, text) >= contrast(colour, other)
    assert contrast(colour, text) >= 4.5  # black or white always reaches AA on a solid colour


def test_contrast_follows_wcag():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert contrast("#123456", "#123456") == 1.0


def test_a_bad_stored_colour_falls_back_to_the_default():
    assert brand(CompanyProfile(brand_colour="red; }</style>")).colour == DEFAULT_COLOUR
    assert brand(CompanyProfile(brand_colour="")).colour == DEFAULT_COLOUR


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "stored"), [("#1F6FEB", "#1f6feb"), ("1f6feb", "#1f6feb"), ("#AbC", "#aabbcc"), ("", "")]
)
def test_an_administrator_picks_the_colour(users, typed, stored):
    profile = company_profile_save(actor=users["admin"], data=CompanyProfileInput(brand_colour=typed))
    assert profile.brand_colour == stored


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["red", "#12345g", "#1234", "#1f6feb00", "javascript:x", "#"])
def test_a_colour_that_is_not_hex_is_refused(users, typed):
    with pytest.raises(ValidationError) as caught:
        company_profile_save(actor=users["admin"], data=CompanyProfileInput(brand_colour=typed))
    assert "brand_colour" in caught.value.message_dict
    assert not CompanyProfile.objects.filter(brand_colour__gt="").exists()


@pytest.mark.django_db
def test_the_company_page_refuses_a_bad_colour_with_its_reason(users):
    client = Client()
    client.force_login(users["admin"])
    response = client.post(reverse("company"), {"brand_colour": "blue"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "six hexadecimal digits" in " ".join(response.context["form"].errors["brand_colour"])
    response = client.post(reverse("company"), {"brand_colour": "#123", "portal_review_details": "on"})
    assert response.status_code == 302
    profile = CompanyProfile.objects.get()
    assert (profile.brand_colour, profile.portal_review_details) == ("#112233", True)


@pytest.mark.django_db
def test_only_an_administrator_changes_the_colour(users):
    for role in ("manager", "sales"):
        client = Client()
        client.force_login(users[role])
        assert client.post(reverse("company"), {"brand_colour": "#123456"}).status_code in (403, 404)
    assert not CompanyProfile.objects.exists()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (255, 215, 0)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.django_db
def test_portal_pages_carry_the_company_colour_name_and_logo(world, users, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    sign_in = Client().get(reverse("portal:sign_in")).content.decode()
    assert f"--portal-primary: {DEFAULT_COLOUR}" in sign_in
    assert 'data-testid="portal-logo"' not in sign_in
    assert Client().get(reverse("portal:logo")).status_code == 404
    company_profile_save(
        actor=users["admin"],
        data=CompanyProfileInput(
            legal_name_fa="شرکت زرین", legal_name_en="Zarrin Co.", brand_colour="#ffd700", logo=_png()
        ),
    )
    page = portal_client(world["accounts"]["a"]).get(reverse("portal:home"))
    html = page.content.decode()
    assert "--portal-primary: #ffd700; --portal-on-primary: #000000;" in html
    assert "--bs-primary-rgb: 255, 215, 0;" in html
    assert "شرکت زرین" in html and 'data-testid="portal-logo"' in html
    # Gold does not read on the white page: links keep a readable blue.
    assert "--bs-link-color-rgb: 10, 88, 202;" in html
    english = Client().get(reverse("portal:sign_in"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Zarrin Co." in english
    logo = Client().get(reverse("portal:logo"))
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert logo["X-Content-Type-Options"] == "nosniff"
