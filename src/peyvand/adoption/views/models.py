"""Readiness models: the list, one model with its factors, guidance and statements, and an
administrator's import of a new one from a file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user

from ..forms import ModelImportForm
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
        {"nav": "adoption", "model": model, "factors": selectors.model_factors(model)},
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
