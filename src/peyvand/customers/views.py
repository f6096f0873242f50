"""Customer pages: lists, the 360° page, forms for everything attached to a customer.

Views only parse input, call one service or selector and render; rules live in services.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.exports import csv_lines, in_request_context, write_xlsx
from peyvand.core.extensions import party_panels
from peyvand.core.forms import BootstrapMixin, LocalDateField, add_service_errors
from peyvand.core.http import request_user
from peyvand.core.jalali import local_digits
from peyvand.core.models import User
from peyvand.core.pagination import InvalidCursor
from peyvand.core.selectors import field_label, value_display

from . import selectors, services
from .forms import (
    BulkForm,
    ContactPointForm,
    MembershipForm,
    MergeForm,
    NoteForm,
    PartyCreateForm,
    PartyForm,
    party_initial,
)
from .models import ContactPoint, Kind, Membership, Note, Party, Source, Stage


def _kind_or_404(kind: str) -> str:
    if kind not in Kind.values:
        raise Http404
    return kind


# --- lists --------------------------------------------------------------------------------


class PartyFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200)
    owner = forms.ChoiceField(label=gettext_lazy("Owner"), required=False)
    tag = forms.ChoiceField(label=gettext_lazy("Tag"), required=False)
    stage = forms.ChoiceField(
        label=gettext_lazy("Stage"), required=False, choices=[("", gettext_lazy("Any")), *Stage.choices]
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Source"), required=False, choices=[("", gettext_lazy("Any")), *Source.choices]
    )
    created_from = LocalDateField(label=gettext_lazy("Created from"), required=False)
    created_to = LocalDateField(label=gettext_lazy("Created to"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")
        self.fields["owner"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")),
            (selectors.NO_OWNER, _("Nobody (unassigned)")),
            *[(str(u.pk), str(u)) for u in users],
        ]
        self.fields["tag"].choices = [  # type: ignore[attr-defined]
            ("", _("Any")),
            *[(str(t.pk), t.name) for t in selectors.tags_all()],
        ]

    def filters(self) -> selectors.PartyFilters:
        """The valid filters; an invalid one is ignored (and shown as an error on the form)."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        owner = data.get("owner") or None
        return selectors.PartyFilters(
            q=data.get("q") or "",
            owner=owner if owner == selectors.NO_OWNER else (int(str(owner)) if owner else None),
            tag=int(str(data["tag"])) if data.get("tag") else None,
            stage=data.get("stage") or "",
            source=data.get("source") or "",
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
        )


PAGE_SIZE = 50
SORTABLE_COLUMNS = {
    "name": gettext_lazy("Name"),
    "created": gettext_lazy("Created"),
    "updated": gettext_lazy("Updated"),
}


