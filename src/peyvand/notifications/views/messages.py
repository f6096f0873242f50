"""The messenger's pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from peyvand.core.converters import is_id
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user
from peyvand.core.pagination import InvalidCursor

from .. import selectors, services
from ..forms import MessageForm

# --- the messenger ------------------------------------------------------------------------


@login_required
def conversations(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if is_id(request.GET.get("to", "")):
        return redirect("conversation", int(request.GET["to"]))
    try:
        page = selectors.messages.conversation_list(user=user, cursor=request.GET.get("cursor"))
    except InvalidCursor:
        return redirect("conversations")
    return render(
        request,
        "notifications/conversations.html",
        {"page": page, "partners": selectors.messages.message_partners(user=user), "nav": "messages"},
    )


@login_required
def conversation(request: HttpRequest, user_id: int) -> HttpResponse:
    user = request_user(request)
    other = selectors.messages.message_partner(user=user, pk=user_id)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.messages.message_send(sender=user, recipient=other, body=form.cleaned_data["body"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("conversation", other.pk)
    services.messages.conversation_mark_read(user=user, other=other)
    try:
        page = selectors.messages.thread(user=user, other=other, cursor=request.GET.get("cursor"))
    except InvalidCursor:
        return redirect("conversation", other.pk)
    return render(
        request,
        "notifications/conversation.html",
        {"other": other, "page": page, "thread": list(reversed(page.items)), "form": form, "nav": "messages"},
    )
