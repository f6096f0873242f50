"""Lists of people and organisations (filters, sorting, bulk actions, export), creating and
editing a customer, the 360° page, and merging two customers."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peyvand.core import hooks, policy
from peyvand.core.custom_field_forms import column_values, filter_names, list_columns, shown_values
from peyvand.core.exports import csv_lines, in_request_context, write_xlsx
from peyvand.core.forms import add_service_errors
from peyvand.core.http import list_headers, request_user
from peyvand.core.jalali import local_digits
from peyvand.core.list_columns import Column, add_column, list_name, needs_of
from peyvand.core.models import User
from peyvand.core.pagination import InvalidCursor
from peyvand.core.selectors.audit import field_label, value_display
from peyvand.core.selectors.custom_fields import SORT_PREFIX, SORTABLE_TYPES, definitions_for
from peyvand.core.selectors.saved_views import chosen_columns
from peyvand.core.selectors.users import assignable
from peyvand.core.views.saved import keeps_views

from .. import rules, selectors, services
from ..forms import (
    BulkForm,
    ContactPointForm,
    MembershipForm,
    MergeForm,
    NoteForm,
    PartyCreateForm,
    PartyFilterForm,
    PartyForm,
    party_initial,
)
from ..models import ContactPoint, Kind, Party
from ..selectors import duplicates


def _kind_or_404(kind: str) -> str:
    if kind not in Kind.values:
        raise Http404
    return kind


PAGE_SIZE = 50


def _columns(kind: str, *extra: Column) -> None:
    """The people's or organisations' list's columns, in their default order (a custom
    field shown in lists comes after them); those not shown are there to be chosen."""
    for column in (
        Column("name", gettext_lazy("Name"), "customers/columns/party_name.html", sort="name"),
        Column("phone", gettext_lazy("Phone"), "customers/columns/party_phone.html"),
        Column("email", gettext_lazy("Email"), "customers/columns/party_email.html"),
        Column("stage", gettext_lazy("Stage"), "customers/columns/party_stage.html"),
        Column("owner", gettext_lazy("Owner"), "customers/columns/party_owner.html"),
        Column("tags", gettext_lazy("Tags"), "customers/columns/party_tags.html"),
        Column("created", gettext_lazy("Created"), "customers/columns/party_created.html", sort="created"),
        Column("updated", gettext_lazy("Updated"), "customers/columns/party_updated.html", sort="updated"),
        Column("source", gettext_lazy("Source"), "customers/columns/party_source.html", shown=False),
        Column("city", gettext_lazy("City"), "customers/columns/party_city.html", shown=False, needs="city"),
        *extra,
        Column(
            "national_id",
            gettext_lazy("National ID"),
            "customers/columns/party_national_id.html",
            shown=False,
        ),
    ):
        add_column(list_name("party_list", {"kind": kind}), column)


_columns(
    Kind.PERSON,
    Column(
        "organisation",
        gettext_lazy("Organisation"),
        "customers/columns/party_organisation.html",
        shown=False,
        needs="organisation",
    ),
    Column(
        "job_title",
        gettext_lazy("Job title"),
        "customers/columns/party_job_title.html",
        shown=False,
        needs="organisation",
    ),
    Column("birthday", gettext_lazy("Date of birth"), "customers/columns/party_birthday.html", shown=False),
)
_columns(
    Kind.ORGANISATION,
    Column("industry", gettext_lazy("Industry"), "customers/columns/party_industry.html", shown=False),
    Column("website", gettext_lazy("Website"), "customers/columns/party_website.html", shown=False),
    Column(
        "economic_code",
        gettext_lazy("Economic code"),
        "customers/columns/party_economic_code.html",
        shown=False,
    ),
)


@keeps_views
@login_required
def party_list(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _kind_or_404(kind)
    user = request_user(request)
    form = PartyFilterForm(request.GET or None, kind=kind)
    filters = form.filters() if request.GET else selectors.parties.PartyFilters()
    sort = selectors.parties.sort_or_default(kind, request.GET.get("sort") or "")
    shown = chosen_columns(
        user=user,
        list_name=list_name("party_list", {"kind": kind}),
        page=request.path,
        requested=request.GET.get("columns"),
    )
    try:
        page = selectors.parties.party_list(
            user=user,
            kind=kind,
            filters=filters,
            sort=sort,
            cursor=request.GET.get("cursor"),
            limit=PAGE_SIZE,
            needs=needs_of(shown),
        )
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect(reverse("party_list", args=[kind]))
    custom_columns = list_columns(form.custom_definitions)
    column_values(custom_columns, page.items)
    custom_heads = [
        _column(f"{SORT_PREFIX}{d.key}", d.label(get_language()), sort)
        | {"sortable": d.filterable and d.type in SORTABLE_TYPES}
        for d in custom_columns
    ]
    return render(
        request,
        "customers/party_list.html",
        {
            "kind": kind,
            "nav": kind,
            "form": form,
            "page": page,
            "columns": list_headers(shown, sort, selectors.parties.SORTS),
            "shown": shown,
            "custom_columns": custom_heads,
            "width": len(shown) + len(custom_heads) + 1,  # and the box that ticks a row
            "count": page.extra["count"],
            "more": page.extra["more"],
            "owners": assignable(user=user, model=Party),
            "list_actions": hooks.list_actions("party_list", user),
            "can_create": policy.can_create(user, Party),
            "filtered": any(
                request.GET.get(name)
                for name in [*PartyFilterForm.base_fields, *filter_names(form.custom_definitions)]
            ),
        },
    )


def _column(key: str, label: Any, sort: str) -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "sort": f"-{key}" if sort == key else key,
        "mark": "▲" if sort == key else ("▼" if sort == f"-{key}" else ""),
    }


@login_required
def party_export(request: HttpRequest, kind: str, file_format: str) -> HttpResponseBase:
    """The list as it is filtered and sorted, as CSV or Excel, through the permission policy."""
    user = request_user(request)
    form = PartyFilterForm(request.GET or None, kind=kind)
    filters = form.filters() if request.GET else selectors.parties.PartyFilters()
    sort = selectors.parties.sort_or_default(kind, request.GET.get("sort") or "")
    header = selectors.exports.party_export_header(kind)
    rows = selectors.exports.party_export_rows(user=user, kind=kind, filters=filters, sort=sort)
    name = f"{'people' if kind == Kind.PERSON else 'organisations'}-{timezone.localdate().isoformat()}"
    if file_format == "csv":
        lines = in_request_context(csv_lines(header, rows))
        response: HttpResponseBase = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    else:
        # openpyxl's write-only mode keeps memory flat; the file streams from disk and is
        # removed when the response closes it.
        spool = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by the response
        write_xlsx(Path(spool.name), header, rows, rtl=get_language_bidi())
        spool.seek(0)
        response = FileResponse(spool, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_POST
def party_bulk(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _kind_or_404(kind)
    user = request_user(request)
    form = BulkForm(request.POST)
    back = request.POST.get("next") or ""
    # Back to the list as it was filtered; never to another site ("//elsewhere.example").
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = reverse("party_list", args=[kind])
    if not form.is_valid():
        if "ids" in form.errors or "action" in form.errors:
            messages.error(request, _("Choose at least one customer and an action."))
        for name in ("owner", "tag"):
            for error in form.errors.get(name, []):
                messages.error(request, str(error))
        return redirect(back)
    ids, action = form.cleaned_data["ids"], form.cleaned_data["action"]
    try:
        if action == "assign":
            result = services.tags.party_bulk_assign_owner(
                actor=user, party_ids=ids, owner=form.cleaned_data["owner"]
            )
        else:
            result = services.tags.party_bulk_add_tag(
                actor=user, party_ids=ids, tag_name=form.cleaned_data["tag"]
            )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(request, _("%(changed)s changed.") % {"changed": local_digits(result.changed)})
    if result.skipped:
        messages.warning(
            request,
            _("%(skipped)s skipped: you may not change them.") % {"skipped": local_digits(result.skipped)},
        )
    return redirect(back)


@login_required
def party_search(request: HttpRequest) -> HttpResponse:
    """Options for a picker (an organisation for a person, a record to merge with)."""
    kind = request.GET.get("kind") or ""
    kind = kind if kind in Kind.values else Kind.ORGANISATION
    results = selectors.parties.parties_for_choice(
        user=request_user(request), kind=kind, q=request.GET.get("q", "")
    )
    exclude = request.GET.get("exclude", "")
    results = [p for p in results if str(p.pk) != exclude]
    return render(
        request,
        "customers/_search_results.html",
        {
            "results": results,
            "target": request.GET.get("target", ""),
            "mode": request.GET.get("mode", "pick"),
            "exclude": exclude,
        },
    )


# --- create and edit ----------------------------------------------------------------------


def duplicate_context(user: User, error: duplicates.DuplicateFound) -> dict[str, Any]:
    """Duplicates the user may see, and how many others exist that they may not."""
    shown = [d for d in error.duplicates if policy.can_view(user, d.party)]
    return {"duplicates": shown, "hidden_duplicates": len(error.duplicates) - len(shown)}


@login_required
def party_create(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _kind_or_404(kind)
    user = request_user(request)
    policy.require_create(user, Party)
    owners = assignable(user=user, model=Party)
    initial = {"owner": user if user in owners else None}
    form = PartyCreateForm(request.POST or None, kind=kind, owners=owners, actor=user, initial=initial)
    context: dict[str, Any] = {"kind": kind, "nav": kind, "form": form}
    organisation = None
    if request.method == "POST" and form.is_valid() and form.prepared is not None:
        organisations = []
        if form.cleaned_data.get("organisation"):
            organisation = selectors.parties.party_get(
                user=user, pk=form.cleaned_data["organisation"], kind=Kind.ORGANISATION
            )
            organisations = [(organisation, form.cleaned_data.get("title") or "")]
        try:
            party = services.parties.party_create_prepared(
                actor=user,
                prepared=form.prepared,
                organisations=organisations,
                tags=form.tag_names(),
                allow_duplicate=form.cleaned_data["allow_duplicate"],
            )
        except duplicates.DuplicateFound as exc:
            context.update(duplicate_context(user, exc))
        except ValidationError as exc:
            add_service_errors(form, exc, form.error_aliases())
        else:
            messages.success(request, _("“%(name)s” was created.") % {"name": party.display_name})
            return redirect("party_detail", party.pk)
    elif request.GET.get("organisation"):
        organisation = selectors.parties.party_get(
            user=user, pk=request.GET["organisation"], kind=Kind.ORGANISATION
        )
        form.initial["organisation"] = organisation.pk
    context["organisation"] = organisation
    return render(request, "customers/party_form.html", context)


@login_required
def party_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    party = selectors.parties.party_get(user=user, pk=pk)
    policy.require_change(user, party)
    owners = assignable(user=user, model=Party)
    if party.owner and party.owner not in owners:
        owners.append(party.owner)  # keep the current owner selectable
    form = PartyForm(
        request.POST or None,
        kind=party.kind,
        owners=owners,
        actor=user,
        initial=party_initial(party),
        custom_values=party.custom,
    )
    context: dict[str, Any] = {"kind": party.kind, "nav": party.kind, "form": form, "party": party}
    if request.method == "POST" and form.is_valid():
        try:
            services.parties.party_update(
                party=party,
                actor=user,
                data=form.party_input(current=party),
                tags=form.tag_names(),
                allow_duplicate=request.POST.get("allow_duplicate") == "on",
            )
        except duplicates.DuplicateFound as exc:
            context.update(duplicate_context(user, exc))
            context["allow_duplicate_field"] = True
        except ValidationError as exc:
            add_service_errors(form, exc, form.error_aliases())
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("party_detail", party.pk)
    return render(request, "customers/party_form.html", context)


@login_required
def party_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    party = selectors.parties.party_get(user=user, pk=pk)
    policy.require_change(user, party)
    if request.method == "POST":
        services.parties.party_delete(party=party, actor=user)
        messages.success(request, _("“%(name)s” was moved to the trash.") % {"name": party.display_name})
        return redirect("party_list", party.kind)
    return render(request, "customers/party_delete.html", {"party": party, "nav": party.kind})


# --- the 360° page ------------------------------------------------------------------------


@login_required
def party_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    try:
        party = selectors.parties.party_get(user=user, pk=pk)
    except Http404:
        survivor = selectors.parties.party_resolve_merged(pk=pk)
        if survivor is not None and survivor.pk != pk and policy.can_view(user, survivor):
            messages.info(request, _("That customer was merged into this one."))
            return redirect("party_detail", survivor.pk)
        raise
    return render(
        request,
        "customers/party_detail.html",
        {
            "party": party,
            "nav": party.kind,
            "contacts": selectors.parties.party_contacts(party=party),
            "relations": selectors.parties.party_relations(user=user, party=party),
            "tags": list(party.tags.all()),
            "custom_values": shown_values(definitions_for(party.kind), party.custom),
            "can_change": policy.can_change(user, party),
            "note_form": NoteForm(prefix="note"),
            "contact_form": ContactPointForm(
                initial={"kind": ContactPoint.Kind.PHONE, "label": ContactPoint.Label.MOBILE}
            ),
            "membership_form": MembershipForm(),
            "panels": hooks.panels(request, "party", party),
        },
    )


# --- merge --------------------------------------------------------------------------------


@login_required
def party_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose a record to merge with this one, compare them, choose the survivor, merge."""
    user = request_user(request)
    party = selectors.parties.party_get(user=user, pk=pk)
    policy.require_change(user, party)
    other = None
    other_id = request.POST.get("other") or request.GET.get("other")
    if other_id:
        other = selectors.parties.party_get(user=user, pk=other_id, kind=party.kind)
        if other.pk == party.pk:
            raise Http404
    if request.method == "POST":
        form = MergeForm(request.POST)
        if form.is_valid() and other is not None:
            survivor, absorbed = (party, other) if form.cleaned_data["survivor"] == "this" else (other, party)
            try:
                services.merge.party_merge(survivor=survivor, other=absorbed, actor=user)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(request, _("The two records were merged."))
                return redirect("party_detail", survivor.pk)
    rows = []
    if other is not None:
        names = [f for f in rules.fields_for(party.kind) if not f.endswith("_source")]
        rows = [
            {
                "label": field_label(Party, n),
                "this": value_display(Party, n, getattr(party, n)),
                "other": value_display(Party, n, getattr(other, n)),
            }
            for n in names
        ]
    return render(
        request,
        "customers/party_merge.html",
        {
            "party": party,
            "other": other,
            "rows": rows,
            "nav": party.kind,
            "this_contacts": selectors.parties.party_contacts(party=party),
            "other_contacts": selectors.parties.party_contacts(party=other) if other else [],
            "other_changeable": other is not None and policy.can_change(user, other),
        },
    )
