"""Hypothesis over every form of the front office: no input gives a 500 or a partial write,
and every refusal is explained in words next to the field (see clinic/tests/fuzz.py for the
generated values and the checks made on each response). At the end, regression tests for
the inputs the fuzzing found, each with what the user sees instead of a 500.

Endpoints covered here (POST unless marked GET):

Accounts (clinic/urls.py: Django's auth views with the clinic's forms and templates)
  /accounts/login/                       LoginForm: username, password, next (anonymous)
  /accounts/logout/                      next
  /accounts/2fa/                         TokenForm: token, next (password given, no 2nd factor)
  /accounts/2fa/setup/                   TokenForm: token, next (no authenticator yet)
  /accounts/password/change/             PasswordChangeForm: old_password, new_password1/2
  /accounts/password/reset/              PasswordResetForm: email (anonymous)
  /accounts/password/reset/<uid>/set-password/   SetPasswordForm: new_password1/2
  /portal/welcome/<token>/               InvitationAcceptForm: password1, password2
Patients (clinic/views/patients.py)
  /patients/new/                         PatientForm + confirm_not_duplicate (front desk)
  /patients/<pk>/edit/                   PatientForm (front desk, physiotherapist)
  /patients/ (GET)                       PatientSearchForm: q, dob, page
  /patients/<pk>/invite/                 no fields (front desk)
Intake, screening, consent (clinic/views/intake.py)
  /patients/<pk>/intake/<step>/          Pain/History/Screening/Function step forms + action
  /portal/intake/<step>/                 the same forms, as the patient
  /patients/<pk>/intake/review/, /portal/intake/review/   no fields (submit)
  /patients/<pk>/screening/<item>/clear/ ClearanceForm: reason
  /patients/<pk>/consent/, /portal/consent/   ConsentForm: understood, typed_name
Schedule (clinic/views/schedule.py, clinic/views/portal.py)
  /appointments/new/                     BookingForm (front desk, physiotherapist)
  /appointments/new/ (GET)               the modal's initial values: practitioner, location,
                                         type, patient, start
  /appointments/<pk>/reschedule/         SlotForm
  /appointments/<pk>/status/             action, next (request.POST)
  /appointments/<pk>/cancel/             CancelForm: reason; next
  /schedule/alerts/<pk>/resolve/         note, next (request.POST)
  /schedule/online-seen/                 appointment (list), next (request.POST)
  /patients/<pk>/recall/                 active (request.POST)
  /portal/book/                          practitioner, location, type, start (request.POST)
  /portal/book/ (GET)                    OnlineBookingForm: type, date
  /portal/appointments/<pk>/cancel/      no fields
  /desk/, /desk/notices/, /schedule/week/, /appointments/patients/,
  /appointments/patient-panel/ (GET)
                                         date, location, practitioner, q, patient, next
Privacy (clinic/views/audit.py)
  /patients/<pk>/emergency-access/       EmergencyAccessForm: reason; next
  /clinic-admin/audit/<pk>/review/       note, next (request.POST)
  /clinic-admin/audit/ (GET)             AuditFilterForm: user, patient, action, date_from,
                                         date_to; tab, page

The course of care's forms (plans, discharge, waitlist, dashboard filters) are fuzzed in
clinic/tests/test_form_fuzz_course.py.

Not covered: the Django admin's change forms (clinic admins edit reference data and users
there; they are Django's generated ModelAdmin forms, not the app's views), and
/accounts/2fa/backup-codes/ (GET only, no input).
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

import pytest
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import given
from hypothesis import strategies as st

from clinic import services
from clinic.forms.consent import ConsentForm
from clinic.forms.intake import INTAKE_STEP_FORMS, ClearanceForm
from clinic.forms.patients import PatientForm
from clinic.forms.scheduling import BookingForm, SlotForm
from clinic.models import (
    AccessLog,
    AccessReview,
    Appointment,
    AppointmentType,
    ClinicPolicy,
    Intake,
    ScreeningItem,
    SpacingAlert,
)
from clinic.permissions import Role
from clinic.services.scheduling import Slot, appointment_book
from clinic.tests.factories import (
    TEST_PASSWORD,
    PatientFactory,
    fill_intake,
    join_care_team,
    make_patient,
    make_practitioner,
    totp_code,
    totp_device_for,
)
from clinic.tests.fuzz import (
    MISSING,
    check_request,
    examples,
    form_payloads,
    hostile,
    nasty_dates,
    nasty_next,
    nasty_numbers,
    nasty_text,
    payloads,
)
from clinic.views.audit import AuditFilterForm

pytestmark = pytest.mark.django_db
VANCOUVER = zoneinfo.ZoneInfo("America/Vancouver")
NEW_PASSWORD = "quiet-river-stone-42"


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=VANCOUVER)


def draw(data, strategy, label: str):
    return data.draw(strategy, label=label)


@pytest.fixture
def send(client_for):
    """check_request() with staff signed in as the app's tests do (second factor passed)."""
    return functools.partial(check_request, client_for)