@login_required
def party_list(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _kind_or_404(kind)
    user = request_user(request)
    form = PartyFilterForm(request.GET or None)
    filters = form.filters() if request.GET else selectors.PartyFilters()
    sort = request.GET.get("sort") or ""
    sort = sort if sort in selectors.SORTS else selectors.DEFAULT_SORT
    try:
        page = selectors.party_list(
            user=user,
            kind=kind,
            filters=filters,
            sort=sort,
            cursor=request.GET.get("cursor"),
            limit=PAGE_SIZE,
        )
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect(reverse("party_list", args=[kind]))
    columns = [
        {
            "key": key,
            "label": label,
            "sort": f"-{key}" if sort == key else key,
            "mark": "▲" if sort == key else ("▼" if sort == f"-{key}" else ""),
        }
        for key, label in SORTABLE_COLUMNS.items()
    ]
    return render(
        request,
        "customers/party_list.html",
        {
            "kind": kind,
            "nav": kind,
            "form": form,
            "page": page,
            "columns": columns,
            "count": page.extra["count"],
            "more": page.extra["more"],
            "owners": selectors.assignable_owners(user=user),
            "can_create": policy.can_create(user, Party),
            "filtered": any(request.GET.get(name) for name in PartyFilterForm.base_fields),
        },
    )


@login_required
def party_export(request: HttpRequest, kind: str, file_format: str) -> HttpResponseBase:
    """The list as it is filtered and sorted, as CSV or Excel, through the permission policy."""
    user = request_user(request)
    form = PartyFilterForm(request.GET or None)
    filters = form.filters() if request.GET else selectors.PartyFilters()
    sort = request.GET.get("sort") or ""
    sort = sort if sort in selectors.SORTS else selectors.DEFAULT_SORT
    header = selectors.party_export_header(kind)
    rows = selectors.party_export_rows(user=user, kind=kind, filters=filters, sort=sort)
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
            result = services.party_bulk_assign_owner(
                actor=user, party_ids=ids, owner=form.cleaned_data["owner"]
            )
        else:
            result = services.party_bulk_add_tag(actor=user, party_ids=ids, tag_name=form.cleaned_data["tag"])
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
    results = selectors.parties_for_choice(user=request_user(request), kind=kind, q=request.GET.get("q", ""))
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


def _duplicate_context(user: User, error: services.DuplicateFound) -> dict[str, Any]:
    """Duplicates the user may see, and how many others exist that they may not."""
    shown = [d for d in error.duplicates if policy.can_view(user, d.party)]
    return {"duplicates": shown, "hidden_duplicates": len(error.duplicates) - len(shown)}


@login_required
def party_create(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _kind_or_404(kind)
    user = request_user(request)
    policy.require_create(user, Party)
    owners = selectors.assignable_owners(user=user)
    initial = {"owner": user if user in owners else None}
    form = PartyCreateForm(request.POST or None, kind=kind, owners=owners, actor=user, initial=initial)
    context: dict[str, Any] = {"kind": kind, "nav": kind, "form": form}
    organisation = None
    if request.method == "POST" and form.is_valid():
        organisations = []
        if form.cleaned_data.get("organisation"):
            organisation = selectors.party_get(
                user=user, pk=form.cleaned_data["organisation"], kind=Kind.ORGANISATION
            )
            organisations = [(organisation, form.cleaned_data.get("title") or "")]
        try:
            party = services.party_create(
                actor=user,
                kind=kind,
                data=form.party_data(),
                contacts=form.contacts(),
                organisations=organisations,
                tags=form.tag_names(),
                allow_duplicate=form.cleaned_data["allow_duplicate"],
            )
        except services.DuplicateFound as exc:
            context.update(_duplicate_context(user, exc))
        except ValidationError as exc:
            add_service_errors(form, exc, form.error_aliases())
        else:
            messages.success(request, _("“%(name)s” was created.") % {"name": party.display_name})
            return redirect("party_detail", party.pk)
    elif request.GET.get("organisation"):
        organisation = selectors.party_get(user=user, pk=request.GET["organisation"], kind=Kind.ORGANISATION)
        form.initial["organisation"] = organisation.pk
    context["organisation"] = organisation
    return render(request, "customers/party_form.html", context)


@login_required
def party_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    party = selectors.party_get(user=user, pk=pk)
    policy.require_change(user, party)
    owners = selectors.assignable_owners(user=user)
    if party.owner and party.owner not in owners:
        owners.append(party.owner)  # keep the current owner selectable
    form = PartyForm(
        request.POST or None, kind=party.kind, owners=owners, actor=user, initial=party_initial(party)
    )
    context: dict[str, Any] = {"kind": party.kind, "nav": party.kind, "form": form, "party": party}
    if request.method == "POST" and form.is_valid():
        data = form.party_data()
        if "owner" in data and data["owner"] == party.owner:
            del data["owner"]  # unchanged: no need to be allowed to give it away
        try:
            services.party_update(
                party=party,
                actor=user,
                data=data,
                tags=form.tag_names(),
                allow_duplicate=request.POST.get("allow_duplicate") == "on",
            )
        except services.DuplicateFound as exc:
            context.update(_duplicate_context(user, exc))
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
    party = selectors.party_get(user=user, pk=pk)
    policy.require_change(user, party)
    if request.method == "POST":
        services.party_delete(party=party, actor=user)
        messages.success(request, _("“%(name)s” was moved to the trash.") % {"name": party.display_name})
        return redirect("party_list", party.kind)
    return render(request, "customers/party_delete.html", {"party": party, "nav": party.kind})


# --- the 360° page ------------------------------------------------------------------------


@login_required
def party_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from peyvand.interactions.forms import InteractionForm
    from peyvand.interactions.selectors import party_timeline

    user = request_user(request)
    try:
        party = selectors.party_get(user=user, pk=pk)
    except Http404:
        survivor = selectors.party_resolve_merged(pk=pk)
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
            "contacts": selectors.party_contacts(party=party),
            "relations": selectors.party_relations(user=user, party=party),
            "tags": list(party.tags.all()),
            "can_change": policy.can_change(user, party),
            "timeline": party_timeline(user=user, party=party),
            "interaction_form": InteractionForm(user=user),
            "note_form": NoteForm(prefix="note"),
            "contact_form": ContactPointForm(
                initial={"kind": ContactPoint.Kind.PHONE, "label": ContactPoint.Label.MOBILE}
            ),
            "membership_form": MembershipForm(),
            "panels": party_panels(request, party),
        },
    )


