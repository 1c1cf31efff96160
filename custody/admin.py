"""Clinic-admin screens for records custody: the backup runs, read-only (a run is written
by `manage.py backup` or the nightly job, never by hand)."""

from django.contrib import admin

from custody.models import BackupRun


@admin.register(BackupRun)
class BackupRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "finished_at", "ok", "trigger", "size_bytes", "documents", "path")
    list_filter = ("ok", "trigger", "encrypted")
    date_hierarchy = "started_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
