"""The navigation bar: each entry appears only for users whose role may open its page.

Visibility is read from the target view's declared access policy, so the menu and the
permission check cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.urls import resolve, reverse

from clinic.permissions import AccessPolicy, policy_of


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str  # a Bootstrap Icons name


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("My day", "clinic:physio_day", "clipboard2-pulse"),
    NavItem("Schedule", "clinic:desk_today", "calendar-week"),
    NavItem("Patients", "clinic:patient_list", "people"),
    NavItem("Waitlist", "clinic:waitlist_list", "hourglass-split"),
    NavItem("Home", "clinic:portal_home", "house-heart"),
    NavItem("Appointments", "clinic:portal_appointments", "calendar-heart"),
    NavItem("Documents", "treatments:portal_documents", "file-earmark-text"),
    NavItem("Dashboard", "clinic:dashboard", "bar-chart-line"),
    NavItem("Clinic admin", "clinic:admin_home", "sliders"),
    NavItem("Records", "custody:home", "archive"),
)


@cache
def _policy_for(url_name: str) -> AccessPolicy | None:
    return policy_of(resolve(reverse(url_name)).func)


def nav_for(user: Any) -> list[dict[str, str]]:
    items = []
    for item in NAV_ITEMS:
        policy = _policy_for(item.url_name)
        if policy is not None and policy.allows(user):
            items.append(
                {
                    "label": item.label,
                    "url": reverse(item.url_name),
                    "icon": item.icon,
                    "url_name": item.url_name,
                }
            )
    return items