# --- contact points -----------------------------------------------------------------------


def _contact_data(form: ContactPointForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if v is not None}


@login_required
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    party = selectors.party_get(user=user, pk=pk)
    policy.require_change(user, party)
    form = ContactPointForm(request.POST or None, initial={"kind": request.GET.get("kind", "phone")})
    context: dict[str, Any] = {"party": party, "form": form, "nav": party.kind}
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_point_add(
                party=party,
                actor=user,
                data=_contact_data(form),
                allow_duplicate=request.POST.get("allow_duplicate") == "on",
            )
        except services.DuplicateFound as exc:
            context.update(_duplicate_context(user, exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The contact point was added."))
            return redirect("party_detail", party.pk)
    return render(request, "customers/contact_form.html", context)


def _contact_or_404(user: User, pk: int) -> ContactPoint:
    point = ContactPoint.objects.select_related("party").filter(pk=pk).first()
    if point is None or not policy.can_view(user, point):
        raise Http404
    return point


@login_required
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    point = _contact_or_404(user, pk)
    policy.require_change(user, point.party)
    initial = {name: getattr(point, name) for name in ContactPointForm.base_fields}
    form = ContactPointForm(request.POST or None, initial=initial)
    form.fields["kind"].disabled = True
    context: dict[str, Any] = {"party": point.party, "form": form, "point": point, "nav": point.party.kind}
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_point_update(
                point=point,
                actor=user,
                data=_contact_data(form),
                allow_duplicate=request.POST.get("allow_duplicate") == "on",
            )
        except services.DuplicateFound as exc:
            context.update(_duplicate_context(user, exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The contact point was saved."))
            return redirect("party_detail", point.party_id)
    return render(request, "customers/contact_form.html", context)


@login_required
@require_POST
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    point = _contact_or_404(user, pk)
    services.contact_point_delete(point=point, actor=user)
    messages.success(request, _("The contact point was removed."))
    return redirect("party_detail", point.party_id)


# --- memberships --------------------------------------------------------------------------


@login_required
@require_POST
def membership_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    person = selectors.party_get(user=user, pk=pk, kind=Kind.PERSON)
    form = MembershipForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an organisation from the list."))
        return redirect("party_detail", person.pk)
    organisation = selectors.party_get(
        user=user, pk=form.cleaned_data["organisation"], kind=Kind.ORGANISATION
    )
    try:
        services.membership_add(
            person=person, organisation=organisation, actor=user, title=form.cleaned_data["title"]
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(person)s now belongs to %(organisation)s.")
            % {"person": person.display_name, "organisation": organisation.display_name},
        )
    return redirect("party_detail", person.pk)


@login_required
@require_POST
def membership_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    membership = Membership.objects.select_related("person", "organisation").filter(pk=pk).first()
    if membership is None or not policy.can_view(user, membership):
        raise Http404
    services.membership_remove(membership=membership, actor=user)
    messages.success(request, _("The link to the organisation was removed."))
    back = request.POST.get("back")
    return redirect(
        "party_detail", membership.organisation_id if back == "organisation" else membership.person_id
    )


# --- notes --------------------------------------------------------------------------------


@login_required
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    party = selectors.party_get(user=user, pk=pk)
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid():
        try:
            services.note_add(party=party, actor=user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The note was added."))
    else:
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, str(error))
    return redirect("party_detail", party.pk)


def _note_or_404(user: User, pk: int) -> Note:
    note = Note.objects.select_related("party").filter(pk=pk).first()
    if note is None or not policy.can_view(user, note):
        raise Http404
    return note


@login_required
def note_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    note = _note_or_404(user, pk)
    policy.require_change(user, note)
    form = NoteForm(request.POST or None, initial={"body": selectors.note_text(note)})
    if request.method == "POST" and form.is_valid():
        try:
            services.note_update(note=note, actor=user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The note was saved."))
            return redirect("party_detail", note.party_id)
    return render(request, "customers/note_form.html", {"form": form, "note": note, "party": note.party})


@login_required
@require_POST
def note_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    note = _note_or_404(user, pk)
    services.note_delete(note=note, actor=user)
    messages.success(request, _("The note was deleted."))
    return redirect("party_detail", note.party_id)


# --- merge --------------------------------------------------------------------------------


@login_required
def party_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose a record to merge with this one, compare them, choose the survivor, merge."""
    user = request_user(request)
    party = selectors.party_get(user=user, pk=pk)
    policy.require_change(user, party)
    other = None
    other_id = request.POST.get("other") or request.GET.get("other")
    if other_id:
        other = selectors.party_get(user=user, pk=other_id, kind=party.kind)
        if other.pk == party.pk:
            raise Http404
    if request.method == "POST":
        form = MergeForm(request.POST)
        if form.is_valid() and other is not None:
            survivor, absorbed = (party, other) if form.cleaned_data["survivor"] == "this" else (other, party)
            try:
                services.party_merge(survivor=survivor, other=absorbed, actor=user)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(request, _("The two records were merged."))
                return redirect("party_detail", survivor.pk)
    rows = []
    if other is not None:
        names = [f for f in services.fields_for(party.kind) if not f.endswith("_source")]
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
            "this_contacts": selectors.party_contacts(party=party),
            "other_contacts": selectors.party_contacts(party=other) if other else [],
            "other_changeable": other is not None and policy.can_change(user, other),
        },
    )


# --- trash --------------------------------------------------------------------------------


@login_required
def trash(request: HttpRequest) -> HttpResponse:
    """Deleted customers, or (``?kind=note`` and so on) records deleted on their own."""
    user = request_user(request)
    kind = request.GET.get("kind") or ""
    kind = kind if kind in selectors.TRASH_KINDS else ""
    cursor = request.GET.get("cursor")
    try:
        if kind:
            page: Any = selectors.trash_records(user=user, kind=kind, cursor=cursor)
        else:
            page = selectors.trash_list(user=user, cursor=cursor)
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('trash')}?kind={kind}" if kind else reverse("trash"))
    rows = [
        {"record": r, "party": selectors.trash_record_party(r), "text": selectors.trash_record_text(r)}
        for r in (page if kind else [])
    ]
    return render(
        request,
        "customers/trash.html",
        {"page": page, "rows": rows, "kind": kind, "kinds": selectors.TRASH_KINDS.values(), "nav": "admin"},
    )


@login_required
@require_POST
def trash_restore(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    party = selectors.trash_get(user=user, pk=pk)
    try:
        services.party_restore(party=party, actor=user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("trash")
    messages.success(request, _("“%(name)s” was restored.") % {"name": party.display_name})
    return redirect("party_detail", party.pk)


@login_required
@require_POST
def trash_record_restore(request: HttpRequest, kind: str, pk: str) -> HttpResponse:
    user = request_user(request)
    record = selectors.trash_record_get(user=user, kind=kind, pk=pk)
    try:
        services.record_restore(record=record, actor=user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(f"{reverse('trash')}?kind={kind}")
    messages.success(request, _("“%(name)s” was restored.") % {"name": selectors.trash_record_text(record)})
    return redirect("party_detail", selectors.trash_record_party(record).pk)
