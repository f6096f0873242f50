"""Web-to-lead forms: an administrator designs them; anyone on the web may submit them,
behind a honeypot and a rate limit kept in the database (so it holds across processes)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core import policy
from peyvand.core.models import AuditEvent, User
from peyvand.core.services.audit import audit_log
from peyvand.customers.models import Source

from .. import conf
from ..models import Lead, WebForm, WebFormHit
from .common import text_field
from .leads import lead_create

WEBFORM_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "job_title",
    "email",
    "phone",
    "province",
    "city",
    "message",
)
NAME_FIELDS = ("first_name", "last_name", "company")
HONEYPOT = "website"  # hidden from people by CSS; bots fill every field they find


class RateLimited(Exception):
    """Too many submissions from one address; answer 429."""


@transaction.atomic
def webform_save(*, actor: User | None, data: Mapping[str, Any], form: WebForm | None = None) -> WebForm:
    """Design or change a form; ``actor`` None is the installation's own set-up (the demo)."""
    if actor is not None:
        policy.require_admin(actor)
    errors: dict[str, list[str]] = {}
    form = form or WebForm(key=secrets.token_urlsafe(18))
    form.name = text_field(errors, "name", data.get("name", form.name), 100, required=True)
    form.title = text_field(errors, "title", data.get("title", form.title), 200, required=True)
    form.intro = text_field(errors, "intro", data.get("intro", form.intro), 2000)
    for name in ("email_consent_label", "sms_consent_label", "thank_you"):
        setattr(form, name, text_field(errors, name, data.get(name, getattr(form, name)), 300))
    fields = list(data.get("fields", form.fields) or [])
    required = list(data.get("required", form.required) or [])
    if not fields or any(f not in WEBFORM_FIELDS for f in fields):
        errors["fields"] = [
            _("Choose at least one of the fields: %(fields)s.") % {"fields": ", ".join(WEBFORM_FIELDS)}
        ]
    elif not ({"email", "phone"} & set(fields)):
        errors["fields"] = [_("Ask for an email address or a phone number, or the lead cannot be reached.")]
    elif not (set(NAME_FIELDS) & set(fields)):
        # Every lead needs a name or a company: without a field for one, no visitor could send it.
        errors["fields"] = [_("Ask for a name (first or last) or a company, or no lead can be made.")]
    if any(f not in fields for f in required):
        errors["required"] = [_("Only fields on the form can be required.")]
    source = data.get("source", form.source)
    if source not in Source.values:
        errors["source"] = [_("Choose a valid source.")]
    language = data.get("language", form.language)
    if language not in ("fa", "en"):
        errors["language"] = [_("Choose Persian or English.")]
    if errors:
        raise ValidationError(errors)
    form.fields = [f for f in WEBFORM_FIELDS if f in fields]
    form.required = [f for f in WEBFORM_FIELDS if f in required]
    form.source, form.language = source, language
    form.active = bool(data.get("active", form.active))
    created = form.pk is None
    form.save()
    audit_log(
        actor=actor,
        kind=AuditEvent.Kind.CREATE if created else AuditEvent.Kind.UPDATE,
        obj=form,
        changes={"name": [None, form.name]},
    )
    return form


def webform_hit(*, address: str | None) -> None:
    """Count one submission from ``address``; RateLimited when it is over the limit."""
    limit, window = conf.webform_limit()
    since = timezone.now() - dt.timedelta(seconds=window)
    with transaction.atomic():
        WebFormHit.objects.create(address=address)
        if WebFormHit.objects.filter(address=address, at__gte=since).count() > limit:
            raise RateLimited


def webform_submit(*, form: WebForm, data: Mapping[str, Any], address: str | None) -> Lead | None:
    """A visitor's submission: a lead, or None when the honeypot caught a bot (which is
    told it succeeded, so it learns nothing). Validation errors name the fields."""
    webform_hit(address=address)
    if not form.active:
        raise ValidationError(_("This form is no longer accepting submissions."))
    if str(data.get(HONEYPOT) or "").strip():
        return None
    values = {name: data.get(name) or "" for name in form.fields}
    missing = [name for name in form.required if not str(values.get(name) or "").strip()]
    if missing:
        raise ValidationError({name: [_("This field is required.")] for name in missing})
    values["source"] = form.source
    values["email_consent"] = bool(form.email_consent_label) and _checked(data.get("email_consent"))
    values["sms_consent"] = bool(form.sms_consent_label) and _checked(data.get("sms_consent"))
    return lead_create(actor=None, data=values, web_form=form)


def _checked(value: Any) -> bool:
    return str(value or "").strip().lower() in ("on", "1", "true", "yes")
