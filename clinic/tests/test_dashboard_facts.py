"""The clinic dashboard's precomputed facts (issue 20, clinic.services.dashboard_facts): the
services that complete, book, move and cancel visits keep Appointment.first_visit,
CarePlan.first_location / completed_visits / patient_last_visit / patient_last_booking and
DashboardDay's counts right, and the migrations' backfills compute the same from scratch."""

from __future__ import annotations

import datetime as dt
import importlib
import zoneinfo

import pytest
from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from clinic.models import (
    Appointment,
    AppointmentType,
    CarePlan,
    ClinicPolicy,
    DashboardDay,
    Location,
)
from clinic.selectors.dashboard import DashboardFilters, clinic_dashboard
from clinic.services import (
    Slot,
    appointment_book,
    appointment_cancel,
    appointment_complete,
    appointment_no_show,
    appointment_no_show_undo,
    appointment_reschedule,
    care_plan_create,
)
from clinic.tests.factories import make_patient, make_practitioner, write_appointment

pytestmark = pytest.mark.django_db
VANCOUVER = zoneinfo.ZoneInfo("America/Vancouver")
S = Appointment.Status


@pytest.fixture
def follow_up():
    return AppointmentType.objects.get(name="Follow-up")


@pytest.fixture
def maya(physio):
    return make_practitioner(physio, hours=((0, 6), (6, 22)), name="Maya Chen")


def past(days: int) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(10), tzinfo=VANCOUVER)


def ahead(days: int, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=VANCOUVER)


def plan_for(patient, practitioner, by):
    return CarePlan.objects.create(
        patient=patient,
        practitioner=practitioner,
        condition="Neck pain",
        region="neck",
        goals="Turn the head when driving.",
        measure="NDI",
        created_by=by,
    )


def firsts(patient) -> list[int]:
    return list(
        Appointment.objects.filter(patient=patient, first_visit=True).values_list("pk", flat=True)
    )


def day_counts() -> dict:
    return {
        d.day: (d.visits, d.no_shows, d.new_patients)
        for d in DashboardDay.objects.filter(Q(visits__gt=0) | Q(no_shows__gt=0))
    }


def test_completing_a_visit_marks_the_patients_first_and_an_earlier_one_takes_over(
    maya, front_desk, follow_up
):
    patient = make_patient(legal_first_name="First")
    later = write_appointment(patient, maya, past(3), follow_up, by=front_desk)
    earlier = write_appointment(patient, maya, past(10), follow_up, by=front_desk)
    assert firsts(patient) == []  # booked visits bring no patient in

    later = appointment_complete(appointment=later, by=front_desk)
    assert later.first_visit
    assert firsts(patient) == [later.pk]

    assert day_counts() == {later.local_date: (1, 0, 1)}

    # The earlier visit marked completed afterwards (a late entry): it is the first now,
    # and the daily counts follow (visits, no-shows, new patients).
    appointment_complete(appointment=earlier, by=front_desk)
    assert firsts(patient) == [earlier.pk]
    assert day_counts() == {later.local_date: (1, 0, 0), earlier.local_date: (1, 0, 1)}


def test_a_no_show_and_its_undo_leave_the_first_visit_alone(maya, front_desk, follow_up):
    patient = make_patient(legal_first_name="Missed")
    seen = write_appointment(patient, maya, past(20), follow_up, by=front_desk, status=S.COMPLETED)
    today = timezone.now() - dt.timedelta(minutes=5)
    missed = write_appointment(patient, maya, today, follow_up, by=front_desk)
    missed = appointment_no_show(appointment=missed, by=front_desk)
    assert firsts(patient) == [seen.pk]
    assert day_counts()[missed.local_date] == (0, 1, 0)
    if missed.local_date == timezone.localdate():  # undo is for the visit's own day only
        appointment_no_show_undo(appointment=missed, by=front_desk)
        assert firsts(patient) == [seen.pk]
        assert missed.local_date not in day_counts()
    assert day_counts()[seen.local_date] == (1, 0, 1)


