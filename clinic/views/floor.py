"""The floor page: the site's layout for a signed-in staff member, and nothing else."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clinic.permissions import Role, allow_roles


@allow_roles(*Role.staff_roles())
@require_GET
def floor(request: HttpRequest) -> HttpResponse:
    """An empty page in the base layout for a signed-in, two-factor-verified staff member.

    It exists as the performance floor: `manage.py bench` compares every page's server time
    with this one's (sessions, middleware, authentication and the layout, no page content),
    so a ratio says what a page itself costs. It also serves as a cheap authenticated health
    check: a 200 here means sign-in, sessions, the database and templates all work.
    """
    return render(request, "clinic/floor.html")
