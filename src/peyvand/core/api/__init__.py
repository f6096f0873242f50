"""The core API: the signed-in user and the users they may pick.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from ninja import Router

from . import users

router = Router()
router.add_router("", users.router)
