"""Segments and lists: the list, the builder (htmx re-renders it and counts as you edit), one
segment with its members, freezing, deleting, and filling a list from a selection or a file."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user, show_errors, sort_columns
from peyvand.core.jalali import local_digits
from peyvand.core.models import Scope, User
from peyvand.core.pagination import COUNT_CAP, InvalidCursor
from peyvand.customers.models import Kind, LifecycleStage, RfmCell, Source, Stage, Tag
from peyvand.sales.models import Product

from .. import rules
from ..forms import (
    PERIODS,
    Builder,
    BuilderChoices,
    Choice,
    ListFromSelectionForm,
    ListImportForm,
    MembersRemoveForm,
    SegmentFilterForm,
    SegmentForm,
)
from ..models import Segment
from ..selectors import segments as selectors
from ..services import segments as services

SORT_LABELS = {"name": gettext_lazy("Name"), "created": gettext_lazy("Created")}


def builder_choices(user: User) -> BuilderChoices:
    """What the builder's lists offer, read once per page."""
    people = User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")
    return BuilderChoices(
        {
            "kind": [Choice(v, str(label)) for v, label in Kind.choices],
            "stage": [Choice(v, str(label)) for v, label in Stage.choices],
            "source": [Choice(v, str(label)) for v, label in Source.choices],
            "rfm_cell": [Choice(v, str(label)) for v, label in RfmCell.choices],
            "lifecycle_stage": [Choice(v, str(label)) for v, label in LifecycleStage.choices],
            "user": [Choice(str(u.pk), str(u)) for u in people],
            "tag": [
                Choice(str(pk), name) for pk, name in Tag.objects.order_by("name").values_list("pk", "name")
            ],
            "product": [
                Choice(str(p.pk), str(p)) for p in Product.objects.filter(active=True).order_by("sku")
            ],
            "list": [Choice(str(s.pk), s.name) for s in selectors.static_lists(user=user)],
        }
    )


def describe(rule_json: Any, choices: BuilderChoices) -> list[tuple[str, list[str]]]:
    """The rule in words, group by group: "Province is any of تهران"."""
    try:
        rule = selectors.rule_parse(rule_json)
    except ValidationError:
        return []
    described = []
    for group in rule.groups:
        lines = []
        for c in group.conditions:
            op = c.spec.op(c.op)
            kind = rules.value_kind(c.field, c.op)
            if kind in (rules.MANY, rules.CHOICE):
                value = "، ".join(choices.name(c.spec.choices, v) for v in c.values)
            elif kind == rules.NAMES:
                value = "، ".join(c.values)
            elif kind == rules.DATE:
                value = local_digits(c.day)
            elif kind == rules.RANGE:
                value = f"{local_digits(c.start or '…')} – {local_digits(c.end or '…')}"
            elif kind in (rules.DAYS, rules.COUNT):
                value = local_digits(c.number)
            elif kind == rules.AMOUNT:
                value = local_digits(c.amount)
            else:
                value = ""
            lines.append(
                " ".join(str(part) for part in (c.spec.label, op.label if op else "", value) if part)
            )
        described.append((group.match, lines))
    return described


def _builder_context(user: User, builder: Builder) -> dict[str, Any]:
    choices = builder_choices(user)
    builder.number(choices)
    return {
        "builder": builder,
        "fields": list(rules.FIELDS.values()),
        "periods": PERIODS,
    }


@login_required
def segment_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if policy.scope(user, "segment", "view") == Scope.NONE:
        raise PermissionDenied
    sort = request.GET.get("sort") or selectors.DEFAULT_SORT
    sort = sort if sort in selectors.SORTS else selectors.DEFAULT_SORT
    form = SegmentFilterForm(request.GET or None)
    try:
        page = selectors.segment_list(
            user=user,
            filters=form.filters() if request.GET else {},
            sort=sort,
            cursor=request.GET.get("cursor"),
        )
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect("marketing:segment_list")
    return render(
        request,
        "marketing/segment_list.html",
        {
            "nav": "segments",
            "form": form,
            "page": page,
            "count": page.extra["count"],
            "more": page.extra["more"],
            "columns": sort_columns(sort, SORT_LABELS),
            "can_create": policy.can_create(user, Segment),
        },
    )


@login_required
def segment_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    policy.require_create(user, Segment)
    kind = Segment.Kind.STATIC if request.GET.get("kind") == Segment.Kind.STATIC else Segment.Kind.DYNAMIC
    return _segment_form(request, user, None, kind)


@login_required
def segment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    segment = selectors.segment_get(user=user, pk=pk)
    policy.require_change(user, segment)
    return _segment_form(request, user, segment, segment.kind)


def _segment_form(request: HttpRequest, user: User, segment: Segment | None, kind: str) -> HttpResponse:
    dynamic = kind == Segment.Kind.DYNAMIC
    if request.method == "POST":
        form = SegmentForm(request.POST)
        builder = Builder.from_data(request.POST)
        if form.is_valid():
            rule = builder.to_json() if dynamic else None
            try:
                if segment is None:
                    segment = services.segment_create(actor=user, data=form.segment_input(rule, kind))
                else:
                    segment = services.segment_update(
                        segment=segment, actor=user, data=form.segment_input(rule, None)
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("“%(name)s” was saved.") % {"name": segment.name})
                return redirect(segment.get_absolute_url())
        elif dynamic:  # the rule's problems too, not only the name's
            try:
                selectors.rule_parse(builder.to_json())
            except ValidationError as exc:
                add_service_errors(form, exc)
        status = 422
    else:
        initial = {"name": segment.name, "description": segment.description} if segment else {}
        form = SegmentForm(initial=initial)
        builder = Builder.from_rule(segment.rule) if segment else Builder(groups=[])
        status = 200
    return render(
        request,
        "marketing/segment_form.html",
        {
            "nav": "segments",
            "form": form,
            "segment": segment,
            "dynamic": dynamic,
            **_builder_context(user, builder),
        },
        status=status,
    )


