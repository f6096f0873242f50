"""Background jobs of the customers app. Thin: load by id, call the service, safe to run twice."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from peyvand.core import jobs

from .importer import engine
from .importer.jobs import IMPORT_RUN


@db_task()
def import_run(job_id: int) -> None:
    engine.run(job_id)


@db_periodic_task(crontab(minute="*"))
def import_resume_stalled() -> None:
    """Carry on with imports whose worker died: their lease has run out."""
    for job_id in engine.stalled_jobs():
        import_run(job_id)


def register_jobs() -> None:
    """The jobs this app's services ask for by name (core.jobs)."""
    jobs.register(IMPORT_RUN, import_run)
