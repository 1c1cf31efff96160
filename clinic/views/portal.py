"""The patient's way in: accepting a portal invitation."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic import selectors, services
from clinic.forms.accounts import InvitationAcceptForm
from clinic.forms.care import RemeasureForm
from clinic.forms.scheduling import OnlineBookingForm
from clinic.ics import appointment_ics
from clinic.models import Appointment, AppointmentType, ClinicPolicy, Location, Practitioner
from clinic.permissions import Role, allow_public, allow_roles, own_patient


@allow_public
@never_cache
@require_http_methods(["GET", "POST"])
def portal_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Set a password from an invitation link and land in the portal, signed in.

    The token names the invitation, and the invitation names the patient: nothing in the
    URL or the form can point the new account at another patient's record.
    """
    invitation = services.invitation_for_token(token)
    if invitation is None or not invitation.is_usable:
        state = invitation.state if invitation else "invalid"
        return render(
            request, "clinic/portal/invitation_invalid.html", {"state": state}, status=410
        )
    if request.user.is_authenticated:
        # Someone else is signed in on this device; the new account must not inherit it.
        logout(request)
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.portal_invitation_accept(
                invitation=invitation, password=form.cleaned_data["password1"]
            )
        except ValidationError as error:
            form.add_error("password1", error)
        except services.InvitationError as error:
            return render(
                request,
                "clinic/portal/invitation_invalid.html",
                {"state": "used", "message": str(error)},
                status=410,
            )
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                f"Welcome, {invitation.patient.first_name}. Your account is ready; sign in "
                f"next time with {user.username}.",
            )
            return redirect("clinic:portal_home")
    return render(
        request,
        "clinic/portal/invitation_accept.html",
        {"form": form, "invitation": invitation, "patient": invitation.patient},
    )


# --- Appointments in the portal -----------------------------------------------------------


@allow_roles(Role.PATIENT)
@require_GET
def portal_appointments(request: HttpRequest) -> HttpResponse:
    patient = own_patient(request)
    upcoming, past = selectors.patient_appointments(patient)
    policy = ClinicPolicy.current()
    notice = dt.timedelta(hours=policy.cancellation_notice_hours)
    now = timezone.now()
    return render(
        request,
        "clinic/portal/appointments.html",
        {
            "upcoming": [(a, a.is_cancellable and a.start - now >= notice) for a in upcoming],
            "past": past,
            "policy": policy,
            "ims": selectors.patient_ims_summary(patient),
        },
    )


@allow_roles(Role.PATIENT)
@require_POST
def portal_appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    # Another patient's appointment id answers 404: the lookup is through the own record.
    appointment = get_object_or_404(Appointment, pk=pk, patient=own_patient(request))
    try:
        services.appointment_cancel_by_patient(appointment=appointment, by=request.user)
    except services.BookingError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "Your appointment is cancelled.")
    return redirect("clinic:portal_appointments")


