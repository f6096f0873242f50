"""The service desk's API.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from ninja import Router

from . import canned, field, knowledge, routing, tickets, webforms

router = Router()
router.add_router("", tickets.router)
router.add_router("", routing.router)
router.add_router("", canned.router)
router.add_router("", webforms.router)
router.add_router("", knowledge.router)
router.add_router("", field.router)
