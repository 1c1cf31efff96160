"""Records custody in the Django admin: backup runs (written by `manage.py backup` or the
nightly job, never by hand), the destruction register (read-only) and the breach register
(readable, never deletable; on PostgreSQL a trigger refuses DELETE as well)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from custody.models import BackupRun, Breach, DestructionRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(BackupRun)
class BackupRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "finished_at", "ok", "trigger", "size_bytes", "documents", "path")
    list_filter = ("ok", "trigger", "encrypted")
    date_hierarchy = "started_at"


@admin.register(Breach)
class BreachAdmin(SimpleHistoryAdmin):
    list_display = ("discovered_on", "category", "patients_affected", "real_risk")
    list_filter = ("category", "real_risk")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DestructionRecord)
class DestructionRecordAdmin(ReadOnlyAdmin):
    list_display = ("patient", "destroyed_at", "destroyed_by", "province")
