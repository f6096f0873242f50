"""Log filters. A refused request (403) is an expected answer, not an error: its log line
stays, its traceback goes."""

from __future__ import annotations

import logging


class QuietForbidden(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info, record.exc_text = None, None
        return True
