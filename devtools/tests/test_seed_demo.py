"""`seed_demo` builds the demo clinic and can run any number of times."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from clinic.models import Patient, User
from clinic.permissions import Role

pytestmark = pytest.mark.django_db

EXPECTED_ROLES = {
    "admin": Role.CLINIC_ADMIN,
    "physio": Role.PHYSIO,
    "physio2": Role.PHYSIO,
    "frontdesk": Role.FRONT_DESK,
    "patient": Role.PATIENT,
}


def _request():
    """Sign-in goes through django-axes, which needs the request (to count failures)."""
    return RequestFactory().post("/accounts/login/")


def test_seed_demo_is_idempotent_and_every_login_works(settings, capsys):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = "a-demo-passphrase"
    call_command("seed_demo")
    counts = (User.objects.count(), Patient.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Patient.objects.count()) == counts

    for username, role in EXPECTED_ROLES.items():
        user = authenticate(_request(), username=username, password="a-demo-passphrase")
        assert user is not None, username
        assert user.roles == frozenset({role})

    patient = User.objects.get(username="patient").patient
    assert patient.legal_last_name == "Avery"
    printed = capsys.readouterr().out
    assert "a-demo-passphrase" in printed
    assert "frontdesk" in printed


def test_seed_demo_restores_a_changed_demo_password(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    physio = User.objects.get(username="physio")
    physio.set_password("something-else-entirely")
    physio.save()
    call_command("seed_demo")
    assert authenticate(_request(), username="physio", password=settings.DEMO_PASSWORD)


def test_seed_demo_refuses_to_run_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo")
    assert not User.objects.filter(username="physio").exists()
