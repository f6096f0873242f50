"""Background jobs of the sales app: thin, idempotent, each calling one service."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from peyvand.core import jobs

from .models import WebFormHit
from .services import leads


@db_task()
def rescore_leads() -> int:
    return leads.leads_rescore()


@db_periodic_task(crontab(hour="2", minute="17"))
def nightly_rescore_and_cleanup() -> None:
    """Recency points fade with time, and rate-limit rows older than a day are no longer needed."""
    leads.leads_rescore()
    WebFormHit.objects.filter(at__lt=timezone.now() - dt.timedelta(days=1)).delete()


def register_jobs() -> None:
    """The jobs this app's services ask for by name (core.jobs)."""
    jobs.register(leads.RESCORE_LEADS, rescore_leads)
