"""Past interactions from a file: the upload, then the import machinery's own pages (the
mapping, the progress, the problems, undo)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peyvand.core.forms import BootstrapMixin, add_service_errors
from peyvand.core.http import request_user
from peyvand.core.templatetags.peyvand import number
from peyvand.customers import importer

from ..services import imports


class UploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt,text/csv"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "CSV (any encoding Excel writes) or Excel .xlsx, up to %(rows)s rows."
        ) % {"rows": number(importer.MAX_ROWS)}


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    """Step one: choose a file of past calls, emails, messages and meetings."""
    user = request_user(request)
    imports.require_import(user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = importer.import_upload(
                actor=user, kind=imports.INTERACTIONS, source=upload, name=upload.name, size=upload.size
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("import_detail", job.pk)
    jobs = importer.import_list(actor=user).filter(kind=imports.INTERACTIONS)[:20]
    return render(
        request,
        "interactions/import.html",
        {"nav": "interaction-import", "form": form, "jobs": jobs, "columns": ", ".join(imports.COLUMNS)},
    )
