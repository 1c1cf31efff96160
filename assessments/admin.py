"""Clinic-admin screens for the assessment reference data: segments (read-only), muscles
with their innervation, signs and tests. DOMAIN.md asks that a clinician verify this data;
here they can. Charted assessments are not in the admin: clinical content is read and
corrected in the app, where access is logged and signed notes take addenda."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from assessments.models import Muscle, MuscleInnervation, Segment, Sign, SignTest


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ("code", "spinal_region", "position")
    ordering = ("position",)

    def has_add_permission(self, request) -> bool:
        return False  # the spine has 27 of them

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class InnervationInline(admin.TabularInline):
    model = MuscleInnervation
    extra = 1
    min_num = 1
    ordering = ("segment__position",)


@admin.register(Muscle)
class MuscleAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "lay_name",
        "body_region",
        "kind",
        "chest_wall",
        "segment_codes",
        "active",
    )
    list_filter = ("kind", "body_region", "chest_wall", "active", "segments")
    search_fields = ("name", "lay_name")
    inlines = [InnervationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("innervations__segment")

    @admin.display(description="Segments (* = primary)")
    def segment_codes(self, obj: Muscle) -> str:
        return ", ".join(
            f"{link.segment.code}{'*' if link.primary else ''}" for link in obj.innervations.all()
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # retire with "active" instead: old records keep their muscle


@admin.register(SignTest)
class SignTestAdmin(admin.ModelAdmin):
    list_display = ("name", "order")
    list_editable = ("order",)


@admin.register(Sign)
class SignAdmin(SimpleHistoryAdmin):
    list_display = ("name", "group", "needs_muscle", "order", "active")
    list_filter = ("group", "active")
    filter_horizontal = ("tests",)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
