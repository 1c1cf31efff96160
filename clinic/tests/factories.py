"""Factories for the front office. Roles are given through the service, as the app does."""

from __future__ import annotations

import datetime as dt

import factory

from clinic.models import Patient, User
from clinic.permissions import Role
from clinic.services import user_set_roles

TEST_PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: set[Role] | None, **kwargs) -> None:
        if create and extracted:
            user_set_roles(user=self, roles=set(extracted))


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    legal_first_name = factory.Faker("first_name")
    legal_last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker(
        "date_between_dates", date_start=dt.date(1940, 1, 1), date_end=dt.date(2005, 12, 31)
    )
    email = factory.LazyAttribute(
        lambda p: f"{p.legal_first_name}.{p.legal_last_name}@example.com".lower()
    )
    phone = factory.Sequence(lambda n: f"604-555-{n % 10000:04d}")


def make_patient(*, email_confirmed: bool = False, **fields) -> Patient:
    """A patient created through the service, so its search text is kept like the app's;
    `email_confirmed`: their e-mail address is confirmed too, as by the link they were sent."""
    from django.utils import timezone

    from clinic import services

    by = fields.pop("by", None) or UserFactory(roles={Role.FRONT_DESK})
    defaults = {
        "legal_first_name": "Casey",
        "legal_last_name": "Example",
        "date_of_birth": dt.date(1980, 1, 1),
    }
    patient = services.patient_create(by=by, **(defaults | fields))
    if email_confirmed:
        patient.email_verified, patient.email_verified_at = patient.email, timezone.now()
        patient.save(update_fields=["email_verified", "email_verified_at"])
    return patient


PAIN_ANSWERS = {
    "presenting_complaint": "Low back pain for a year.",
    "pain_marks": [{"view": "back", "x": 0.5, "y": 0.5, "kind": "pain", "note": ""}],
    "onset": "gradual",
    "onset_notes": "",
    "duration": "gt1y",
    "nprs_now": 6,
    "nprs_best": 3,
    "nprs_worst": 8,
    "aggravating_factors": "Sitting",
    "easing_factors": "Walking",
}


def fill_intake(
    patient: Patient,
    *,
    by,
    submit: bool = True,
    screening=(),
    anticoagulants="no",
    region="low_back",
    answers=None,
    psfs=None,
):
    """Fill in (and by default submit) a whole intake through the services."""
    from clinic import outcomes, services

    intake = services.intake_start(patient=patient, by=by, channel="portal")
    services.intake_save_step(intake=intake, step="pain", data=dict(PAIN_ANSWERS), by=by)
    services.intake_save_step(
        intake=intake,
        step="history",
        by=by,
        data={
            "past_treatments": "",
            "medical_history": "",
            "medications": "",
            "anticoagulants": anticoagulants,
            "anticoagulant_details": "warfarin" if anticoagulants == "yes" else "",
        },
    )
    services.intake_save_step(
        intake=intake,
        step="screening",
        by=by,
        data={
            "screening_items": list(screening),
            "screening_reviewed": True,
            "screening_notes": "",
        },
    )
    instrument = outcomes.REGION_INSTRUMENT[region]
    if answers is None:
        answers = {item.key: item.options[1].value for item in instrument.items}
    services.intake_save_step(
        intake=intake,
        step="function",
        by=by,
        data={
            "region": region,
            "region_answers": answers,
            "psfs": psfs if psfs is not None else [{"activity": "Sitting", "rating": 4}],
        },
    )
    if submit:
        intake = services.intake_submit(intake=intake, by=by)
    return intake


def make_practitioner(user=None, *, location=None, hours=((0, 6), (8, 18)), name=None):
    """A practitioner working `hours` (weekday range, hour range) at `location`."""
    from clinic.models import Location, Practitioner, WorkingHours

    user = user or UserFactory(roles={Role.PHYSIO})
    location = location or Location.objects.get_or_create(name="Main clinic")[0]
    practitioner = Practitioner.objects.create(
        user=user, display_name=name or user.get_full_name() or user.username
    )
    practitioner.locations.add(location)
    (first_day, last_day), (opens, closes) = hours
    for weekday in range(first_day, last_day + 1):
        WorkingHours.objects.create(
            practitioner=practitioner,
            location=location,
            weekday=weekday,
            start=dt.time(opens),
            end=dt.time(closes),
        )
    return practitioner


def write_appointment(patient, practitioner, start, kind, *, by, location=None, **fields):
    """An appointment row written directly, bypassing the booking service, as history, an
    import or the admin would leave it (the service refuses the past, for one). Derived
    columns (end, is_ims, clinic-local date, the dashboard's first visit, a plan's first location
    and completed visits, the patient's latest visits on their plans, the day's DashboardDay
    counts) are filled in as the services would."""
    from django.utils import timezone

    from clinic.models import Appointment
    from clinic.services.dashboard_facts import (
        COUNTED,
        dashboard_days_refresh,
        first_visits_refresh,
        plan_activity_refresh,
        plan_facts_refresh,
    )

    appointment = Appointment.objects.create(
        patient=patient,
        practitioner=practitioner,
        location=location or practitioner.locations.first(),
        type=kind,
        start=start,
        end=start + kind.duration,
        is_ims=kind.is_ims,
        local_date=timezone.localtime(start).date(),
        booked_by=by,
        **fields,
    )
    if appointment.status == Appointment.Status.COMPLETED:
        first_visits_refresh([patient.pk], also_days=[appointment.local_date])
        appointment.refresh_from_db(fields=["first_visit"])
    elif appointment.status in (*COUNTED, Appointment.Status.CANCELLED):
        dashboard_days_refresh([appointment.local_date])
    if appointment.plan_id is not None:
        plan_facts_refresh([appointment.plan_id])
    else:
        plan_activity_refresh([patient.pk])
    return appointment


def totp_device_for(user):
    """The user's confirmed authenticator (created if missing), as after set-up."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test phone", confirmed=True)


def totp_code(device) -> str:
    """The code the authenticator shows right now."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def verified_client(user):
    """A test client signed in as `user`; staff have also passed the second step, as every
    staff session must before reaching a page."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client()
    client.force_login(user)
    if user.roles & Role.staff_roles():
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device_for(user).persistent_id
        session.save()
    return client


def join_care_team(user, patient, *, by=None):
    """Put `user` (a physiotherapist) on the patient's care team, as the front desk does
    on the patient page (an audited CARE_TEAM row); colleagues outside the team need
    emergency access. Returns the membership."""
    from clinic.services import care_team_add

    practitioner = getattr(user, "practitioner", None) or make_practitioner(user)
    member, _created = care_team_add(patient=patient, practitioner=practitioner, by=by or user)
    return member
