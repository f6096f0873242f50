"""The core API: the signed-in user, the users they may pick, custom fields and roles.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from ninja import Router

from . import custom_fields, roles, users

router = Router()
router.add_router("", users.router)
router.add_router("", custom_fields.router)
router.add_router("", roles.router)
