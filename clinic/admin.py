"""Clinic-admin screens: users and roles, reference data, consent texts, the access log.

Clinical content (intake answers, assessments, sessions) is deliberately absent: clinic
admins run the clinic, they do not read charts.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from clinic import services
from clinic.models import (
    AccessLog,
    Appointment,
    AppointmentType,
    ClinicPolicy,
    ConsentVersion,
    Location,
    NeedlingDay,
    Patient,
    Practitioner,
    RecallInvitation,
    Room,
    ScreeningItem,
    SpacingAlert,
    TimeOff,
    User,
    WorkingHours,
)


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
    """Read-only here: the front desk edits patients in the app, where duplicates are
    checked and the search index is kept."""

    list_display = ("legal_last_name", "legal_first_name", "preferred_name", "date_of_birth")
    search_fields = ("search_text",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ScreeningItem)
class ScreeningItemAdmin(SimpleHistoryAdmin):
    list_display = ("label", "severity", "order", "active")
    list_editable = ("order", "active")
    list_filter = ("severity", "active")
    search_fields = ("label", "code")
    prepopulated_fields = {"code": ("label",)}

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # answers refer to items; retire an item by making it inactive


@admin.register(ConsentVersion)
class ConsentVersionAdmin(admin.ModelAdmin):
    list_display = ("version", "title", "published_at")
    actions = ["publish"]
    readonly_fields = ("version", "published_at", "created_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return ("version", "title", "body", "published_at", "created_at")
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not obj.version:
            obj.version = services.consent_version_next_number()
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None or not obj.is_published

    @admin.action(description="Publish (patients must sign the new version)")
    def publish(self, request, queryset):
        for version in queryset.filter(published_at__isnull=True).order_by("version"):
            services.consent_version_publish(version=version)
            self.message_user(request, f"Published version {version.version}.", messages.SUCCESS)


# --- Scheduling reference data ---------------------------------------------------------------


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "address", "phone", "active")
    inlines = [RoomInline]


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ("display_name", "user", "active", "order")
    list_editable = ("active", "order")
    filter_horizontal = ("locations",)
    raw_id_fields = ("user",)
    inlines = [WorkingHoursInline, TimeOffInline]


@admin.register(AppointmentType)
class AppointmentTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "duration_minutes", "is_ims", "bookable_online", "active", "order")
    list_editable = ("active", "order")


@admin.register(ClinicPolicy)
class ClinicPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "online_booking_enabled",
        "cancellation_notice_hours",
        "reminder_hours_before",
    )

    def has_add_permission(self, request) -> bool:
        return not ClinicPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @transaction.atomic
    def save_model(self, request, obj, form, change) -> None:
        """A new notice period changes which cancellations were late: the dashboard's daily
        counts (DashboardDay) are counted again with it, in the same transaction."""
        super().save_model(request, obj, form, change)
        if "cancellation_notice_hours" in form.changed_data:
            services.dashboard_days_refresh()


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the application's services; the admin only looks."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    """Appointments are booked and moved only in the schedule, where the booking rules are
    checked; here the clinic admin can search and read them."""

    list_display = ("start", "patient", "practitioner", "type", "status", "booked_via")
    list_filter = ("status", "booked_via", "practitioner", "type")
    date_hierarchy = "start"
    list_select_related = ("patient", "practitioner", "type")
    search_fields = ("patient__search_text",)


@admin.register(SpacingAlert)
class SpacingAlertAdmin(ReadOnlyAdmin):
    list_display = (
        "patient",
        "first_date",
        "second_date",
        "days_apart",
        "detected_at",
        "resolved_at",
        "resolution",
    )
    list_select_related = ("patient",)


@admin.register(NeedlingDay)
class NeedlingDayAdmin(ReadOnlyAdmin):
    """Written by signing a session with needling sites; IMS spacing counts these."""

    list_display = ("patient", "day", "appointment", "recorded_at")
    list_select_related = ("patient", "appointment")
    search_fields = ("patient__search_text",)


@admin.register(RecallInvitation)
class RecallInvitationAdmin(ReadOnlyAdmin):
    list_display = ("patient", "eligible_from", "sent_at")
    list_select_related = ("patient",)


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    """Audit rows are never edited or deleted through the application."""

    list_display = ("at", "user", "action", "patient", "what", "ip_address")
    list_filter = ("action",)
    search_fields = ("what", "user__username", "patient__legal_last_name")
    date_hierarchy = "at"
    list_select_related = ("user", "patient")
