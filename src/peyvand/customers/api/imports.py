"""Imports through the API: upload a file, start it with a mapping, follow it, undo it.

The same for every kind the importer registry knows: person and organisation here, products
and orders from sales (whose own endpoints upload and start in one call, returning the same job).

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.endpoints import page_of, page_out, resolve_user
from peyvand.core.apikit.schemas import ERRORS, Id, InputSchema, PageQuery
from peyvand.core.pagination import keyset_page

from .. import importer
from ..models import ImportIssue, ImportJob

router = Router(tags=["imports"])


class ImportOut(Schema):
    id: int
    kind: str
    status: str
    file: str = Field(alias="original_name")
    encoding: str
    delimiter: str
    columns: list[str] = Field(alias="header")
    mapping: dict[str, str]
    duplicates: str = Field(alias="policy")
    total_rows: int | None
    checked_rows: int = Field(description="Rows checked so far, for a kind imported all or nothing")
    processed_rows: int
    created: int = Field(alias="created_count")
    updated: int = Field(alias="updated_count")
    skipped: int = Field(alias="skipped_count")
    rejected: int = Field(alias="error_count")
    failure: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_processed_rows(job: ImportJob) -> int:
        return max(job.next_row - 1, 0)


class ProblemOut(Schema):
    row: int
    column: str
    value: str
    message: str
    skipped: bool


class StartIn(InputSchema):
    columns: dict[Annotated[str, Field(max_length=4)], Annotated[str, Field(max_length=40)]] | None = Field(
        None, description="Column index → field; leave out to use the guessed mapping."
    )
    duplicates: Literal["skip", "update", "create", "refuse"] | None = Field(
        None,
        description="What to do with a row matching an existing record; leave out for the kind's default.",
    )
    owner: int | None = Field(None, description="Give every new customer to this user.")
    tag: Annotated[str, Field(max_length=50)] = ""


@router.post("/imports", response={201: ImportOut, **ERRORS}, summary="Upload a file to import")
def import_upload(
    request: HttpRequest,
    kind: Form[Annotated[str, Field(max_length=12, description="person, organisation, products or orders")]],
    file: File[UploadedFile],
) -> Status[ImportJob]:
    """Keeps the file, detects its encoding and delimiter and guesses the mapping; start it next."""
    job = importer.import_upload(
        actor=actor(request), kind=kind, source=file, name=file.name or "", size=file.size or 0
    )
    return Status(201, job)


@router.post("/imports/{job_id}/start", response={202: ImportOut, **ERRORS}, summary="Start an import")
def import_start(request: HttpRequest, job_id: Id, payload: StartIn) -> Status[ImportJob]:
    user = actor(request)
    job = importer.import_get(actor=user, pk=job_id)
    job = importer.import_configure(
        job=job,
        actor=user,
        columns=payload.columns if payload.columns is not None else job.mapping,
        duplicates=payload.duplicates or importer.importer_for(job.kind).default_policy,
        owner=resolve_user(payload.owner, "owner"),
        tag=payload.tag,
    )
    return Status(202, importer.import_start(job=job, actor=user))


@router.get("/imports", response={200: page_of(ImportOut), **ERRORS}, summary="Your imports")
def import_list(request: HttpRequest, filters: Query[PageQuery]) -> dict[str, Any]:
    jobs = importer.import_list(actor=actor(request))
    return page_out(
        keyset_page(jobs, order=["-created_at", "-id"], cursor=filters.cursor, limit=filters.limit)
    )


@router.get("/imports/{job_id}", response={200: ImportOut, **ERRORS}, summary="An import and its progress")
def import_get(request: HttpRequest, job_id: Id) -> ImportJob:
    return importer.import_get(actor=actor(request), pk=job_id)


@router.get(
    "/imports/{job_id}/problems", response={200: page_of(ProblemOut), **ERRORS}, summary="Rows not imported"
)
def import_problems(request: HttpRequest, job_id: Id, filters: Query[PageQuery]) -> dict[str, Any]:
    job = importer.import_get(actor=actor(request), pk=job_id)
    issues = ImportIssue.objects.filter(job=job)
    return page_out(keyset_page(issues, order=["row", "id"], cursor=filters.cursor, limit=filters.limit))


@router.post("/imports/{job_id}/cancel", response={200: ImportOut, **ERRORS}, summary="Stop an import")
def import_cancel(request: HttpRequest, job_id: Id) -> ImportJob:
    user = actor(request)
    return importer.import_cancel(job=importer.import_get(actor=user, pk=job_id), actor=user)


@router.post("/imports/{job_id}/undo", response={200: ImportOut, **ERRORS}, summary="Undo an import")
def import_undo(request: HttpRequest, job_id: Id) -> ImportJob:
    user = actor(request)
    return importer.import_undo(job=importer.import_get(actor=user, pk=job_id), actor=user)
