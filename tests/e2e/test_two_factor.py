"""Two-factor sign-in in Chromium, in Persian: the QR code drawn inline under the
Content-Security-Policy, turned on with a code, then asked for at the next sign-in."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_turning_on_two_factor_sign_in_and_signing_in_with_a_code(signed_in):
    page = signed_in("sales")
    page.goto("/settings/two-factor/")
    page.locator("a[href='/settings/two-factor/set-up/']").click()
    expect(page.locator("svg.two-factor-qr")).to_be_visible()
    secret = page.locator("[data-testid=two-factor-secret]").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.locator("input[name=code]").fill(totp.now())
    page.locator("form:has(input[name=code]) button[type=submit]").click()
    expect(page.locator("[data-testid=recovery-codes] li")).to_have_count(10)

    page.locator("[data-testid=user-menu]").click()
    page.locator("form[action='/logout/'] button").click()
    page.goto("/login/")
    page.locator("input[name=username]").fill("sales")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/login/code/$"))
    # The next step's code: the current one was used to turn it on.
    page.locator("input[name=code]").fill(totp.generate_otp(totp.timecode(timezone.now()) + 1))
    page.locator("form:has(input[name=code]) button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"^[^?]*/$"))
    expect(page.locator("[data-testid=user-menu]")).to_be_visible()
