"""Analytics settings, from Django settings or the environment (settings win, for tests).

PEYVAND_ANALYTICS_DB        the snapshot's DuckDB file; <data dir>/analytics/snapshot.duckdb
PEYVAND_RFM_WINDOW_DAYS     the RFM window by default (365)
PEYVAND_CLV_HORIZON_MONTHS  the lifetime-value horizon by default (12)
PEYVAND_CLV_MONTHLY_DISCOUNT the monthly discount rate by default, a fraction (0.02)
PEYVAND_CLV_MARGIN          the margin on revenue by default, a fraction (0.3)
PEYVAND_CLV_HOLDOUT_WEEKS   weeks kept out of a fit for its holdout check by default (13)
PEYVAND_COST_TO_SERVE       what one interaction costs by channel, in the base currency, as
                            ``phone=400000,email=100000,...``; channels left out cost nothing.
                            By default the Rial figures below when the base currency is IRR,
                            nothing otherwise
PEYVAND_LIFECYCLE_NEW_DAYS  how long after their first purchase a customer is newly acquired (90)
PEYVAND_CHURN_HORIZON_DAYS  an active customer who buys nothing for this long has churned (90)
PEYVAND_ANALYTICS_ENGINE    what runs the analyses' expressions: "duckdb" (in the worker, the
                            default) or "spark" (needs the extra peyvand[spark] and Java)
PEYVAND_SPARK_MASTER        the Spark master for "spark" ("local[*]", "spark://host:7077");
                            unset: Spark's own default (spark-submit's, or local)
PEYVAND_SPARK_DIR           where the snapshot's tables are written as Parquet for Spark to
                            read; <snapshot's folder>/spark. On a cluster, a path every
                            executor reads (a shared file system)
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


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


# What an interaction costs the company, in Rial: a share of an agent's or a salesperson's
# time, and the message's own price for SMS and mail.
RIAL_COST_TO_SERVE = {
    "phone": 400_000,
    "email": 100_000,
    "sms": 20_000,
    "chat": 150_000,
    "in_person": 2_000_000,
    "store": 500_000,
    "mail": 300_000,
    "fax": 100_000,
}


def cost_to_serve(base_currency: str) -> dict[str, float]:
    """The unit cost of an interaction by channel (``PEYVAND_COST_TO_SERVE``)."""
    raw = _setting("PEYVAND_COST_TO_SERVE", None)
    if raw is None:
        return {k: float(v) for k, v in RIAL_COST_TO_SERVE.items()} if base_currency == "IRR" else {}
    if isinstance(raw, dict):
        return {str(k): float(v) for k, v in raw.items()}
    costs: dict[str, float] = {}
    for part in str(raw).split(","):
        channel, sep, value = part.partition("=")
        try:
            cost = float(value)
        except ValueError:
            cost = -1.0
        if not sep or not channel.strip() or not math.isfinite(cost) or cost < 0:
            raise ImproperlyConfigured(f"PEYVAND_COST_TO_SERVE: expected channel=cost, got {part!r}")
        costs[channel.strip()] = cost
    return costs


ENGINES = ("duckdb", "spark")


def analytics_engine() -> str:
    engine = str(_setting("PEYVAND_ANALYTICS_ENGINE", "duckdb")).strip().lower()
    if engine not in ENGINES:
        raise ImproperlyConfigured(f"PEYVAND_ANALYTICS_ENGINE: expected duckdb or spark, got {engine!r}")
    return engine


def spark_master() -> str:
    return str(_setting("PEYVAND_SPARK_MASTER", "")).strip()


def spark_dir() -> Path:
    return Path(_setting("PEYVAND_SPARK_DIR", snapshot_path().parent / "spark"))


def lifecycle_new_days() -> int:
    return int(_setting("PEYVAND_LIFECYCLE_NEW_DAYS", 90))


def churn_horizon_days() -> int:
    return int(_setting("PEYVAND_CHURN_HORIZON_DAYS", 90))
