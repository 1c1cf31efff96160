from interop.models.export import BulkExport

__all__ = ["BulkExport"]
