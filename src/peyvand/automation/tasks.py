"""The automation app's jobs: a rule's run on one record, and the sweep of time triggers."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from peyvand.core import jobs

from .services import engine


@db_task()
def rule_run_task(rule_id: int, record_type: str, object_id: int, trigger: str, depth: int) -> str:
    """Run one rule on one record, now that the change that set it off has committed."""
    return engine.run_job(rule_id, record_type, object_id, trigger, depth)


@db_periodic_task(crontab(minute="*/15"))
def time_rules_task() -> int:
    """The time triggers whose moment has come (each rule, record and moment once)."""
    return engine.time_rules_run()


def register_jobs() -> None:
    jobs.register(engine.RUN_JOB, rule_run_task)
