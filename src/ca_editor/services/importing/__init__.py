"""Import stories from RSS/Atom feeds, JSON Lines and Markdown files: read, plan (preview), write.

``sources`` picks the reader (``feeds``, ``jsonl``, ``markdown_folder``), each of which checks everything
and returns ``ImportRecord`` values and the ``InvalidEntry`` values it refused (an import stops at them
unless told to skip them); ``plan`` decides add / update / skip against the database without
writing; ``apply`` writes a plan in the caller's single transaction. ``ImportService`` ties them to the
database.
"""

from ca_editor.services.importing.apply import ImportReport
from ca_editor.services.importing.jsonl import read_jsonl
from ca_editor.services.importing.plan import Action, ImportPlan, PlannedEntry
from ca_editor.services.importing.records import (
    ImportCancelledError,
    ImportRecord,
    ImportSource,
    InvalidEntry,
)
from ca_editor.services.importing.service import ImportService, write_records

__all__ = [
    "Action",
    "ImportCancelledError",
    "ImportPlan",
    "ImportRecord",
    "ImportReport",
    "ImportService",
    "ImportSource",
    "InvalidEntry",
    "PlannedEntry",
    "read_jsonl",
    "write_records",
]
