"""The access matrix, generated from the URL list: every page and API operation, asked by an
anonymous visitor, by every role, and about records of other owners and teams.

- Every page and API operation is classified here; a new one that is not fails the test, so
  whoever adds a URL says who may reach it.
- Anonymous: every page but the public ones sends to the sign-in page, every API operation
  but the public ones answers 401; none answers with content.
- Administration pages refuse every other role.
- Record pages, on the demo company: for each role, a record of each kind it may not see is
  not found (GET) and a write to it (POST) changes nothing — the record, and the audit log,
  which every write goes through. A record it may see opens.

The customer portal's pages (the ``portal`` namespace) are not walked here: they send to
the portal's own sign-in rather than staff's, and tests/portal/test_access_matrix.py holds
their matrix. Staff's pages about a customer's portal access (``portal_staff``) are here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from peyvand.api import api
from peyvand.core import policy
from peyvand.core.models import AuditEvent, User
from peyvand.demo.load import load_demo

ANCHOR = dt.date(2025, 3, 10)

# Pages anyone may open: signing in, the language, what a customer reaches from an email or
# the website (unsubscribing, a survey's answer, a public form or article, a tracked link or
# pixel), a calendar feed behind its secret key.
PUBLIC_PAGES = {
    "login",
    "login_code",  # the second step of signing in: only for a right password waiting for its code
    "logout",
    "set_language",
    "unsubscribe",
    "calendar_feed",
    "sales:web_form_public",
    "service:survey",
    "service:request_form",
    "service:article_public",  # published articles only; a draft is not found
    "marketing:click",
    "marketing:pixel",
    "adoption:respond_link",  # a one-time link to a readiness questionnaire
    "invitation",  # a colleague's one-time link to choose their first password
}
PUBLIC_OPERATIONS = {
    ("get", "/api/v1/openapi.json"),
    ("get", "/api/v1/docs"),
    # Webhooks: signed with their own token, refused without it (401 too).
    ("post", "/api/v1/sms/inbound"),
    ("post", "/api/v1/telephony/calls"),
}
# The records each page is about, by the page's name (its ``pk``).
RECORD_PAGES: dict[str, str] = {
    **dict.fromkeys(
        [
            "party_detail",
            "party_edit",
            "party_delete",
            "party_merge",
            "contact_add",
            "membership_add",
            "note_add",
            "party_timeline",
            "interaction_create",
            "email_send",
            "sms_send",
            "compose_email",
            "compose_sms",
            "party_next_contact",
            "portal_staff:invite",
            "portal_staff:revoke",
        ],
        "customers.party",
    ),
    "portal_staff:change_approve": "portal.detailchange",
    "portal_staff:change_reject": "portal.detailchange",
    "partners:mark": "customers.party",  # making an organisation a partner
    **{
        f"partners:{name}": "portal.partner"
        for name in ("partner", "target_set", "user_invite", "user_remove")
    },
    "partners:registration_approve": "portal.registration",
    "partners:registration_reject": "portal.registration",
    "contact_edit": "customers.contactpoint",
    "contact_delete": "customers.contactpoint",
    "membership_remove": "customers.membership",
    "note_edit": "customers.note",
    "note_delete": "customers.note",
    "interaction_edit": "interactions.interaction",
    "interaction_delete": "interactions.interaction",
    "attachment_download": "interactions.attachment",
    "outbound_retry": "interactions.outboundmessage",
    "outbound_cancel": "interactions.outboundmessage",
    "template_edit": "interactions.messagetemplate",
    **dict.fromkeys(
        [
            f"activity_{action}"
            for action in ("detail", "edit", "complete", "cancel", "reopen", "delete", "move")
        ],
        "activities.activity",
    ),
    "notification_open": "notifications.notification",
    **{f"sales:lead_{action}": "sales.lead" for action in ("detail", "edit", "stage", "touch", "convert")},
    **{f"sales:deal_{action}": "sales.deal" for action in ("detail", "edit", "move", "delete")},
    "sales:line_add": "sales.deal",
    "sales:quote_create": "sales.deal",
    "sales:line_remove": "sales.dealline",
    **{
        f"sales:quote_{action}": "sales.quote"
        for action in ("detail", "pdf", "attachment", "send", "accept", "decline")
    },
    "sales:order_detail": "sales.order",
    "sales:invoice_create": "sales.order",
    "sales:invoice_detail": "sales.invoice",
    "sales:invoice_pdf": "sales.invoice",
    **{
        f"service:ticket_{action}": "service.ticket"
        for action in ("detail", "edit", "reply", "note", "status", "merge", "split")
    },
    "service:canned_fill": "service.ticket",
    "service:article_suggest": "service.ticket",
    "service:article_link": "service.ticket",
    "service:survey_ask": "service.ticket",
    **{f"service:article_{action}": "service.article" for action in ("detail", "edit", "restore", "delete")},
    **{
        f"service:{name}": "service.workorder"
        for name in (
            "work_order_detail",
            "work_order_edit",
            "work_order_schedule",
            "work_order_check_out",
            "work_order_sign",
            "work_order_action",
            "work_part_add",
            "work_part_remove",
            "work_photo_add",
            "work_photo",
            "work_signature",
            "board_move",
        )
    },
    "service:contract_edit": "service.servicecontract",
    "service:contract_delete": "service.servicecontract",
    **{f"service:canned_{action}": "service.cannedreply" for action in ("edit", "delete")},
    **{
        f"marketing:segment_{action}": "marketing.segment"
        for action in ("detail", "edit", "delete", "freeze")
    },
    "marketing:list_import": "marketing.segment",
    "marketing:list_remove": "marketing.segment",
    **{
        f"marketing:campaign_{action}": "marketing.campaign"
        for action in (
            "detail",
            "edit",
            "delete",
            "estimate",
            "preview",
            "test",
            "send",
            "cancel",
            "winner",
            "progress",
            "report",
            "recipients",
        )
    },
    **{
        f"marketing:{name}": "marketing.programme"  # steps and enrolments through their programme
        for name in (
            "programme_detail",
            "programme_edit",
            "programme_delete",
            "programme_start",
            "programme_pause",
            "programme_enrol",
            "step_create",
            "step_edit",
            "step_delete",
            "enrolment_list",
            "enrolment_detail",
        )
    },
    **{
        f"import_{action}": "customers.importjob"
        for action in ("detail", "progress", "issues", "undo", "cancel")
    },
    "analytics:run_progress": "analytics.run",
    **{f"analytics:report_{action}": "analytics.savedreport" for action in ("detail", "edit", "delete")},
    **{
        f"adoption:{name}": "adoption.assessment"
        for name in (
            "assessment_detail",
            "assessment_results",
            "assessment_status",
            "invite_user",
            "invite_link",
        )
    },
    "adoption:risk_edit": "adoption.risk",
    **{
        f"adoption:{name}": "adoption.businesscase"
        for name in (
            "case_detail",
            "case_edit",
            "line_add",
            "line_edit",
            "line_delete",
            "assumption_add",
            "assumption_edit",
            "assumption_adopt",
            "assumption_delete",
        )
    },
    **{
        f"adoption:objective_{action}": "adoption.objective"
        for action in ("detail", "edit", "measure", "delete")
    },
    "adoption:roadmap_detail": "adoption.roadmap",
    **{
        f"adoption:stakeholder_{action}": "adoption.stakeholder"
        for action in ("detail", "edit", "place", "action_add", "action_done")
    },
    "adoption:item_edit": "adoption.roadmapitem",  # checked through its roadmap
    **{
        f"adoption:selection_{action}": "adoption.selection"
        for action in (
            "detail",
            "edit",
            "criterion_add",
            "criterion_change",
            "vendor_add",
            "vendor_remove",
            "evaluator_add",
            "evaluator_remove",
            "decide",
            "scores",
            "results",
        )
    },
    # the go/no-go evaluation that ends a selection, checked through its selection
    "adoption:go_no_go_save": "adoption.selection",
    "adoption:go_no_go_decide": "adoption.selection",
    "adoption:go_no_go_wizard": "adoption.selection",
    "adoption:go_no_go_step": "adoption.selection",
    "adoption:go_no_go_wizard_decide": "adoption.selection",
    "adoption:feedback_detail": "adoption.feedbackperiod",
    "adoption:feedback_measure": "adoption.feedbackperiod",
    "adoption:assessment_pdf": "adoption.assessment",
    "adoption:case_pdf": "adoption.businesscase",
    # automation rules: administrators and managers (the policy's "automation" row)
    **{
        f"automation:rule_{action}": "automation.rule"
        for action in ("detail", "edit", "switch", "delete", "test")
    },
}
# Pages with an id that are not about a customer's record: settings an administrator keeps
# (checked with the administration pages), one's own things.
OTHER_ID_PAGES = {
    "token_revoke",  # one's own token
    "session_revoke",  # one's own session; anyone else's is not found
    "saved_view_delete",  # one's own saved view; another team's is not found
    "saved_view_default",
    "user_reset_two_factor",
    "conversation",  # a conversation with a colleague
    "user_edit",
    "user_reset_password",
    "user_invite_again",
    "custom_field_edit",  # a custom field's settings: administrators only
    "custom_field_deactivate",
    "role_edit",  # a custom role: administrators only
    "role_delete",
    "trash_restore",
    "trash_record_restore",
    "sales:product_edit",
    "sales:price_list_edit",
    "sales:pipeline_edit",
    "sales:rule_delete",
    "sales:web_form_edit",
    "service:calendar_edit",
    "service:calendar_day",
    "service:policy_edit",
    "service:rule_edit",
    "service:skill_edit",
    "service:web_form_edit",
    "adoption:model_detail",  # a readiness model: data every member of the project team reads
    "adoption:model_export",  # … and its file
    "adoption:model_edit",  # the model editor: administrators only (an administration page)
    "adoption:respond",  # one's own questionnaire; anyone else's is not found
    "portal_staff:booking_edit",  # a team's booking of portal appointments: administrators and managers
    # outgoing webhooks and their deliveries: administrators only
    *(f"webhook_{name}" for name in ("detail", "edit", "ping", "rotate", "delivery", "delivery_retry")),
}
# Pages that answer a refused write with their own content redrawn and the reason in it, not
# with an error status (the calendar after a drop); the record must still be unchanged.
REDRAWN_ON_REFUSAL = {"activity_move"}
ADMIN_PREFIX = "admin/"
# Administration pages another role may open too: managers bring in products and past orders.
ADMIN_PAGES_ALSO_FOR = {"sales:import": {"manager"}}
ROLE_USERS = {  # a demo user of each role but the administrator
    "manager": "mina.ghasemi",
    "sales": "sara.ahmadi",
    "support": "fatemeh.nouri",
    "marketing": "leila.kazemi",
    "readonly": "kaveh.sharifi",
}
SAMPLE_KWARGS = {"kind": "person", "file_format": "csv", "token": "x", "key": "x", "slug": "x", "path": "x"}


def pages() -> list[tuple[str, str, list[str]]]:
    """(name, route, its arguments) of every page outside the API and the customer portal."""
    found: list[tuple[str, str, list[str]]] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                route = prefix + str(pattern.pattern)
                if not route.startswith(("api/", "^api/", "static/")) and namespace != "portal":
                    found.append((name, route, list(pattern.pattern.regex.groupindex)))

    walk(get_resolver().url_patterns, "", "")
    return found


def operations() -> Iterator[tuple[str, str]]:
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method in methods:
            yield method, path


def _is_id(argument: str) -> bool:
    return argument == "pk" or argument.endswith("_id")


def address(name: str, arguments: list[str], pk: int = 1) -> str:
    kwargs = {arg: pk if _is_id(arg) else SAMPLE_KWARGS.get(arg, "1") for arg in arguments}
    return reverse(name, kwargs=kwargs)


# --- every URL is classified ---------------------------------------------------------------


def test_every_page_with_an_id_is_in_the_matrix():
    with_ids = {name for name, _route, arguments in pages() if any(map(_is_id, arguments))}
    unclassified = with_ids - set(RECORD_PAGES) - OTHER_ID_PAGES - PUBLIC_PAGES
    assert not unclassified, f"classify these pages in the access matrix: {sorted(unclassified)}"
    stale = (set(RECORD_PAGES) | OTHER_ID_PAGES) - with_ids
    assert not stale, f"no longer pages: {sorted(stale)}"
    assert not PUBLIC_PAGES - {name for name, _route, _args in pages()}


# --- anonymous ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_anonymous_visitor_reaches_only_the_public_pages():
    client = Client()
    checked = 0
    for name, _route, arguments in pages():
        if name in PUBLIC_PAGES:
            continue
        url = address(name, arguments)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            checked += 1
            if response.status_code == 302:
                assert response["Location"].startswith(reverse("login")), (method, url)
            else:
                assert response.status_code in (400, 403, 404, 405), (method, url, response.status_code)
    assert checked > 300


@pytest.mark.django_db
def test_an_anonymous_client_gets_401_from_every_api_operation():
    client = Client()
    for method, path in operations():
        if (method, path) in PUBLIC_OPERATIONS:
            continue
        url = re.sub(r"\{[a-z_]+\}", "1", path)
        response = getattr(client, method)(url, content_type="application/json")
        assert response.status_code == 401, (method, path, response.status_code)
        assert response["Content-Type"].startswith("application/json")


# --- administration -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["manager", "sales", "support", "marketing", "readonly"])
def test_administration_pages_refuse_every_other_role(users, role):
    client = Client()
    client.force_login(users["manager" if role == "manager" else role])
    admin_pages = [
        (n, a)
        for n, route, a in pages()
        if route.lstrip("^").startswith(ADMIN_PREFIX) and role not in ADMIN_PAGES_ALSO_FOR.get(n, ())
    ]
    assert len(admin_pages) > 20
    before = AuditEvent.objects.count()
    for name, arguments in admin_pages:
        url = address(name, arguments)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (403, 404, 405), (role, method, url, response.status_code)
    assert AuditEvent.objects.count() == before


# --- records of other owners and teams, on the demo company --------------------------------


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The small demo company (customers, interactions, activities, sales), loaded once for
    the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo(size="small", anchor=ANCHOR)
        yield {role: User.objects.get(username=username) for role, username in ROLE_USERS.items()}
        transaction.set_rollback(True)


def _row(obj: models.Model) -> dict[str, Any]:
    return model_to_dict(type(obj)._base_manager.get(pk=obj.pk))


@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_a_record_one_may_not_see_is_not_found_and_a_write_to_it_changes_nothing(demo, db, role):
    user = demo[role]
    client = Client()
    client.force_login(user)
    denied = seen = 0
    for name, _route, arguments in pages():
        label = RECORD_PAGES.get(name)
        if label is None:
            continue
        model = apps.get_model(label)
        try:
            policy.rule_for(model)
        except LookupError:
            continue  # not a record the policy knows (it is checked through its parent)
        hidden = model._default_manager.exclude(pk__in=policy.visible(user, model._default_manager.all()))
        target = hidden.order_by("pk").first()
        if target is not None:
            before, audit = _row(target), AuditEvent.objects.order_by("-pk").values_list("pk").first()
            url = address(name, arguments, target.pk)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                refused = (403, 404, 405, *((200,) if name in REDRAWN_ON_REFUSAL else ()))
                assert response.status_code in refused, (role, method, url, response.status_code)
            assert _row(target) == before, (role, url)
            assert AuditEvent.objects.order_by("-pk").values_list("pk").first() == audit, (role, url)
            denied += 1
        if name.endswith("_detail"):
            visible = policy.visible(user, model._default_manager.all()).order_by("pk").first()
            if visible is not None:
                response = client.get(address(name, arguments, visible.pk))
                assert response.status_code == 200, (role, name, response.status_code)
                seen += 1
    # Every role opens records; those kept to their team's customers are refused others'.
    assert seen, role
    assert denied or role not in ("manager", "sales"), role