# --- Shared set-up --------------------------------------------------------------------------


@pytest.fixture
def day() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=3)


@pytest.fixture
def maya(physio):
    return make_practitioner(physio, hours=((0, 6), (7, 20)), name="Maya Chen")


@pytest.fixture
def ims():
    return AppointmentType.objects.get(name="IMS treatment")


@pytest.fixture
def follow_up():
    return AppointmentType.objects.get(name="Follow-up")


@pytest.fixture
def booked(maya, follow_up, front_desk, day):
    """A follow-up booked at the desk, three days out."""
    slot = Slot(
        practitioner=maya, location=maya.locations.first(), start=local(day, 10), type=follow_up
    )
    return appointment_book(patient=make_patient(), slot=slot, by=front_desk)


def _slot_baseline(maya, kind, day, hour=17) -> dict:
    return {
        "practitioner": str(maya.pk),
        "location": str(maya.locations.first().pk),
        "type": str(kind.pk),
        "date": day.isoformat(),
        "time": f"{hour:02d}:00",
    }


# --- Accounts -------------------------------------------------------------------------------


@examples(25)
@given(data=st.data())
def test_login(send, physio, data):
    payload = draw(
        data,
        payloads(
            {"username": "physio", "password": TEST_PASSWORD, "next": "/my-day/"},
            {
                "username": st.sampled_from(["physio", "PHYSIO", "frontdesk", ""]),
                "password": st.sampled_from([TEST_PASSWORD, TEST_PASSWORD.upper()]),
            },
            {"username": nasty_text, "password": nasty_text, "next": nasty_next},
        ),
        "POST",
    )
    send(None, reverse("login"), payload)


@examples(10)
@given(data=st.data())
def test_logout(send, physio, data):
    payload = draw(data, payloads({"next": "/"}, nasty={"next": nasty_next}), "POST")
    send(physio, reverse("logout"), payload)


@examples(20)
@given(data=st.data())
def test_password_change(send, physio, data):
    baseline = {
        "old_password": TEST_PASSWORD,
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
    }
    payload = draw(data, form_payloads(PasswordChangeForm(physio), baseline), "POST")
    send(physio, reverse("password_change"), payload, watch=[physio])


@examples(15)
@given(data=st.data())
def test_password_reset(send, physio, data):
    valid = {"email": st.sampled_from([physio.email, physio.email.upper(), "nobody@example.com"])}
    payload = draw(data, payloads({"email": physio.email}, valid, {"email": nasty_text}), "POST")
    send(None, reverse("password_reset"), payload)


@examples(15)
@given(data=st.data())
def test_password_reset_confirm(send, patient_user, data):
    uid = urlsafe_base64_encode(force_bytes(patient_user.pk))
    token = default_token_generator.make_token(patient_user)

    def open_link(client):
        landed = client.get(reverse("password_reset_confirm", args=[uid, token]))
        assert landed.status_code == 302

    baseline = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    payload = draw(data, form_payloads(SetPasswordForm(patient_user), baseline), "POST")
    url = reverse("password_reset_confirm", args=[uid, "set-password"])
    send(None, url, payload, prepare=open_link, watch=[patient_user])


@pytest.fixture
def invitation(front_desk):
    patient = make_patient(email="robin.lee@example.com", legal_first_name="Robin")
    return services.portal_invitation_create(patient=patient, by=front_desk)


@examples(20)
@given(data=st.data())
def test_portal_invitation_accept(send, invitation, data):
    url = reverse("clinic:portal_invitation", args=[services.invitation_token(invitation)])
    baseline = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    nasty = {"password1": nasty_text, "password2": nasty_text}
    payload = draw(data, payloads(baseline, nasty=nasty), "POST")
    send(None, url, payload, watch=[invitation, invitation.patient])


# --- Patients -------------------------------------------------------------------------------

PATIENT = {
    "legal_first_name": "Hélène",
    "legal_last_name": "Tremblay",
    "preferred_name": "Lena",
    "date_of_birth": "1971-09-02",
    "sex": "female",
    "phone": "604-555-0133",
    "email": "Lena.Tremblay@Example.com",
    "preferred_contact": "email",
    "emergency_contact_name": "Marc Tremblay",
    "emergency_contact_phone": "604 555 0134",
}


