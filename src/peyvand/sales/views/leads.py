from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.custom_field_forms import (
    CustomFilterForm,
    column_heads,
    column_values,
    list_columns,
    shown_values,
)
from peyvand.core.custom_fields import Entity
from peyvand.core.forms import add_service_errors
from peyvand.core.http import list_headers, request_user, show_errors
from peyvand.core.list_columns import Column, add_column
from peyvand.core.models import User
from peyvand.core.pagination import InvalidCursor
from peyvand.core.selectors.custom_fields import custom_sort_ok, definitions_for
from peyvand.core.selectors.saved_views import chosen_columns
from peyvand.core.selectors.users import assignable
from peyvand.core.views.saved import keeps_views
from peyvand.customers import selectors as customer_selectors
from peyvand.customers.models import Kind, Party, Source

from ..forms import ConvertForm, LeadForm, LeadStageForm, TouchForm
from ..models import Lead, LeadStage, Pipeline
from ..selectors import leads as selectors
from ..services import conversion, leads

SORT_LABELS = {"score": gettext_lazy("Score"), "created": gettext_lazy("Created")}
LIST = "sales:lead_list"
# The leads list's columns, in their default order; email and phone are there to be chosen.
for _column in (
    Column("name", gettext_lazy("Name"), "sales/columns/lead_name.html"),
    Column("company", gettext_lazy("Company"), "sales/columns/lead_company.html"),
    Column("email", gettext_lazy("Email"), "sales/columns/lead_email.html", shown=False),
    Column("phone", gettext_lazy("Phone"), "sales/columns/lead_phone.html", shown=False),
    Column("stage", gettext_lazy("Stage"), "sales/columns/lead_stage.html"),
    Column("source", gettext_lazy("Source"), "sales/columns/lead_source.html"),
    Column("owner", gettext_lazy("Owner"), "sales/columns/lead_owner.html"),
    Column("score", SORT_LABELS["score"], "sales/columns/lead_score.html", sort="score"),
    Column("created", SORT_LABELS["created"], "sales/columns/lead_created.html", sort="created"),
):
    add_column(LIST, _column)


@keeps_views
@login_required
def lead_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    sort = request.GET.get("sort") or selectors.DEFAULT_SORT
    sort = sort if sort in selectors.SORTS else selectors.DEFAULT_SORT
    sort = request.GET.get("sort", "") if custom_sort_ok(Entity.LEAD, request.GET.get("sort", "")) else sort
    filters = {name: request.GET.get(name, "") for name in ("q", "stage", "source", "owner")}
    custom_form = CustomFilterForm(request.GET, entity=Entity.LEAD)
    try:
        page = selectors.lead_list(
            user=user,
            filters=filters,
            sort=sort,
            cursor=request.GET.get("cursor"),
            custom=custom_form.filters(),
        )
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("sales:lead_list")
    shown = chosen_columns(user=user, list_name=LIST, page=request.path, requested=request.GET.get("columns"))
    custom_columns = list_columns(custom_form.custom_definitions)
    column_values(custom_columns, page.items)
    return render(
        request,
        "sales/lead_list.html",
        {
            "nav": "leads",
            "custom_form": custom_form,
            "custom_columns": column_heads(custom_columns, sort),
            "page": page,
            "count": page.extra["count"],
            "more": page.extra["more"],
            "filters": filters,
            "columns": list_headers(shown, sort),
            "shown": shown,
            "stages": LeadStage.choices,
            "sources": Source.choices,
            "owners": assignable(user=user, model=Lead),
            "can_create": policy.can_create(user, Lead),
        },
    )


@login_required
def lead_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    policy.require_create(user, Lead)
    owners = assignable(user=user, model=Lead)
    form = LeadForm(request.POST or None, owners=owners, initial={"owner": user if user in owners else None})
    if request.method == "POST" and form.is_valid():
        try:
            lead = leads.lead_create(actor=user, data=form.data_for_service(creating=True))
        except ValidationError as exc:
            add_service_errors(form, exc, form.error_aliases())
        else:
            messages.success(request, _("“%(name)s” was added.") % {"name": lead.display_name})
            return redirect("sales:lead_detail", lead.pk)
    return render(request, "sales/form.html", {"nav": "leads", "form": form, "title": _("New lead")})


