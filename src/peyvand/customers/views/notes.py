"""Notes on a customer's timeline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peyvand.core import policy
from peyvand.core.forms import add_service_errors
from peyvand.core.http import request_user
from peyvand.core.models import User

from .. import selectors, services
from ..forms import (
    NoteForm,
)
from ..models import Note

# --- notes --------------------------------------------------------------------------------


@login_required
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    party = selectors.parties.party_get(user=user, pk=pk)
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid():
        try:
            services.notes.note_add(party=party, actor=user, body=form.cleaned_data["body"])
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
    form = NoteForm(request.POST or None, initial={"body": selectors.parties.note_text(note)})
    if request.method == "POST" and form.is_valid():
        try:
            services.notes.note_update(note=note, actor=user, body=form.cleaned_data["body"])
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
    services.notes.note_delete(note=note, actor=user)
    messages.success(request, _("The note was deleted."))
    return redirect("party_detail", note.party_id)