@pytest.fixture
def patient_payloads(db):
    valid = {
        "date_of_birth": st.dates(dt.date(1910, 1, 1)).map(str),
        "confirm_not_duplicate": st.sampled_from(["on", ""]),
    }
    return form_payloads(PatientForm(), PATIENT, valid=valid)


@pytest.fixture
def casey(front_desk):
    return make_patient(by=front_desk, email="casey@example.com")


@examples(25)
@given(data=st.data())
def test_patient_create(send, front_desk, casey, patient_payloads, data):
    payload = draw(data, patient_payloads, "POST")
    send(front_desk, reverse("clinic:patient_create"), payload, htmx=False)


@examples(20)
@given(data=st.data())
def test_patient_edit(send, front_desk, physio, casey, patient_payloads, data):
    user = draw(data, st.sampled_from([front_desk, physio]), "user")
    payload = draw(data, patient_payloads, "POST")
    url = reverse("clinic:patient_edit", args=[casey.pk])
    send(user, url, payload, watch=[casey])


@examples(15)
@given(data=st.data())
def test_patient_search(send, front_desk, casey, data):
    nasty = {"q": nasty_text, "dob": nasty_dates, "page": nasty_numbers}
    payload = draw(
        data, payloads({"q": "casey", "dob": "1980-01-01", "page": "1"}, {}, nasty), "GET"
    )
    htmx = draw(data, st.booleans(), "htmx")
    send(front_desk, reverse("clinic:patient_list"), payload, method="get", htmx=htmx)


# --- Intake, screening and consent ----------------------------------------------------------

STEP_BASELINES = {
    "pain": {
        "presenting_complaint": "Neck pain at work",
        "pain_marks": '[{"view": "back", "x": 0.5, "y": 0.2, "kind": "pain", "note": ""}]',
        "onset": "gradual",
        "duration": "6-12m",
        "nprs_now": "5",
        "nprs_best": "2",
        "nprs_worst": "8",
    },
    "history": {"medications": "Ibuprofen", "anticoagulants": "yes", "anticoagulant_details": "x"},
    "screening": {"screening_reviewed": "on", "screening_notes": ""},
    "function": {"region": "neck", "psfs_activity_0": "Driving", "psfs_rating_0": "4"},
}


@pytest.fixture
def step_payloads(db):
    """Per step: payloads over the step form's fields (the function step's with the neck
    questionnaire, whose answers are part of the baseline) and the submit button."""
    from clinic import outcomes

    made = {}
    for slug, form_class in INTAKE_STEP_FORMS.items():
        baseline = dict(STEP_BASELINES[slug])
        kwargs = {"region": "neck"} if slug == "function" else {}
        form = form_class(**kwargs)
        if slug == "function":
            for item in outcomes.REGION_INSTRUMENT["neck"].items:
                baseline[item.key] = str(item.options[2].value)
        if slug == "screening":
            baseline["screening_items"] = [form.fields["screening_items"].queryset.first().pk]
        valid = {"action": st.sampled_from(["continue", "later", "region"])}
        made[slug] = form_payloads(form, baseline | {"action": "continue"}, valid=valid)
    return made


@examples(30)
@given(data=st.data())
def test_intake_steps(send, physio, patient_user, step_payloads, data):
    portal = draw(data, st.booleans(), "in the portal")
    slug = draw(data, st.sampled_from(sorted(step_payloads)), "step")
    payload = draw(data, step_payloads[slug], "POST")
    patient = patient_user.patient
    user = patient_user if portal else physio
    channel = Intake.Channel.PORTAL if portal else Intake.Channel.CLINIC
    intake = services.intake_start(patient=patient, by=user, channel=channel)
    if portal:
        url = reverse("clinic:portal_intake_step", args=[slug])
    else:
        url = reverse("clinic:intake_step", args=[patient.pk, slug])
    send(
        user,
        url,
        payload,
        watch=[intake, intake.screening_items.all()],
        render_after=[(physio, reverse("clinic:intake_detail", args=[patient.pk]))],
    )


@pytest.fixture
def infection(physio):
    """A patient whose screening found a local infection (a contraindication)."""
    item = ScreeningItem.objects.get(code="local-infection")
    patient = make_patient()
    fill_intake(patient, by=physio, screening=[item])
    return patient, item


@examples(15)
@given(data=st.data())
def test_screening_clear(send, physio, infection, data):
    patient, item = infection
    user_item = draw(data, st.sampled_from([item.pk] * 4 + [item.pk + 1000]), "item")
    baseline = {"reason": "Lesion is on the left forearm; today's sites are lumbar only."}
    payload = draw(data, form_payloads(ClearanceForm(), baseline), "POST")
    url = reverse("clinic:screening_clear", args=[patient.pk, user_item])
    send(physio, url, payload)