@login_required
@require_POST
def segment_builder(request: HttpRequest) -> HttpResponse:
    """The builder again, after a button or a changed field (htmx)."""
    user = request_user(request)
    builder = Builder.from_data(request.POST)
    builder.apply(request.POST.get("action", ""))
    response = render(request, "marketing/_builder.html", _builder_context(user, builder))
    response["HX-Trigger-After-Settle"] = "rule-changed"
    return response


@login_required
@require_POST
def segment_count(request: HttpRequest) -> HttpResponse:
    """How many customers the rule being edited holds, capped; or what is wrong with it."""
    user = request_user(request)
    rule_json = Builder.from_data(request.POST).to_json()
    context: dict[str, Any] = {"cap": COUNT_CAP}
    try:
        rule = selectors.rule_parse(rule_json)
    except ValidationError as exc:
        context["problems"] = exc.messages
    else:
        context["count"], context["more"] = selectors.rule_count(user=user, rule=rule, cap=context["cap"])
    return render(request, "marketing/_rule_count.html", context)


@login_required
def segment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    segment = selectors.segment_get(user=user, pk=pk)
    try:
        page = selectors.segment_members(user=user, segment=segment, cursor=request.GET.get("cursor"))
    except InvalidCursor as exc:
        messages.error(request, str(exc))
        return redirect(segment.get_absolute_url())
    except ValidationError as exc:  # a rule that no longer holds (a deleted list, say)
        show_errors(request, exc)
        page = None
    choices = builder_choices(user) if not segment.is_static else None
    return render(
        request,
        "marketing/segment_detail.html",
        {
            "nav": "segments",
            "segment": segment,
            "page": page,
            "count": page.extra["count"] if page else None,
            "more": page.extra["more"] if page else False,
            "rule": describe(segment.rule, choices) if choices else [],
            "can_change": policy.can_change(user, segment),
            "can_create": policy.can_create(user, Segment),
        },
    )


@login_required
@require_POST
def segment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    segment = selectors.segment_get(user=user, pk=pk)
    try:
        services.segment_delete(segment=segment, actor=user)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect(segment.get_absolute_url())
    messages.success(request, _("“%(name)s” was moved to the trash.") % {"name": segment.name})
    return redirect("marketing:segment_list")


@login_required
@require_POST
def segment_freeze(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    segment = selectors.segment_get(user=user, pk=pk)
    try:
        frozen = services.segment_freeze(segment=segment, actor=user)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect(segment.get_absolute_url())
    messages.success(
        request, _("The segment's customers were saved as the list “%(name)s”.") % {"name": frozen.name}
    )
    return redirect(frozen.get_absolute_url())


@login_required
@require_POST
def list_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    segment = selectors.segment_get(user=user, pk=pk)
    form = MembersRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose at least one customer."))
        return redirect(segment.get_absolute_url())
    try:
        removed = services.list_remove(segment=segment, actor=user, party_ids=form.cleaned_data["ids"])
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("%(count)s removed from the list.") % {"count": local_digits(removed)})
    return redirect(segment.get_absolute_url())


@login_required
def list_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the customers a file names (phones, emails, national IDs) to a list."""
    user = request_user(request)
    segment = selectors.segment_get(user=user, pk=pk)
    policy.require_change(user, segment)
    form = ListImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix[:10]) as spool:
            for chunk in upload.chunks():
                spool.write(chunk)
            spool.flush()
            try:
                result = services.list_import(segment=segment, actor=user, path=Path(spool.name))
            except ValidationError as exc:
                add_service_errors(form, exc)
        if result is not None:
            messages.success(
                request,
                _("%(added)s added to the list, %(already)s were on it already.")
                % {"added": local_digits(result.added), "already": local_digits(result.already)},
            )
    return render(
        request,
        "marketing/list_import.html",
        {"nav": "segments", "segment": segment, "form": form, "result": result},
        status=422 if form.errors else 200,
    )


@login_required
def list_from_selection(request: HttpRequest) -> HttpResponse:
    """Customers chosen elsewhere (their ids in ``ids``) saved as a new list or added to one."""
    user = request_user(request)
    policy.require_create(user, Segment)
    lists = policy.changeable(user, selectors.static_lists(user=user))
    data = request.POST if request.method == "POST" else None
    # "1,2,3" from a link, or ids=1&ids=2 from a list's bulk bar.
    chosen = ",".join(request.GET.getlist("ids"))
    form = ListFromSelectionForm(data, lists=lists, initial={"ids": chosen})
    if data is not None and form.is_valid():
        ids, target = form.cleaned_data["ids"], form.cleaned_data.get("target")
        try:
            if target is None:
                target, change = services.list_from_ids(
                    actor=user, name=form.cleaned_data["name"], party_ids=ids
                )
            else:
                change = services.list_add(segment=target, actor=user, party_ids=ids)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(added)s added to the list, %(already)s were on it already.")
                % {"added": local_digits(change.added), "already": local_digits(change.already)},
            )
            if change.skipped:
                messages.warning(
                    request,
                    _("%(count)s skipped: not found, or not yours to see.")
                    % {"count": local_digits(change.skipped)},
                )
            return redirect(target.get_absolute_url())
    chosen = form["ids"].value() or ""
    return render(
        request,
        "marketing/list_from_selection.html",
        {
            "nav": "segments",
            "form": form,
            "chosen": len([p for p in str(chosen).replace(",", " ").split() if p]),
        },
        status=422 if form.errors else 200,
    )
