"""Web-to-lead: the hosted page, the honeypot, the database rate limit, consent."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from peyvand.sales.models import Lead, WebForm, WebFormHit
from peyvand.sales.services import webforms

pytestmark = pytest.mark.django_db


@pytest.fixture
def web_form(users):
    return webforms.webform_save(
        actor=users["admin"],
        data={
            "name": "تماس با ما",
            "title": "درخواست مشاوره",
            "fields": ["first_name", "last_name", "phone", "email", "message"],
            "required": ["last_name", "phone"],
            "email_consent_label": "خبرنامه را می‌خواهم",
            "source": "website",
            "language": "fa",
        },
    )


def _post(form: WebForm, data: dict, address: str = "203.0.113.7"):
    # A visitor from another site: no session, no CSRF token.
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=address)
    return client.post(reverse("sales:web_form_public", args=[form.key]), data)


def test_the_hosted_page_is_embeddable_and_in_the_forms_language(client, web_form):
    response = client.get(reverse("sales:web_form_public", args=[web_form.key]))
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    html = response.content.decode()
    assert 'dir="rtl"' in html and "درخواست مشاوره" in html and 'name="website"' in html


def test_a_submission_makes_a_lead_with_consent(web_form):
    response = _post(web_form, {"last_name": "کاظمی", "phone": "09123456789", "email_consent": "on"})
    assert response.status_code == 200 and 'data-testid="thanks"' in response.content.decode()
    lead = Lead.objects.get()
    assert lead.web_form == web_form and lead.source == "website" and lead.phone == "+989123456789"
    assert lead.email_consent and lead.consent_at is not None and not lead.sms_consent


def test_the_honeypot_swallows_bots(web_form):
    response = _post(web_form, {"last_name": "bot", "phone": "09123456789", "website": "http://spam.example"})
    assert response.status_code == 200 and 'data-testid="thanks"' in response.content.decode()
    assert not Lead.objects.exists()


def test_required_fields_and_bad_values_are_reported(web_form):
    response = _post(web_form, {"last_name": "", "phone": "12"})
    assert response.status_code == 400
    assert not Lead.objects.exists()
    response = _post(web_form, {"last_name": "x", "phone": "12"})
    assert response.status_code == 400 and "is-invalid" in response.content.decode()


def test_the_rate_limit_holds_in_the_database(web_form, monkeypatch):
    monkeypatch.setenv("PEYVAND_WEBFORM_LIMIT", "3")
    for i in range(3):
        assert _post(web_form, {"last_name": f"n{i}", "phone": f"0912345678{i}"}).status_code == 200
    assert _post(web_form, {"last_name": "n4", "phone": "09123456784"}).status_code == 429
    assert Lead.objects.count() == 3
    assert (
        _post(web_form, {"last_name": "other", "phone": "09123456785"}, address="198.51.100.9").status_code
        == 200
    )
    assert WebFormHit.objects.filter(address="203.0.113.7").count() == 3


def test_an_inactive_or_unknown_form_is_404(client, web_form, users):
    webforms.webform_save(actor=users["admin"], data={"active": False}, form=web_form)
    assert client.get(reverse("sales:web_form_public", args=[web_form.key])).status_code == 404
    assert client.get("/f/" + "x" * 300 + "/").status_code == 404


def test_a_form_without_a_name_or_company_field_cannot_be_designed(users):
    with pytest.raises(ValidationError) as error:
        webforms.webform_save(
            actor=users["admin"], data={"name": "x", "title": "y", "fields": ["email", "message"]}
        )
    assert "fields" in error.value.message_dict
    assert not WebForm.objects.exists()


def test_an_error_on_a_field_the_form_lacks_is_shown_above_the_fields(users):
    form = webforms.webform_save(
        actor=users["admin"],
        data={"name": "شرکت‌ها", "title": "همکاری", "fields": ["company", "email"], "language": "en"},
    )
    response = _post(form, {"company": "", "email": "a@b.example"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a name or a company." in html  # said on "last_name", which this form has not
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    ("trusted", "forwarded", "remote", "counted"),
    [
        ("", "198.51.100.1", "203.0.113.7", "203.0.113.7"),  # no proxy is trusted: the header is ignored
        ("10.0.0.1", "198.51.100.1", "203.0.113.7", "203.0.113.7"),  # not from the proxy: ignored
        ("10.0.0.1", "198.51.100.1", "10.0.0.1", "198.51.100.1"),
        ("10.0.0.0/8", "192.0.2.9, 198.51.100.1, 10.0.0.2", "10.0.0.1", "198.51.100.1"),  # spoofed first hop
        ("10.0.0.1", "not-an-ip", "10.0.0.1", "10.0.0.1"),
    ],
)
def test_the_rate_limit_counts_the_visitor_behind_trusted_proxies_only(
    web_form, monkeypatch, trusted, forwarded, remote, counted
):
    monkeypatch.setenv("PEYVAND_TRUSTED_PROXIES", trusted)
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=remote)
    response = client.post(
        reverse("sales:web_form_public", args=[web_form.key]),
        {"last_name": "کاظمی", "phone": "09123456789"},
        headers={"X-Forwarded-For": forwarded},
    )
    assert response.status_code == 200
    assert list(WebFormHit.objects.values_list("address", flat=True)) == [counted]


def test_behind_a_trusted_proxy_each_visitor_has_their_own_limit(web_form, monkeypatch):
    monkeypatch.setenv("PEYVAND_TRUSTED_PROXIES", "127.0.0.1")
    monkeypatch.setenv("PEYVAND_WEBFORM_LIMIT", "1")
    url = reverse("sales:web_form_public", args=[web_form.key])
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    data = {"last_name": "n", "phone": "09123456780"}
    assert proxy.post(url, data, headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 200
    assert proxy.post(url, data, headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 429
    assert proxy.post(url, data, headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 200