@examples(20)
@given(data=st.data())
def test_consent(send, physio, patient_user, data):
    patient = patient_user.patient
    portal = draw(data, st.booleans(), "in the portal")
    valid = {"typed_name": st.sampled_from([patient.legal_name, patient.legal_name.upper() + " "])}
    baseline = {"understood": "on", "typed_name": patient.legal_name}
    payload = draw(data, form_payloads(ConsentForm(patient=patient), baseline, valid=valid), "POST")
    if portal:
        send(patient_user, reverse("clinic:portal_consent"), payload)
    else:
        url = reverse("clinic:consent_in_clinic", args=[patient.pk])
        send(physio, url, payload)


@examples(10)
@given(data=st.data())
def test_recall_plan(send, physio, casey, data):
    payload = draw(data, payloads({"active": "1"}, nasty={"active": nasty_numbers}), "POST")
    send(physio, reverse("clinic:recall_plan", args=[casey.pk]), payload)


# --- The schedule -------------------------------------------------------------------------


@examples(30)
@given(data=st.data())
def test_book_at_the_desk(send, front_desk, physio, maya, casey, follow_up, day, data):
    patient = casey
    user = draw(data, st.sampled_from([front_desk, physio]), "user")
    form = BookingForm(can_override=user == physio)
    baseline = _slot_baseline(maya, follow_up, day, hour=17) | {
        "patient": str(patient.pk),
        "note": "Parking pass",
        "override_reason": "",
    }
    valid = {"patient": st.just(str(patient.pk))}
    payload = draw(data, form_payloads(form, baseline, valid=valid), "POST")
    htmx = draw(data, st.booleans(), "htmx")
    send(user, reverse("clinic:appointment_new"), payload, htmx=htmx, follow_success=True)


@examples(15)
@given(data=st.data())
def test_booking_modal_initial_values(send, front_desk, maya, casey, follow_up, day, data):
    baseline = {
        "practitioner": str(maya.pk),
        "location": str(maya.locations.first().pk),
        "type": str(follow_up.pk),
        "patient": str(casey.pk),
        "start": f"{day.isoformat()}T10:00",
    }
    nasty = dict.fromkeys(baseline, nasty_numbers) | {"start": nasty_dates}
    payload = draw(data, payloads(baseline, nasty=nasty), "GET")
    send(front_desk, reverse("clinic:appointment_new"), payload, method="get")


@examples(25)
@given(data=st.data())
def test_reschedule(send, front_desk, physio, maya, follow_up, day, booked, data):
    user = draw(data, st.sampled_from([front_desk, physio]), "user")
    form = SlotForm(can_override=user == physio)
    baseline = _slot_baseline(maya, follow_up, day, hour=17) | {"override_reason": ""}
    payload = draw(data, form_payloads(form, baseline), "POST")
    url = reverse("clinic:appointment_reschedule", args=[booked.pk])
    htmx = draw(data, st.booleans(), "htmx")
    send(user, url, payload, htmx=htmx, watch=[booked], follow_success=True)


@examples(15)
@given(data=st.data())
def test_appointment_status(send, front_desk, booked, data):
    valid = {"action": st.sampled_from(["check_in", "complete", "no_show"])}
    baseline = {"action": "check_in", "next": "/desk/"}
    payload = draw(data, payloads(baseline, valid, {"next": nasty_next}), "POST")
    url = reverse("clinic:appointment_status", args=[booked.pk])
    send(front_desk, url, payload, watch=[booked])


@examples(15)
@given(data=st.data())
def test_appointment_cancel(send, front_desk, booked, data):
    baseline = {"reason": "Patient is unwell", "next": "/desk/"}
    nasty = {"reason": nasty_text, "next": nasty_next}
    payload = draw(data, payloads(baseline, nasty=nasty), "POST")
    url = reverse("clinic:appointment_cancel", args=[booked.pk])
    send(front_desk, url, payload, watch=[booked])


@pytest.fixture
def spacing_alert(maya, ims, front_desk, day):
    patient = make_patient()
    first = appointment_book(
        patient=patient,
        slot=Slot(maya, maya.locations.first(), local(day, 9), ims),
        by=front_desk,
    )
    second = appointment_book(
        patient=patient,
        slot=Slot(maya, maya.locations.first(), local(day + dt.timedelta(days=7), 9), ims),
        by=front_desk,
    )
    return SpacingAlert.objects.create(
        patient=patient,
        first=first,
        second=second,
        first_date=first.local_date,
        second_date=second.local_date,
        pair=f"a{first.pk}-a{second.pk}",
        days_apart=2,
    )


