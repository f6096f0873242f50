"""The adoption app's background jobs: the objectives measured on live figures every day."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services.objectives import objectives_measure_all


@db_periodic_task(crontab(hour="4", minute="17"))
def objectives_measure() -> None:
    objectives_measure_all()
