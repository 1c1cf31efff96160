"""Reads of the interop pages; re-exported by area."""

from interop.selectors.home import export_home_panel
from interop.selectors.imports import RECENT_JOBS, import_jobs_recent

__all__ = ["RECENT_JOBS", "export_home_panel", "import_jobs_recent"]
