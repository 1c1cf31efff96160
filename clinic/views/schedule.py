"""The front desk's schedule: day and week views, booking, check-in, cancel, reschedule.

Booking and moving go through clinic.services.scheduling; a refusal comes back as a form
error in the same modal (htmx) or page (without JavaScript), and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from clinic import fragments, selectors, services
from clinic.forms.scheduling import BookingForm, CancelForm, SlotForm, SpacingAlertResolveForm
from clinic.inputs import parse_date, parse_id, safe_next
from clinic.models import Appointment, Location, Patient, SpacingAlert
from clinic.origin import Origin
from clinic.permissions import Role, allow_roles, clinical_record
from clinic.selectors import scheduling as schedule_selectors
from clinic.selectors.scheduling import (
    LATE_AFTER,
    DaySchedule,
    visit_is_late,
)
from clinic.services import reminders
from clinic.services.scheduling import BookingError, Slot
from clinic.views.waitlist import after_cancel_url

STAFF = (Role.FRONT_DESK, Role.PHYSIO)


def _date_param(request: HttpRequest, name: str = "date") -> dt.date:
    """The ?date= asked for, or today when it is missing, unreadable or out of range (the
    grid's day arithmetic overflows near years 1 and 9999)."""
    return parse_date(request.GET.get(name)) or timezone.localdate()


def _location(request: HttpRequest, active: list[Location]) -> Location | None:
    """The location asked for, else the one last chosen, else the busiest; `active` are the
    active locations (read once for this and the page's location menu)."""
    chosen = parse_id(request.GET.get("location"))
    if chosen is not None:
        found = next((location for location in active if location.pk == chosen), None)
        if found:
            request.session["location_id"] = found.pk
            return found
    remembered = request.session.get("location_id")
    if remembered and (
        found := next((location for location in active if location.pk == remembered), None)
    ):
        return found
    # Otherwise the busiest location: the one where most practitioners work.
    return (
        Location.objects.filter(active=True)
        .annotate(staff=Count("practitioners"))
        .order_by("-staff", "name")
        .first()
    )


def _schedule_url(day: dt.date, location: Location | None = None) -> str:
    url = reverse("clinic:desk_today") + f"?date={day.isoformat()}"
    return url + (f"&location={location.pk}" if location else "")


_PK = 987654321  # a stand-in primary key, to reverse a URL once and fill it in per row


def grid_body(
    *days: DaySchedule, now: dt.datetime, marked: bool = False, back: str = ""
) -> SafeString:
    """The grid's rows, for the day view (one day) or the week view (its days side by
    side, all on the same times): clinic/jinja2/clinic/schedule/grid_rows.html (Jinja2,
    see clinic.fragments: at dozens of columns times 15-minute rows, a Django template per
    cell would cost more than the rest of the page). Here only the data, as tuples the
    template unpacks: per row its class, label, time and cells; per cell its kind, the
    link it opens (an appointment's details; a free slot's booking form, from `now` on:
    earlier free slots are left blank), its row span, its appointment, that one's times,
    its late flag and its extra classes. `marked` (the week): each day's first column
    starts with a "day-start" class, today's columns carry "is-today", and a day with no
    one working has one closed column. `back`: the page a booking made from a free slot
    returns to (the booking form's `next`), when not the booked day's day view."""
    before, after = reverse("clinic:appointment_detail", args=[_PK]).split(str(_PK), 1)
    book = f"{reverse('clinic:appointment_new')}?practitioner="
    today = timezone.localdate(now)
    back = f"&{urlencode({'next': back})}" if back else ""
    per_day = []
    for schedule in days:
        columns = [column.cells(schedule.rows) for column in schedule.columns]
        if marked and not columns:
            columns = [[{"kind": "closed"}] * len(schedule.rows)]
        css = [
            (" day-start" if index == 0 else "") + (" is-today" if schedule.day == today else "")
            for index in range(len(columns))
        ] if marked else [""] * len(columns)  # fmt: skip
        location = f"&location={schedule.location.pk}&start="
        per_day.append((schedule, list(zip(columns, css, strict=True)), location))
    rows = []
    for index, first in enumerate(days[0].rows):
        time = fragments.hh_mm(timezone.localtime(first))
        cells = []
        for schedule, columns, location in per_day:
            start = timezone.localtime(schedule.rows[index])
            slot = f"{location}{start:%Y-%m-%dT%H:%M}" if start >= now else None
            for column, css in columns:
                cell = column[index]
                if cell is None:
                    continue
                kind = cell["kind"]
                if kind == "free":
                    href = f"{book}{cell['practitioner_id']}{slot}{back}" if slot else None
                    cells.append((kind, href, 1, None, "", False, css))
                elif kind == "appointment":
                    visit = cell["placed"].appointment
                    times = f"{fragments.hh_mm(visit.start)}–{fragments.hh_mm(visit.end)}"
                    late = visit_is_late(
                        status=visit.status, start=visit.start, day=schedule.day, now=now
                    )
                    href = f"{before}{visit.pk}{after}"
                    cells.append((kind, href, cell["span"], visit, times, late, css))
                else:
                    cells.append((kind, None, 1, None, "", False, css))
        minute = int(time[3:])
        label = time if minute in (0, 30) else ""
        rows.append(("hour-row" if minute == 0 else "", label, time, cells))
    return fragments.render("clinic/schedule/grid_rows.html", {"rows": rows})


@allow_roles(*STAFF)
@require_GET
def day_view(request: HttpRequest) -> HttpResponse:
    """One column per practitioner, a 15-minute grid; click a free slot to book."""
    active = list(Location.objects.filter(active=True))
    location = _location(request, active)
    if location is None:
        return render(request, "clinic/schedule/no_location.html")
    day = _date_param(request)
    schedule = schedule_selectors.day_schedule(day=day, location=location, locations=active)
    return render(
        request,
        "clinic/schedule/day.html",
        {
            "schedule": schedule,
            "grid_body": grid_body(schedule, now=timezone.now()),
            "today": timezone.localdate(),
            # The week view's practitioner choice, kept for the way back to the week.
            "practitioner_id": parse_id(request.GET.get("practitioner")),
            "late_minutes": int(LATE_AFTER.total_seconds() // 60),
            # For the now line (static/js/schedule.js): the clinic's offset from UTC now.
            "utc_offset_minutes": int(timezone.localtime().utcoffset().total_seconds() // 60),
        },
    )


@allow_roles(*STAFF)
@require_GET
def day_sheet(request: HttpRequest) -> HttpResponse:
    """The day's visits at a location as a printable sheet: one table per practitioner,
    time, patient, visit type and state in words (the front desk's paper copy for the day,
    or for a network outage)."""
    active = list(Location.objects.filter(active=True))
    location = _location(request, active)
    if location is None:
        return render(request, "clinic/schedule/no_location.html")
    day = _date_param(request)
    schedule = schedule_selectors.day_schedule(day=day, location=location, locations=active)
    now = timezone.now()
    columns = [
        (
            column.practitioner,
            [
                (placed.appointment, visit_is_late(
                    status=placed.appointment.status, start=placed.appointment.start,
                    day=day, now=now))
                for placed in sorted(column.appointments, key=lambda p: p.appointment.start)
            ],
        )
        for column in schedule.columns
    ]  # fmt: skip
    return render(
        request,
        "clinic/schedule/day_sheet.html",
        {"schedule": schedule, "columns": columns, "printed_at": now},
    )


@allow_roles(*STAFF)
@require_GET
def day_notices(request: HttpRequest) -> HttpResponse:
    """The day view's alerts (unresolved IMS spacing alerts, unseen online bookings, visits
    patients confirmed or cancelled online), which
    the page loads right after it shows (hx-trigger="load"): they are the same whatever the
    day and location, and their two queries were about a tenth of the page's time (issue
    18). Their forms send the desk back to the page they were shown on (`next`)."""
    notices = selectors.desk_notices()
    return render(
        request,
        "clinic/schedule/_notices.html",
        {
            "alerts": notices.alerts,
            "online_new": notices.online_new,
            "replies": notices.replies,
            "back": safe_next(request, reverse("clinic:desk_today")),
        },
    )


@allow_roles(*STAFF)
@require_GET
def week_view(request: HttpRequest) -> HttpResponse:
    """A location's week as the day view's time grid, a sub-column per practitioner per
    day (all of them, or the one picked); click a free slot to book, a day to open it."""
    active = list(Location.objects.filter(active=True))
    location = _location(request, active)
    chosen = parse_id(request.GET.get("practitioner"))
    if chosen is not None and parse_id(request.GET.get("location")) is None:
        # "My week" (from a physiotherapist's day) names no location: one where they work.
        theirs = list(
            Location.objects.filter(active=True, practitioners=chosen)
            .order_by("name")
            .values_list("pk", flat=True)
        )
        if theirs and (location is None or location.pk not in theirs):
            location = next(place for place in active if place.pk == theirs[0])
    if location is None:
        return render(request, "clinic/schedule/no_location.html")
    week = schedule_selectors.week_schedule(
        week_of=_date_param(request), location=location, practitioner_id=chosen, locations=active
    )
    today = timezone.localdate()
    # A booking made from the week comes back to it.
    shown = {"date": week.monday.isoformat(), "location": location.pk}
    if week.practitioner:
        shown["practitioner"] = week.practitioner.pk
    back = f"{reverse('clinic:schedule_week')}?{urlencode(shown)}"
    return render(
        request,
        "clinic/schedule/week.html",
        {
            "week": week,
            "grid_body": grid_body(*week.days, now=timezone.now(), marked=True, back=back),
            "today": today,
            "shows_today": any(day.day == today for day in week.days),
            "late_minutes": int(LATE_AFTER.total_seconds() // 60),
            "utc_offset_minutes": int(timezone.localtime().utcoffset().total_seconds() // 60),
        },
    )


def _booking_initial(request: HttpRequest) -> dict:
    initial = {"date": timezone.localdate()}
    for name in ("practitioner", "location", "type", "patient"):
        if (pk := parse_id(request.GET.get(name))) is not None:
            initial[name] = pk
    start = request.GET.get("start")
    if start:
        try:
            moment = dt.datetime.fromisoformat(start)
        except ValueError:
            pass
        else:
            initial |= {"date": moment.date(), "time": moment.time()}
    return initial


def _modal_or_page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    """The same form as a modal body (htmx) or a full page (no JavaScript)."""
    context["as_page"] = not request.htmx
    return render(request, template, context)


@allow_roles(*STAFF)
@require_http_methods(["GET", "POST"])
def appointment_new(request: HttpRequest) -> HttpResponse:
    can_override = request.user.has_role(Role.PHYSIO)
    form = BookingForm(
        request.POST or None,
        initial=_booking_initial(request),
        can_override=can_override,
        can_assign_care_team=request.user.has_role(Role.FRONT_DESK, Role.CLINIC_ADMIN),
    )
    # Booking from the waitlist matches ("Book" links with ?waitlist=<entry>): a hidden
    # hint kept through the form, not an input to show errors for; unreadable is none.
    waitlist_id = parse_id(request.POST.get("waitlist") or request.GET.get("waitlist"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        slot = form.slot()
        try:
            with transaction.atomic():  # booked from the waitlist: the entry closes with it
                appointment = services.appointment_book(
                    patient=data["patient"],
                    slot=slot,
                    by=request.user,
                    override_reason=data.get("override_reason", ""),
                    note=data["note"],
                    plan=data.get("plan"),
                )
                if waitlist_id is not None:
                    services.waitlist_entry_booked(
                        entry_id=waitlist_id, appointment=appointment, by=request.user
                    )
        except BookingError as refusal:
            for problem in refusal.problems:  # every rule it broke, at once
                form.add_error(None, problem.message)
                if problem.next_eligible:
                    form.next_eligible = problem.next_eligible
        else:
            if data.get("care_team"):
                # Ticked by the desk or an admin: an explicit, audited grant (booking alone
                # grants no access to the clinical record).
                services.care_team_add(
                    patient=appointment.patient,
                    practitioner=appointment.practitioner,
                    by=request.user,
                    origin=Origin.of(request),
                )
            messages.success(
                request,
                f"Booked {appointment.patient.display_name}: {appointment.type}, "
                f"{date_format(timezone.localtime(appointment.start), 'D j M H:i')} with "
                f"{appointment.practitioner}.",
            )
            url = safe_next(request, _schedule_url(appointment.local_date, appointment.location))
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    patient = None
    patient_id = parse_id(form["patient"].value())
    if patient_id is not None:
        patient = Patient.objects.filter(pk=patient_id).first()
    return _modal_or_page(
        request,
        "clinic/schedule/book.html",
        {
            "form": form,
            "patient": patient,
            "ims": selectors.patient_ims_summary(patient) if patient else None,
            "care_plan": selectors.care_plan_active(patient) if patient else None,
            # A new booking joins the active plan unless the desk cleared the box.
            "plan_ticked": not form.is_bound or bool(form["plan"].value()),
            "can_override": can_override,
            "next": safe_next(request, ""),  # where a booking returns (the week view)
            "waitlist_id": waitlist_id,
        },
    )


@allow_roles(*STAFF)
@require_GET
def booking_patient_search(request: HttpRequest) -> HttpResponse:
    """The booking modal's patient picker (htmx): a few matches to choose from, by name,
    phone or e-mail (two characters at least) and/or date of birth."""
    query = request.GET.get("q", "").strip()
    dob = parse_date(request.GET.get("dob", ""))
    searched = len(query) >= 2 or dob is not None
    patients = (
        selectors.patient_search(query=query if len(query) >= 2 else "", date_of_birth=dob)[:8]
        if searched
        else []
    )
    return render(
        request,
        "clinic/schedule/_patient_choices.html",
        {"patients": patients, "query": query, "dob": dob, "searched": searched},
    )


@allow_roles(*STAFF)
@require_GET
def booking_patient_panel(request: HttpRequest) -> HttpResponse:
    """The chosen patient with their last IMS visit and next eligible IMS date (htmx); with
    no patient, the search box to choose one."""
    patient_id = parse_id(request.GET.get("patient"))
    if patient_id is None:
        return render(request, "clinic/schedule/_patient_search.html")
    patient = get_object_or_404(Patient, pk=patient_id)
    return render(
        request,
        "clinic/schedule/_patient_panel.html",
        {
            "patient": patient,
            "ims": selectors.patient_ims_summary(patient),
            "care_plan": selectors.care_plan_active(patient),
            "plan_ticked": True,
        },
    )


@allow_roles(*STAFF)
@require_GET
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_object_or_404(
        Appointment.objects.select_related("patient", "practitioner", "type", "location"), pk=pk
    )
    return _modal_or_page(
        request,
        "clinic/schedule/appointment.html",
        {
            "appointment": appointment,
            "cancel_form": CancelForm(),
            "ims": selectors.patient_ims_summary(appointment.patient),
            # An IMS visit cannot be completed without current consent: say so up front.
            "ims_consent_missing": appointment.is_ims
            and selectors.consent_current(appointment.patient) is None,
            "now": timezone.now(),
            "today": timezone.localdate(),
        },
    )


ACTIONS = {
    "check_in": (services.appointment_check_in, "checked in"),
    "complete": (services.appointment_complete, "marked complete"),
    "no_show": (services.appointment_no_show, "marked as a no-show"),
    "undo_check_in": (services.appointment_check_in_undo, "is booked again (check-in undone)"),
    "undo_no_show": (services.appointment_no_show_undo, "is booked again (no-show undone)"),
    "confirm": (services.appointment_confirm, "confirmed the visit (by phone)"),
}


@allow_roles(*STAFF)
@require_POST
def appointment_status(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_object_or_404(Appointment.objects.select_related("patient"), pk=pk)
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, "Unknown action.")
    else:
        service, done = action
        try:
            service(appointment=appointment, by=request.user)
        except BookingError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, f"{appointment.patient.display_name} {done}.")
    return _back_to_schedule(request, appointment)


@allow_roles(*STAFF)
@require_POST
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel; when someone on the waitlist waits for that kind of visit, the desk lands on
    the waitlist matches for the freed time (clinic.views.waitlist)."""
    appointment = get_object_or_404(
        Appointment.objects.select_related("patient", "practitioner", "location", "type"), pk=pk
    )
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["reason"][0])
    else:
        try:
            services.appointment_cancel(
                appointment=appointment, reason=form.cleaned_data["reason"], by=request.user
            )
        except BookingError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request, f"Cancelled {appointment.patient.display_name}'s appointment."
            )
            if url := after_cancel_url(appointment):
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return _back_to_schedule(request, appointment)


def _back_to_schedule(request: HttpRequest, appointment: Appointment) -> HttpResponse:
    url = safe_next(request, _schedule_url(appointment.local_date, appointment.location))
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@allow_roles(*STAFF)
@require_http_methods(["GET", "POST"])
def appointment_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_object_or_404(
        Appointment.objects.select_related("patient", "practitioner", "type", "location"), pk=pk
    )
    can_override = request.user.has_role(Role.PHYSIO)
    form = SlotForm(
        request.POST or None,
        initial=SlotForm.initial_for(appointment),
        can_override=can_override,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        slot = Slot(
            practitioner=data["practitioner"],
            location=data["location"],
            start=data["start"],
            type=data["type"],
        )
        try:
            moved = services.appointment_reschedule(
                appointment=appointment,
                slot=slot,
                by=request.user,
                override_reason=data.get("override_reason", ""),
            )
        except BookingError as refusal:
            for problem in refusal.problems:
                form.add_error(None, problem.message)
        else:
            messages.success(
                request,
                f"Moved {moved.patient.display_name} to "
                f"{date_format(timezone.localtime(moved.start), 'D j M H:i')} "
                f"with {moved.practitioner}.",
            )
            url = _schedule_url(moved.local_date, moved.location)
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return _modal_or_page(
        request,
        "clinic/schedule/reschedule.html",
        {"form": form, "appointment": appointment, "can_override": can_override},
    )


@allow_roles(*STAFF)
@require_POST
def spacing_alert_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(SpacingAlert, pk=pk)
    form = SpacingAlertResolveForm(request.POST)
    if form.is_valid():
        reminders.spacing_alert_resolve(
            alert=alert, note=form.cleaned_data["note"], by=request.user
        )
        messages.success(request, "Alert marked as reviewed.")
    else:
        messages.error(request, f"The alert is still open: {form.errors['note'][0]}")
    return redirect(safe_next(request, reverse("clinic:desk_today")))


@allow_roles(*STAFF)
@require_POST
def online_bookings_seen(request: HttpRequest) -> HttpResponse:
    ids = [pk for value in request.POST.getlist("appointment") if (pk := parse_id(value))]
    services.online_bookings_acknowledge(appointment_ids=ids, by=request.user)
    return redirect(safe_next(request, reverse("clinic:desk_today")))


@allow_roles(*STAFF)
@require_POST
def desk_notices_seen(request: HttpRequest) -> HttpResponse:
    """The desk has read these patients' confirmations and cancellations."""
    ids = [pk for value in request.POST.getlist("notice") if (pk := parse_id(value))]
    services.desk_notices_acknowledge(notice_ids=ids, by=request.user)
    return redirect(safe_next(request, reverse("clinic:desk_today")))


@allow_roles(Role.PHYSIO)
@clinical_record("pk")
@require_POST
def recall_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a patient on (or take them off) an IMS plan with recall invitations."""
    patient = get_object_or_404(Patient, pk=pk)
    active = request.POST.get("active") == "1"
    reminders.recall_plan_set(patient=patient, active=active, by=request.user)
    messages.success(
        request,
        f"{patient.display_name} will be invited to book when eligible again."
        if active
        else f"Recall stopped for {patient.display_name}.",
    )
    return redirect("clinic:intake_detail", patient.pk)
