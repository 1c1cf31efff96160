"""Weekly series of visits from a plan of care, and "this and later ones" for a visit of a
series (front desk and physiotherapists).

The proposal page writes nothing: a GET works out the series (clinic.services.series_propose)
and shows it; the POST books only the visits ticked, all or none
(clinic.services.series_book). A refusal shows the proposal again, worked out afresh,
with each visit that failed and why.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from clinic import selectors, services
from clinic.access import access_log_record
from clinic.forms.scheduling import CancelForm, SlotForm
from clinic.forms.series import SeriesForm
from clinic.inputs import safe_next
from clinic.models import Appointment, AppointmentType, CarePlan
from clinic.permissions import Role, allow_roles, clinical_record
from clinic.services.scheduling import BookingError
from clinic.services.series import SeriesError
from clinic.views.schedule import _schedule_url
from clinic.views.waitlist import after_cancel_url

STAFF = (Role.FRONT_DESK, Role.PHYSIO)
DEFAULT_TIME = dt.time(9)


def _defaults(plan: CarePlan) -> dict[str, str]:
    """The proposal first shown: the plan's physiotherapist at their first location, the
    IMS type, a week after the plan's last booked visit (at its time), otherwise the
    patient's next eligible IMS day from tomorrow at 9:00, for the sessions left."""
    practitioner = plan.practitioner
    location = practitioner.locations.filter(active=True).order_by("name").first()
    ims = AppointmentType.objects.filter(active=True, is_ims=True).order_by("name").first()
    last = (
        plan.appointments.filter(status__in=Appointment.COUNTS_FOR_SPACING)
        .order_by("-start")
        .first()
    )
    if last is not None and last.start > timezone.now():
        start = timezone.localtime(last.start) + dt.timedelta(days=7)
        day, time = start.date(), start.time()
    else:
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        day = selectors.ims_next_eligible(plan.patient, on_or_after=max(tomorrow, plan.started_on))
        time = DEFAULT_TIME
    return {
        "practitioner": str(practitioner.pk),
        "location": str(location.pk) if location else "",
        "type": str(ims.pk) if ims else "",
        "date": day.isoformat(),
        "time": time.strftime("%H:%M"),
        "count": str(max(selectors.series_remaining(plan), 1)),
    }


def _propose(plan: CarePlan, form: SeriesForm, by) -> list:
    data = form.cleaned_data
    return services.series_propose(
        plan=plan,
        first_start=data["start"],
        practitioner=data["practitioner"],
        location=data["location"],
        type=data["type"],
        count=data["count"],
        by=by,
    )


@allow_roles(*STAFF)
@clinical_record("pk", "clinic.CarePlan", patient="patient")
@require_http_methods(["GET", "POST"])
def series_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose the plan's remaining visits a week apart (GET, with the first visit's
    details to change), and book the ticked ones (POST)."""
    plan = get_object_or_404(CarePlan.objects.select_related("patient", "practitioner"), pk=pk)
    if not plan.is_active:
        messages.info(
            request,
            f"The plan is {plan.get_status_display().lower()}: resume it to book a series.",
        )
        return redirect("clinic:care_plan_detail", plan.pk)
    failures: list = []
    nothing_ticked = False
    if request.method == "POST":
        form = SeriesForm(request.POST)
        if form.is_valid():
            starts = form.cleaned_data["visit"]
            data = form.cleaned_data
            if not starts:
                nothing_ticked = True
            else:
                try:
                    booked = services.series_book(
                        plan=plan,
                        starts=starts,
                        practitioner=data["practitioner"],
                        location=data["location"],
                        type=data["type"],
                        by=request.user,
                    )
                except SeriesError as refusal:
                    failures = refusal.failures
                else:
                    first = timezone.localtime(booked[0].start)
                    messages.success(
                        request,
                        f"Booked {len(booked)} visit{'s' if len(booked) != 1 else ''} for "
                        f"{plan.patient.display_name} from "
                        f"{date_format(first, 'D j M Y H:i')} with {booked[0].practitioner}.",
                    )
                    return redirect("clinic:care_plan_detail", plan.pk)
    else:
        data = request.GET if "date" in request.GET else _defaults(plan)
        form = SeriesForm(data)
    # Only the ticked visits unreadable: the proposal is still shown, to tick again.
    usable = form.is_valid() or set(form.errors) == {"visit"}
    remaining = selectors.series_remaining(plan)
    # Every planned session booked: propose more only when asked for explicitly.
    all_booked = remaining == 0 and request.method == "GET" and "date" not in request.GET
    proposal = _propose(plan, form, request.user) if usable and not all_booked else []
    access_log_record(request=request, patient=plan.patient, what="care plan")
    return render(
        request,
        "clinic/care/series_plan.html",
        {
            "plan": plan,
            "patient": plan.patient,
            "form": form,
            "proposal": proposal,
            "bookable": sum(1 for p in proposal if p.bookable),
            "failures": failures,
            "nothing_ticked": nothing_ticked,
            "remaining": remaining,
            "all_booked": all_booked,
        },
    )


def _appointment(pk: int) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related("patient", "practitioner", "type", "location"), pk=pk
    )


def _done(request: HttpRequest, appointment: Appointment) -> HttpResponse:
    url = safe_next(request, _schedule_url(appointment.local_date, appointment.location))
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@allow_roles(*STAFF)
@require_POST
def series_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel this visit and the later booked visits of its series (the modal's cancel
    form, second button), all or none."""
    appointment = _appointment(pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["reason"][0])
        return _done(request, appointment)
    try:
        cancelled = services.series_cancel_from(
            appointment=appointment, reason=form.cleaned_data["reason"], by=request.user
        )
    except SeriesError as refusal:
        messages.error(request, refusal.message)
    except BookingError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            f"Cancelled {len(cancelled)} visit{'s' if len(cancelled) != 1 else ''} of "
            f"{appointment.patient.display_name}'s series, from "
            f"{date_format(timezone.localtime(appointment.start), 'D j M')} on.",
        )
        # The first freed time goes to the waitlist (the later ones are on its list page).
        if url := after_cancel_url(appointment):
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return _done(request, appointment)


@allow_roles(*STAFF)
@require_http_methods(["GET", "POST"])
def series_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move this visit and shift the later booked visits of its series by the same number
    of days and minutes (the reschedule form, second button), all or none."""
    appointment = _appointment(pk)
    can_override = request.user.has_role(Role.PHYSIO)
    form = SlotForm(
        request.POST or None,
        initial=SlotForm.initial_for(appointment),
        can_override=can_override,
    )
    later = list(selectors.series_this_and_later(appointment))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        slot = form.slot()
        try:
            moved = services.series_move_from(
                appointment=appointment,
                slot=slot,
                by=request.user,
                override_reason=data.get("override_reason", ""),
            )
        except SeriesError as refusal:
            form.add_error(None, refusal.message)
        except BookingError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                f"Moved {len(moved)} visit{'s' if len(moved) != 1 else ''} of "
                f"{appointment.patient.display_name}'s series; the first is now "
                f"{date_format(timezone.localtime(moved[0].start), 'D j M H:i')}.",
            )
            return _done(request, moved[0])
    context = {
        "form": form,
        "appointment": appointment,
        "later": later,
        "can_override": can_override,
        "as_page": not request.htmx,
    }
    return render(request, "clinic/care/series_move.html", context)
