"""The automation app's API.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from ninja import Router

from . import rules

router = Router()
router.add_router("", rules.router)