@examples(15)
@given(data=st.data())
def test_spacing_alert_resolve(send, front_desk, spacing_alert, data):
    baseline = {"note": "Checked with Maya.", "next": "/desk/"}
    nasty = {"note": nasty_text, "next": nasty_next}
    payload = draw(data, payloads(baseline, nasty=nasty), "POST")
    url = reverse("clinic:spacing_alert_resolve", args=[spacing_alert.pk])
    send(front_desk, url, payload, watch=[spacing_alert])


@pytest.fixture
def online_booking(maya, follow_up, make_user, day):
    patient = PatientFactory(user=make_user(Role.PATIENT))
    slot = Slot(maya, maya.locations.first(), local(day, 11), follow_up)
    return appointment_book(patient=patient, slot=slot, by=patient.user, via=Appointment.Via.PORTAL)


@examples(15)
@given(data=st.data())
def test_online_bookings_seen(send, front_desk, online_booking, data):
    valid = {"appointment": st.lists(st.sampled_from([str(online_booking.pk), "0"]), max_size=2)}
    nasty = {
        "appointment": st.lists(nasty_numbers, min_size=1, max_size=3),
        "next": nasty_next,
    }
    baseline = {"appointment": [str(online_booking.pk)], "next": "/desk/"}
    payload = draw(data, payloads(baseline, valid, nasty), "POST")
    url = reverse("clinic:online_bookings_seen")
    send(front_desk, url, payload, watch=[online_booking])


@examples(25)
@given(data=st.data())
def test_portal_book(send, patient_user, maya, follow_up, day, data):
    ClinicPolicy.current()
    baseline = {
        "practitioner": str(maya.pk),
        "location": str(maya.locations.first().pk),
        "type": str(follow_up.pk),
        "start": f"{day.isoformat()}T13:00",
        "confirm": "yes",
    }
    valid = {
        "start": st.integers(min_value=0, max_value=40 * 4 * 24).map(
            lambda q: (
                dt.datetime.combine(timezone.localdate(), dt.time(0)) + dt.timedelta(minutes=15 * q)
            ).isoformat()
        ),
    }
    nasty = dict.fromkeys(baseline, nasty_numbers) | {"start": nasty_dates}
    payload = draw(data, payloads(baseline, valid, nasty), "POST")
    send(patient_user, reverse("clinic:portal_book"), payload, follow_success=True)


@examples(15)
@given(data=st.data())
def test_portal_book_search(send, patient_user, maya, follow_up, ims, day, data):
    ClinicPolicy.current()
    valid = {"type": st.sampled_from([str(follow_up.pk), str(ims.pk)])}
    baseline = {"type": str(follow_up.pk), "date": day.isoformat()}
    nasty = {"type": nasty_numbers, "date": nasty_dates}
    payload = draw(data, payloads(baseline, valid, nasty), "GET")
    send(patient_user, reverse("clinic:portal_book"), payload, method="get")


@examples(25)
@given(data=st.data())
def test_schedule_pages(send, front_desk, maya, booked, data):
    page = draw(
        data,
        st.sampled_from(
            [
                "desk_today",
                "desk_notices",
                "schedule_week",
                "booking_patient_search",
                "booking_patient_panel",
            ]
        ),
        "page",
    )
    baseline = {
        "date": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        "location": str(maya.locations.first().pk),
        "practitioner": str(maya.pk),
        "q": "casey",
        "patient": str(booked.patient_id),
        "next": "/desk/?date=2026-03-02",
    }
    nasty = dict.fromkeys(baseline, nasty_numbers) | {
        "date": nasty_dates,
        "q": nasty_text,
        "next": nasty_text,
    }
    payload = draw(data, payloads(baseline, nasty=nasty), "GET")
    htmx = draw(data, st.booleans(), "htmx")
    send(front_desk, reverse(f"clinic:{page}"), payload, method="get", htmx=htmx)


# --- Two-factor sign-in, emergency access and the audit page ----------------------------------


def _unverified(user) -> Client:
    """Signed in with the password only: the second factor still to come."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def authenticator(physio):
    return totp_device_for(physio)


@examples(15)
@given(data=st.data())
def test_two_factor(physio, authenticator, data):
    valid = {"token": st.sampled_from([totp_code(authenticator), "000000", "12345678"])}
    nasty = {"token": st.one_of(nasty_numbers, nasty_text), "next": nasty_next}
    baseline = {"token": totp_code(authenticator), "next": "/my-day/"}
    payload = draw(data, payloads(baseline, valid, nasty), "POST")
    check_request(_unverified, physio, reverse("two_factor"), payload)


@pytest.fixture
def new_authenticator(front_desk):
    return TOTPDevice.objects.create(user=front_desk, name="Authenticator app", confirmed=False)


@examples(10)
@given(data=st.data())
def test_two_factor_setup(front_desk, new_authenticator, data):
    nasty = {"token": st.one_of(nasty_numbers, nasty_text), "next": nasty_next}
    baseline = {"token": totp_code(new_authenticator), "next": "/desk/"}
    payload = draw(data, payloads(baseline, nasty=nasty), "POST")
    check_request(_unverified, front_desk, reverse("two_factor_setup"), payload)


@pytest.fixture
def not_my_patient(physio2):
    """A patient on another physiotherapist's care team."""
    patient = make_patient(email="ola@example.com")
    join_care_team(physio2, patient)
    return patient


