"""Importing people and organisations from CSV and XLSX files (the public surface)."""

from peyvand.core.spreadsheets import MAX_ROWS, FileProblem

from .jobs import (
    import_cancel,
    import_configure,
    import_get,
    import_issue_rows,
    import_list,
    import_preview,
    import_queue,
    import_start,
    import_undo,
    import_upload,
)
from .mapping import targets_for

__all__ = [
    "MAX_ROWS",
    "FileProblem",
    "import_cancel",
    "import_configure",
    "import_get",
    "import_issue_rows",
    "import_list",
    "import_preview",
    "import_queue",
    "import_start",
    "import_undo",
    "import_upload",
    "targets_for",
]
