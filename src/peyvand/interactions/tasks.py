"""The worker's jobs for the outbox and the inbox: thin, and safe to run twice.

Retries and back-off live in the outbox rows (``next_attempt_at``), not in Huey's own
retry queue, so a restart of the worker or of Redis loses none of them.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from peyvand.core import jobs

from .services import inbound, outbox, webhooks


@db_task()
def outbound_deliver_task(message_id: int) -> str:
    """Send one message now that the transaction that queued it has committed."""
    return outbox.outbound_deliver(message_id=message_id)


@db_periodic_task(crontab(minute="*"))
def outbox_flush_task() -> int:
    """Retries whose time has come, and messages a dead worker had claimed."""
    return outbox.outbox_flush()


@db_task()
def webhook_deliver_task(delivery_id: int) -> str:
    """Send one webhook delivery now that the change that made it has committed."""
    return webhooks.webhook_deliver(delivery_id=delivery_id)


@db_periodic_task(crontab(minute="*"))
def webhooks_flush_task() -> int:
    """Webhook retries whose time has come, and deliveries a dead worker had claimed."""
    return webhooks.webhooks_flush()


@db_periodic_task(crontab(minute="17", hour="3"))
def webhooks_prune_task() -> int:
    """Finished webhook deliveries older than the log keeps."""
    return webhooks.webhooks_prune()


@db_periodic_task(crontab(minute="*/2"))
def inbox_read_task() -> int:
    return inbound.inbox_read().received


def register_jobs() -> None:
    """The jobs this app's services ask for by name (core.jobs)."""
    jobs.register(outbox.OUTBOUND_DELIVER, outbound_deliver_task)
    jobs.register(webhooks.WEBHOOK_DELIVER, webhook_deliver_task)