@examples(15)
@given(data=st.data())
def test_emergency_access(send, physio, not_my_patient, data):
    chart = f"/treatments/patients/{not_my_patient.pk}/chart/"
    baseline = {"reason": "Maya is away and the patient is here with a reaction.", "next": chart}
    payload = draw(
        data, payloads(baseline, nasty={"reason": nasty_text, "next": nasty_next}), "POST"
    )
    url = reverse("clinic:emergency_access", args=[not_my_patient.pk])
    send(physio, url, payload)


@pytest.fixture
def emergency(physio, not_my_patient):
    return AccessLog.objects.create(
        user=physio, patient=not_my_patient, what="chart", action=AccessLog.Action.EMERGENCY
    )


@examples(15)
@given(data=st.data())
def test_access_review(send, clinic_admin, emergency, data):
    baseline = {"note": "Confirmed with Maya.", "next": "/clinic-admin/audit/"}
    payload = draw(data, payloads(baseline, nasty={"note": nasty_text, "next": nasty_next}), "POST")
    url = reverse("clinic:access_review", args=[emergency.pk])
    send(clinic_admin, url, payload)


@examples(15)
@given(data=st.data())
def test_audit_filters(send, clinic_admin, physio, emergency, data):
    baseline = {
        "user": str(physio.pk),
        "patient": "ola",
        "action": "emergency",
        "date_from": (timezone.localdate() - dt.timedelta(days=7)).isoformat(),
        "date_to": timezone.localdate().isoformat(),
        "tab": "changes",
        "page": "1",
    }
    valid = {"tab": st.sampled_from(["reads", "changes"])}
    nasty = {"tab": nasty_text, "page": nasty_numbers}
    payload = draw(
        data, form_payloads(AuditFilterForm(), baseline, valid=valid, nasty=nasty), "GET"
    )
    send(clinic_admin, reverse("clinic:audit"), payload, method="get")


# --- Endpoints that take no fields: junk in the body changes nothing -----------------------


@pytest.fixture
def fieldless(physio, front_desk, patient_user, maya, follow_up, day):
    """POST endpoints that read no fields, each with the user who may use it."""
    ClinicPolicy.current()
    patient = patient_user.patient
    fill_intake(patient, by=physio, submit=False)
    appointment = appointment_book(
        patient=patient,
        slot=Slot(maya, maya.locations.first(), local(day + dt.timedelta(days=2), 9), follow_up),
        by=front_desk,
    )
    other = make_patient(email="sam@example.com")
    return [
        (front_desk, reverse("clinic:patient_invite", args=[other.pk])),
        (physio, reverse("clinic:intake_review", args=[patient.pk])),
        (patient_user, reverse("clinic:portal_intake_review")),
        (patient_user, reverse("clinic:portal_appointment_cancel", args=[appointment.pk])),
    ]


@examples(15)
@given(data=st.data())
def test_fieldless_posts(send, fieldless, data):
    user, url = draw(data, st.sampled_from(fieldless), "endpoint")
    junk = draw(data, st.dictionaries(st.text(max_size=10), hostile, max_size=3), "POST")
    send(user, url, {k: v for k, v in junk.items() if v is not MISSING})


# --- Regressions: inputs the fuzzing found, pinned --------------------------------------------
# Each gave a 500 (or saved what PostgreSQL refuses) before it was fixed; the fuzz tests above
# explore these inputs again, and these tests say what the user sees instead.


