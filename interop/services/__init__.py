"""interop services; each module's public names are re-exported here."""

from interop.services.export import (
    bulk_export_file_name,
    bulk_export_request,
    bulk_export_resume,
    bulk_export_run,
)
from interop.services.imports import (
    ImportFileError,
    Report,
    file_headers,
    import_file,
    import_job_commit,
    import_job_create,
    import_job_progress,
    import_job_remap,
    import_job_run,
)

__all__ = [
    "ImportFileError",
    "Report",
    "bulk_export_file_name",
    "bulk_export_request",
    "bulk_export_resume",
    "bulk_export_run",
    "file_headers",
    "import_file",
    "import_job_commit",
    "import_job_create",
    "import_job_progress",
    "import_job_remap",
    "import_job_run",
]
