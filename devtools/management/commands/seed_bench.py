"""Fill an empty database with a large synthetic clinic for benchmarks, fast.

    DATABASE_URL=postgres://.../clinic_bench python manage.py seed_bench [--scale 1.0]

At `--scale 1`: 20 physiotherapists at 3 locations, 4 front desk, 20,000 patients, about
200,000 appointments over the last two years and the next four weeks, about 60,000 signed
IMS sessions with about 500,000 needling sites, assessments with findings, outcome scores
and visit summary rows. One patient, "Bench Fifty", has exactly 50 signed sessions: the
chart benchmark opens theirs (the id is printed at the end).

It writes only into an empty clinic (no patients, practitioners, locations or
appointments) and refuses otherwise; `--reset` first empties every patient, clinical and
scheduling table and removes every account except superusers (reference data such as
muscles, needles, appointment types and consent texts stays). The same `--seed` and
`--scale` give the same clinic (relative to the day it runs). Everything is one
transaction: a failure leaves nothing.

Rows go in through COPY, not the services, so no change history (simple_history) or audit
rows are written. Accounts get unusable passwords unless `--password` is given; staff have no
authenticator, so a benchmark signs staff in with `force_login` and the OTP session key (as
clinic.tests.factories.verified_client does). "bench-fifty" is Bench Fifty's portal account.

The rows come from devtools.bench_data: the front office (devtools.bench_data.clinic), then
the clinical layers in order (assessments, then treatments), each `build(ctx)`.
"""

from __future__ import annotations

import datetime as dt
import time

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from clinic.models import Appointment, Location, Patient, Practitioner, User
from devtools.bench_data import assessments as assessments_data
from devtools.bench_data import care_plans as care_plans_data
from devtools.bench_data import clinic as bench_data
from devtools.bench_data import treatments as treatments_data

# The clinical layers' rows, in the order they build on each other.
CLINICAL_DATA = (assessments_data, treatments_data)

APPS = ("clinic", "assessments", "treatments")


class Command(BaseCommand):
    help = "Fill an empty database with a large synthetic clinic (benchmarks); see --help."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Multiply every count (default 1.0)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="First delete all patients, clinical and scheduling rows and every "
            "non-superuser account (reference data stays).",
        )
        parser.add_argument(
            "--password", default=None, help="Give every bench account this password."
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run with DEBUG off (the bench database of a production-like set-up).",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "seed_bench fills a database with synthetic patients; it runs with DEBUG=1 "
                "(or --allow-production on a throwaway benchmark database)."
            )
        scale = options["scale"]
        if not 0 < scale <= 10:
            raise CommandError("--scale must be above 0 and at most 10.")
        started = time.perf_counter()
        self.mark = started
        with transaction.atomic():
            if options["reset"]:
                self._reset()
                self._step("reset")
            else:
                self._refuse_unless_empty()
            now = timezone.now()
            today = timezone.localdate(now)
            ctx = bench_data.BenchContext(
                seed=options["seed"],
                scale=scale,
                now=now,
                today=today,
                first_day=today - dt.timedelta(days=bench_data.DAYS_BACK),
            )
            bench_data.build_staff(ctx, password=options["password"])
            self._step("staff and locations")
            bench_data.build_front_office(ctx)
            self._step("patients, intakes and appointments")
            care_plans_data.build(ctx)
            self._step("plans of care")
            for module in CLINICAL_DATA:
                module.build(ctx)
                self._step(module.__name__)
            bench_data.reset_sequences(ctx.keyed_models)
        if connection.vendor == "postgresql":
            # Fresh statistics (and a visibility map) so the benchmark plans as production
            # would. VACUUM cannot run inside a transaction (e.g. a test's): ANALYZE can.
            statement = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            with connection.cursor() as cursor:
                cursor.execute(statement)
            self._step(statement)
        self._report(ctx, time.perf_counter() - started)

    def _step(self, label: str) -> None:
        """Print how long the step just finished took (where the time goes)."""
        now = time.perf_counter()
        self.stdout.write(f"  {label:<42}{now - self.mark:7.1f} s")
        self.mark = now

    def _refuse_unless_empty(self) -> None:
        found = {
            model._meta.verbose_name_plural: model.objects.count()
            for model in (Patient, Practitioner, Location, Appointment)
        }
        found = {name: count for name, count in found.items() if count}
        if found:
            listed = ", ".join(f"{count} {name}" for name, count in found.items())
            raise CommandError(
                f"The database is not empty ({listed}). seed_bench fills an empty clinic; "
                "run it with --reset to delete every patient, clinical and scheduling row "
                "and every non-superuser account first."
            )

    def _reset(self) -> None:
        """Empty every table of the three apps except reference data, then remove the
        accounts (superusers stay). On PostgreSQL TRUNCATE, which the append-only and
        signed-record triggers do not see; elsewhere DELETE."""
        keep = set()
        for module in (bench_data, *CLINICAL_DATA):
            keep.update(getattr(module, "KEEP_ON_RESET", ()))
        tables = []
        for label in APPS:
            for model in apps.get_app_config(label).get_models(include_auto_created=True):
                if _kept(model, keep):
                    continue
                tables.append(model._meta.db_table)
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                names = ", ".join(quote(table) for table in tables)
                # Rows written earlier in this transaction (a test's) leave deferred
                # foreign-key checks pending, and TRUNCATE refuses tables with those.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                for table in tables:
                    cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608 (model tables)
        User.objects.filter(is_superuser=False).delete()

    def _report(self, ctx: bench_data.BenchContext, elapsed: float) -> None:
        self.stdout.write("")
        self.stdout.write(f"{'table':<44}{'rows':>10}")
        for label in APPS:
            for model in apps.get_app_config(label).get_models(include_auto_created=True):
                if model._meta.label.split(".")[1].startswith("Historical"):
                    continue
                count = model.objects.count()
                if count:
                    self.stdout.write(f"{model._meta.db_table:<44}{count:>10,}")
        fifty = Patient.objects.get(pk=ctx.bench_fifty_id)
        chart = reverse("treatments:chart", args=[fifty.pk])
        self.stdout.write("")
        self.stdout.write(
            f"Bench Fifty: patient id {fifty.pk} ({fifty.legal_name}, portal login "
            f"'bench-fifty'), chart {chart}"
        )
        self.stdout.write("Staff: bench-physio-01.., bench-desk-1.., bench-admin")
        self.stdout.write(
            self.style.SUCCESS(f"seed_bench done in {elapsed:.1f} s on {connection.vendor}.")
        )


def _kept(model, keep: set[str]) -> bool:
    """Reference data (and its history and many-to-many tables) survives a reset."""
    keep = {*keep, "clinic.User"}  # accounts are removed through the ORM instead
    label = model._meta.label
    if label in keep:
        return True
    instance = getattr(model, "instance_type", None)  # a simple_history model
    if instance is not None and instance._meta.label in keep:
        return True
    if model._meta.auto_created:
        return model._meta.auto_created._meta.label in keep
    return False