@login_required
def lead_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    lead = selectors.lead_get(user=user, pk=pk)
    policy.require_change(user, lead)
    owners = assignable(user=user, model=Lead)
    initial = {name: getattr(lead, name) for name in LeadForm.base_fields}
    form = LeadForm(request.POST or None, owners=owners, initial=initial, custom_values=lead.custom)
    if request.method == "POST" and form.is_valid():
        try:
            leads.lead_update(lead=lead, actor=user, data=form.data_for_service(creating=False))
        except ValidationError as exc:
            add_service_errors(form, exc, form.error_aliases())
        else:
            return redirect("sales:lead_detail", lead.pk)
    title = _("Edit “%(name)s”") % {"name": lead.display_name}
    return render(request, "sales/form.html", {"nav": "leads", "form": form, "title": title})


@login_required
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    lead = selectors.lead_get(user=user, pk=pk)
    return render(
        request,
        "sales/lead_detail.html",
        {
            "nav": "leads",
            "lead": lead,
            "score_lines": selectors.score_explained(lead),
            "custom_values": shown_values(definitions_for(Entity.LEAD), lead.custom),
            "touches": selectors.lead_touches(lead=lead),
            "touch_form": TouchForm(),
            "can_change": policy.can_change(user, lead),
            "open": lead.stage not in (LeadStage.CONVERTED, LeadStage.DISQUALIFIED),
            "stages": [(v, label) for v, label in LeadStage.choices if v in leads.OPEN_STAGES],
        },
    )


@login_required
@require_POST
def lead_stage(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    lead = selectors.lead_get(user=user, pk=pk)
    form = LeadStageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid stage."))
    else:
        try:
            leads.lead_set_stage(
                lead=lead, actor=user, stage=form.cleaned_data["stage"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            show_errors(request, exc)
    return redirect("sales:lead_detail", lead.pk)


@login_required
@require_POST
def lead_touch(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    lead = selectors.lead_get(user=user, pk=pk)
    form = TouchForm(request.POST)
    if form.is_valid():
        try:
            leads.lead_touch(
                lead=lead, actor=user, channel=form.cleaned_data["channel"], note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            show_errors(request, exc)
    return redirect("sales:lead_detail", lead.pk)


@login_required
def lead_convert(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the customers the lead would become (existing matches first), then convert."""
    user = request_user(request)
    lead = selectors.lead_get(user=user, pk=pk)
    policy.require_change(user, lead)
    matches = conversion.lead_matches(lead=lead, actor=user)
    initial = {
        "person": str(matches.people[0].party.pk) if matches.people else "new",
        "organisation": str(matches.organisations[0].party.pk) if matches.organisations else "new",
        "title": lead.company or lead.display_name,
        "create_deal": True,
    }
    form = ConvertForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = _chosen(user, data["person"], Kind.PERSON)
            organisation = _chosen(user, data["organisation"], Kind.ORGANISATION)
            deal = {k: data[k] for k in ("title", "amount", "currency", "expected_close") if data.get(k)}
            pipeline = Pipeline.objects.filter(active=True).order_by("-is_default", "order").first()
            if pipeline is not None:
                deal["pipeline"] = pipeline
            result = conversion.lead_convert(
                lead=lead,
                actor=user,
                person=person,
                organisation=organisation,
                create_deal=data["create_deal"],
                deal=deal,
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"lost_reason": "title"})
        else:
            messages.success(request, _("The lead was converted."))
            if result.deal is not None:
                return redirect("sales:deal_detail", result.deal.pk)
            customer = result.organisation or result.person
            return (
                redirect("party_detail", customer.pk) if customer else redirect("sales:lead_detail", lead.pk)
            )
    return render(
        request,
        "sales/lead_convert.html",
        {"nav": "leads", "lead": lead, "matches": matches, "form": form},
    )


def _chosen(user: User, value: str, kind: str) -> Party | None:
    if not value or value == "new":
        return None
    return customer_selectors.parties.party_get(user=user, pk=value, kind=kind)
