"""The core API: the signed-in user and the users they may pick.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from ninja import Router

from . import custom_fields, users

router = Router()
router.add_router("", users.router)
router.add_router("", custom_fields.router)