def test_booking_moving_and_completing_keep_the_plans_facts(maya, front_desk, follow_up):
    patient = make_patient(legal_first_name="Course")
    plan = plan_for(patient, maya, front_desk)
    other = Location.objects.create(name="Downtown")
    blake = make_practitioner(location=other, hours=((0, 6), (6, 22)), name="Blake Physio")
    assert (plan.first_location_id, plan.completed_visits) == (None, 0)

    def book(start, location):
        who = blake if location == other else maya
        slot = Slot(practitioner=who, location=location, start=start, type=follow_up)
        return appointment_book(patient=patient, slot=slot, by=front_desk, plan=plan)

    main = maya.locations.first()
    second = book(ahead(20), main)
    plan.refresh_from_db()
    assert plan.first_location == main
    first = book(ahead(15), other)  # booked later, but earlier in time: the plan's first
    plan.refresh_from_db()
    assert plan.first_location == other

    # Moving the first visit after the other one makes the other one first.
    slot = Slot(practitioner=blake, location=other, start=ahead(25), type=follow_up)
    appointment_reschedule(appointment=first, slot=slot, by=front_desk)
    plan.refresh_from_db()
    assert plan.first_location == main

    # Completed visits are counted on the plan (a visit from the past, then completed).
    done = write_appointment(patient, maya, past(2), follow_up, by=front_desk, plan=plan)
    plan.refresh_from_db()
    assert (plan.first_location, plan.completed_visits) == (main, 0)
    appointment_complete(appointment=done, by=front_desk)
    plan.refresh_from_db()
    assert plan.completed_visits == 1
    assert second.pk != done.pk


def test_the_migration_backfill_computes_the_same_facts(maya, front_desk, follow_up):
    patient = make_patient(legal_first_name="Backfill")
    plan = plan_for(patient, maya, front_desk)
    kept = write_appointment(
        patient, maya, past(30), follow_up, by=front_desk, status=S.COMPLETED, plan=plan
    )
    write_appointment(
        patient, maya, past(9), follow_up, by=front_desk, status=S.COMPLETED, plan=plan
    )
    write_appointment(
        patient, maya, past(40), follow_up, by=front_desk, status=S.NO_SHOW, plan=plan
    )
    expected = (
        firsts(patient),
        *CarePlan.objects.values_list("first_location", "completed_visits").get(pk=plan.pk),
    )
    assert expected == ([kept.pk], maya.locations.first().pk, 2)

    days = day_counts()
    assert sorted(days.values()) == [(0, 1, 0), (1, 0, 0), (1, 0, 1)]

    Appointment.objects.update(first_visit=False)
    CarePlan.objects.update(first_location=None, completed_visits=0)
    DashboardDay.objects.all().delete()
    migration = importlib.import_module("clinic.migrations.0026_dashboard_facts")
    migration.backfill(apps, None)
    assert day_counts() == days
    again = (
        firsts(patient),
        *CarePlan.objects.values_list("first_location", "completed_visits").get(pk=plan.pk),
    )
    assert again == expected


def late_counts() -> dict:
    return {d.day: d.late_cancels for d in DashboardDay.objects.filter(late_cancels__gt=0)}


def test_a_late_cancellation_is_counted_on_its_day_and_a_new_notice_period_recounts(
    maya, front_desk, follow_up, clinic_admin, rf
):
    """DashboardDay.late_cancels (clinic 0029): the cancel service counts the day with the
    clinic's notice policy; changing the policy in the admin counts every day again."""
    from django.contrib.admin import site

    policy = ClinicPolicy.current()
    policy.cancellation_notice_hours = 72
    policy.save()
    patient = make_patient(legal_first_name="Late")
    main = maya.locations.first()

    def book_and_cancel(days):
        slot = Slot(practitioner=maya, location=main, start=ahead(days), type=follow_up)
        booked = appointment_book(patient=patient, slot=slot, by=front_desk)
        return appointment_cancel(appointment=booked, reason="Car broke down", by=front_desk)

    late = book_and_cancel(2)  # under 72 hours' notice
    in_time = book_and_cancel(12)  # 12 days' notice
    assert late_counts() == {late.local_date: 1}
    board = clinic_dashboard(DashboardFilters(start=late.local_date, end=in_time.local_date))
    assert board.total.late_cancels == 1

    # The admin lengthens the notice period to 15 days: both were late.
    model_admin = site._registry[ClinicPolicy]
    request = rf.post("/admin/")
    request.user = clinic_admin
    form_class = model_admin.get_form(request, policy, change=True)
    data = {f: getattr(policy, f) for f in form_class.base_fields}
    data["cancellation_notice_hours"] = 360
    form = form_class(data={k: v for k, v in data.items() if v is not None}, instance=policy)
    assert form.is_valid(), form.errors
    model_admin.save_model(request, form.save(commit=False), form, change=True)
    assert late_counts() == {late.local_date: 1, in_time.local_date: 1}
    board = clinic_dashboard(DashboardFilters(start=late.local_date, end=in_time.local_date))
    assert board.total.late_cancels == 2


