"""The interactions app's registrations: its records in the permission policy, its menu
items, and its cards on the customer page (email and SMS, logging a contact, the timeline)
and on the home page (recent interactions)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from peyvand.core import hooks, policy
from peyvand.core.http import request_user
from peyvand.customers.selectors.trash import TrashKind, register_trash_kind

from . import importers, tasks
from .forms import EmailForm, InteractionForm, SmsForm
from .models import Attachment, Interaction, MessageTemplate, OutboundMessage, PhoneCall, Purpose
from .selectors.interactions import interaction_list
from .selectors.timeline import party_timeline
from .services.outbox import OutboundFile, message_queue
from .services.webhooks import webhook_events_record
from .smscount import count


def register() -> None:
    tasks.register_jobs()
    importers.register()
    # Seen with the customer it belongs to; changed by whoever handled it. Anyone who
    # sees a customer may log a contact with them (support takes sales' calls).
    policy.register(
        Interaction, resource="interaction", owner="party__owner_id", change_owner="handled_by_id"
    )
    # An email or SMS is part of its customer's record; whoever wrote it may retry or
    # cancel it. A file is seen with its interaction; a call with its customer.
    policy.register(
        OutboundMessage, resource="interaction", owner="party__owner_id", change_owner="created_by_id"
    )
    policy.register(Attachment, resource="interaction", owner="interaction__party__owner_id")
    policy.register(PhoneCall, resource="interaction", owner="party__owner_id", change_owner="user_id")
    # Templates are shared by everyone who may write to customers (see selectors);
    # changed by their author or whoever may change the author's records.
    policy.register(MessageTemplate, resource="interaction", owner="created_by_id")
    register_trash_kind(TrashKind("interaction", "interactions.interaction", "party", _("Interactions")))

    hooks.register_nav(hooks.NavItem("outbox", _("Outbox"), "outbox", menu="admin", order=50))
    hooks.register_nav(
        hooks.NavItem("templates", _("Message templates"), "template_list", menu="admin", order=51)
    )
    hooks.register_nav(
        hooks.NavItem("extensions", _("Telephony extensions"), "extensions", menu="admin", order=52)
    )
    # Outgoing webhooks: administrators only (a webhook sends records out of Peyvand, so it is
    # not a row of the matrix another role could be given); told of every record change by
    # the audit log (core.hooks.on_record_event).
    hooks.register_nav(hooks.NavItem("webhooks", _("Webhooks"), "webhook_list", menu="admin", order=54))
    hooks.on_record_event(webhook_events_record)
    hooks.register_nav(
        hooks.NavItem(
            "interaction-import", _("Import past interactions"), "interaction_import", menu="admin", order=53
        )
    )

    party_panels = [
        hooks.Panel("messaging", "interactions/_party_messaging.html", _messaging, "main", 10),
        hooks.Panel("timeline", "interactions/_party_timeline.html", _timeline, "main", 100),
        hooks.Panel(
            "log-interaction",
            "interactions/_party_log.html",
            _log_form,
            "compose",
            10,
            label=_("Log an interaction"),
            icon="bi-telephone-plus",
        ),
    ]
    for panel in party_panels:
        hooks.register_panel("party", panel)
    hooks.register_panel(
        "home", hooks.Panel("recent_interactions", "interactions/_home_recent.html", _recent, "main", 50)
    )
    hooks.register_mailer(_mail_user)


def _messaging(request: HttpRequest, party: Any) -> dict[str, Any] | None:
    user = request_user(request)
    if not policy.can_create(user, Interaction):
        return None
    return {
        "email_form": EmailForm(party=party, user=user),
        "sms_form": SmsForm(party=party, user=user),
        "count": count(""),
    }


def _log_form(request: HttpRequest, party: Any) -> dict[str, Any]:
    return {"form": InteractionForm(user=request_user(request))}


def _timeline(request: HttpRequest, party: Any) -> dict[str, Any]:
    return {"timeline": party_timeline(user=request_user(request), party=party)}


def _recent(request: HttpRequest, _obj: Any) -> dict[str, Any]:
    return {"recent": interaction_list(user=request_user(request), limit=10).items}


def _mail_user(
    *,
    recipient: Any,
    subject: str,
    body_text: str,
    body_html: str,
    language: str,
    key: str,
    attachments: Sequence[hooks.MailFile],
) -> None:
    """Email to one of our users (an invitation, a report), sent by the outbox like any other."""
    message_queue(
        channel=OutboundMessage.Kind.EMAIL,
        purpose=Purpose.NOTIFICATION,
        to_address=recipient.email,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        recipient_user=recipient,
        language=language,
        key=key,
        attachments=[OutboundFile(f.filename, f.content, f.content_type) for f in attachments],
    )
