"""Issue 16, acceptance 4 (front office): dates outside the plausible window and overlong
free text are refused next to their field on every form and by the services called
directly, and nothing is written. The windows themselves are in clinic/validators.py."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clinic import selectors, services
from clinic.forms.intake import ClearanceForm, PainStepForm
from clinic.forms.patients import PatientForm
from clinic.forms.scheduling import BookingForm, OnlineBookingForm, SlotForm
from clinic.models import Appointment, AppointmentType, Consent, Intake, Patient, TimeOff
from clinic.services.scheduling import BookingError, Slot, appointment_book, appointment_reschedule
from clinic.tests.factories import make_patient, make_practitioner
from clinic.validators import (
    BOOKING_HORIZON,
    CLOCK_SLACK,
    NARRATIVE_MAX,
    NOTE_MAX,
    TIME_OFF_HORIZON,
    validate_booking_date,
    validate_booking_moment,
    validate_past_date,
    validate_past_moment,
    validate_reference_date,
    validate_time_off_moment,
)

pytestmark = pytest.mark.django_db
VANCOUVER = zoneinfo.ZoneInfo("America/Vancouver")
BAD_YEARS = ["0001", "3000", "9999"]
TWO_MB = "x" * (2 * 1024 * 1024)


def _refused(validator, value) -> bool:
    try:
        validator(value)
    except ValidationError:
        return True
    return False


# --- The windows ------------------------------------------------------------------------


def test_the_date_windows_refuse_the_ends_of_the_calendar_and_keep_real_dates():
    today = timezone.localdate()
    now = timezone.now()
    for year in (1, 1899, 3000, 9999):
        day = dt.date(year, 6, 1)
        for validator in (
            validate_past_date,
            validate_booking_date,
            validate_reference_date,
        ):
            assert _refused(validator, day), (validator.__name__, year)
        # Aware values at both ends of the calendar, in zones either side of UTC.
        for zone in (dt.UTC, VANCOUVER, zoneinfo.ZoneInfo("Pacific/Kiritimati")):
            moment = dt.datetime(year, 6, 1, 10, tzinfo=zone)
            for validator in (
                validate_past_moment,
                validate_booking_moment,
                validate_time_off_moment,
            ):
                assert _refused(validator, moment), (validator.__name__, year, zone)
    assert _refused(validate_past_moment, dt.datetime.min.replace(tzinfo=dt.UTC))
    assert _refused(validate_past_moment, dt.datetime.max.replace(tzinfo=VANCOUVER))
    # Inside: real values pass.
    assert not _refused(validate_past_date, dt.date(1930, 2, 1))
    assert not _refused(validate_past_date, today)
    assert _refused(validate_past_date, today + dt.timedelta(days=1))
    assert not _refused(validate_past_moment, now + CLOCK_SLACK - dt.timedelta(minutes=1))
    assert _refused(validate_past_moment, now + CLOCK_SLACK + dt.timedelta(minutes=1))
    assert not _refused(validate_booking_moment, now + BOOKING_HORIZON)
    assert not _refused(validate_booking_date, today + BOOKING_HORIZON)
    assert _refused(validate_booking_date, today + BOOKING_HORIZON + dt.timedelta(days=1))
    assert not _refused(validate_time_off_moment, now + TIME_OFF_HORIZON - dt.timedelta(days=1))
    assert not _refused(validate_reference_date, today + dt.timedelta(days=5 * 365))
    # A naive value (a service called with one) is read as UTC, not a crash.
    assert _refused(validate_past_moment, dt.datetime(9999, 1, 1))
    assert not _refused(validate_past_moment, dt.datetime(2020, 1, 1))


# --- Date of birth ------------------------------------------------------------------------


def _patient_data(**overrides) -> dict:
    return {
        "legal_first_name": "Casey",
        "legal_last_name": "Example",
        "date_of_birth": "1980-04-01",
        "sex": "undisclosed",
        "email": "casey@example.org",
        "preferred_contact": "email",
    } | overrides


@pytest.mark.parametrize("year", BAD_YEARS)
def test_patient_form_refuses_a_date_of_birth_out_of_window(year):
    form = PatientForm(_patient_data(date_of_birth=f"{year}-06-01"))
    assert not form.is_valid()
    assert list(form.errors) == ["date_of_birth"]


@pytest.mark.parametrize("year", BAD_YEARS)
def test_registering_with_a_date_of_birth_out_of_window_writes_nothing(
    front_desk, client_for, year
):
    response = client_for(front_desk).post(
        reverse("clinic:patient_create"), _patient_data(date_of_birth=f"{year}-06-01")
    )
    assert response.status_code in (200, 400)
    assert "date_of_birth" in response.context["form"].errors
    assert not Patient.objects.exists()


@pytest.mark.parametrize("year", [1, 3000, 9999])
def test_patient_service_refuses_a_date_of_birth_out_of_window(front_desk, year):
    fields = _patient_data(date_of_birth=dt.date(year, 6, 1))
    with pytest.raises(ValidationError) as refused:
        services.patient_create(by=front_desk, **fields)
    assert "date_of_birth" in refused.value.message_dict
    assert not Patient.objects.exists()


def test_desk_notes_of_2_mb_are_refused(front_desk):
    form = PatientForm(_patient_data(desk_notes=TWO_MB))
    assert not form.is_valid()
    assert list(form.errors) == ["desk_notes"]
    with pytest.raises(ValidationError) as refused:
        services.patient_create(by=front_desk, **_patient_data(desk_notes=TWO_MB))
    assert "desk_notes" in refused.value.message_dict
    assert not Patient.objects.exists()


# --- Appointments: desk booking, rescheduling, portal booking --------------------------------


@pytest.fixture
def maya(physio):
    return make_practitioner(physio, hours=((0, 6), (7, 20)), name="Maya Chen")


@pytest.fixture
def follow_up():
    return AppointmentType.objects.get(name="Follow-up")


def _slot_data(maya, kind, date: str) -> dict:
    return {
        "practitioner": str(maya.pk),
        "location": str(maya.locations.first().pk),
        "type": str(kind.pk),
        "date": date,
        "time": "10:00",
    }


@pytest.mark.parametrize("year", BAD_YEARS)
def test_booking_and_reschedule_forms_refuse_years(maya, follow_up, year):
    patient = make_patient()
    data = _slot_data(maya, follow_up, f"{year}-06-01")
    for form in (BookingForm(data | {"patient": str(patient.pk)}), SlotForm(data)):
        assert not form.is_valid()
        assert "date" in form.errors, form.errors


@pytest.mark.parametrize("year", BAD_YEARS)
def test_booking_at_the_desk_with_a_year_out_of_window_writes_nothing(
    front_desk, client_for, maya, follow_up, year
):
    patient = make_patient()
    data = _slot_data(maya, follow_up, f"{year}-06-01") | {"patient": str(patient.pk)}
    response = client_for(front_desk).post(reverse("clinic:appointment_new"), data)
    assert response.status_code != 500
    assert "date" in response.context["form"].errors
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("year", [1, 3000, 9999])
def test_booking_services_refuse_years(front_desk, maya, follow_up, year):
    patient = make_patient()
    start = dt.datetime(year, 6, 1, 10, tzinfo=VANCOUVER)
    slot = Slot(maya, maya.locations.first(), start, follow_up)
    with pytest.raises(BookingError) as refused:
        appointment_book(patient=patient, slot=slot, by=front_desk)
    assert refused.value.code in ("past", "horizon")
    assert not Appointment.objects.exists()

    day = timezone.localdate() + dt.timedelta(days=3)
    good = Slot(
        maya,
        maya.locations.first(),
        dt.datetime.combine(day, dt.time(10), tzinfo=VANCOUVER),
        follow_up,
    )
    booked = appointment_book(patient=patient, slot=good, by=front_desk)
    with pytest.raises(BookingError):
        appointment_reschedule(appointment=booked, slot=slot, by=front_desk)
    booked.refresh_from_db()
    assert booked.start == good.start


@pytest.mark.parametrize("year", BAD_YEARS)
def test_portal_booking_form_refuses_years(follow_up, year):
    follow_up.bookable_online = True
    follow_up.save()
    form = OnlineBookingForm({"type": str(follow_up.pk), "date": f"{year}-06-01"})
    assert not form.is_valid()
    assert "date" in form.errors


@pytest.mark.parametrize("start", ["0001-01-01T10:00", "3000-06-01T10:00", "9999-12-31T23:45"])
def test_portal_booking_with_a_year_out_of_window_writes_nothing(
    patient_user, client_for, maya, follow_up, start
):
    follow_up.bookable_online = True
    follow_up.save()
    data = {
        "practitioner": str(maya.pk),
        "location": str(maya.locations.first().pk),
        "type": str(follow_up.pk),
        "start": start,
        "confirm": "yes",
    }
    response = client_for(patient_user).post(reverse("clinic:portal_book"), data, follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("year", [1, 3000, 9999])
def test_the_appointment_model_refuses_years_in_full_clean(front_desk, maya, follow_up, year):
    """What the admin's forms and any cleaning code see."""
    start = dt.datetime(year, 6, 1, 10, tzinfo=dt.UTC)
    appointment = Appointment(
        patient=make_patient(),
        practitioner=maya,
        location=maya.locations.first(),
        type=follow_up,
        start=start,
        end=start + dt.timedelta(minutes=30),
        local_date=start.date(),
        booked_by=front_desk,
    )
    with pytest.raises(ValidationError) as refused:
        appointment.full_clean()
    assert {"start", "end", "local_date"} <= set(refused.value.message_dict)


