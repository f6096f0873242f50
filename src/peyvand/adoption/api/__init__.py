"""The adoption app's API.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from ninja import Router

from . import assessments, risks

router = Router()
router.add_router("", assessments.router)
router.add_router("", risks.router)
