"""Background jobs of the customers app. Thin: load by id, call the service, safe to run twice."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .importer import engine


@db_task()
def import_run(job_id: int) -> None:
    engine.run(job_id)


@db_periodic_task(crontab(minute="*"))
def import_resume_stalled() -> None:
    """Carry on with imports whose worker died: their lease has run out."""
    for job_id in engine.stalled_jobs():
        import_run(job_id)