def test_an_overlong_spacing_override_reason_is_refused(maya, follow_up):
    form = SlotForm(
        _slot_data(maya, follow_up, "2030-01-01") | {"override_reason": TWO_MB},
        can_override=True,
    )
    assert not form.is_valid()
    assert "override_reason" in form.errors


# --- Time off and working hours (entered in the admin) ----------------------------------------


TimeOffForm = forms.modelform_factory(TimeOff, fields=["practitioner", "start", "end", "kind"])


@pytest.mark.parametrize("year", BAD_YEARS)
def test_time_off_form_refuses_years(maya, year):
    form = TimeOffForm(
        {
            "practitioner": str(maya.pk),
            "start": f"{year}-06-01 09:00",
            "end": f"{year}-06-02 09:00",
            "kind": "holiday",
        }
    )
    assert not form.is_valid()
    assert {"start", "end"} <= set(form.errors)
    assert not TimeOff.objects.exists()


def test_time_off_next_month_is_accepted(maya):
    start = timezone.localtime() + dt.timedelta(days=30)
    form = TimeOffForm(
        {
            "practitioner": str(maya.pk),
            "start": start.strftime("%Y-%m-%d 09:00"),
            "end": (start + dt.timedelta(days=7)).strftime("%Y-%m-%d 09:00"),
            "kind": "holiday",
        }
    )
    assert form.is_valid(), form.errors
    form.save()
    assert TimeOff.objects.count() == 1


