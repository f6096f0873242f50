"""The desk's jobs: the SLA clock's warnings and breaches, every minute (idempotent: each is
recorded once per due time, whoever runs it and however often)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import sla


@db_periodic_task(crontab(minute="*"))
def sla_check_task() -> int:
    return sla.sla_check()
