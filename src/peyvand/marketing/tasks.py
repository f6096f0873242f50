"""The marketing jobs: thin, and safe to run twice (see services.sending)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from peyvand.core import jobs

from .services import campaigns, programmes, sending


@db_task()
def campaign_run_task(campaign_id: int) -> str:
    return sending.campaign_run(campaign_id=campaign_id).status


@db_task()
def campaign_deliver_task(message_ids: list[int]) -> int:
    return sending.campaign_deliver(message_ids=message_ids)


@db_periodic_task(crontab(minute="*"))
def campaigns_tick_task() -> int:
    """Start the scheduled campaigns whose time has come; carry on with those whose run died."""
    started = campaigns.campaign_start_due()
    for campaign_id in sending.campaigns_resume():
        campaign_run_task(campaign_id)
    return started


@db_periodic_task(crontab(minute="*"))
def programmes_tick_task() -> str:
    """Enrol the programmes' new customers and move every enrolment that is due."""
    entered, moved = programmes.programmes_tick()
    return f"{entered} entered, {moved} moved"


def register_jobs() -> None:
    """The jobs this app's services ask for by name (core.jobs)."""
    jobs.register(campaigns.CAMPAIGN_RUN, campaign_run_task)
    jobs.register(sending.CAMPAIGN_DELIVER, campaign_deliver_task)
