"""Create (or bring back to its known state) the demo clinic. Safe to run again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clinic.models import Patient, User
from clinic.permissions import Role
from clinic.services import user_set_roles


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: Role
    email: str


DEMO_USERS = (
    DemoUser("admin", "Alex", "Morgan", Role.CLINIC_ADMIN, "alex.morgan@cedar-ims.example"),
    DemoUser("physio", "Maya", "Chen", Role.PHYSIO, "maya.chen@cedar-ims.example"),
    DemoUser("physio2", "Daniel", "Okafor", Role.PHYSIO, "daniel.okafor@cedar-ims.example"),
    DemoUser("frontdesk", "Priya", "Singh", Role.FRONT_DESK, "priya.singh@cedar-ims.example"),
    DemoUser("patient", "Jordan", "Avery", Role.PATIENT, "jordan.avery@example.com"),
)

# (legal first, legal last, preferred, date of birth, email, phone, portal username)
DEMO_PATIENTS = (
    (
        "Jordan",
        "Avery",
        "",
        dt.date(1984, 3, 12),
        "jordan.avery@example.com",
        "604-555-0187",
        "patient",
    ),
    (
        "Hélène",
        "Tremblay",
        "Lena",
        dt.date(1971, 9, 2),
        "lena.tremblay@example.com",
        "604-555-0133",
        None,
    ),
    (
        "Samuel",
        "O'Neill",
        "Sam",
        dt.date(1992, 6, 24),
        "sam.oneill@example.com",
        "778-555-0110",
        None,
    ),
)


class Command(BaseCommand):
    help = "Create the demo clinic's users and patients (idempotent); prints the logins."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off (demo accounts share one known password).",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "seed_demo creates accounts with a shared, published password; it runs only "
                "with DEBUG=1 (or --allow-production on a throwaway demo server)."
            )
        password = settings.DEMO_PASSWORD
        with transaction.atomic():
            users = {demo.username: self._user(demo, password) for demo in DEMO_USERS}
            for first, last, preferred, dob, email, phone, username in DEMO_PATIENTS:
                Patient.objects.update_or_create(
                    legal_first_name=first,
                    legal_last_name=last,
                    date_of_birth=dob,
                    defaults={
                        "preferred_name": preferred,
                        "email": email,
                        "phone": phone,
                        "user": users.get(username) if username else None,
                    },
                )

        self.stdout.write(
            self.style.SUCCESS("Demo clinic ready. Sign in at http://127.0.0.1:8000/")
        )
        self.stdout.write(f"  {'username':<12}{'role':<18}password")
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.username:<12}{demo.role.label:<18}{password}")

    def _user(self, demo: DemoUser, password: str) -> User:
        user, _ = User.objects.update_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "email": demo.email,
                "is_active": True,
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        return user_set_roles(user=user, roles={demo.role})
