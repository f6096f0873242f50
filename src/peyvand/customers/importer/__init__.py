"""Importing records from CSV and XLSX files (the public surface): one machinery for every
kind, each kind an importer in the registry. People and organisations are this app's own
(``register_builtin_kinds``, from its hooks); apps above register theirs with ``register``.
"""

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
    import_submit,
    import_undo,
    import_upload,
)
from .mapping import CUSTOM_TARGET, headers, import_custom_fields, targets_for
from .people import register_builtin_kinds
from .records import changes, created_among, created_ids, record_changed, record_created, record_created_many
from .registry import (
    ChunkResult,
    Importer,
    Problem,
    ReadChunk,
    Requirement,
    RowIssue,
    Target,
    register,
)
from .registry import get as importer_for

__all__ = [
    "CUSTOM_TARGET",
    "MAX_ROWS",
    "ChunkResult",
    "FileProblem",
    "Importer",
    "Problem",
    "ReadChunk",
    "Requirement",
    "RowIssue",
    "Target",
    "changes",
    "created_among",
    "created_ids",
    "headers",
    "import_cancel",
    "import_configure",
    "import_custom_fields",
    "import_get",
    "import_issue_rows",
    "import_list",
    "import_preview",
    "import_queue",
    "import_start",
    "import_submit",
    "import_undo",
    "import_upload",
    "importer_for",
    "record_changed",
    "record_created",
    "record_created_many",
    "register",
    "register_builtin_kinds",
    "targets_for",
]
