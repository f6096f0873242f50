"""The OpenAPI schema and the interactive docs, served without any outside address."""

import json
import re

from django.test import Client
from ninja.openapi import schema as ninja_schema

from peyvand.api import api

EXPECTED_PATHS = {
    "/api/v1/me": {"get"},
    "/api/v1/custom-fields": {"get"},
    "/api/v1/roles": {"get", "post"},
    "/api/v1/roles/{role_key}": {"get", "patch", "delete"},
    "/api/v1/tickets": {"get", "post"},
    "/api/v1/tickets/{ticket_id}": {"get", "patch"},
    "/api/v1/tickets/{ticket_id}/messages": {"get"},
    "/api/v1/tickets/{ticket_id}/replies": {"post"},
    "/api/v1/tickets/{ticket_id}/notes": {"post"},
    "/api/v1/users": {"get"},
    "/api/v1/people": {"get", "post"},
    "/api/v1/people/{party_id}": {"get", "patch", "delete"},
    "/api/v1/people/{party_id}/merge": {"post"},
    "/api/v1/organisations": {"get", "post"},
    "/api/v1/organisations/{party_id}": {"get", "patch", "delete"},
    "/api/v1/organisations/{party_id}/merge": {"post"},
    "/api/v1/parties/{party_id}/contact-points": {"get", "post"},
    "/api/v1/contact-points/{point_id}": {"get", "patch", "delete"},
    "/api/v1/people/{party_id}/memberships": {"get", "post"},
    "/api/v1/memberships/{membership_id}": {"patch", "delete"},
    "/api/v1/parties/{party_id}/notes": {"get", "post"},
    "/api/v1/notes/{note_id}": {"patch", "delete"},
    "/api/v1/tags": {"get"},
    "/api/v1/parties/{party_id}/tags": {"put"},
    "/api/v1/interactions": {"get", "post"},
    "/api/v1/interactions/{interaction_id}": {"get", "patch", "delete"},
    "/api/v1/interactions/import": {"post"},
    "/api/v1/parties/{party_id}/timeline": {"get"},
    "/api/v1/imports": {"get", "post"},
    "/api/v1/imports/{job_id}": {"get"},
    "/api/v1/imports/{job_id}/start": {"post"},
    "/api/v1/imports/{job_id}/problems": {"get"},
    "/api/v1/imports/{job_id}/cancel": {"post"},
    "/api/v1/imports/{job_id}/undo": {"post"},
    "/api/v1/trash": {"get"},
    "/api/v1/trash/{kind}/{record_id}/restore": {"post"},
    # follow-up and communications
    "/api/v1/activities": {"get", "post"},
    "/api/v1/activities/{activity_id}": {"delete", "get", "patch"},
    "/api/v1/activities/{activity_id}/complete": {"post"},
    "/api/v1/activities/{activity_id}/cancel": {"post"},
    "/api/v1/calendar": {"get"},
    "/api/v1/notifications": {"get"},
    "/api/v1/notifications/unread-count": {"get"},
    "/api/v1/notifications/{notification_id}/read": {"post"},
    "/api/v1/notifications/read-all": {"post"},
    "/api/v1/messages": {"get", "post"},
    "/api/v1/telephony/calls": {"post"},
    "/api/v1/sms/inbound": {"post"},
    "/api/v1/sms/preview": {"post"},
    "/api/v1/parties/{party_id}/emails": {"post"},
    "/api/v1/parties/{party_id}/sms": {"post"},
    "/api/v1/outbound-messages": {"get"},
    "/api/v1/outbound-messages/{message_id}": {"get"},
    # sales
    "/api/v1/leads": {"get", "post"},
    "/api/v1/leads/{lead_id}": {"get", "patch"},
    "/api/v1/leads/{lead_id}/stage": {"post"},
    "/api/v1/leads/{lead_id}/touches": {"get", "post"},
    "/api/v1/leads/{lead_id}/convert": {"post"},
    "/api/v1/pipelines": {"get", "post"},
    "/api/v1/pipelines/{pipeline_id}": {"put"},
    "/api/v1/deals": {"get", "post"},
    "/api/v1/deals/{deal_id}": {"get", "patch", "delete"},
    "/api/v1/deals/{deal_id}/move": {"post"},
    "/api/v1/deals/{deal_id}/history": {"get"},
    "/api/v1/deals/{deal_id}/lines": {"post"},
    "/api/v1/deal-lines/{line_id}": {"patch", "delete"},
    "/api/v1/deals/{deal_id}/quotes": {"get", "post"},
    "/api/v1/quotes": {"get"},
    "/api/v1/quotes/{quote_id}": {"get"},
    "/api/v1/quotes/{quote_id}/pdf": {"get"},
    "/api/v1/quotes/{quote_id}/send": {"post"},
    "/api/v1/quotes/{quote_id}/accept": {"post"},
    "/api/v1/quotes/{quote_id}/decline": {"post"},
    "/api/v1/orders": {"get"},
    "/api/v1/orders/{order_id}": {"get"},
    "/api/v1/orders/{order_id}/invoices": {"post"},
    "/api/v1/invoices": {"get"},
    "/api/v1/invoices/{invoice_id}": {"get"},
    "/api/v1/invoices/{invoice_id}/payments": {"get", "post"},
    "/api/v1/parties/{party_id}/sales": {"get"},
    "/api/v1/products": {"get", "post"},
    "/api/v1/products/{product_id}": {"get", "patch"},
    "/api/v1/price-lists": {"get", "post"},
    "/api/v1/price-lists/{price_list_id}": {"patch"},
    "/api/v1/currency-rates": {"get", "post"},
    "/api/v1/forecast": {"get"},
    "/api/v1/targets": {"get", "put"},
    "/api/v1/products/import": {"post"},
    "/api/v1/orders/import": {"post"},
    "/api/v1/lead-score-rules": {"get", "post"},
    "/api/v1/lead-score-rules/{rule_id}": {"patch"},
    "/api/v1/lead-score-rules/{rule_id}/retire": {"post"},
    "/api/v1/lead-assignment-rules": {"get", "post"},
    "/api/v1/lead-assignment-rules/{rule_id}": {"patch"},
    "/api/v1/lead-assignment-rules/{rule_id}/retire": {"post"},
    "/api/v1/web-forms": {"get", "post"},
    "/api/v1/web-forms/{form_id}": {"patch"},
    # service
    "/api/v1/tickets/bulk": {"post"},
    "/api/v1/tickets/{ticket_id}/merge": {"post"},
    "/api/v1/tickets/{ticket_id}/messages/{message_id}/split": {"post"},
    "/api/v1/ticket-skills": {"get", "post"},
    "/api/v1/ticket-skills/{skill_id}": {"patch"},
    "/api/v1/ticket-assignment-rules": {"get", "post"},
    "/api/v1/ticket-assignment-rules/{rule_id}": {"patch"},
    "/api/v1/webhooks": {"get", "post"},
    "/api/v1/webhooks/{webhook_id}": {"get", "patch", "delete"},
    "/api/v1/webhooks/{webhook_id}/secret": {"post"},
    "/api/v1/webhooks/{webhook_id}/ping": {"post"},
    "/api/v1/webhooks/{webhook_id}/deliveries": {"get"},
    "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}": {"get"},
    "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry": {"post"},
    "/api/v1/canned-replies": {"get", "post"},
    "/api/v1/canned-replies/{reply_id}": {"get", "patch", "delete"},
    "/api/v1/tickets/{ticket_id}/canned-replies/{reply_id}": {"get"},
    "/api/v1/ticket-web-forms": {"get", "post"},
    "/api/v1/ticket-web-forms/{form_id}": {"patch"},
    "/api/v1/articles": {"get", "post"},
    "/api/v1/articles/{article_id}": {"get", "patch", "delete"},
    "/api/v1/articles/{article_id}/versions": {"get"},
    "/api/v1/tickets/{ticket_id}/suggested-articles": {"get"},
    "/api/v1/work-orders": {"get", "post"},
    "/api/v1/work-orders/{work_order_id}": {"get", "patch"},
    "/api/v1/work-orders/{work_order_id}/schedule": {"post"},
    "/api/v1/work-orders/{work_order_id}/check-in": {"post"},
    "/api/v1/work-orders/{work_order_id}/check-out": {"post"},
    "/api/v1/work-orders/{work_order_id}/cancel": {"post"},
    "/api/v1/work-orders/{work_order_id}/bill": {"post"},
    "/api/v1/work-orders/{work_order_id}/parts": {"post"},
    "/api/v1/work-orders/{work_order_id}/parts/{part_id}": {"delete"},
    "/api/v1/work-orders/{work_order_id}/signature": {"post"},
    "/api/v1/work-orders/{work_order_id}/photos": {"get", "post"},
    "/api/v1/service-contracts": {"get", "post"},
    "/api/v1/service-contracts/{contract_id}": {"get", "patch", "delete"},
    # marketing
    "/api/v1/marketing/segments": {"get", "post"},
    "/api/v1/marketing/segments/count": {"post"},
    "/api/v1/marketing/segments/{segment_id}": {"get", "patch", "delete"},
    "/api/v1/marketing/segments/{segment_id}/count": {"get"},
    "/api/v1/marketing/segments/{segment_id}/members": {"get", "post"},
    "/api/v1/marketing/segments/{segment_id}/members/remove": {"post"},
    "/api/v1/marketing/segments/{segment_id}/freeze": {"post"},
    "/api/v1/marketing/campaigns": {"get", "post"},
    "/api/v1/marketing/campaigns/{campaign_id}": {"get", "patch", "delete"},
    "/api/v1/marketing/campaigns/{campaign_id}/estimate": {"get"},
    "/api/v1/marketing/campaigns/{campaign_id}/test": {"post"},
    "/api/v1/marketing/campaigns/{campaign_id}/schedule": {"post"},
    "/api/v1/marketing/campaigns/{campaign_id}/send": {"post"},
    "/api/v1/marketing/campaigns/{campaign_id}/cancel": {"post"},
    "/api/v1/marketing/campaigns/{campaign_id}/winner": {"post"},
    "/api/v1/marketing/campaigns/{campaign_id}/stats": {"get"},
    "/api/v1/marketing/campaigns/{campaign_id}/recipients": {"get"},
    "/api/v1/marketing/programmes": {"get", "post"},
    "/api/v1/marketing/programmes/{programme_id}": {"get", "patch", "delete"},
    "/api/v1/marketing/programmes/{programme_id}/steps": {"post"},
    "/api/v1/marketing/programmes/{programme_id}/steps/{step_id}": {"put", "delete"},
    "/api/v1/marketing/programmes/{programme_id}/start": {"post"},
    "/api/v1/marketing/programmes/{programme_id}/pause": {"post"},
    "/api/v1/marketing/programmes/{programme_id}/enrol": {"post"},
    "/api/v1/marketing/programmes/{programme_id}/stats": {"get"},
    "/api/v1/marketing/programmes/{programme_id}/enrolments": {"get"},
    "/api/v1/marketing/programmes/{programme_id}/enrolments/{enrolment_id}": {"get"},
    # analytics
    "/api/v1/analytics/clv/model": {"get"},
    "/api/v1/analytics/clv/fit": {"post"},
    "/api/v1/analytics/runs/{run_id}": {"get"},
    "/api/v1/analytics/customers/{party_id}/insight": {"get"},
    "/api/v1/analytics/churn/model": {"get"},
    "/api/v1/analytics/reports": {"get", "post"},
    "/api/v1/analytics/reports/run": {"post"},
    "/api/v1/analytics/reports/{report_id}": {"get", "patch", "delete"},
    "/api/v1/analytics/reports/{report_id}/run": {"get"},
    # adoption
    "/api/v1/adoption/models": {"get", "post"},
    "/api/v1/adoption/models/{model_id}": {"get"},
    "/api/v1/adoption/assessments": {"get", "post"},
    "/api/v1/adoption/assessments/{assessment_id}": {"get"},
    "/api/v1/adoption/assessments/{assessment_id}/respondents": {"post"},
    "/api/v1/adoption/respondents/{respondent_id}/answers": {"put"},
    "/api/v1/adoption/assessments/{assessment_id}/results": {"get"},
    "/api/v1/adoption/risks": {"get", "post"},
    "/api/v1/adoption/risks/{risk_id}": {"get", "patch"},
    "/api/v1/adoption/business-cases": {"get", "post"},
    "/api/v1/adoption/business-cases/{case_id}": {"get", "patch"},
    "/api/v1/adoption/business-cases/{case_id}/lines": {"get", "post"},
    "/api/v1/adoption/business-cases/{case_id}/lines/{line_id}": {"delete", "patch"},
    "/api/v1/adoption/business-cases/{case_id}/figures": {"get"},
    "/api/v1/adoption/business-cases/{case_id}/assumptions": {"get", "post"},
    "/api/v1/adoption/business-cases/{case_id}/assumptions/{assumption_id}": {"delete"},
    "/api/v1/adoption/business-cases/{case_id}/assumptions/{assumption_id}/adopt": {"post"},
    "/api/v1/adoption/roadmaps": {"get", "post"},
    "/api/v1/adoption/roadmaps/{roadmap_id}": {"get"},
    "/api/v1/adoption/roadmaps/{roadmap_id}/items": {"get"},
    "/api/v1/adoption/roadmap-items/{item_id}": {"patch"},
    "/api/v1/adoption/respondents/{respondent_id}/culture-answers": {"put"},
    "/api/v1/adoption/assessments/{assessment_id}/culture-results": {"get"},
    "/api/v1/adoption/stakeholders": {"get", "post"},
    "/api/v1/adoption/stakeholders/{stakeholder_id}": {"get", "patch"},
    "/api/v1/adoption/stakeholders/{stakeholder_id}/placements": {"get", "post"},
    "/api/v1/adoption/stakeholders/{stakeholder_id}/actions": {"get", "post"},
    "/api/v1/adoption/stakeholders/{stakeholder_id}/actions/{action_id}": {"patch"},
    "/api/v1/adoption/selections": {"get", "post"},
    "/api/v1/adoption/selections/{selection_id}": {"get", "patch"},
    "/api/v1/adoption/selections/{selection_id}/criteria": {"get", "post"},
    "/api/v1/adoption/selections/{selection_id}/criteria/{criterion_id}": {"patch", "delete"},
    "/api/v1/adoption/selections/{selection_id}/vendors": {"get", "post"},
    "/api/v1/adoption/selections/{selection_id}/vendors/{vendor_id}": {"delete"},
    "/api/v1/adoption/selections/{selection_id}/evaluators": {"get", "post"},
    "/api/v1/adoption/selections/{selection_id}/evaluators/{evaluator_id}": {"delete"},
    "/api/v1/adoption/selections/{selection_id}/scores": {"get", "put"},
    "/api/v1/adoption/selections/{selection_id}/results": {"get"},
    "/api/v1/adoption/selections/{selection_id}/decision": {"post"},
    "/api/v1/adoption/selections/{selection_id}/reopen": {"post"},
    "/api/v1/adoption/selections/{selection_id}/go-no-go": {"get", "put"},
    "/api/v1/adoption/selections/{selection_id}/go-no-go/decision": {"post"},
    "/api/v1/adoption/selections/{selection_id}/go-no-go/reopen": {"post"},
    "/api/v1/adoption/objectives": {"get", "post"},
    "/api/v1/adoption/objectives/{objective_id}": {"get", "patch"},
    "/api/v1/adoption/objectives/{objective_id}/measure": {"post"},
    "/api/v1/adoption/objectives/{objective_id}/measures": {"get"},
    "/api/v1/adoption/feedback-periods": {"get", "post"},
    "/api/v1/adoption/feedback-periods/{period_id}": {"get"},
    "/api/v1/adoption/feedback-periods/{period_id}/measure": {"post"},
    "/api/v1/adoption/feedback-periods/{period_id}/decision": {"post"},
    # automation
    "/api/v1/automation/rules": {"get", "post"},
    "/api/v1/automation/rules/from-template": {"post"},
    "/api/v1/automation/rules/{rule_id}": {"get", "put", "delete"},
    "/api/v1/automation/rules/{rule_id}/switch": {"post"},
    "/api/v1/automation/rules/{rule_id}/test": {"post"},
    "/api/v1/automation/rules/{rule_id}/runs": {"get"},
}


