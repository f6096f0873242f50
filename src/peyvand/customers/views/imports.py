"""The import wizard: upload a file, match its columns, follow the job, download what was refused.

Uploading people and organisations starts here; every kind (products and orders too, uploaded
on their own app's page) then has the same pages: the mapping, the progress, the problems.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peyvand.core.exports import in_request_context
from peyvand.core.forms import BootstrapMixin, add_service_errors
from peyvand.core.http import request_user
from peyvand.core.models import User
from peyvand.core.selectors.users import assignable
from peyvand.core.templatetags.peyvand import number

from .. import importer
from ..models import ImportIssue, ImportJob
from ..models.parties import Party

Status = ImportJob.Status
SKIP = ""


class UploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt,text/csv"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Formatted here, per request: at import time it would freeze in whichever
        # language was active when the module loaded.
        self.fields["file"].help_text = _(
            "CSV (any encoding Excel writes) or Excel .xlsx, up to %(rows)s rows."
        ) % {"rows": number(importer.MAX_ROWS)}


@login_required
def import_start_page(request: HttpRequest, kind: str) -> HttpResponse:
    """Step one: choose a file. Also lists the user's earlier imports."""
    user = request_user(request)
    importer.importer_for(kind).require(user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = importer.import_upload(
                actor=user, kind=kind, source=upload, name=upload.name, size=upload.size
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("import_detail", job.pk)
    jobs = importer.import_list(actor=user).filter(kind=kind)[:20]
    return render(
        request, "customers/import_start.html", {"form": form, "kind": kind, "nav": kind, "jobs": jobs}
    )


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Step two (mapping) while the job waits for it, then its progress and outcome."""
    user = request_user(request)
    job = importer.import_get(actor=user, pk=pk)
    kind = _kind_context(job)
    if job.status != Status.UPLOADED:
        return render(request, "customers/import_progress.html", _progress_context(job) | kind)
    targets = importer.targets_for(job.kind)
    preview = importer.import_preview(job, rows=5)
    columns = [
        {
            "index": str(i),
            "title": title,
            "samples": [row[i] for row in preview if i < len(row) and row[i]][:3],
            "target": job.mapping.get(str(i), SKIP),
        }
        for i, title in enumerate(job.header)
    ]
    errors: list[str] = []
    if request.method == "POST":
        chosen = {c["index"]: request.POST.get(f"column-{c['index']}", SKIP) for c in columns}
        owner = (
            User.objects.filter(pk=request.POST.get("owner") or 0, is_active=True).first()
            if "owner" in kind["importer"].options
            else None
        )
        try:
            job = importer.import_configure(
                job=job,
                actor=user,
                columns={i: t for i, t in chosen.items() if t},
                duplicates=request.POST.get("duplicates", ""),
                owner=owner,
                tag=request.POST.get("tag", ""),
            )
            importer.import_start(job=job, actor=user)
        except ValidationError as exc:
            errors = exc.messages
            for column in columns:
                column["target"] = chosen[column["index"]]
        else:
            messages.success(request, _("The import has started. You can leave this page: it carries on."))
            return redirect("import_detail", job.pk)
    options = kind["importer"].options
    return render(
        request,
        "customers/import_mapping.html",
        kind
        | {
            "job": job,
            "columns": columns,
            "targets": targets,
            "preview": preview,
            "errors": errors,
            "policies": kind["importer"].policies,
            "policy": request.POST.get("duplicates", job.policy),
            "owners": assignable(user=user, model=Party) if "owner" in options else None,
            "offers_tag": "tag" in options,
            "tag": request.POST.get("tag", job.tag),
        },
    )


def _kind_context(job: ImportJob) -> dict[str, Any]:
    """The job's kind as the pages show it: its labels, its menu item and its pages."""
    kind = importer.importer_for(job.kind)
    return {
        "importer": kind,
        "nav": kind.nav,
        "start_url": reverse(kind.start_url[0], args=kind.start_url[1]),
        "list_url": reverse(kind.list_url[0], args=kind.list_url[1]),
    }


def _progress_context(job: ImportJob) -> dict[str, Any]:
    """Where the job is, how fast it goes and how long it has left."""
    checking = job.status == Status.CHECKING
    done = job.checked_rows if checking else max(job.next_row - 1, 0)
    total = job.total_rows or 0
    elapsed = ((job.finished_at or timezone.now()) - job.started_at).total_seconds() if job.started_at else 0
    rate = done / elapsed if elapsed > 0 else 0
    left = (total - done) / rate if rate and total > done else None
    percent = (
        100
        if job.status in (Status.INDEXING, Status.DONE, Status.UNDONE)
        else int(100 * done / total)
        if total
        else 0
    )
    return {
        "job": job,
        "done": done,
        "total": total,
        "percent": min(percent, 100),
        "rate": int(rate),
        "seconds_left": int(left) if left is not None else None,
        "running": job.status in (Status.QUEUED, Status.CHECKING, Status.RUNNING, Status.INDEXING),
        "checking": checking,
        "issues": ImportIssue.objects.filter(job=job).order_by("row", "id")[:20],
    }


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress card alone, for the page to poll (htmx) while the job runs."""
    job = importer.import_get(actor=request_user(request), pk=pk)
    return render(request, "customers/_import_progress.html", _progress_context(job) | _kind_context(job))


@login_required
def import_issues(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The rows the import refused or skipped, as a CSV that opens safely in Excel."""
    job = importer.import_get(actor=request_user(request), pk=pk)
    lines = in_request_context(importer.import_issue_rows(job))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-problems.csv"'
    return response


@login_required
@require_POST
def import_undo(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    job = importer.import_get(actor=user, pk=pk)
    try:
        importer.import_undo(job=job, actor=user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, str(importer.importer_for(job.kind).undone))
    return redirect("import_detail", job.pk)


@login_required
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    job = importer.import_get(actor=user, pk=pk)
    importer.import_cancel(job=job, actor=user)
    messages.info(request, _("The import was stopped. What it brought in so far stays until you undo it."))
    return redirect("import_detail", job.pk)