@allow_roles(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def portal_book(request: HttpRequest) -> HttpResponse:
    """Online self-booking of follow-up and IMS visits in free slots, under the same rules
    as the front desk's bookings; the next eligible IMS date is shown up front. Free times
    can be narrowed to one practitioner and one location and are grouped by part of the
    day; choosing one asks for confirmation before anything is booked."""
    patient = own_patient(request)
    policy = ClinicPolicy.current()
    if not policy.online_booking_enabled:
        return render(request, "clinic/portal/book_closed.html")
    if request.method == "POST":
        return _portal_book_post(request, patient)
    ims = selectors.patient_ims_summary(patient)
    form = OnlineBookingForm(request.GET or None)
    slots, chosen_type, day = [], None, None
    if form.is_bound and form.is_valid():
        chosen_type, day = form.cleaned_data["type"], form.cleaned_data["date"]
        last_day = timezone.localdate() + dt.timedelta(days=policy.online_booking_days_ahead)
        if day > last_day:
            form.add_error(
                "date", f"Online booking is open up to {date_format(last_day, 'j M Y')}."
            )
        elif chosen_type.is_ims and day < ims.next_eligible:
            form.add_error(
                "date",
                "Your next IMS session can be on "
                f"{date_format(ims.next_eligible, 'l j F')} or later "
                "(at least a week between sessions).",
            )
        else:
            slots = selectors.free_slots(
                type=chosen_type, day=day, location=form.cleaned_data["location"]
            )
            if practitioner := form.cleaned_data["practitioner"]:
                slots = [slot for slot in slots if slot.practitioner.pk == practitioner.pk]
    return render(
        request,
        "clinic/portal/book.html",
        {
            "form": form,
            "day_parts": _day_parts(slots),
            "type": chosen_type,
            "day": day,
            "ims": ims,
        },
    )


# Parts of the day the free times are grouped in (clinic-local start hour, end hour).
DAY_PARTS = (("Morning", 0, 12), ("Afternoon", 12, 17), ("Evening", 17, 24))


def _day_parts(slots: list) -> list[tuple[str, list]]:
    """[(label, slots starting in that part of the day)], leaving out empty parts."""
    parts = []
    for label, first_hour, end_hour in DAY_PARTS:
        within = [s for s in slots if first_hour <= timezone.localtime(s.start).hour < end_hour]
        if within:
            parts.append((label, within))
    return parts


def _portal_book_post(request: HttpRequest, patient) -> HttpResponse:
    """A chosen time: the first POST shows what will be booked and asks to confirm
    (nothing is written); the second, with confirm=yes, books it."""
    try:
        practitioner = Practitioner.objects.get(pk=int(request.POST["practitioner"]), active=True)
        location = Location.objects.get(pk=int(request.POST["location"]), active=True)
        kind = AppointmentType.objects.get(
            pk=int(request.POST["type"]), active=True, bookable_online=True
        )
        start = dt.datetime.fromisoformat(request.POST["start"])
    except (KeyError, ValueError, ObjectDoesNotExist):
        messages.error(request, "That time is no longer available. Please choose again.")
        return redirect("clinic:portal_book")
    if timezone.is_naive(start):
        start = timezone.make_aware(start)
    slot = services.Slot(practitioner=practitioner, location=location, start=start, type=kind)
    try:
        if request.POST.get("confirm") != "yes":
            services.appointment_book_check(
                patient=patient, slot=slot, by=request.user, via=Appointment.Via.PORTAL
            )
            return render(
                request, "clinic/portal/book_confirm.html", {"slot": slot, "patient": patient}
            )
        appointment = services.appointment_book(
            patient=patient, slot=slot, by=request.user, via=Appointment.Via.PORTAL
        )
    except services.BookingError as refusal:
        for problem in refusal.problems:
            messages.error(request, problem.message)
        return redirect(
            reverse("clinic:portal_book") + f"?type={kind.pk}&date={start.date().isoformat()}"
        )
    when = timezone.localtime(appointment.start)
    emailed = f" A confirmation is on its way to {patient.email}." if patient.email else ""
    messages.success(
        request,
        f"Booked: {appointment.type} with {appointment.practitioner} on "
        f"{date_format(when, 'l j F')} at {when:%H:%M}, {appointment.location.name}.{emailed}",
    )
    return redirect("clinic:portal_appointments")


@allow_roles(Role.PATIENT)
@require_GET
def portal_appointment_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the patient's own visits as an .ics file for their calendar (another
    patient's id answers 404)."""
    appointment = get_object_or_404(
        Appointment.objects.select_related("type", "location", "practitioner"),
        pk=pk,
        patient=own_patient(request),
    )
    response = HttpResponse(
        appointment_ics(appointment), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.pk}.ics"'
    return response


@allow_roles(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def portal_remeasure(request: HttpRequest) -> HttpResponse:
    """The questionnaire due before the patient's next visit of their plan of care
    (clinic.selectors.remeasure_due). Nothing due: a short page that says so. Filled: the
    score is recorded for that visit and the portal home no longer asks."""
    patient = own_patient(request)
    due = selectors.remeasure_due(patient)
    if due is None:
        return render(request, "clinic/portal/remeasure.html", {"due": None})
    form = RemeasureForm(request.POST or None, instrument=due.instrument)
    if request.method == "POST" and form.is_valid():
        try:
            services.remeasure_submit(patient=patient, answers=form.answers())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Thank you. Your answers are with your physiotherapist.")
            return redirect("clinic:portal_home")
    return render(
        request,
        "clinic/portal/remeasure.html",
        {"due": due, "form": form},
        status=422 if form.errors else 200,
    )
