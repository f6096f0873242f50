"""Consent with its date and source, typed on the form (Jalali in Persian) and sent to the API."""

import datetime as dt
import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone

from peyvand.customers.models import Party
from tests.api.conftest import api_as, assert_error  # noqa: F401 - fixture

TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")
FORM = {
    "first_name": "Sara",
    "last_name": "Tehrani",
    "source": "other",
    "stage": "suspect",
    "phone_label": "mobile",
}


@pytest.fixture
def client_as(users):
    def make(name, language="fa"):
        client = Client(headers={"Accept-Language": language})
        client.force_login(users[name])
        return client

    return make


def test_a_consent_typed_in_jalali_with_its_source_is_kept(client_as):
    response = client_as("sales").post(
        "/person/new/",
        {
            **FORM,
            "email_consent": "on",
            "email_consent_at": "۱۴۰۲/۱۰/۱۱",
            "email_consent_source": "فرم امضاشده در فروشگاه",
            "sms_consent": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    party = Party.objects.get(last_name="Tehrani")
    assert timezone.localtime(party.email_consent_at, TEHRAN).date() == dt.date(2024, 1, 1)
    assert party.email_consent_source == "فرم امضاشده در فروشگاه"
    # Left empty: today, entered by hand.
    assert timezone.localtime(party.sms_consent_at, TEHRAN).date() == timezone.localdate(timezone=TEHRAN)
    assert party.sms_consent_source == "manual"
    page = client_as("sales").get(f"/customers/{party.pk}/").content.decode()
    assert "۱۴۰۲/۱۰/۱۱" in page and "فرم امضاشده در فروشگاه" in page


def test_a_consent_in_the_future_is_refused_and_nothing_is_saved(client_as):
    tomorrow = timezone.localdate() + dt.timedelta(days=2)
    response = client_as("sales", "en").post(
        "/person/new/", {**FORM, "email_consent": "on", "email_consent_at": tomorrow.isoformat()}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email_consent_at"] == ["A consent cannot be given in the future."]
    assert not Party.objects.exists()


def test_editing_keeps_the_recorded_date_unless_it_is_changed(client_as, make_person):
    given = dt.datetime(2023, 5, 4, 10, 30, tzinfo=dt.UTC)
    party = make_person(
        data={"email_consent": True, "email_consent_at": given, "email_consent_source": "import"}
    )
    client = client_as("sales")
    form = client.get(f"/customers/{party.pk}/edit/").context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}
    data["email_consent"] = "on"
    assert data["email_consent_at"] == dt.date(2023, 5, 4)
    client.post(
        f"/customers/{party.pk}/edit/", {**data, "email_consent_at": "1402/02/14", "first_name": "Nima"}
    )
    party.refresh_from_db()
    assert party.first_name == "Nima"
    assert party.email_consent_at == given and party.email_consent_source == "import"
    # Changed on the form: the new day, the source as it was.
    client.post(f"/customers/{party.pk}/edit/", {**data, "email_consent_at": "1402/03/01"})
    party.refresh_from_db()
    assert timezone.localtime(party.email_consent_at, TEHRAN).date() == dt.date(2023, 5, 22)
    assert party.email_consent_source == "import"


def test_the_api_takes_a_consent_date_and_refuses_one_in_the_future(api_as):  # noqa: F811
    api = api_as("sales")
    response = api.post(
        "/people",
        {
            "last_name": "K",
            "email_consent": True,
            "email_consent_at": "1402/10/11",
            "email_consent_source": "web form",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email_consent_at"].startswith("2023-12-31T20:30")  # midnight in Tehran, in UTC
    assert body["email_consent_source"] == "web form"
    future = (timezone.now() + dt.timedelta(days=3)).isoformat()
    before = Party.objects.get(pk=body["id"]).email_consent_at
    assert_error(
        api.patch(f"/people/{body['id']}", {"email_consent_at": future}),
        422,
        "validation_error",
        "email_consent_at",
    )
    assert Party.objects.get(pk=body["id"]).email_consent_at == before
    assert_error(
        api.post("/people", {"last_name": "L", "sms_consent_at": "yesterday"}), 422, "validation_error"
    )
