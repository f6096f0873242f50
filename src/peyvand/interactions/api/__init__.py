"""The interactions API: contacts with customers and the timeline, email and SMS through the
outbox, and the webhooks of the PBX and the SMS gateway.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from ninja import Router

from . import imports, interactions, messaging, sms, telephony, webhooks_out

router = Router()
# The imports' router first: /interactions/import is not /interactions/{id}.
for feature in (imports, interactions, messaging, telephony, sms, webhooks_out):
    router.add_router("", feature.router)
