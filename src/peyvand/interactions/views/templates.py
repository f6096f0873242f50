"""Message templates in Persian and English."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user
from peyvand.core.pagination import InvalidCursor

from .. import placeholders, selectors
from ..forms import TemplateForm
from ..models import MessageTemplate
from ..services import messaging
from ..services.messaging import TemplateInput

# --- templates ----------------------------------------------------------------------------


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    filters = {key: request.GET.get(key, "") for key in ("channel", "language", "sort")}
    try:
        page = selectors.messaging.template_list(user=user, filters=filters, cursor=request.GET.get("cursor"))
    except InvalidCursor:
        return redirect("template_list")
    return render(
        request,
        "interactions/templates.html",
        {"page": page, "filters": filters, "channels": MessageTemplate.Kind.choices, "nav": "admin"},
    )


@login_required
def template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request_user(request)
    template = selectors.messaging.template_get(user=user, pk=pk) if pk else None
    if template is not None:
        policy.require_change(user, template)
    else:
        policy.require_create(user, MessageTemplate)
    initial = {name: getattr(template, name) for name in messaging.TEMPLATE_FIELDS} if template else {}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and request.POST.get("action") == "delete" and template is not None:
        messaging.template_delete(template=template, actor=user)
        messages.success(request, _("The template was deleted."))
        return redirect("template_list")
    if request.method == "POST" and form.is_valid():
        data = TemplateInput(**form.cleaned_data)
        try:
            if template is None:
                messaging.template_create(actor=user, data=data)
            else:
                messaging.template_update(template=template, actor=user, data=data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The template was saved."))
            return redirect("template_list")
    return render(
        request,
        "interactions/template_form.html",
        {"form": form, "template": template, "placeholders": placeholders.PLACEHOLDERS, "nav": "admin"},
    )
