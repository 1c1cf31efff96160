from interop.services.export import (
    bulk_export_file_name,
    bulk_export_request,
    bulk_export_resume,
    bulk_export_run,
)

__all__ = [
    "bulk_export_file_name",
    "bulk_export_request",
    "bulk_export_resume",
    "bulk_export_run",
]
