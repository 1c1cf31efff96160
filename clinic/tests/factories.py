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
