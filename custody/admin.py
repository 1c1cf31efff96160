"""The breach register in the Django admin: readable, never deletable (the app keeps every
row; on PostgreSQL a trigger refuses DELETE as well)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from custody.models import Breach, DestructionRecord


@admin.register(Breach)
class BreachAdmin(SimpleHistoryAdmin):
    list_display = ("discovered_on", "category", "patients_affected", "real_risk")
    list_filter = ("category", "real_risk")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DestructionRecord)
class DestructionRecordAdmin(admin.ModelAdmin):
    list_display = ("patient", "destroyed_at", "destroyed_by", "province")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