@pytest.mark.parametrize(
    "endpoint",
    [
        "appointment_status",
        "appointment_cancel",
        "spacing_alert_resolve",
        "seen",
        "emergency_access",
        "access_review",
        "two_factor",
    ],
)
def test_next_without_a_slash_is_ignored(
    send, front_desk, physio, clinic_admin, booked, spacing_alert, emergency, endpoint
):
    """A `next` that is not a path ("0": redirect() would take it for a URL name) is
    ignored: the view redirects where it would without one (clinic.inputs.safe_next)."""
    if endpoint == "two_factor":  # after the password, before the second factor
        device = totp_device_for(physio)
        data = {"token": totp_code(device), "next": "0"}
        outcome = check_request(_unverified, physio, reverse("two_factor"), data)
        assert outcome.response.status_code == 302
        assert outcome.response["Location"] == "/"
        return
    user = {"emergency_access": physio, "access_review": clinic_admin}.get(endpoint, front_desk)
    schedule = (
        reverse("clinic:desk_today")
        + f"?date={booked.local_date.isoformat()}&location={booked.location_id}"
    )
    url, data, default = {
        "appointment_status": (
            reverse("clinic:appointment_status", args=[booked.pk]),
            {"action": "check_in"},
            schedule,
        ),
        "appointment_cancel": (
            reverse("clinic:appointment_cancel", args=[booked.pk]),
            {"reason": "Patient is unwell"},
            schedule,
        ),
        "spacing_alert_resolve": (
            reverse("clinic:spacing_alert_resolve", args=[spacing_alert.pk]),
            {"note": "Checked."},
            reverse("clinic:desk_today"),
        ),
        "seen": (reverse("clinic:online_bookings_seen"), {}, reverse("clinic:desk_today")),
        "emergency_access": (
            reverse("clinic:emergency_access", args=[emergency.patient_id]),
            {"reason": "The treating physiotherapist is away."},
            f"/treatments/patients/{emergency.patient_id}/chart/",
        ),
        "access_review": (
            reverse("clinic:access_review", args=[emergency.pk]),
            {"note": ""},
            reverse("clinic:audit"),
        ),
    }[endpoint]
    outcome = send(user, url, data | {"next": "0"})
    assert outcome.response.status_code == 302
    assert outcome.response["Location"] == default


@pytest.mark.parametrize(
    ("method", "endpoint", "data", "status"),
    [
        ("post", "online_bookings_seen", {"appointment": ["²"]}, 302),
        ("post", "appointment_new", {"patient": "²"}, 200),  # re-rendering the refused form
        ("get", "appointment_new", {"patient": "²"}, 200),  # the modal's initial values
        ("get", "booking_patient_panel", {"patient": "²"}, 200),  # the patient search box
        ("get", "desk_today", {"location": "²"}, 200),  # the default location
    ],
)
def test_superscript_digits_are_not_an_id(send, front_desk, maya, method, endpoint, data, status):
    """ "²".isdigit() is True but int() refuses it: such a value names no record."""
    outcome = send(front_desk, reverse(f"clinic:{endpoint}"), data, method=method)
    assert outcome.response.status_code == status


def test_booking_modal_with_a_superscript_patient_has_no_patient(send, front_desk, maya):
    outcome = send(front_desk, reverse("clinic:appointment_new"), {"patient": "²"}, method="get")
    assert outcome.response.context["patient"] is None


def test_online_bookings_seen_ignores_huge_ids(send, front_desk, online_booking):
    """An id beyond 64 bits (SQLite raised OverflowError on it) matches nothing."""
    data = {"appointment": ["99999999999999999999999"]}
    outcome = send(front_desk, reverse("clinic:online_bookings_seen"), data, watch=[online_booking])
    assert outcome.response.status_code == 302
    online_booking.refresh_from_db()
    assert online_booking.online_booking_seen_at is None


def test_screening_refuses_huge_ids(send, patient_user):
    """The screening checkboxes refuse an id beyond 64 bits like any unknown choice."""
    intake = services.intake_start(
        patient=patient_user.patient, by=patient_user, channel=Intake.Channel.PORTAL
    )
    data = {"screening_items": ["99999999999999999999999"], "action": "later"}
    url = reverse("clinic:portal_intake_step", args=["screening"])
    outcome = send(patient_user, url, data, watch=[intake, intake.screening_items.all()])
    assert not outcome.ok
    assert "Select a valid choice" in outcome.response.content.decode()


@pytest.mark.parametrize("time", ["17:00", "10:00"])
@pytest.mark.parametrize("endpoint", ["appointment_new", "appointment_reschedule"])
def test_booking_more_than_two_years_ahead_is_refused(
    send, front_desk, maya, casey, follow_up, booked, endpoint, time
):
    """9999-12-31 overflowed on the way to UTC (or was booked and broke the day view): a
    date more than two years ahead is refused next to the date field."""
    data = _slot_baseline(maya, follow_up, timezone.localdate()) | {
        "date": "9999-12-31",
        "time": time,
        "patient": str(casey.pk),
    }
    args = [booked.pk] if endpoint == "appointment_reschedule" else []
    outcome = send(front_desk, reverse(f"clinic:{endpoint}", args=args), data, watch=[booked])
    assert not outcome.ok
    assert "up to two years ahead" in outcome.response.context["form"].errors["date"][0]


