"""Every write of the sales app. Import the area's module: ``services.deals.deal_move_stage``."""

from . import billing, catalogue, conversion, deals, imports, leads, pipelines, targets, webforms

__all__ = [
    "billing",
    "catalogue",
    "conversion",
    "deals",
    "imports",
    "leads",
    "pipelines",
    "targets",
    "webforms",
]
