"""The marketing app's API: segments and lists, campaigns.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from ninja import Router

from . import campaigns, programmes, segments

router = Router()
router.add_router("", segments.router)
router.add_router("", campaigns.router)
router.add_router("", programmes.router)
