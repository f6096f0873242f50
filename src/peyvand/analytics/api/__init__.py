"""The analytics app's API.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from ninja import Router

from . import clv, reports

router = Router()
router.add_router("/analytics", clv.router)
router.add_router("/analytics", reports.router)
