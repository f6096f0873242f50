"""Background jobs of the analytics app: thin, each calling one service.

Every night a run refreshes the snapshot incrementally and rescores every customer; on
Fridays (the Iranian weekend) the refresh is full, which also notices rows deleted outright.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from peyvand.core import jobs

from .services import reports

RUN_JOB = "analytics.run"  # services.runs asks for it by this name


def _runs() -> ModuleType:
    """The runs service, imported when a job needs it: it brings scikit-learn, Ibis and
    DuckDB, seconds of imports every process that starts Django would otherwise pay (the
    web server, each command, each test worker), while only the worker ever runs them."""
    return importlib.import_module("peyvand.analytics.services.runs")


@db_task()
def analytics_run(run_id: int) -> None:
    _runs().run_execute(run_id)


@db_periodic_task(crontab(hour="3", minute="7"))
def analytics_nightly() -> None:
    _runs().schedule(full=timezone.localdate().weekday() == 4)  # the worker then runs it


@db_periodic_task(crontab(minute="20"))
def analytics_reports_send() -> None:
    """Every hour: e-mail the scheduled reports not yet sent in their current period."""
    reports.reports_send_due()


def register_jobs() -> None:
    """The jobs this app's services ask for by name (core.jobs)."""
    jobs.register(RUN_JOB, analytics_run)