def test_openapi_schema_lists_every_endpoint_with_auth_and_errors(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Peyvand API"
    assert {path: set(ops) for path, ops in schema["paths"].items()} == EXPECTED_PATHS
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    operation_ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
    assert len(operation_ids) == len(set(operation_ids))
    person_create = schema["paths"]["/api/v1/people"]["post"]
    assert {"201", "409", "422"} <= set(person_create["responses"])
    assert "servers" not in schema or all("127.0.0.1" in s["url"] for s in schema["servers"])


def test_people_and_organisations_document_their_own_fields(db):
    components = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert {"first_name", "organisations", "contacts"} <= set(components["PersonCreate"]["properties"])
    assert "first_name" not in components["OrganisationCreate"]["properties"]
    assert components["PersonCreate"].get("additionalProperties") is False


def test_docs_page_loads_swagger_from_our_own_static_files(db):
    client = Client()
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "no outside address"
    # No CDN named anywhere; the page's random CSRF token may spell "cdn" by chance.
    assert "cdn" not in re.sub(r'"[A-Za-z0-9]{32,}"', '""', html).lower()
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert client.get(asset).status_code == 200, asset
    settings = json.loads(re.search(r'id="swagger-settings">(.*?)</script>', html, re.S).group(1))
    assert settings["url"] == "/api/v1/openapi.json"
    assert settings["validatorUrl"] is None  # else Swagger UI posts the schema to swagger.io


def _schema_clashes(monkeypatch) -> list[str]:
    """Every name two different definitions were filed under while the schema was built."""
    clashes: list[str] = []
    original = ninja_schema.OpenAPISchema.add_schema_definitions

    def record(self, definitions):
        for name, definition in definitions.items():
            if name in self.schemas and self.schemas[name] != definition:
                clashes.append(name)
        original(self, definitions)

    monkeypatch.setattr(ninja_schema.OpenAPISchema, "add_schema_definitions", record)
    assert Client().get("/api/v1/openapi.json").status_code == 200
    return clashes


def test_no_two_schemas_or_enums_share_a_name(db, monkeypatch):
    clashes = _schema_clashes(monkeypatch)
    assert clashes == [], f"one schema overwrote another of the same name: {sorted(set(clashes))}"


def _enum_definitions(schema: dict) -> dict[str, list]:
    return {name: d["enum"] for name, d in schema.get("$defs", {}).items() if "enum" in d}


def test_every_published_enum_is_what_its_endpoints_accept(db):
    """Each endpoint's own models, read by pydantic alone, against the shared components."""
    components = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    checked = 0
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    for name, values in _enum_definitions(model.model_json_schema()).items():
                        # pydantic qualifies a name only when one model holds two of it.
                        assert "__" not in name, f"two enums called {name.rsplit('__', 1)[-1]}"
                        assert components[name]["enum"] == values, (operation.view_func.__name__, name)
                        checked += 1
    assert checked > 20


def _resolve(components: dict, node: dict) -> dict:
    for option in node.get("anyOf", [node]):
        if "$ref" in option:
            return components[option["$ref"].rsplit("/", 1)[-1]]
    return node


def test_the_enums_that_used_to_be_overwritten_list_their_own_values(db):
    components = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    outcome = _resolve(components, components["InteractionCreate"]["properties"]["outcome"])
    assert {"completed", "no_answer"} <= set(outcome["enum"]) and "won" not in outcome["enum"]
    kind = _resolve(components, components["ContactPointCreate"]["properties"]["kind"])
    assert kind["enum"] == ["phone", "email", "address"]
