"""interop views, one module per area (calendar_feeds, fhir, imports)."""

from interop.views import calendar_feeds, fhir, imports
from interop.views.imports import import_home, import_job, import_job_start

__all__ = ["calendar_feeds", "fhir", "import_home", "import_job", "import_job_start", "imports"]
