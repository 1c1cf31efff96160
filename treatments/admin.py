"""Clinic-admin screens for treatment reference data: needling credentials (checked when
a session is signed), needle sizes and home-care advice. Session notes are not here:
clinical records are read and corrected in the app, with access logged and addenda."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from treatments.models import HomeCareSnippet, NeedleSize, NeedlingCredential


@admin.register(NeedlingCredential)
class NeedlingCredentialAdmin(SimpleHistoryAdmin):
    list_display = ("practitioner", "college", "roster_number", "valid_from", "expires_on")
    list_filter = ("college",)
    search_fields = ("practitioner__display_name", "roster_number")
    date_hierarchy = "expires_on"


@admin.register(NeedleSize)
class NeedleSizeAdmin(admin.ModelAdmin):
    list_display = ("__str__", "diameter_mm", "length_mm", "active")
    list_filter = ("active", "diameter_mm")


@admin.register(HomeCareSnippet)
class HomeCareSnippetAdmin(admin.ModelAdmin):
    list_display = ("title", "order", "active")
    list_editable = ("order", "active")
