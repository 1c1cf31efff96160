"""The schedule as the front desk, physios and patients use it; the beat jobs."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import (
    Appointment,
    AppointmentType,
    ClinicPolicy,
    Location,
    RecallInvitation,
    RecallPlan,
    SpacingAlert,
)
from clinic.permissions import Role
from clinic.services import reminders
from clinic.services.scheduling import BookingError, Slot, appointment_book
from clinic.tests.factories import (
    PatientFactory,
    make_patient,
    make_practitioner,
    write_appointment,
)
from clinic.tests.golden import desk_page

pytestmark = pytest.mark.django_db
VANCOUVER = zoneinfo.ZoneInfo("America/Vancouver")


def local(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=VANCOUVER)


@pytest.fixture
def day():
    return timezone.localdate() + dt.timedelta(days=3)


@pytest.fixture
def ims():
    return AppointmentType.objects.get(name="IMS treatment")


@pytest.fixture
def follow_up():
    return AppointmentType.objects.get(name="Follow-up")


@pytest.fixture
def maya(physio):
    return make_practitioner(physio, hours=((0, 6), (7, 20)), name="Maya Chen")


def book(patient, practitioner, start, kind, by):
    slot = Slot(
        practitioner=practitioner, location=practitioner.locations.first(), start=start, type=kind
    )
    return appointment_book(patient=patient, slot=slot, by=by)


def post_booking(client, *, patient, practitioner, start, kind, **extra):
    local_start = timezone.localtime(start)
    return client.post(
        reverse("clinic:appointment_new"),
        {
            "patient": patient.pk if patient else "",
            "practitioner": practitioner.pk,
            "location": practitioner.locations.first().pk,
            "type": kind.pk,
            "date": local_start.date().isoformat(),
            "time": local_start.strftime("%H:%M"),
            **extra,
        },
        headers={"HX-Request": "true"},
    )


# --- Booking through the modal -----------------------------------------------------------


def test_front_desk_books_from_the_modal(client_for, front_desk, maya, ims, day):
    patient = make_patient()
    client = client_for(front_desk)
    modal = client.get(
        reverse("clinic:appointment_new"),
        {
            "practitioner": maya.pk,
            "location": maya.locations.first().pk,
            "start": f"{day.isoformat()}T10:00",
        },
        headers={"HX-Request": "true"},
    )
    assert "<html" not in modal.content.decode()
    assert modal.context["form"]["time"].value() == dt.time(10, 0)

    response = post_booking(
        client, patient=patient, practitioner=maya, start=local(day, 10), kind=ims
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith(reverse("clinic:desk_today"))
    appointment = Appointment.objects.get()
    assert (appointment.patient, appointment.booked_by) == (patient, front_desk)


def test_the_modal_shows_the_last_and_next_eligible_ims_date(client_for, front_desk, maya, ims):
    patient = make_patient()
    first = timezone.localdate() + dt.timedelta(days=1)
    book(patient, maya, local(first, 9), ims, front_desk)
    panel = client_for(front_desk).get(
        reverse("clinic:booking_patient_panel"), {"patient": patient.pk}
    )
    html = panel.content.decode()
    assert "Next eligible IMS date" in html
    assert (first + dt.timedelta(days=7)).strftime("%a %-d %b %Y") in html


def test_a_spacing_refusal_names_the_next_eligible_date_and_writes_nothing(
    client_for, front_desk, maya, ims, day
):
    patient = make_patient()
    book(patient, maya, local(day, 9), ims, front_desk)
    response = post_booking(
        client_for(front_desk),
        patient=patient,
        practitioner=maya,
        start=local(day + dt.timedelta(days=2), 9),
        kind=ims,
    )
    html = response.content.decode()
    assert "IMS sessions need at least 7 days" in html
    eligible = (day + dt.timedelta(days=7)).strftime("%a %-d %b %Y")
    assert f"Next eligible date: {eligible}" in html
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"date": "2020-01-01"}, "date", "already passed"),
        ({"patient": ""}, "patient", "Choose the patient"),
        ({"patient": "999999"}, "patient", "not on file"),
        ({"time": "25:00"}, "time", "Enter a valid time"),
        ({"type": ""}, "type", "This field is required"),
    ],
)
def test_bad_booking_input_gets_a_clear_error_and_writes_nothing(
    client_for, front_desk, maya, ims, day, change, field, message
):
    patient = make_patient()
    client = client_for(front_desk)
    data = {
        "patient": patient.pk,
        "practitioner": maya.pk,
        "location": maya.locations.first().pk,
        "type": ims.pk,
        "date": day.isoformat(),
        "time": "10:00",
    } | change
    response = client.post(reverse("clinic:appointment_new"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Appointment.objects.count() == 0


def test_the_end_of_a_visit_cannot_fall_outside_the_day(client_for, front_desk, maya, ims, day):
    response = post_booking(
        client_for(front_desk),
        patient=make_patient(),
        practitioner=maya,
        start=local(day, 19, 45),
        kind=ims,
    )
    assert "outside Maya Chen's hours" in " ".join(response.context["form"].non_field_errors())
    assert Appointment.objects.count() == 0


def test_only_a_physio_sees_and_uses_the_override(client_for, front_desk, physio, maya, ims, day):
    patient = make_patient()
    book(patient, maya, local(day, 9), ims, front_desk)
    desk_form = client_for(front_desk).get(reverse("clinic:appointment_new"))
    assert "override_reason" not in desk_form.context["form"].fields
    # A front desk POST carrying an override is ignored: the field is not theirs.
    refused = post_booking(
        client_for(front_desk),
        patient=patient,
        practitioner=maya,
        start=local(day + dt.timedelta(days=1), 9),
        kind=ims,
        override_reason="please",
    )
    assert "IMS sessions need at least 7 days" in refused.content.decode()

    allowed = post_booking(
        client_for(physio),
        patient=patient,
        practitioner=maya,
        start=local(day + dt.timedelta(days=1), 9),
        kind=ims,
        override_reason="Flare-up; early review agreed with patient.",
    )
    assert "HX-Redirect" in allowed.headers
    assert Appointment.objects.filter(spacing_override_by=physio).count() == 1


def test_check_in_cancel_and_reschedule(client_for, front_desk, maya, follow_up, day):
    patient = make_patient()
    appointment = book(patient, maya, local(day, 11), follow_up, front_desk)
    client = client_for(front_desk)

    client.post(
        reverse("clinic:appointment_reschedule", args=[appointment.pk]),
        {
            "practitioner": maya.pk,
            "location": maya.locations.first().pk,
            "type": follow_up.pk,
            "date": day.isoformat(),
            "time": "13:00",
        },
    )
    appointment.refresh_from_db()
    assert timezone.localtime(appointment.start).time() == dt.time(13)

    client.post(reverse("clinic:appointment_cancel", args=[appointment.pk]), {"reason": ""})
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED  # a reason is required

    early = client.post(
        reverse("clinic:appointment_status", args=[appointment.pk]),
        {"action": "check_in"},
        follow=True,
    )
    assert "Check-in is for the day of the visit" in early.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED

    client.post(
        reverse("clinic:appointment_cancel", args=[appointment.pk]), {"reason": "Patient called"}
    )
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancel_reason) == ("cancelled", "Patient called")


# --- Day view, week view, my day -----------------------------------------------------------


def _fill_day(n_practitioners: int, per_practitioner: int, day, desk):
    location = Location.objects.get_or_create(name="Main clinic")[0]
    kind = AppointmentType.objects.get(name="Follow-up")
    for p in range(n_practitioners):
        practitioner = make_practitioner(
            location=location, hours=((0, 6), (6, 22)), name=f"Physio {p:02d}"
        )
        for a in range(per_practitioner):
            patient = make_patient(legal_first_name=f"P{p}x{a}", email="")
            start = local(day, 6) + dt.timedelta(minutes=30 * a)
            write_appointment(patient, practitioner, start, kind, by=desk, location=location)


def _day_view_queries(client, day, name: str = "clinic:desk_today") -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name), {"date": day.isoformat()})
    assert response.status_code == 200
    return len(queries)


def test_day_view_query_count_is_constant_at_20_practitioners_x_30_appointments(
    client_for, front_desk, day
):
    client = client_for(front_desk)
    _fill_day(2, 3, day, front_desk)
    small = _day_view_queries(client, day)
    small_notices = _day_view_queries(client, day, "clinic:desk_notices")
    _fill_day(18, 27, day, front_desk)  # 20 practitioners; up to 30 appointments each
    large = _day_view_queries(client, day)
    large_notices = _day_view_queries(client, day, "clinic:desk_notices")
    assert small == large
    assert large <= 11, f"{large} queries, over the day view's budget of 11"
    # Its alerts, loaded right after the page: the signed-in request's own and three
    # (spacing alerts, online bookings, patients' replies to reminders: issue 20).
    assert small_notices == large_notices
    assert large_notices <= 10, f"{large_notices} queries, over the alerts' budget of 10"
    html = client.get(reverse("clinic:desk_today"), {"date": day.isoformat()}).content.decode()
    assert html.count('class="appt-cell"') == 2 * 3 + 18 * 27


def test_day_view_shows_columns_grid_and_flags(client_for, front_desk, maya, ims, day, make_user):
    patient = PatientFactory(user=make_user(Role.PATIENT))
    slot = Slot(practitioner=maya, location=maya.locations.first(), start=local(day, 9), type=ims)
    appointment_book(patient=patient, slot=slot, by=patient.user, via=Appointment.Via.PORTAL)
    html = desk_page(client_for(front_desk), {"date": day.isoformat()})
    assert "Maya Chen" in html
    assert "1 new online booking" in html
    assert "Booked online." in html  # the icon's text (the link's accessible name)
    assert "Consent" in html  # IMS booked without current consent is flagged
    assert html.count('class="slot-free"') > 40  # 07:00-20:00 grid, free rows bookable


def test_week_view_lists_a_practitioners_week(client_for, physio, maya, follow_up, day, front_desk):
    book(make_patient(legal_first_name="Weekly"), maya, local(day, 9), follow_up, front_desk)
    page = client_for(physio).get(
        reverse("clinic:schedule_week"), {"practitioner": maya.pk, "date": day.isoformat()}
    )
    html = page.content.decode()
    assert "Weekly Example" in html
    assert page.context["week"].practitioner == maya
    assert len(page.context["week"].days) == 7  # Maya works every day


def test_my_day_lists_todays_patients_with_their_status(
    client_for, physio, maya, follow_up, front_desk
):
    today = timezone.localdate()
    start = timezone.now() + dt.timedelta(minutes=30)
    if timezone.localtime(start).date() != today or not 7 <= timezone.localtime(start).hour < 19:
        pytest.skip("needs a time later today within working hours")
    book(
        make_patient(legal_first_name="Soon"),
        maya,
        start.replace(second=0, microsecond=0),
        follow_up,
        front_desk,
    )
    html = client_for(physio).get(reverse("clinic:physio_day")).content.decode()
    assert "Soon Example" in html
    assert "Intake pending" in html
    assert "Consent needed" in html


# --- Portal ---------------------------------------------------------------------------------


@pytest.fixture
def portal_patient(make_user):
    user = make_user(Role.PATIENT)
    return PatientFactory(user=user, legal_first_name="Pat", legal_last_name="Portal")


def test_patient_books_online_in_a_free_slot_under_the_same_rules(
    client_for, portal_patient, maya, ims, day
):
    client = client_for(portal_patient.user)
    page = client.get(reverse("clinic:portal_book"), {"type": ims.pk, "date": day.isoformat()})
    slots = [slot for _, part in page.context["day_parts"] for slot in part]
    assert slots
    first = slots[0]
    chosen = {
        "type": ims.pk,
        "practitioner": first.practitioner.pk,
        "location": first.location.pk,
        "start": first.start.isoformat(),
    }
    # Choosing a time asks for confirmation and books nothing yet.
    asked = client.post(reverse("clinic:portal_book"), chosen)
    assert asked.status_code == 200
    assert "Confirm booking" in asked.content.decode()
    assert not Appointment.objects.exists()
    response = client.post(reverse("clinic:portal_book"), chosen | {"confirm": "yes"})
    assert response.url == reverse("clinic:portal_appointments")
    appointment = Appointment.objects.get()
    assert (appointment.booked_via, appointment.patient) == ("portal", portal_patient)

    too_soon = client.get(
        reverse("clinic:portal_book"),
        {"type": ims.pk, "date": (day + dt.timedelta(days=2)).isoformat()},
    )
    assert "Your next IMS session can be on" in str(too_soon.context["form"].errors["date"])


def test_online_booking_can_be_switched_off(client_for, portal_patient):
    ClinicPolicy.objects.update(online_booking_enabled=False)
    page = client_for(portal_patient.user).get(reverse("clinic:portal_book"))
    assert "Online booking is not available" in page.content.decode()


def test_patient_cancels_within_the_notice_policy_and_only_their_own(
    client_for, portal_patient, maya, follow_up, front_desk, make_user
):
    far = book(
        portal_patient,
        maya,
        local(timezone.localdate() + dt.timedelta(days=5), 10),
        follow_up,
        front_desk,
    )
    near_start = timezone.now() + dt.timedelta(hours=3)
    near = None
    if 7 <= timezone.localtime(near_start).hour < 19:
        near = book(
            portal_patient, maya, near_start.replace(second=0, microsecond=0), follow_up, front_desk
        )
    other = PatientFactory(user=make_user(Role.PATIENT))
    theirs = book(
        other, maya, local(timezone.localdate() + dt.timedelta(days=5), 12), follow_up, front_desk
    )
    client = client_for(portal_patient.user)

    assert (
        client.post(reverse("clinic:portal_appointment_cancel", args=[theirs.pk])).status_code
        == 404
    )
    client.post(reverse("clinic:portal_appointment_cancel", args=[far.pk]))
    far.refresh_from_db()
    assert far.status == Appointment.Status.CANCELLED
    theirs.refresh_from_db()
    assert theirs.status == Appointment.Status.BOOKED
    if near:
        response = client.post(
            reverse("clinic:portal_appointment_cancel", args=[near.pk]), follow=True
        )
        assert "up to 24 hours before" in response.content.decode()
        near.refresh_from_db()
        assert near.status == Appointment.Status.BOOKED


# --- Beat jobs ---------------------------------------------------------------------------------


def test_each_appointment_gets_exactly_one_reminder_when_the_job_runs_again(
    maya, follow_up, front_desk
):
    patient = make_patient(email="remind@example.com")
    start = timezone.now() + dt.timedelta(hours=20)
    appointment = write_appointment(patient, maya, start, follow_up, by=front_desk)
    first = reminders.appointment_reminders_send()
    second = reminders.appointment_reminders_send()
    assert (first, second) == (1, 0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["remind@example.com"]
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == ("appointment.ics", "text/calendar")
    assert "BEGIN:VEVENT" in content
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is not None


def test_spacing_audit_flags_a_violation_made_in_the_admin(
    client_for, clinic_admin, maya, ims, front_desk
):
    patient = make_patient()
    base = timezone.localdate() + dt.timedelta(days=4)
    for offset in (0, 2):  # written directly, as the admin or an import would
        start = local(base + dt.timedelta(days=offset), 9)
        write_appointment(patient, maya, start, ims, by=front_desk)
    new = reminders.spacing_audit()
    assert len(new) == 1
    assert new[0].days_apart == 2
    assert reminders.spacing_audit() == []  # a rerun adds nothing
    assert SpacingAlert.objects.count() == 1
    assert mail.outbox[-1].to == [clinic_admin.email]
    html = desk_page(client_for(front_desk))
    assert "needling 2 days apart" in html


def test_the_day_view_reads_alerts_and_online_bookings_afresh_each_time(
    client_for, front_desk, maya, ims, follow_up
):
    """The day view's queries are built once per process (clinic.selectors.scheduling):
    what changed since the last page must still show, in the same words as before."""
    client = client_for(front_desk)
    day = timezone.localdate() + dt.timedelta(days=4)
    params = {"date": day.isoformat()}
    html = desk_page(client, params)
    assert "needling" not in html
    assert "online booking" not in html

    patient = make_patient(legal_first_name="Ada", preferred_name="Addy", legal_last_name="O<k>")
    for offset in (0, 2):
        write_appointment(
            patient, maya, local(day + dt.timedelta(days=offset), 9), ims, by=front_desk
        )
    reminders.spacing_audit()
    online = make_patient(legal_first_name="Noor", legal_last_name="Webb")
    visit = write_appointment(
        online, maya, local(day, 11), follow_up, by=front_desk, booked_via=Appointment.Via.PORTAL
    )
    html = desk_page(client, params)
    assert "<strong>Addy O&lt;k&gt;</strong>: needling 2 days apart" in html
    assert "1 new online booking:</strong>" in html
    assert f"Noor Webb ({local(day, 11):%a %-d %b} 11:00)" in html
    assert f'name="appointment" value="{visit.pk}"' in html
    assert html.count("Addy O&lt;k&gt;") == 2  # the alert and the grid's cell


def test_spacing_audit_resolves_alerts_when_a_visit_is_cancelled(maya, ims, front_desk):
    patient = make_patient()
    base = timezone.localdate() + dt.timedelta(days=4)
    rows = []
    for offset in (0, 3):
        start = local(base + dt.timedelta(days=offset), 9)
        rows.append(write_appointment(patient, maya, start, ims, by=front_desk))
    reminders.spacing_audit()
    rows[1].status = Appointment.Status.CANCELLED
    rows[1].save()
    reminders.spacing_audit()
    assert SpacingAlert.objects.get().resolved_at is not None


def test_recall_sends_one_invitation_per_eligibility(maya, ims, front_desk, physio):
    patient = make_patient(email="recall@example.com")
    done = timezone.now() - dt.timedelta(days=8)
    write_appointment(patient, maya, done, ims, by=front_desk, status=Appointment.Status.COMPLETED)
    assert reminders.recall_send() == 0  # no plan yet
    RecallPlan.objects.create(patient=patient, started_by=physio)
    assert reminders.recall_send() == 1
    assert reminders.recall_send() == 0
    assert RecallInvitation.objects.count() == 1
    assert "Time to book your next IMS visit" in mail.outbox[-1].subject


def test_recall_skips_patients_with_something_booked(maya, ims, follow_up, front_desk, physio):
    patient = make_patient(email="booked@example.com")
    done = timezone.now() - dt.timedelta(days=9)
    write_appointment(patient, maya, done, ims, by=front_desk, status=Appointment.Status.COMPLETED)
    book(
        patient, maya, local(timezone.localdate() + dt.timedelta(days=2), 10), follow_up, front_desk
    )
    RecallPlan.objects.create(patient=patient, started_by=physio)
    assert reminders.recall_send() == 0


def test_staff_pages_are_closed_to_patients(
    client_for, portal_patient, maya, follow_up, front_desk
):
    appointment = book(
        make_patient(),
        maya,
        local(timezone.localdate() + dt.timedelta(days=2), 9),
        follow_up,
        front_desk,
    )
    client = client_for(portal_patient.user)
    for url in (
        reverse("clinic:desk_today"),
        reverse("clinic:desk_notices"),
        reverse("clinic:appointment_new"),
        reverse("clinic:appointment_detail", args=[appointment.pk]),
        reverse("clinic:schedule_week"),
    ):
        assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    ("setup", "kind_name", "days_ahead", "message"),
    [
        (None, "Initial assessment", 3, "cannot be booked online"),
        (None, "Follow-up", 60, "Online booking is open up to"),
        ({"online_booking_enabled": False}, "Follow-up", 3, "Online booking is not available"),
    ],
)
def test_online_rules_hold_even_for_a_hand_made_post(
    client_for, portal_patient, maya, setup, kind_name, days_ahead, message
):
    if setup:
        ClinicPolicy.objects.update_or_create(pk=1, defaults=setup)
    kind = AppointmentType.objects.get(name=kind_name)
    start = local(timezone.localdate() + dt.timedelta(days=days_ahead), 10)
    with pytest.raises(BookingError, match=message):
        appointment_book(
            patient=portal_patient,
            slot=Slot(practitioner=maya, location=maya.locations.first(), start=start, type=kind),
            by=portal_patient.user,
            via=Appointment.Via.PORTAL,
        )
    for confirm in ("", "yes"):  # refused at the confirmation step and at booking alike
        response = client_for(portal_patient.user).post(
            reverse("clinic:portal_book"),
            {
                "type": kind.pk,
                "practitioner": maya.pk,
                "location": maya.locations.first().pk,
                "start": start.isoformat(),
                "confirm": confirm,
            },
            follow=True,
        )
        assert response.status_code == 200
        refused = [m.level_tag for m in response.context["messages"]] == ["error"]
        assert refused or "Online booking is not available" in response.content.decode()
        assert not Appointment.objects.exists()


# --- The patient's page: their appointments and a way to book ----------------------------------


def _patient_page(client, patient) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("clinic:patient_detail", args=[patient.pk]))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_patient_page_lists_appointments_and_books_for_that_patient(
    client_for, front_desk, maya, ims, follow_up, day
):
    client = client_for(front_desk)
    patient = make_patient(legal_first_name="Jordan", legal_last_name="Avery")
    book(patient, maya, local(day, 9), ims, front_desk)
    html, few = _patient_page(client, patient)
    card = html[html.index('id="appointments"') :]
    assert f"{day:%a} {day.day} {day:%b %Y}, 09:00" in card
    assert "IMS treatment with Maya Chen" in card
    eligible = day + dt.timedelta(days=7)
    assert f"Next eligible IMS date: <strong>{eligible:%a} {eligible.day} {eligible:%b %Y}" in card
    assert f'href="{reverse("clinic:appointment_new")}?patient={patient.pk}"' in card

    # Years of history: the page shows the five most recent and costs the same queries.
    start = local(timezone.localdate() - dt.timedelta(days=400), 10)
    for week in range(40):
        write_appointment(
            patient, maya, start + dt.timedelta(days=7 * week), follow_up, by=front_desk,
            status=Appointment.Status.COMPLETED,
        )  # fmt: skip
    html, many = _patient_page(client, patient)
    recent = html[html.index(">Recent<") :]
    assert recent.count("Follow-up with Maya Chen") == 5
    assert many == few

    # The booking page opens with the patient already chosen.
    page = client.get(reverse("clinic:appointment_new"), {"patient": patient.pk}).content.decode()
    assert "Jordan Avery" in page
    assert f'name="patient" value="{patient.pk}"' in page