def test_admin_time_off_inline_refuses_year_9999(clinic_admin, client_for, maya):
    """The admin is where time off is entered: the inline shows the error, saves nothing."""
    url = reverse("admin:clinic_practitioner_change", args=[maya.pk])
    page = client_for(clinic_admin).get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: form[name].value() if form[name].value() is not None else "" for name in form.fields
    }
    for formset in page.context["inline_admin_formsets"]:
        fs = formset.formset
        prefix = fs.prefix
        count = fs.total_form_count()
        data[f"{prefix}-INITIAL_FORMS"] = str(fs.initial_form_count())
        data[f"{prefix}-TOTAL_FORMS"] = str(count + (fs.model is TimeOff))
        for i, sub in enumerate(fs.forms):
            for name in sub.fields:
                value = sub[name].value()
                if isinstance(value, list):
                    data[f"{prefix}-{i}-{name}"] = [str(v) for v in value]
                elif value is not None:
                    data[f"{prefix}-{i}-{name}"] = value
        if fs.model is TimeOff:  # one new row, in year 9999
            data[f"{prefix}-{count}-start_0"] = "9999-06-01"
            data[f"{prefix}-{count}-start_1"] = "09:00"
            data[f"{prefix}-{count}-end_0"] = "9999-06-02"
            data[f"{prefix}-{count}-end_1"] = "09:00"
            data[f"{prefix}-{count}-kind"] = "holiday"
            data[f"{prefix}-{count}-practitioner"] = str(maya.pk)
    for key in list(data):
        if isinstance(data[key], list) and not data[key]:
            del data[key]
        elif isinstance(data[key], bool):
            data[key] = "on" if data[key] else ""
    response = client_for(clinic_admin).post(url, data)
    assert response.status_code == 200  # the form again, with errors
    assert "Check the date" in response.content.decode()
    assert not TimeOff.objects.exists()


# --- Consent, intake and clearance --------------------------------------------------------


@pytest.mark.parametrize("year", [1, 3000, 9999])
def test_a_consent_signature_out_of_window_fails_full_clean(patient_user, year):
    consent = Consent(
        patient=patient_user.patient,
        version=selectors.consent_version_current(),
        typed_name=patient_user.patient.legal_name,
        signed_at=dt.datetime(year, 6, 1, tzinfo=dt.UTC),
        channel="portal",
        recorded_by=patient_user,
    )
    with pytest.raises(ValidationError) as refused:
        consent.full_clean()
    assert "signed_at" in refused.value.message_dict


def test_intake_text_of_2_mb_is_refused_on_the_form_and_by_the_service(patient_user):
    form = PainStepForm({"presenting_complaint": TWO_MB})
    assert not form.is_valid()
    assert "presenting_complaint" in form.errors
    assert form.fields["presenting_complaint"].max_length == NARRATIVE_MAX
    intake = services.intake_start(
        patient=patient_user.patient, by=patient_user, channel=Intake.Channel.PORTAL
    )
    with pytest.raises(ValidationError) as refused:
        services.intake_save_step(
            intake=intake, step="pain", data={"presenting_complaint": TWO_MB}, by=patient_user
        )
    assert "presenting_complaint" in refused.value.message_dict
    intake.refresh_from_db()
    assert intake.presenting_complaint == ""


def test_clearance_reason_of_2_mb_is_refused():
    form = ClearanceForm({"reason": TWO_MB})
    assert not form.is_valid()
    assert "reason" in form.errors
    assert form.fields["reason"].max_length == NOTE_MAX
