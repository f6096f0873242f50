"""Sales settings, read from the environment so settings.py stays the same for every app.

PEYVAND_CURRENCY        the base currency (ISO 4217) amounts are reported in; IRR by default
PEYVAND_SHOW_TOMAN      "1" shows Rial amounts as Toman (÷10); amounts are still stored in Rial
                        (until an administrator chooses on the set-up page, which then wins)
PEYVAND_WEBFORM_LIMIT   web-to-lead submissions allowed per address per window (default 5)
PEYVAND_WEBFORM_WINDOW  that window in seconds (default 600)
PEYVAND_TRUSTED_PROXIES addresses or networks (comma-separated, e.g. "127.0.0.1, 10.0.0.0/8")
                        of the reverse proxies in front of Peyvand: only a request from one
                        of them has its X-Forwarded-For believed (for the web-form rate limit)
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from peyvand.core.services.site import site_setting

# The currencies people can choose. Each has a rate row (rial per unit) to be reported in
# the base currency; the base currency's rate is 1.
CURRENCIES: dict[str, object] = {
    "IRR": _("Iranian rial"),
    "USD": _("US dollar"),
    "EUR": _("Euro"),
    "AED": _("UAE dirham"),
    "TRY": _("Turkish lira"),
    "CNY": _("Chinese yuan"),
    "GBP": _("Pound sterling"),
    "IQD": _("Iraqi dinar"),
}
# Digits after the decimal point that each currency's amounts are rounded to.
MINOR_UNITS = {"IRR": 0, "IQD": 0}


def base_currency() -> str:
    code = os.environ.get("PEYVAND_CURRENCY", "IRR").strip().upper()
    return code if code in CURRENCIES else "IRR"


def show_toman() -> bool:
    """Rial shown as Toman: as an administrator chose on the set-up page, else as the
    environment says."""
    chosen = site_setting("show_toman")
    if chosen is not None:
        return chosen == "1"
    return os.environ.get("PEYVAND_SHOW_TOMAN", "").strip().lower() in {"1", "true", "yes", "on"}


def webform_limit() -> tuple[int, int]:
    return (
        int(os.environ.get("PEYVAND_WEBFORM_LIMIT", "5")),
        int(os.environ.get("PEYVAND_WEBFORM_WINDOW", "600")),
    )


def pdf_font_dir() -> Path | None:
    """Vazirmatn for PDFs: the TTFs from node_modules, else the vendored web fonts."""
    root = Path(settings.PROJECT_DIR)
    for candidate in (
        root / "node_modules" / "vazirmatn" / "fonts" / "ttf",
        root / "build" / "static" / "vendor" / "vazirmatn" / "fonts" / "webfonts",
    ):
        if candidate.is_dir():
            return candidate
    return None


def fiscal_calendar() -> str:
    """The calendar sales months follow (forecasts, targets): "jalali" unless set to
    "gregorian" on the set-up page or, never chosen there, in the environment."""
    value = site_setting("fiscal_calendar") or os.environ.get("PEYVAND_FISCAL_CALENDAR", "jalali")
    value = value.strip().lower()
    return value if value in ("jalali", "gregorian") else "jalali"
