"""The interactions app's records: the timeline of touchpoints, the outbox, inbound mail and calls."""

from .inbound import Attachment, InboundReceipt
from .interaction import Channel, Direction, Interaction, Outcome
from .outbox import MessageTemplate, OutboundMessage, Purpose
from .telephony import PhoneCall, TelephonyProfile
from .webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Attachment",
    "Channel",
    "Direction",
    "InboundReceipt",
    "Interaction",
    "MessageTemplate",
    "OutboundMessage",
    "Outcome",
    "PhoneCall",
    "Purpose",
    "TelephonyProfile",
    "WebhookDelivery",
    "WebhookEndpoint",
]
