"""The sales API: leads, deals, quotes, orders, invoices, products, forecast and imports.

No ``from __future__ import annotations`` here: django-ninja reads the annotations.
"""

from ninja import Router

from . import admin, billing, catalogue, deals, leads

router = Router()
router.add_router("", leads.router)
router.add_router("", deals.router)
router.add_router("", billing.router)
router.add_router("", catalogue.router)
router.add_router("", admin.router)
