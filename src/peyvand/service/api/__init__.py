"""The service desk's API.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from ninja import Router

from . import tickets

router = Router()
router.add_router("", tickets.router)
