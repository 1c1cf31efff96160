from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from clinic.navigation import nav_for


def clinic(request: HttpRequest) -> dict[str, Any]:
    """The clinic's name and contact, and the menu for the signed-in user."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "clinic_email": settings.CLINIC_EMAIL,
        "clinic_address": settings.CLINIC_ADDRESS,
        "nav_items": nav_for(user) if signed_in else [],
        "current_role": user.primary_role if signed_in else None,
    }
