"""Readiness models: the list, one model with its factors, guidance and statements, its file
(JSON) to download, and an administrator's model written in the editor (new, a copy of another,
or a change to one no assessment uses yet) or imported from a file."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user

from ..forms import ModelImportForm, model_editor_document
from ..selectors import assessments as selectors
from ..services import catalogue


@login_required
def model_list(request: HttpRequest) -> HttpResponse:
    if not selectors.may_see(request_user(request)):
        raise PermissionDenied
    return render(
        request,
        "adoption/model_list.html",
        {"nav": "adoption", "models": selectors.readiness_models()},
    )


@login_required
def model_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not selectors.may_see(request_user(request)):
        raise PermissionDenied
    model = selectors.readiness_model_get(pk)
    return render(
        request,
        "adoption/model_detail.html",
        {
            "nav": "adoption",
            "model": model,
            "factors": selectors.model_factors(model),
            "editable": not model.builtin and not catalogue.model_in_use(model),
        },
    )


@login_required
def model_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The model as a file, in the format the import reads (to keep, share or start another)."""
    if not selectors.may_see(request_user(request)):
        raise PermissionDenied
    model = selectors.readiness_model_get(pk)
    response = JsonResponse(
        catalogue.model_document(model), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = f'attachment; filename="{model.key}.json"'
    return response


BLANK_STATEMENTS = 3


def _blank_document() -> dict[str, Any]:
    statement = {"fa": "", "en": "", "weight": "1", "reverse": False}
    factor = {"key": "", "name": {}, "guidance": {}, "statements": [statement] * BLANK_STATEMENTS}
    return {"key": "", "name": {}, "source": "", "description": {}, "factors": [factor]}


@login_required
def model_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The editor: a new model (blank, or a copy of ``?copy=<id>``), or a change to one."""
    user = request_user(request)
    policy.require_admin(user)
    model = selectors.readiness_model_get(pk) if pk is not None else None
    if model is not None and (model.builtin or catalogue.model_in_use(model)):
        messages.error(request, _("This model is no longer changed: copy it into a new model."))
        return redirect("adoption:model_detail", model.pk)
    errors: list[str] = []
    if request.method == "POST":
        document = model_editor_document(request.POST)
        try:
            saved = catalogue.readiness_model_save(actor=user, document=document, model=model)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("The model %(name)s was saved.") % {"name": saved.name})
            return redirect("adoption:model_detail", saved.pk)
    elif model is not None:
        document = catalogue.model_document(model)
    elif copied := request.GET.get("copy"):
        original = selectors.readiness_model_get(copied)
        document = catalogue.model_document(original)
        document["key"] = f"{original.key}-copy"[:60]
        document["name"] = {
            language: _("Copy of %(name)s") % {"name": name} for language, name in document["name"].items()
        }
    else:
        document = _blank_document()
    return render(
        request,
        "adoption/model_edit.html",
        {"nav": "adoption", "model": model, "document": document, "errors": errors},
        status=422 if errors else 200,
    )


@login_required
def model_import(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    policy.require_admin(user)
    form = ModelImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            model = catalogue.readiness_model_import(actor=user, content=upload.read(), filename=upload.name)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The model %(name)s was added.") % {"name": model.name})
            return redirect("adoption:model_detail", model.pk)
    return render(
        request,
        "adoption/model_import.html",
        {"nav": "adoption", "form": form, "yaml": catalogue.yaml_available()},
        status=422 if form.errors else 200,
    )
