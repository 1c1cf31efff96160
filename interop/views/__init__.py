"""interop views; each module's views are re-exported here."""

from interop.views.imports import import_home, import_job, import_job_start

__all__ = ["import_home", "import_job", "import_job_start"]
