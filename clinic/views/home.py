"""Front-office pages. Thin: declare access, read through selectors, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import LogoutView
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from clinic import selectors
from clinic.models import ClinicPolicy
from clinic.permissions import Role, allow_public, allow_roles, allow_signed_in

ROLE_HOMES: dict[Role, str] = {
    Role.PHYSIO: "clinic:physio_day",
    Role.FRONT_DESK: "clinic:desk_today",
    Role.CLINIC_ADMIN: "clinic:admin_home",
    Role.PATIENT: "clinic:portal_home",
}


@allow_public
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The site root: the sign-in page for visitors, each role's own home otherwise."""
    if not request.user.is_authenticated:
        return redirect("login")
    role = request.user.primary_role
    if role is None:
        return render(request, "clinic/no_role.html", status=403)
    return redirect(ROLE_HOMES[role])


@allow_roles(Role.PHYSIO)
@require_GET
def physio_day(request: HttpRequest) -> HttpResponse:
    """Today's patients in order, each with intake, consent and screening status; and the
    notes the physio still owes (own unsigned drafts, own completed IMS visits without a
    note, any date, oldest first)."""
    today = timezone.localdate()
    practitioner = getattr(request.user, "practitioner", None)
    appointments = (
        selectors.physio_day(practitioner=practitioner, day=today) if practitioner else []
    )
    open_notes = selectors.open_notes(practitioner=practitioner) if practitioner else []
    remeasured = selectors.remeasured_on_day(appointments)
    for appointment in appointments:
        appointment.remeasured = remeasured.get(appointment.pk)
    return render(
        request,
        "clinic/physio_day.html",
        {
            "today": today,
            "appointments": appointments,
            "open_notes": open_notes,
            "practitioner": practitioner,
            "now": timezone.now(),
        },
    )


@allow_roles(Role.PATIENT)
@require_GET
def portal_home(request: HttpRequest) -> HttpResponse:
    # A patient account is linked to exactly one patient record (reverse one-to-one).
    patient = getattr(request.user, "patient", None)
    context = {"patient": patient}
    if patient is not None:
        latest = selectors.intake_latest(patient)
        upcoming, _past = selectors.patient_appointments(patient)
        context |= {
            "intake_state": latest.status if latest else None,
            "consent_status": selectors.consent_status(patient),
            "upcoming": upcoming[:3],
            "online_booking": ClinicPolicy.current().online_booking_enabled,
            "remeasure": selectors.remeasure_due(patient),
        }
    return render(request, "clinic/portal_home.html", context)


@allow_roles(Role.CLINIC_ADMIN)
@require_GET
def admin_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "clinic/admin_home.html",
        {
            "staff_by_role": selectors.staff_by_role(),
            "admin_url": reverse("admin:index"),
            # Backups, access requests, ... from the apps above clinic.
            "panels": selectors.admin_home_panels(request),
        },
    )


@allow_signed_in
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own account: name, roles, password change."""
    return render(request, "clinic/account.html")


@allow_signed_in
@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """ "Stay signed in" (static/js/idle.js): nothing to do here, the request itself is the
    activity SessionTimeoutMiddleware counts, and its X-Clinic-Idle-Seconds header tells
    the page the time now left. Marked X-Clinic-Poll it only asks how long is left (another
    tab may have been busy) without counting as activity."""
    return HttpResponse(status=204)


@allow_public
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness for load balancers: 200 while the database answers."""
    health = selectors.health_status()
    return JsonResponse(health.as_dict(), status=200 if health.ok else 503)


class SignOutView(LogoutView):
    """Django's logout (POST only) with a confirmation on the sign-in page."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            messages.info(request, "You have signed out.")
        return response


def locked_out(request: HttpRequest, credentials: dict | None = None, *args, **kwargs):
    """django-axes' lockout page (AXES_LOCKOUT_CALLABLE): what happened and what to do."""
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
