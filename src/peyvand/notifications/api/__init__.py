"""The notifications API: notifications and the messenger.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from ninja import Router

from . import messages, notifications

router = Router()
for feature in (notifications, messages):
    router.add_router("", feature.router)