def test_the_patients_latest_visit_and_booking_are_kept_on_their_plans(
    maya, front_desk, follow_up, physio
):
    """CarePlan.patient_last_visit / patient_last_booking (the dashboard's "went quiet"):
    booking, moving, cancelling and completing any visit of the patient keep them; a plan
    written by the service starts with the patient's visits so far."""
    patient = make_patient(legal_first_name="Quiet")
    seen = write_appointment(patient, maya, past(30), follow_up, by=front_desk, status=S.COMPLETED)
    plan = care_plan_create(
        patient=patient,
        practitioner=maya,
        by=physio,
        condition="Neck pain",
        region="neck",
        goals="Turn the head when driving.",
        measure="NDI",
        started_on=timezone.localdate() - dt.timedelta(days=40),
    )
    assert (plan.patient_last_visit, plan.patient_last_booking) == (seen.start, seen.start)

    def latest():
        plan.refresh_from_db()
        return plan.patient_last_visit, plan.patient_last_booking

    main = maya.locations.first()
    slot = Slot(practitioner=maya, location=main, start=ahead(6), type=follow_up)
    booked = appointment_book(patient=patient, slot=slot, by=front_desk)  # not on the plan
    assert latest() == (seen.start, booked.start)
    moved = appointment_reschedule(
        appointment=booked,
        slot=Slot(practitioner=maya, location=main, start=ahead(9), type=follow_up),
        by=front_desk,
    )
    assert latest() == (seen.start, moved.start)
    appointment_cancel(appointment=moved, reason="Feeling better", by=front_desk)
    assert latest() == (seen.start, seen.start)
    today = write_appointment(patient, maya, past(1), follow_up, by=front_desk)
    assert latest() == (seen.start, today.start)
    appointment_complete(appointment=today, by=front_desk)
    assert latest() == (today.start, today.start)
    later_that_day = today.start + dt.timedelta(hours=5)
    missed = write_appointment(patient, maya, later_that_day, follow_up, by=front_desk)
    assert latest() == (today.start, missed.start)
    appointment_no_show(appointment=missed, by=front_desk)
    assert latest() == (today.start, today.start)  # a missed visit is neither


def test_the_0029_backfill_counts_late_cancellations_and_latest_visits(maya, front_desk, follow_up):
    patient = make_patient(legal_first_name="Backfill")
    plan = plan_for(patient, maya, front_desk)
    write_appointment(patient, maya, past(20), follow_up, by=front_desk, status=S.COMPLETED)
    write_appointment(
        patient,
        maya,
        past(10),
        follow_up,
        by=front_desk,
        status=S.CANCELLED,
        cancelled_at=past(10) - dt.timedelta(hours=2),
    )
    write_appointment(patient, maya, ahead(5), follow_up, by=front_desk)
    expected_days = late_counts()
    expected_plan = CarePlan.objects.values_list("patient_last_visit", "patient_last_booking").get(
        pk=plan.pk
    )
    assert list(expected_days.values()) == [1]
    assert expected_plan == (past(20), ahead(5))

    DashboardDay.objects.update(late_cancels=0)
    DashboardDay.objects.filter(visits=0, no_shows=0).delete()
    CarePlan.objects.update(patient_last_visit=None, patient_last_booking=None)
    migration = importlib.import_module("clinic.migrations.0029_dashboard_late_cancels_quiet")
    migration.backfill(apps, None)
    assert late_counts() == expected_days
    assert (
        CarePlan.objects.values_list("patient_last_visit", "patient_last_booking").get(pk=plan.pk)
        == expected_plan
    )
