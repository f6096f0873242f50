"""No input crashes a portal page: every page of the ``portal`` namespace, asked by an
anonymous visitor and by a signed-in customer, with odd values in every field it reads."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.portal.conftest import portal_client
from tests.portal.test_access_matrix import RECORD_PAGES, portal_pages, world  # noqa: F401 - with appointments

pytestmark = pytest.mark.django_db

ODD = ["", "x" * 5000, "\x00", "۱۲۳۴۵۶", "<script>alert(1)</script>", "' OR 1=1 --", "١٢٣"]
FIELDS = (
    "identifier", "password", "code", "password1", "password2", "subject", "body", "kind", "order",
    "reason", "q", "language", "email_consent", "sms_consent", "cursor", "first_name", "last_name",
    "email", "phone", "street", "city", "province", "postal_code", "organisation", "team", "at", "note",
)  # fmt: skip


def test_no_odd_input_gets_a_server_error(world):  # noqa: F811
    signed_in = portal_client(world["accounts"]["manager"])
    anonymous = Client()
    records = world["records"]["manager"]
    checked = 0
    for name, arguments in portal_pages():
        if arguments == ["token"]:
            urls = [reverse(name, args=[value]) for value in ("x", "x" * 300, "۱۲۳")]
        elif arguments and name in RECORD_PAGES:
            urls = [
                reverse(name, args=[records.refs[RECORD_PAGES[name]]]),
                reverse(name, args=["0-" + "a" * 20]),
            ]
        elif arguments:  # a partner's record: this world has no partner, only a forged reference
            urls = [reverse(name, args=["0-" + "a" * 20])]
        else:
            urls = [reverse(name)]
        for url in urls:
            for value in ODD:
                data = dict.fromkeys(FIELDS, value)
                for client in (signed_in, anonymous):
                    assert client.get(url, {"q": value, "cursor": value}).status_code < 500, (url, value)
                    if name != "portal:sign_out":
                        assert client.post(url, data).status_code < 500, (url, value)
                    checked += 1
    assert checked > 300
    assert signed_in.get(reverse("portal:home")).status_code == 200  # nothing odd signed it out
