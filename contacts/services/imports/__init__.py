"""CSV import of people, as a package: ``columns`` (what a column can be mapped to), ``read``
(the file on disk, through ``organizer.lib.csvfiles``), ``parse`` (one row), ``triage`` (read
the file once: plainly new people to the spool, the others to the planner), ``spool`` (new
people formatted for COPY on disk, then streamed into the tables), ``plan`` (group, match, work
out changes), ``write`` (COPY in one transaction), ``job`` (upload, preview, start, retry,
sweep) and ``run`` (claim, heartbeat, all or nothing). The names below are the package's public
face."""

from __future__ import annotations

from contacts.services.imports.columns import (
    IGNORE,
    TARGET_LABELS,
    TARGETS,
    check_mapping,
    detect_mapping,
)
from contacts.services.imports.job import (
    enqueue,
    import_create,
    import_retry,
    import_set_mapping,
    import_start,
    imports_sweep,
    job_file,
    job_people_file,
    job_targets,
    rejection_rows,
)
from contacts.services.imports.read import open_people_file
from contacts.services.imports.run import import_run
from organizer.lib.csvfiles import ENCODING_LABELS, CsvFileError

ImportFileError = CsvFileError  # the name the import's callers know

__all__ = [
    "ENCODING_LABELS",
    "IGNORE",
    "TARGETS",
    "TARGET_LABELS",
    "ImportFileError",
    "check_mapping",
    "detect_mapping",
    "enqueue",
    "import_create",
    "import_retry",
    "import_run",
    "import_set_mapping",
    "import_start",
    "imports_sweep",
    "job_file",
    "job_people_file",
    "job_targets",
    "open_people_file",
    "rejection_rows",
]
