"""Background jobs of the analytics app: thin, each calling one service.

Every night a run refreshes the snapshot incrementally and rescores every customer; on
Fridays (the Iranian weekend) the refresh is full, which also notices rows deleted outright.
"""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from peyvand.core import jobs

from .services import runs


@db_task()
def analytics_run(run_id: int) -> None:
    runs.run_execute(run_id)


@db_periodic_task(crontab(hour="3", minute="7"))
def analytics_nightly() -> None:
    runs.schedule(full=timezone.localdate().weekday() == 4)  # the worker then runs it


def register_jobs() -> None:
    """The jobs this app's services ask for by name (core.jobs)."""
    jobs.register(runs.RUN_JOB, analytics_run)
