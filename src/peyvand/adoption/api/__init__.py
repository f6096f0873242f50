"""The adoption app's API.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from ninja import Router

from . import assessments, business, culture, gonogo, objectives, risks, roadmap, selection, stakeholders

router = Router()
router.add_router("", assessments.router)
router.add_router("", risks.router)
router.add_router("", business.router)
router.add_router("", roadmap.router)
router.add_router("", culture.router)
router.add_router("", stakeholders.router)
router.add_router("", selection.router)
router.add_router("", objectives.router)
router.add_router("", gonogo.router)
