"""interop views, one module per area (fhir, imports)."""

from interop.views import fhir, imports
from interop.views.imports import import_home, import_job, import_job_start

__all__ = ["fhir", "import_home", "import_job", "import_job_start", "imports"]
