"""Plans of care (issue 20, part 1): the model's rules, the services, the booking default
and the IMS interval with a twice-weekly plan (acceptance 2)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from clinic import services
from clinic.models import Appointment, AppointmentType, CarePlan
from clinic.permissions import Role
from clinic.selectors import care_plan_progress
from clinic.selectors.scheduling import CARE_PLAN_REASON_PREFIX, ims_next_eligible
from clinic.services.scheduling import (
    BookingError,
    Slot,
    appointment_book,
    appointment_reschedule,
)
from clinic.tests.factories import make_patient, make_practitioner

pytestmark = pytest.mark.django_db
VANCOUVER = zoneinfo.ZoneInfo("America/Vancouver")
REASON = "Acute flare: settle the guarding early, then weekly."


def local(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=VANCOUVER)


@pytest.fixture
def monday() -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=14)
    return day - dt.timedelta(days=day.weekday())


@pytest.fixture
def ims():
    return AppointmentType.objects.get(name="IMS treatment")


@pytest.fixture
def maya(physio):
    return make_practitioner(physio, hours=((0, 6), (6, 22)), name="Maya Chen")


@pytest.fixture
def patient():
    return make_patient(legal_first_name="Jordan", legal_last_name="Avery")


def write_plan(patient, maya, physio, **fields) -> CarePlan:
    values = {
        "condition": "Right lateral elbow pain",
        "region": "upper_limb",
        "goals": "Lift the kettle without pain.",
        "measure": "QUICKDASH",
        "sessions_planned": 8,
        "started_on": timezone.localdate(),
    } | fields
    return services.care_plan_create(patient=patient, practitioner=maya, by=physio, **values)


@pytest.fixture
def book(maya, front_desk, ims):
    def do(patient, day, *, plan=None, by=None):
        slot = Slot(practitioner=maya, location=maya.locations.first(), start=local(day), type=ims)
        return appointment_book(patient=patient, slot=slot, by=by or front_desk, plan=plan)

    return do


def move(appointment, day, by):
    slot = Slot(
        practitioner=appointment.practitioner,
        location=appointment.location,
        start=local(day, 10),
        type=appointment.type,
    )
    return appointment_reschedule(appointment=appointment, slot=slot, by=by)


# --- Acceptance 2: moving visit 3 to 5 days after visit 2 ------------------------------------


def test_weekly_plan_refuses_visit_3_five_days_after_visit_2_with_next_eligible(
    patient, maya, physio, front_desk, book, monday
):
    plan = write_plan(patient, maya, physio)
    book(patient, monday, plan=plan)
    second = book(patient, monday + dt.timedelta(days=7), plan=plan)
    third = book(patient, monday + dt.timedelta(days=14), plan=plan)

    with pytest.raises(BookingError) as refused:
        move(third, second.local_date + dt.timedelta(days=5), front_desk)
    assert refused.value.code == "spacing"
    assert "at least 7 days" in refused.value.message
    assert refused.value.next_eligible == second.local_date + dt.timedelta(days=7)
    third.refresh_from_db()
    assert third.local_date == monday + dt.timedelta(days=14)  # nothing written


def test_twice_weekly_plan_accepts_visit_3_five_days_after_visit_2_with_reason_in_history(
    patient, maya, physio, front_desk, book, monday
):
    plan = write_plan(
        patient,
        maya,
        physio,
        frequency=CarePlan.Frequency.TWICE_WEEKLY_START,
        frequency_reason=REASON,
    )
    first = book(patient, monday, plan=plan)  # the course starts: window monday .. +13
    second = book(patient, monday + dt.timedelta(days=3), plan=plan)
    assert second.spacing_override_reason == CARE_PLAN_REASON_PREFIX + REASON
    assert second.spacing_override_by == physio  # the plan's author gave the reason
    third = book(patient, monday + dt.timedelta(days=14), plan=plan)
    assert third.spacing_override_reason == ""  # a week clear: no allowance used

    moved = move(third, second.local_date + dt.timedelta(days=5), front_desk)

    assert moved.local_date == monday + dt.timedelta(days=8)
    assert moved.spacing_override_reason == CARE_PLAN_REASON_PREFIX + REASON
    latest = moved.history.order_by("-history_id").first()
    assert latest.history_change_reason == CARE_PLAN_REASON_PREFIX + REASON
    assert latest.spacing_override_reason == CARE_PLAN_REASON_PREFIX + REASON
    assert latest.history_user == front_desk
    assert first.local_date == monday


def test_twice_weekly_allowance_ends_after_the_first_two_weeks(
    patient, maya, physio, front_desk, book, monday
):
    plan = write_plan(
        patient,
        maya,
        physio,
        frequency=CarePlan.Frequency.TWICE_WEEKLY_START,
        frequency_reason=REASON,
    )
    book(patient, monday, plan=plan)
    book(patient, monday + dt.timedelta(days=10), plan=plan)
    # Day 14 is the first day after the window (monday .. monday + 13): weekly again.
    with pytest.raises(BookingError) as refused:
        book(patient, monday + dt.timedelta(days=14), plan=plan)
    assert refused.value.next_eligible == monday + dt.timedelta(days=17)
    # Inside the window, still never closer than IMS_EARLY_MIN_INTERVAL_DAYS (3).
    with pytest.raises(BookingError) as refused:
        book(patient, monday + dt.timedelta(days=2), plan=plan)
    assert refused.value.next_eligible == monday + dt.timedelta(days=3)


def test_allowance_needs_the_visit_on_an_active_twice_weekly_plan(
    patient, maya, physio, front_desk, book, monday
):
    plan = write_plan(
        patient,
        maya,
        physio,
        frequency=CarePlan.Frequency.TWICE_WEEKLY_START,
        frequency_reason=REASON,
    )
    book(patient, monday, plan=plan)
    with pytest.raises(BookingError):  # a visit outside the plan: the interval stands
        book(patient, monday + dt.timedelta(days=4))
    services.care_plan_hold(plan=plan, by=physio)
    with pytest.raises(BookingError) as refused:  # a plan on hold cannot take visits
        book(patient, monday + dt.timedelta(days=4), plan=plan)
    assert refused.value.code == "plan"


def test_next_eligible_without_plan_is_unchanged(patient, book, monday):
    book(patient, monday)
    assert ims_next_eligible(patient, on_or_after=monday) == monday + dt.timedelta(days=7)


# --- The model's rules ------------------------------------------------------------------------


def test_twice_weekly_needs_a_reason_as_a_field_error(patient, maya, physio):
    with pytest.raises(ValidationError) as refused:
        write_plan(patient, maya, physio, frequency=CarePlan.Frequency.TWICE_WEEKLY_START)
    assert "frequency_reason" in refused.value.message_dict
    assert not CarePlan.objects.exists()


def test_database_refuses_twice_weekly_without_reason_and_discharge_without_reason(
    patient, maya, physio
):
    base = {
        "patient": patient,
        "practitioner": maya,
        "created_by": physio,
        "condition": "Neck",
        "region": "neck",
        "goals": "Turn to reverse the car.",
        "measure": "NDI",
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        CarePlan.objects.create(**base, frequency=CarePlan.Frequency.TWICE_WEEKLY_START)
    with pytest.raises(IntegrityError), transaction.atomic():
        CarePlan.objects.create(**base, status=CarePlan.Status.DISCHARGED)
    CarePlan.objects.create(**base)
    with pytest.raises(IntegrityError), transaction.atomic():
        CarePlan.objects.create(**base)  # a second ACTIVE plan for the patient


def test_one_active_plan_per_patient_then_hold_resume_discharge(patient, maya, physio):
    first = write_plan(patient, maya, physio)
    with pytest.raises(ValidationError, match="already has an active care plan"):
        write_plan(patient, maya, physio, condition="Low back pain", region="low_back")
    services.care_plan_hold(plan=first, by=physio)
    second = write_plan(patient, maya, physio, condition="Low back pain", region="low_back")
    with pytest.raises(ValidationError, match="already has an active care plan"):
        services.care_plan_resume(plan=first, by=physio)
    with pytest.raises(ValidationError) as refused:
        services.care_plan_discharge(plan=second, by=physio, reason="other", note=" ")
    assert "discharge_note" in refused.value.message_dict
    done = services.care_plan_discharge(plan=second, by=physio, reason="goals_met")
    assert done.discharged_on == timezone.localdate()
    services.care_plan_resume(plan=first, by=physio)
    assert [h.history_change_reason for h in done.history.order_by("history_id")] == [
        "plan written",
        "plan discharged",
    ]


def test_progress_counts_signed_visits_and_remeasure(patient, maya, physio):
    plan = write_plan(patient, maya, physio, remeasure_every=4)
    assert care_plan_progress(plan, signed=3).remeasure_due is False
    at_four = care_plan_progress(plan, signed=3, drafting=True)
    assert (at_four.visit, at_four.left, at_four.remeasure_due) == (4, 4, True)
    assert care_plan_progress(plan, signed=4).next_remeasure == 8


# --- Booking: a new visit defaults to the active plan ------------------------------------


def test_booking_form_defaults_to_the_active_plan_and_the_desk_can_clear_it(
    patient, maya, physio, front_desk, ims, monday, client_for
):
    plan = write_plan(patient, maya, physio)
    client = client_for(front_desk)
    panel = client.get(reverse("clinic:booking_patient_panel"), {"patient": patient.pk})
    box = re.search(r'<input[^>]*id="id_plan"[^>]*>', panel.content.decode()).group(0)
    assert 'name="plan"' in box
    assert f'value="{plan.pk}"' in box
    assert "checked" in box

    data = {
        "patient": patient.pk,
        "type": ims.pk,
        "practitioner": maya.pk,
        "location": maya.locations.first().pk,
        "date": monday.isoformat(),
        "time": "09:00",
        "plan": plan.pk,
    }
    client.post(reverse("clinic:appointment_new"), data)
    assert Appointment.objects.get(local_date=monday).plan == plan
    del data["plan"]  # cleared by the desk
    data["date"] = (monday + dt.timedelta(days=7)).isoformat()
    client.post(reverse("clinic:appointment_new"), data)
    assert Appointment.objects.get(local_date=monday + dt.timedelta(days=7)).plan is None


def test_booking_with_another_patients_plan_is_refused(
    patient, maya, physio, front_desk, ims, monday, client_for
):
    other = make_patient(legal_first_name="Sam", legal_last_name="Other")
    plan = write_plan(other, maya, physio)
    data = {
        "patient": patient.pk,
        "type": ims.pk,
        "practitioner": maya.pk,
        "location": maya.locations.first().pk,
        "date": monday.isoformat(),
        "time": "09:00",
        "plan": plan.pk,
    }
    response = client_for(front_desk).post(reverse("clinic:appointment_new"), data)
    assert response.status_code == 200
    assert "belongs to another patient" in response.content.decode()
    assert not Appointment.objects.exists()


# --- Pages ----------------------------------------------------------------------------------


def test_physio_writes_holds_and_discharges_a_plan_through_the_pages(
    patient, maya, physio, client_for
):
    from clinic.tests.factories import join_care_team

    join_care_team(physio, patient)
    client = client_for(physio)
    url = reverse("clinic:care_plan_new", args=[patient.pk])
    assert client.get(url).status_code == 200
    bad = client.post(
        url,
        {
            "practitioner": maya.pk,
            "condition": "Neck",
            "region": "neck",
            "goals": "Drive",
            "measure": "NDI",
            "sessions_planned": 8,
            "frequency": "twice_weekly_start",
            "frequency_reason": "",
            "remeasure_every": 4,
            "started_on": timezone.localdate(),
        },
    )
    assert bad.status_code == 200
    assert "Give the clinical reason for twice weekly" in bad.content.decode()
    assert not CarePlan.objects.exists()
    good = client.post(
        url,
        {
            "practitioner": maya.pk,
            "condition": "Neck",
            "region": "neck",
            "goals": "Drive",
            "measure": "NDI",
            "sessions_planned": 8,
            "frequency": "weekly",
            "remeasure_every": 4,
            "started_on": timezone.localdate(),
        },
    )
    plan = CarePlan.objects.get()
    assert good.url == reverse("clinic:care_plan_detail", args=[plan.pk])
    client.post(reverse("clinic:care_plan_status", args=[plan.pk]), {"action": "hold"})
    plan.refresh_from_db()
    assert plan.status == CarePlan.Status.ON_HOLD
    discharge = reverse("clinic:care_plan_discharge", args=[plan.pk])
    refused = client.post(discharge, {"reason": "other", "note": "", "on": timezone.localdate()})
    assert "Say why" in refused.content.decode()
    client.post(discharge, {"reason": "plateau", "note": "", "on": timezone.localdate()})
    plan.refresh_from_db()
    assert (plan.status, plan.discharge_reason) == ("discharged", "plateau")


def test_front_desk_reads_the_plan_without_its_clinical_content(
    patient, maya, physio, front_desk, client_for
):
    plan = write_plan(
        patient,
        maya,
        physio,
        frequency=CarePlan.Frequency.TWICE_WEEKLY_START,
        frequency_reason=REASON,
    )
    html = client_for(front_desk).get(reverse("clinic:care_plan_detail", args=[plan.pk]))
    page = html.content.decode()
    assert "Right lateral elbow pain" in page
    assert "Lift the kettle" not in page
    assert REASON not in page
    assert 'action="' + reverse("clinic:care_plan_status", args=[plan.pk]) not in page
    edit = client_for(front_desk).get(reverse("clinic:care_plan_edit", args=[plan.pk]))
    assert edit.status_code == 403
    assert front_desk.has_role(Role.FRONT_DESK)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"condition": "Neck\x00pain"}, "condition"),
        ({"goals": "x" * 20_000}, "goals"),
        ({"started_on": "9999-12-31"}, "started_on"),
        ({"started_on": "0001-01-01"}, "started_on"),
        ({"sessions_planned": 10**9}, "sessions_planned"),
        ({"baseline_score": "1e400"}, "baseline_score"),
    ],
)
def test_a_plan_the_database_or_a_page_could_not_read_back_is_refused_at_its_field(
    patient, maya, physio, client_for, changes, field
):
    """Typed values a page, the driver or a PDF could not read back (a NUL, text past the
    limit, a date outside the booking range, a number past its column) get an error next
    to their field and write nothing."""
    from clinic.tests.factories import join_care_team

    join_care_team(physio, patient)
    answer = client_for(physio).post(
        reverse("clinic:care_plan_new", args=[patient.pk]),
        {
            "practitioner": maya.pk,
            "condition": "Neck",
            "region": "neck",
            "goals": "Drive",
            "measure": "NDI",
            "sessions_planned": 8,
            "frequency": "weekly",
            "remeasure_every": 4,
            "started_on": timezone.localdate(),
        }
        | changes,
    )
    assert answer.status_code == 200
    assert field in answer.context["form"].errors
    assert not CarePlan.objects.exists()


# --- Discharge cancels the course's remaining visits (issue 20 follow-up) --------------------


def test_discharge_offers_and_cancels_the_plans_booked_visits_in_one_transaction(
    patient, maya, physio, front_desk, book, monday, client_for
):
    from clinic.tests.factories import join_care_team, make_patient, write_appointment

    join_care_team(physio, patient)
    plan = write_plan(patient, maya, physio)
    ahead = [book(patient, monday + dt.timedelta(days=7 * week), plan=plan) for week in (0, 1)]
    ims = ahead[0].type
    past = write_appointment(
        patient, maya, local(timezone.localdate() - dt.timedelta(days=7)), ims,
        by=front_desk, plan=plan, status="completed",
    )  # fmt: skip
    other = book(
        make_patient(legal_first_name="Sam", legal_last_name="Other"), monday + dt.timedelta(days=1)
    )
    client = client_for(physio)
    url = reverse("clinic:care_plan_discharge", args=[plan.pk])

    page = client.get(url).content.decode()
    assert "Cancel the 2 visits still booked (" in page
    box = re.search(r'<input[^>]*name="cancel_booked"[^>]*>', page).group(0)
    assert "checked" in box  # offered, ticked by default

    # A refused discharge (no reason) cancels nothing.
    client.post(url, {"reason": "", "on": timezone.localdate(), "cancel_booked": "on"})
    assert set(Appointment.objects.filter(pk__in=[a.pk for a in ahead]).values_list(
        "status", flat=True)) == {"booked"}  # fmt: skip

    done = client.post(
        url, {"reason": "goals_met", "note": "", "on": timezone.localdate(), "cancel_booked": "on"}
    )
    assert done.status_code == 302
    plan.refresh_from_db()
    assert plan.status == CarePlan.Status.DISCHARGED
    for visit in ahead:
        visit.refresh_from_db()
        assert (visit.status, visit.cancelled_by) == ("cancelled", physio)
        assert visit.cancel_reason == services.care_plans.DISCHARGE_CANCEL_REASON
    past.refresh_from_db()
    other.refresh_from_db()
    assert past.status == "completed"
    assert other.status == "booked"


def test_discharge_without_the_box_keeps_the_booked_visits(
    patient, maya, physio, book, monday, client_for
):
    from clinic.tests.factories import join_care_team

    join_care_team(physio, patient)
    plan = write_plan(patient, maya, physio)
    visit = book(patient, monday, plan=plan)
    response = client_for(physio).post(
        reverse("clinic:care_plan_discharge", args=[plan.pk]),
        {"reason": "plateau", "note": "", "on": timezone.localdate()},
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    plan.refresh_from_db()
    assert (plan.status, visit.status) == ("discharged", "booked")


def test_discharge_form_has_no_box_when_nothing_is_booked(patient, maya, physio, client_for):
    from clinic.tests.factories import join_care_team

    join_care_team(physio, patient)
    plan = write_plan(patient, maya, physio)
    page = client_for(physio).get(reverse("clinic:care_plan_discharge", args=[plan.pk]))
    assert page.status_code == 200
    assert 'name="cancel_booked"' not in page.content.decode()


def test_discharge_leaves_a_checked_in_visit_of_the_plan_alone(
    patient, maya, physio, front_desk, book, monday
):
    plan = write_plan(patient, maya, physio)
    first, second = (book(patient, monday + dt.timedelta(days=7 * w), plan=plan) for w in (0, 1))
    Appointment.objects.filter(pk=first.pk).update(status="checked_in")
    services.care_plan_discharge(plan=plan, by=physio, reason="goals_met", cancel_booked=True)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("checked_in", "cancelled")
