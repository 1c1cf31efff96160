"""Create (or bring back to its known state) the demo clinic. Safe to run again."""

from __future__ import annotations

import logging
import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from clinic import services
from clinic.permissions import Role
from devtools.demo import assessments as assessments_demo
from devtools.demo import calendar_feeds as calendar_feeds_demo
from devtools.demo import clinic as demo
from devtools.demo import custody as custody_demo
from devtools.demo import imports as imports_demo
from devtools.demo import treatments as treatments_demo

# The upper layers' demo records, in the order they build on each other: a patient's
# assessment first, then the IMS sessions that follow from it; then records custody (a
# province, an access request, a breach), the import page's saved mapping and the calendar
# feeds (interop).
CLINICAL_DEMOS = (
    assessments_demo,
    treatments_demo,
    custody_demo,
    imports_demo,
    calendar_feeds_demo,
)


class Command(BaseCommand):
    help = "Create the demo clinic's users and patients (idempotent); prints the logins."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even with DEBUG off (demo accounts share one known password).",
        )

    def _progress(self, step: str) -> None:
        """One line per step while seeding (the first run takes a while: PDFs are drawn)."""
        self.stdout.write(f"  seeding: {step}...")
        self.stdout.flush()

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "seed_demo creates accounts with a shared, published password; it runs only "
                "with DEBUG=1 (or --allow-production on a throwaway demo server)."
            )
        password = settings.DEMO_PASSWORD
        # Demo data e-mails nobody (signing a demo session would tell the demo patient that
        # a summary is ready), and the tasks run here stay out of the console.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        quiet_mail = override_settings(
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
        )
        say = self._progress
        with quiet_mail, transaction.atomic():
            say("staff accounts")
            users = demo.build_users(password)
            say("patients, intakes and consents")
            patients = demo.build_front_office(users)
            say("schedule")
            bookings = demo.build_schedule(users, patients)
            extras = ""
            for module in CLINICAL_DEMOS:
                say(module.LABEL)
                extras += f", {module.build(users=users, patients=patients)} new {module.LABEL}"
            # Past visits are written as history (not through the services): the clinic
            # dashboard's precomputed facts follow them here.
            services.first_visits_refresh()
            services.plan_facts_refresh()
            services.plan_outcomes_refresh()

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo clinic ready ({len(patients)} patients, {bookings} new bookings"
                f"{extras}). "
                f"Sign in at http://127.0.0.1:{os.environ.get('PORT') or 8000}/"
            )
        )
        self.stdout.write(f"  {'username':<12}{'role':<18}{'password':<16}authenticator key")
        for entry in demo.DEMO_USERS:
            secret = ""
            if entry.role in Role.staff_roles():
                secret = demo.totp_secret(demo.demo_totp_device(users[entry.username]))
            self.stdout.write(f"  {entry.username:<12}{entry.role.label:<18}{password:<16}{secret}")
        self.stdout.write(
            "Staff sign in with a second step: add the key to an authenticator app, or print "
            "the current code with `.venv/bin/python manage.py totp_code USERNAME`."
        )
        for username in calendar_feeds_demo.HOLDERS:
            self.stdout.write(
                f"  Calendar feed of {username}: {calendar_feeds_demo.demo_feed_url(username)}"
            )
