"""Analytics settings, from Django settings or the environment (settings win, for tests).

PEYVAND_ANALYTICS_DB        the snapshot's DuckDB file; <data dir>/analytics/snapshot.duckdb
PEYVAND_RFM_WINDOW_DAYS     the RFM window by default (365)
PEYVAND_CLV_HORIZON_MONTHS  the lifetime-value horizon by default (12)
PEYVAND_CLV_MONTHLY_DISCOUNT the monthly discount rate by default, a fraction (0.02)
PEYVAND_CLV_MARGIN          the margin on revenue by default, a fraction (0.3)
PEYVAND_CLV_HOLDOUT_WEEKS   weeks kept out of a fit for its holdout check by default (13)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings


def _setting(name: str, default: Any) -> Any:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "").strip() or default
    return value


def snapshot_path() -> Path:
    return Path(_setting("PEYVAND_ANALYTICS_DB", Path(settings.DATA_DIR) / "analytics" / "snapshot.duckdb"))


def rfm_window_days() -> int:
    return int(_setting("PEYVAND_RFM_WINDOW_DAYS", 365))


def clv_horizon_months() -> int:
    return int(_setting("PEYVAND_CLV_HORIZON_MONTHS", 12))


def clv_monthly_discount() -> float:
    return float(_setting("PEYVAND_CLV_MONTHLY_DISCOUNT", 0.02))


def clv_margin() -> float:
    return float(_setting("PEYVAND_CLV_MARGIN", 0.3))


def clv_holdout_weeks() -> int:
    return int(_setting("PEYVAND_CLV_HOLDOUT_WEEKS", 13))
