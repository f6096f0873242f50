"""Past interactions imported from a file, through the import machinery: one call uploads and
starts the job, which ``/imports/{id}`` then follows (and undoes).

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from typing import Literal

from django.http import HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from peyvand.core.apikit.auth import actor
from peyvand.core.apikit.schemas import ERRORS
from peyvand.customers import importer
from peyvand.customers.api.imports import ImportOut
from peyvand.customers.models import ImportJob

from ..services import imports

router = Router(tags=["interactions"])


@router.post("/interactions/import", response={202: ImportOut, **ERRORS}, summary="Import past interactions")
def import_interactions(
    request: HttpRequest,
    file: File[UploadedFile],
    unknown: Form[Literal["refuse", "create"] | None] = None,
) -> Status[ImportJob]:
    """CSV or XLSX, one row per contact, with columns customer (an id, email, phone or national ID;
    or customer_id, email, phone, national_id), channel, direction, occurred_at (Jalali or
    Gregorian, ISO too), subject, body, outcome, duration (of a call: seconds or m:ss), handled_by
    (a username or email), external_id — or their Persian names. Starts an import job and returns
    it: follow it at ``/imports/{id}``, its refused rows at ``/imports/{id}/problems``. A row whose
    customer is not found is a problem (``unknown=create``: the customer is created as a suspect
    from customer_name, email and phone); a row whose external_id was imported before is skipped."""
    job = importer.import_submit(
        actor=actor(request),
        kind=imports.INTERACTIONS,
        source=file,
        name=file.name or "",
        size=file.size or 0,
        duplicates=unknown,
    )
    return Status(202, job)
