"""Clinic-admin screens: users and roles, patients' demographics, the access log."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from clinic.models import AccessLog, Patient, User


@admin.register(User)
class ClinicUserAdmin(UserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "first_name", "last_name", "email", "role_names", "is_active")
    list_filter = ("groups", "is_active")

    @admin.display(description="Roles")
    def role_names(self, obj: User) -> str:
        return ", ".join(role.label for role in obj.roles) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")


@admin.register(Patient)
class PatientAdmin(SimpleHistoryAdmin):
    list_display = ("legal_last_name", "legal_first_name", "preferred_name", "date_of_birth")
    search_fields = ("legal_last_name", "legal_first_name", "preferred_name", "email", "phone")
    raw_id_fields = ("user",)


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: audit rows are never edited or deleted through the application."""

    list_display = ("at", "user", "action", "patient", "what", "ip_address")
    list_filter = ("action",)
    search_fields = ("what", "user__username", "patient__legal_last_name")
    date_hierarchy = "at"
    list_select_related = ("user", "patient")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
