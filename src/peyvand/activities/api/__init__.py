"""The activities API.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from ninja import Router

from . import activities

router = Router()
router.add_router("", activities.router)
