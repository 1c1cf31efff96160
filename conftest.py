"""Fixtures shared by every app's tests: one signed-in client per role."""

from __future__ import annotations

import pytest
from django.test import Client

from clinic.permissions import Role
from clinic.tests.factories import PatientFactory, UserFactory


@pytest.fixture
def make_user(db):
    def make(*roles: Role, **fields):
        return UserFactory(roles=set(roles), **fields)

    return make


@pytest.fixture
def physio(make_user):
    return make_user(Role.PHYSIO, username="physio", first_name="Maya")


@pytest.fixture
def physio2(make_user):
    return make_user(Role.PHYSIO, username="physio2")


@pytest.fixture
def front_desk(make_user):
    return make_user(Role.FRONT_DESK, username="frontdesk")


@pytest.fixture
def clinic_admin(make_user):
    return make_user(Role.CLINIC_ADMIN, username="clinicadmin")


@pytest.fixture
def patient_user(make_user):
    user = make_user(Role.PATIENT, username="patienta")
    PatientFactory(user=user, legal_first_name="Ada", legal_last_name="Patient")
    return user


@pytest.fixture
def client_for():
    """A test client signed in as `user`."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
