"""The marketing pages in Persian and English: segments and the builder (htmx), lists from a
selection and a file, campaigns from writing to the report, and who may do what."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peyvand.marketing.models import Campaign, Segment, SegmentMember
from peyvand.marketing.views import segments as segment_views

from .conftest import rule

pytestmark = pytest.mark.django_db


def in_language(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.parametrize("language", ["fa", "en"])
def test_every_page_renders(as_user, town, make_segment, make_campaign, send, language):
    segment = make_segment(rule=rule({"field": "city", "op": "in", "value": ["تهران"]}))
    listed = make_segment(name="فهرست", kind=Segment.Kind.STATIC)
    draft = make_campaign(segment=segment)
    sent = send(make_campaign(name="فرستاده"))
    client = in_language(as_user("marketing"), language)
    for url in [
        reverse("marketing:segment_list"),
        reverse("marketing:segment_list") + "?q=بخش&kind=dynamic&sort=-created",
        reverse("marketing:segment_create"),
        reverse("marketing:segment_create") + "?kind=static",
        reverse("marketing:segment_detail", args=[segment.pk]),
        reverse("marketing:segment_detail", args=[listed.pk]),
        reverse("marketing:segment_edit", args=[segment.pk]),
        reverse("marketing:list_import", args=[listed.pk]),
        reverse("marketing:list_from_selection") + f"?ids={town['maryam'].pk},{town['reza'].pk}",
        reverse("marketing:campaign_list"),
        reverse("marketing:campaign_list") + "?status=sent&channel=sms&q=فر",
        reverse("marketing:campaign_create"),
        reverse("marketing:campaign_create") + f"?segment={segment.pk}",
        reverse("marketing:campaign_detail", args=[draft.pk]),
        reverse("marketing:campaign_edit", args=[draft.pk]),
        reverse("marketing:campaign_estimate", args=[draft.pk]),
        reverse("marketing:campaign_preview", args=[draft.pk]) + f"?party={town['maryam'].pk}",
        reverse("marketing:campaign_detail", args=[sent.pk]),
        reverse("marketing:campaign_progress", args=[sent.pk]),
        reverse("marketing:campaign_report", args=[sent.pk]),
        reverse("marketing:campaign_recipients", args=[sent.pk]) + "?state=skipped&reason=no_consent",
        reverse("party_detail", args=[town["maryam"].pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("marketing:campaign_report", args=[sent.pk])).content.decode()
    assert f'lang="{language}"' in page
    if language == "fa":
        assert 'dir="rtl"' in page and 'data-testid="figure-targeted">۵<' in page
    else:
        assert 'data-testid="figure-targeted">5<' in page


def test_the_builder_adds_changes_and_removes_conditions(as_user, town):
    client = as_user("marketing")
    url = reverse("marketing:segment_builder")
    html = client.post(url, {"match": "all", "action": "add-group"}).content.decode()
    assert html.count('data-testid="rule-condition"') == 1 and 'name="g0c0_field"' in html
    state = {"match": "all", "g0_match": "all", "g0c0_field": "stage", "g0c0_was": "stage", "g0c0_op": "in"}
    html = client.post(url, {**state, "action": "add-0"}).content.decode()
    assert html.count('data-testid="rule-condition"') == 2
    changed = {**state, "g0c0_field": "last_interaction", "action": ""}
    html = client.post(url, changed).content.decode()
    assert ('name="g0c0_text"' in html and "days" in html) or "روز" in html  # a number of days now
    html = client.post(url, {**state, "action": "remove-0-0"}).content.decode()
    assert 'data-testid="rule-condition"' not in html and 'data-testid="rule-everyone"' in html


def test_the_live_count_is_capped(as_user, town, monkeypatch):
    client = in_language(as_user("marketing"), "en")
    url = reverse("marketing:segment_count")
    state = {
        "match": "all",
        "g0_match": "all",
        "g0c0_field": "sms_consent",
        "g0c0_was": "sms_consent",
        "g0c0_op": "yes",
    }
    assert 'data-count="3"' in client.post(url, state).content.decode()
    monkeypatch.setattr(segment_views, "COUNT_CAP", 2)
    html = client.post(url, state).content.decode()
    assert 'data-count="2+"' in html and "2+ customers" in html
    bad = {
        **state,
        "g0c0_field": "order_count",
        "g0c0_was": "order_count",
        "g0c0_op": "gte",
        "g0c0_text": "lots",
    }
    assert "Group 1, condition 1" in client.post(url, bad).content.decode()


def test_a_segment_is_built_saved_and_refused_when_wrong(as_user, town):
    client = as_user("marketing")
    form = {
        "name": "تهرانی‌های پیامکی",
        "match": "all",
        "g0_match": "all",
        "g0c0_field": "city",
        "g0c0_was": "city",
        "g0c0_op": "in",
        "g0c0_text": "تهران، Tehran",
        "g0c1_field": "sms_consent",
        "g0c1_was": "sms_consent",
        "g0c1_op": "yes",
    }
    response = client.post(reverse("marketing:segment_create"), form)
    segment = Segment.objects.get()
    assert response.status_code == 302 and response["Location"] == segment.get_absolute_url()
    assert segment.rule["groups"][0]["conditions"][0]["value"] == ["تهران", "Tehran"]
    page = client.get(segment.get_absolute_url()).content.decode()
    assert "مریم احمدی" in page and "John Smith" in page and "رضا" not in page
    wrong = {**form, "name": "", "g0c1_field": "created", "g0c1_was": "created", "g0c1_op": "between"}
    response = client.post(reverse("marketing:segment_edit", args=[segment.pk]), wrong)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-testid="form-errors"' in html and "invalid-feedback" in html
    segment.refresh_from_db()
    assert segment.name == "تهرانی‌های پیامکی"


def test_lists_from_a_selection_and_a_file(as_user, town):
    client = as_user("marketing")
    ids = f"{town['maryam'].pk},{town['reza'].pk}"
    response = client.post(reverse("marketing:list_from_selection"), {"ids": ids, "name": "دستچین"})
    listed = Segment.objects.get(name="دستچین")
    assert response.status_code == 302 and listed.is_static
    assert SegmentMember.objects.filter(segment=listed).count() == 2
    assert (
        client.post(reverse("marketing:list_from_selection"), {"ids": "x", "name": "بد"}).status_code == 422
    )
    upload = SimpleUploadedFile("list.csv", b"mobile\n09131112233\n", content_type="text/csv")
    response = client.post(reverse("marketing:list_import", args=[listed.pk]), {"file": upload})
    assert response.status_code == 200 and 'data-testid="added-count">۱<' in response.content.decode()
    response = client.post(reverse("marketing:list_remove", args=[listed.pk]), {"ids": [town["reza"].pk]})
    assert response.status_code == 302
    assert set(SegmentMember.objects.filter(segment=listed).values_list("party__first_name", flat=True)) == {
        "مریم",
        "سارا",
    }


def test_a_campaign_from_the_form_to_the_report(
    as_user, town, make_segment, django_capture_on_commit_callbacks
):
    segment = make_segment(rule=rule({"field": "sms_consent", "op": "yes"}))
    client = in_language(as_user("marketing"), "en")
    form = {
        "name": "Spring sale",
        "goal": "sales",
        "channel": "sms",
        "segments": [segment.pk],
        "default_language": "fa",
        "body_fa": "سلام {first_name}، حراج بهاره!",
        "body_en": "Hi {first_name}, spring sale!",
        "other_cost": "0",
        "attribution_days": "30",
        "track_links": "on",
    }
    response = client.post(reverse("marketing:campaign_create"), form)
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    bad = client.post(
        reverse("marketing:campaign_edit", args=[campaign.pk]), {**form, "body_fa": "{nope}", "budget": "x"}
    )
    assert bad.status_code == 422 and "Unknown placeholders" in bad.content.decode()
    preview = client.get(
        reverse("marketing:campaign_preview", args=[campaign.pk]), {"party": town["john"].pk}
    )
    assert "Hi John, spring sale!" in preview.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("marketing:campaign_send", args=[campaign.pk]), {"when": "now"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "sent"
    progress = client.get(reverse("marketing:campaign_progress", args=[campaign.pk])).content.decode()
    assert 'data-status="sent"' in progress and "hx-trigger" not in progress  # no more polling
    report = client.get(reverse("marketing:campaign_report", args=[campaign.pk]))
    assert 'data-testid="figure-sent">3<' in report.content.decode()
    assert 'data-testid="figure-opened"' not in report.content.decode()  # an SMS is never "opened"
    csv = client.get(reverse("marketing:campaign_report", args=[campaign.pk]), {"export": "funnel"})
    assert csv["Content-Type"].startswith("text/csv") and b"Targeted" in b"".join(csv.streaming_content)
    assert (
        client.get(reverse("marketing:campaign_report", args=[campaign.pk]), {"export": "nope"}).status_code
        == 404
    )


def test_a_time_must_be_given_to_schedule(as_user, make_campaign, town):
    campaign = make_campaign()
    client = in_language(as_user("marketing"), "en")
    response = client.post(reverse("marketing:campaign_send", args=[campaign.pk]), {"when": "later"})
    assert response.status_code == 422 and "Enter when to send it." in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == "draft"


@pytest.mark.parametrize(
    ("role", "list_status", "can_create"),
    [("marketing", 200, True), ("sales", 200, False), ("support", 403, False), ("readonly", 403, False)],
)
def test_who_may_see_and_run_campaigns(as_user, make_campaign, town, role, list_status, can_create):
    campaign = make_campaign()
    client = as_user(role)
    response = client.get(reverse("marketing:campaign_list"))
    assert response.status_code == list_status
    if list_status == 200:
        assert ('data-testid="new-campaign"' in response.content.decode()) is can_create
    response = client.post(reverse("marketing:campaign_send", args=[campaign.pk]), {"when": "now"})
    if role != "marketing":
        assert response.status_code in (403, 404)
        campaign.refresh_from_db()
        assert campaign.status == "draft"


def test_lists_cost_a_fixed_number_of_queries(as_user, make_segment, make_campaign, queries, town):
    for n in range(4):
        make_campaign(name=f"کمپین {n}", segment=make_segment(name=f"بخش {n}"))
    client = as_user("marketing")
    for url in (reverse("marketing:segment_list"), reverse("marketing:campaign_list")):
        client.get(url)
        with queries() as q:
            assert client.get(url).status_code == 200
        assert len(q) <= 12, url


def test_the_campaign_form_offers_the_installations_attribution_window(as_user, monkeypatch):
    monkeypatch.setenv("PEYVAND_CAMPAIGN_ATTRIBUTION", "14")
    page = in_language(as_user("marketing"), "en").get(reverse("marketing:campaign_create")).content.decode()
    assert re.search(r'name="attribution_days" value="14"', page)


@pytest.mark.parametrize("role,offered", [("marketing", True), ("sales", False)])
def test_the_people_list_sends_its_chosen_customers_to_a_new_list(as_user, town, role, offered):
    client = as_user(role)
    people = client.get(reverse("party_list", args=["person"])).content.decode()
    button = f'formaction="{reverse("marketing:list_from_selection")}" formmethod="get"'
    assert (button in people) is offered
    if offered:
        # The bulk bar's form arrives by GET, one ids= per box ticked.
        page = client.get(
            reverse("marketing:list_from_selection"), {"ids": [town["maryam"].pk, town["reza"].pk]}
        ).content.decode()
        assert f'value="{town["maryam"].pk},{town["reza"].pk}"' in page
