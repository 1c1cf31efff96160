"""`seed_demo` builds the demo clinic and can run any number of times.

Building the demo takes tens of seconds, so this module builds it once (`demo_clinic`,
module-scoped, inside a transaction rolled back when the module is done) and every test runs
`seed_demo` again on top of it, which is what these tests are about: a second run changes
nothing, and puts back what someone changed. Each test's own changes roll back to a
savepoint as usual."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import RequestFactory, override_settings

from assessments.models import Assessment
from clinic.models import Appointment, CarePlan, Patient, User
from clinic.permissions import Role
from treatments.models import TreatmentSession

pytestmark = pytest.mark.django_db

EXPECTED_ROLES = {
    "admin": Role.CLINIC_ADMIN,
    "physio": Role.PHYSIO,
    "physio2": Role.PHYSIO,
    "frontdesk": Role.FRONT_DESK,
    "patient": Role.PATIENT,
}
FIRST_PASSWORD = "first-demo-passphrase"  # noqa: S105 (test data)


@pytest.fixture(scope="module")
def demo_clinic(django_db_setup, django_db_blocker):
    """The demo clinic, seeded once for this module; what the first run printed."""
    from celery.app.task import Task

    out = io.StringIO()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        # As the `enqueued` fixture does for each test: no task leaves this process.
        with (
            django_db_blocker.unblock(),
            pytest.MonkeyPatch.context() as patch,
            override_settings(DEBUG=True, DEMO_PASSWORD=FIRST_PASSWORD),
        ):
            patch.setattr(Task, "apply_async", lambda *args, **kwargs: None)
            call_command("seed_demo", stdout=out)
        yield out.getvalue()
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _request():
    """Sign-in goes through django-axes, which needs the request (to count failures)."""
    return RequestFactory().post("/accounts/login/")


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, Patient, Appointment, Assessment, TreatmentSession, CarePlan)
    }


def test_seed_demo_refuses_to_run_in_production(settings):
    settings.DEBUG = False
    before = _counts()
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo")
    assert _counts() == before


def test_the_first_run_builds_the_whole_clinic(demo_clinic):
    counts = _counts()
    assert counts["Patient"] >= 30
    assert all(counts.values()), counts
    for username, role in EXPECTED_ROLES.items():
        user = authenticate(_request(), username=username, password=FIRST_PASSWORD)
        assert user is not None, username
        assert user.roles == frozenset({role})
    assert User.objects.get(username="patient").patient.legal_last_name == "Avery"
    # Some coming visits are confirmed, from the reminder's link and by phone (issue 20).
    vias = set(
        Appointment.objects.exclude(confirmed_via="").values_list("confirmed_via", flat=True)
    )
    assert vias == {"link", "phone"}
    assert FIRST_PASSWORD in demo_clinic
    assert "frontdesk" in demo_clinic


def test_demo_ims_courses_run_under_an_active_plan(demo_clinic):
    """Every demo patient with a signed course has one active plan, its signed sessions
    on it (so the chart shows "Visit N of M"); the first is twice weekly with its reason."""
    treated = Patient.objects.filter(treatment_sessions__status="signed").distinct()
    assert treated.exists()
    for patient in treated:
        plan = CarePlan.objects.get(patient=patient, status=CarePlan.Status.ACTIVE)
        assert plan.treatment_sessions.filter(status="signed").exists()
    assert CarePlan.objects.filter(frequency=CarePlan.Frequency.TWICE_WEEKLY_START).count() == 1


def test_seed_demo_again_changes_nothing_and_every_login_works(demo_clinic, settings, capsys):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = FIRST_PASSWORD
    before = _counts()
    call_command("seed_demo")
    assert _counts() == before
    printed = capsys.readouterr().out
    assert "0 new bookings, 0 new assessments, 0 new IMS sessions" in printed
    assert FIRST_PASSWORD in printed
    for username, role in EXPECTED_ROLES.items():
        user = authenticate(_request(), username=username, password=FIRST_PASSWORD)
        assert user is not None, username
        assert user.roles == frozenset({role})


def test_seed_demo_restores_a_changed_demo_password(demo_clinic, settings):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = FIRST_PASSWORD
    physio = User.objects.get(username="physio")
    physio.set_password("something-else-entirely")
    physio.save()
    assert not authenticate(_request(), username="physio", password=FIRST_PASSWORD)
    call_command("seed_demo", stdout=io.StringIO())
    assert authenticate(_request(), username="physio", password=FIRST_PASSWORD)


def test_seed_demo_confirms_the_addresses_of_patients_already_seen(demo_clinic, settings):
    settings.DEBUG = True
    jordan = Patient.objects.get(legal_last_name="Avery")
    assert jordan.user_id
    assert jordan.email_confirmed
    confirmed = dict(Patient.objects.values_list("pk", "email_verified_at"))
    assert any(confirmed.values())
    assert not all(confirmed.values())
    call_command("seed_demo", stdout=io.StringIO())
    assert dict(Patient.objects.values_list("pk", "email_verified_at")) == confirmed


def test_the_demo_calendar_feeds_serve_and_are_not_made_twice(demo_clinic, settings, client):
    from icalendar import Calendar

    from devtools.demo import calendar_feeds as calendar_feeds_demo
    from interop.models import CalendarFeed

    assert calendar_feeds_demo.demo_feed_url("physio") in demo_clinic
    live = CalendarFeed.objects.filter(revoked_at__isnull=True)
    assert sorted(live.values_list("kind", flat=True)) == ["patient", "practitioner"]
    path = "/" + calendar_feeds_demo.demo_feed_url("physio").split("/", 3)[3]
    response = client.get(path)
    assert response.status_code == 200
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert events
    names = Patient.objects.values_list("legal_last_name", flat=True)
    assert not any(name in response.content.decode() for name in names)
    settings.DEBUG = True
    settings.DEMO_PASSWORD = FIRST_PASSWORD
    call_command("seed_demo", stdout=io.StringIO())
    assert CalendarFeed.objects.count() == 2