def test_booking_service_refuses_beyond_the_horizon(maya, casey, follow_up, front_desk):
    """The service keeps the rule too (it is the only writer of appointments)."""
    from clinic.services.scheduling import BookingError

    far = local(timezone.localdate() + dt.timedelta(days=3 * 365), 10)
    with pytest.raises(BookingError) as refusal:
        appointment_book(
            patient=casey, slot=Slot(maya, maya.locations.first(), far, follow_up), by=front_desk
        )
    assert refusal.value.code == "horizon"


@pytest.mark.parametrize("page", ["desk_today", "schedule_week"])
@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01"])
def test_schedule_dates_at_the_ends_show_today(send, front_desk, maya, page, date):
    """The schedules' day arithmetic overflowed at the ends of the calendar: a date out of
    range is ignored, as an unreadable one is, and today is shown."""
    outcome = send(front_desk, reverse(f"clinic:{page}"), {"date": date}, method="get")
    assert outcome.response.status_code == 200
    today = timezone.localdate()
    if page == "desk_today":
        assert outcome.response.context["schedule"].day == today
    else:
        monday = today - dt.timedelta(days=today.weekday())
        assert outcome.response.context["week"].monday == monday


def test_spacing_alert_note_with_nul_is_refused(send, front_desk, spacing_alert):
    """A NUL character (PostgreSQL refuses it) leaves the alert open, with a message."""
    url = reverse("clinic:spacing_alert_resolve", args=[spacing_alert.pk])
    outcome = send(front_desk, url, {"note": "Reviewed\x00"}, watch=[spacing_alert])
    assert not outcome.ok
    spacing_alert.refresh_from_db()
    assert spacing_alert.resolved_at is None


@pytest.mark.parametrize("check", ["refused", "pages"])
def test_body_chart_refuses_a_lone_surrogate(send, patient_user, physio, check):
    """A mark note with a lone surrogate (JSON escape \\ud800) is refused next to the chart;
    it was saved before, and the intake pages were 500s from then on."""
    intake = services.intake_start(
        patient=patient_user.patient, by=patient_user, channel=Intake.Channel.PORTAL
    )
    marks = '[{"view": "back", "x": 0.5, "y": 0.5, "kind": "pain", "note": "\\ud800"}]'
    url = reverse("clinic:portal_intake_step", args=["pain"])
    data = {"pain_marks": marks, "action": "later"}
    if check == "refused":
        outcome = send(patient_user, url, data, watch=[intake])
        assert not outcome.ok
        assert "cannot be saved" in outcome.response.context["form"].errors["pain_marks"][0]
        return
    intake_page = reverse("clinic:intake_detail", args=[patient_user.patient.pk])
    join_care_team(physio, patient_user.patient)
    send(patient_user, url, data, render_after=[(physio, intake_page)])
    assert send(physio, intake_page, method="get").response.status_code == 200
    assert send(patient_user, url, method="get").response.status_code == 200


@pytest.mark.parametrize(
    ("data", "htmx", "error"),
    [
        ({"q": "x" * 101}, False, "Search with at most 100 characters"),
        ({"q": "x" * 101}, True, "Search with at most 100 characters"),
        ({"dob": "31/31/2025"}, False, "Enter the date of birth as a date"),
        ({"dob": "31/31/2025"}, True, "Enter the date of birth as a date"),
    ],
)
def test_search_errors_are_shown(send, front_desk, casey, data, htmx, error):
    """A search that cannot be read lists nobody and says why next to the search field,
    on the page and in the htmx results (out of band)."""
    outcome = send(front_desk, reverse("clinic:patient_list"), data, method="get", htmx=htmx)
    content = outcome.response.content.decode()
    assert error in content
    assert 'id="search-errors"' in content
    assert list(outcome.response.context["page"].object_list) == []


def test_audit_dates_out_of_range_are_refused(send, clinic_admin):
    """date_to=9999-12-31 overflowed when a day was added: now a field error."""
    outcome = send(clinic_admin, reverse("clinic:audit"), {"date_to": "9999-12-31"}, method="get")
    assert outcome.response.status_code == 200
    assert outcome.response.context["form"].errors["date_to"] == [
        "Choose a date between 2000-01-01 and 2100-12-31."
    ]


def test_review_note_with_nul_is_refused(send, clinic_admin, emergency):
    url = reverse("clinic:access_review", args=[emergency.pk])
    outcome = send(clinic_admin, url, {"note": "Checked\x00"}, watch=[AccessReview.objects.all()])
    assert not outcome.ok
    assert not AccessReview.objects.filter(log=emergency).exists()
