"""The whole-site benchmark (issue 10): pages under a production-like app server, concurrent
booking, PDF rendering; results in docs/PERFORMANCE.md.

    DATABASE_URL=postgres://clinic:clinic@127.0.0.1:5432/clinic_bench \\
    REDIS_URL=redis://127.0.0.1:6379/3 python manage.py bench        # or: make bench

Needs PostgreSQL and Redis. The database is created, migrated and filled with `seed_bench`
when it is missing or empty; a database holding another clinic is refused. The app runs
under gunicorn (2 sync workers, DEBUG off, collected static files, behind a pretend TLS
proxy) on a free loopback port; a separate client process signs in through the real
sign-in and two-factor forms and measures:

1. pages: the server's own time (the Server-Timing header) and the client's wall time of
   each page, warmed up, then --requests rounds over all pages, each compared with the
   floor (an empty page in the base layout, same role);
2. booking: 16 front-desk clients, each signed in as its own person, posting the booking
   form at once for a few free slots and patients (clashes and IMS spacing included), then
   every invariant checked across the whole appointment table; the bookings are removed;
3. mixed load: --mixed-users simulated people (front desk searching and booking,
   physiotherapists opening charts and autosaving notes, patients opening their documents)
   for --mixed-seconds at once: throughput, p50/p95/p99 per page, errors (devtools.bench.mixed);
4. PDFs: seconds per visit and course summary (`bench_summaries`), and summaries per
   minute from a real Celery worker with 1 and with 2 processes.

What it changes in the benchmark database: bench-* accounts get a known password (env
BENCH_PASSWORD, default in devtools.bench) and staff an authenticator; extra front-desk
accounts bench-desk-5.. are added; Bench Fifty keeps one draft session (opened once); the
re-rendered summaries get their previous state back. Timings are noisy on a shared machine:
the report shows the load average.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from clinic.models import Appointment, Location, Patient, User
from clinic.selectors.scheduling import min_interval
from devtools import bench as benchmark
from devtools.bench import booking, clinical, mixed

PAGE_TARGETS = {"median": 3.0, "p95": 5.0}
SEARCH_TARGET = 2.0  # the patient search's median, times the floor's
PDF_TARGETS = {"visit": 0.5, "course": 1.5, "scaling": 1.7}
CLIENTS = 16


class Command(BaseCommand):
    help = "Benchmark pages, concurrent booking and PDF rendering; writes docs/PERFORMANCE.md."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
        parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page")
        parser.add_argument(
            "--booking-attempts", type=int, default=30, help="attempts per booking client"
        )
        parser.add_argument(
            "--clients", type=int, default=CLIENTS, help="concurrent booking clients"
        )
        parser.add_argument(
            "--mixed-users", type=int, default=40, help="simulated people, mixed run (0: skip)"
        )
        parser.add_argument(
            "--mixed-seconds", type=float, default=60, help="length of the mixed run (0: skip)"
        )
        parser.add_argument(
            "--mixed-think",
            type=float,
            default=1.0,
            help="mean pause of a simulated person between actions, seconds",
        )
        parser.add_argument("--renders", type=int, default=60, help="summaries per worker run")
        parser.add_argument("--pdf-runs", type=int, default=20, help="documents per kind, timed")
        parser.add_argument("--scale", type=float, default=1.0, help="seed_bench scale if empty")
        parser.add_argument("--skip-pdf", action="store_true", help="pages and booking only")
        parser.add_argument(
            "--pages",
            help="only these pages, comma-separated (e.g. 'desk day view,patient search'); "
            "the floor pages are always measured",
        )
        parser.add_argument(
            "--profile",
            metavar="PAGE",
            help="instead: profile one page (e.g. 'session form') in this process with "
            "pyinstrument (requirements-dev.txt) and print where the time goes",
        )
        parser.add_argument(
            "--output",
            default=str(Path(settings.BASE_DIR, "docs", "PERFORMANCE.md")),
            help="where to write the report ('-': nowhere)",
        )

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        self.options = options
        if options["mixed_users"] and options["mixed_seconds"] > 0 and options["mixed_users"] < 3:
            raise CommandError("--mixed-users: at least 3 (desk, physio, patient), or 0 to skip.")
        self.when = timezone.localtime()
        self._check_services()
        seed_seconds = self._ensure_seeded(options["scale"])
        if options["profile"]:
            self._profile(options["profile"])
            return
        self.machine = benchmark.machine()
        self.counts = {
            "patients": Patient.objects.count(),
            "appointments": Appointment.objects.count(),
        }
        benchmark.BENCH_DIR.mkdir(parents=True, exist_ok=True)
        media = Path(tempfile.mkdtemp(prefix="bench-private-"))
        try:
            self._run(seed_seconds, media)
        finally:
            shutil.rmtree(media, ignore_errors=True)
        self.stdout.write(
            self.style.SUCCESS(f"bench done in {time.perf_counter() - started:.0f} s")
        )

    def _run(self, seed_seconds: float | None, media: Path) -> None:
        port = benchmark.free_port()
        env = benchmark.production_env(
            static_root=benchmark.BENCH_DIR / "static", media_root=media, port=port
        )
        self._say("collectstatic (production storage)")
        self.collectstatic_seconds = benchmark.collect_static(env)
        pages, page_plan = self._prepare_pages()
        clients = self.options["clients"]
        desk_users = booking.desk_accounts(clients + 1)[1:]  # bench-desk-1 reads pages
        plan = booking.plan(clients=clients, attempts=self.options["booking_attempts"])
        booking.remove(plan)  # leftovers of an interrupted run
        mixed.remove_leftovers()
        load = None
        if self.options["mixed_users"] and self.options["mixed_seconds"] > 0:
            load = mixed.plan(
                users=self.options["mixed_users"],
                seconds=self.options["mixed_seconds"],
                think=self.options["mixed_think"],
                desk_from=clients + 2,
            )
        accounts = benchmark.prepare_accounts(
            [*page_plan["users"].values(), *desk_users, *(load.accounts if load else [])],
            staff={
                u.pk
                for u in [
                    page_plan["users"]["desk"],
                    page_plan["users"]["physio"],
                    page_plan["users"]["admin"],
                    *desk_users,
                ]
            }
            | (load.staff if load else set()),
        )
        log = benchmark.BENCH_DIR / "gunicorn.log"
        with benchmark.gunicorn(env, port, workers=2, log=log):
            self._say(f"gunicorn on 127.0.0.1:{port}; pages x {self.options['requests']}")
            page_results = benchmark.run_client(
                {
                    "job": "pages",
                    "host": "127.0.0.1",
                    "port": port,
                    "accounts": {
                        role: {**accounts[user.pk], "check": page_plan["checks"][role]}
                        for role, user in page_plan["users"].items()
                    },
                    "pages": pages,
                    "warmup": self.options["warmup"],
                    "requests": self.options["requests"],
                }
            )["pages"]
            self._say(f"booking: {clients} clients x {self.options['booking_attempts']}")
            booking_result = benchmark.run_client(
                {
                    "job": "booking",
                    "host": "127.0.0.1",
                    "port": port,
                    "accounts": [{**accounts[u.pk], "check": "/floor/"} for u in desk_users],
                    "attempts": plan.attempts,
                }
            )
            mixed_result = None
            if load is not None:
                self._say(
                    f"mixed load: {len(load.users)} people for {self.options['mixed_seconds']:g} s"
                )
                load.started = timezone.now()
                mixed_result = mixed.figures(
                    benchmark.run_client(
                        mixed.job(
                            load,
                            accounts,
                            host="127.0.0.1",
                            port=port,
                            seconds=self.options["mixed_seconds"],
                            think=self.options["mixed_think"],
                        )
                    )
                )
                mixed_result["load"] = benchmark.machine_load()
                mixed_result["in_database"] = mixed.booked()
                self._say(
                    f"mixed load: {mixed_result['requests']} requests, "
                    f"{mixed_result['per_s']:.1f}/s, {len(mixed_result['errors'])} errors"
                )
        self._say("checking invariants over every appointment")
        in_database = booking.booked(plan)
        violations = booking.violations()
        removed = booking.remove(plan)
        if load is not None:
            mixed_result["removed"] = mixed.clean_up(load)
        pdf = None
        if not self.options["skip_pdf"]:
            self._say(f"PDF: bench_summaries --runs {self.options['pdf_runs']}")
            times = clinical.render_times(env, self.options["pdf_runs"])
            self._say(f"PDF: {self.options['renders']} renders with 1, then 2 worker processes")
            scaling = clinical.throughput(
                env, renders=self.options["renders"], log_dir=benchmark.BENCH_DIR
            )
            pdf = {"times": times, "throughput": scaling}
        report = self._report(
            seed_seconds=seed_seconds,
            pages=pages,
            page_results=page_results,
            page_plan=page_plan,
            plan=plan,
            booking_result=booking_result,
            in_database=in_database,
            removed=removed,
            violations=violations,
            mixed=(load, mixed_result),
            pdf=pdf,
        )
        self.stdout.write("\n" + report)
        if self.options["output"] != "-":
            Path(self.options["output"]).write_text(report)
            self._say(f"wrote {self.options['output']}")

    # --- Set-up ----------------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.stdout.write(f"[{timezone.localtime():%H:%M:%S}] {text}", ending="\n")
        self.stdout.flush()

    def _check_services(self) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "bench needs PostgreSQL: set DATABASE_URL, e.g. "
                "postgres://clinic:clinic@127.0.0.1:5432/clinic_bench"
            )
        if not settings.REDIS_URL:
            raise CommandError(
                "bench needs Redis for the Celery workers: set REDIS_URL to a database of its "
                "own, e.g. redis://127.0.0.1:6379/3 (the pdf queue there is emptied)."
            )
        try:
            connection.ensure_connection()
        except OperationalError as error:
            if "does not exist" not in str(error):
                raise
            self._create_database()

    def _create_database(self) -> None:
        import psycopg
        from psycopg import sql

        params = connection.get_connection_params()
        name = params.pop("dbname")
        self._say(f"creating database {name}")
        with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def _ensure_seeded(self, scale: float) -> float | None:
        call_command("migrate", interactive=False, verbosity=0)
        if not Patient.objects.exists():
            self._say(f"empty database: seed_bench --scale {scale}")
            started = time.perf_counter()
            call_command("seed_bench", scale=scale, allow_production=True)
            return time.perf_counter() - started
        if clinical.bench_fifty() is None:
            raise CommandError(
                "This database holds patients but not seed_bench's (no Bench Fifty): bench runs "
                "only on an empty database or one seed_bench filled."
            )
        return None

    def _prepare_pages(self) -> tuple[list[dict], dict]:
        fifty = clinical.bench_fifty()
        records = clinical.records(fifty)
        desk = User.objects.get(username="bench-desk-1")
        admin = User.objects.get(username="bench-admin")
        physio = User.objects.get(pk=records.physio_user_id)
        location = (
            Location.objects.filter(active=True)
            .annotate(staff=Count("practitioners"))
            .order_by("-staff", "name")
            .first()
        )
        day = self._busy_day(location)
        self.page_context = {
            "location": location,
            "day": day,
            "practitioners_there": location.practitioners.filter(active=True).count(),
            "draft_created": records.draft_created,
            "draft": records.draft,
            "assessment": records.assessment,
            "fifty": fifty,
        }
        floor = reverse("floor")
        desk_url = reverse("clinic:desk_today") + f"?date={day.isoformat()}&location={location.pk}"
        documents = reverse("treatments:portal_documents")
        pages = [
            ("floor (physio)", "physio", floor),
            ("floor (front desk)", "desk", floor),
            ("floor (clinic admin)", "admin", floor),
            ("desk day view", "desk", desk_url),
            # The day view's alerts, which the page loads right after it shows.
            (
                "desk day notices",
                "desk",
                reverse("clinic:desk_notices") + "?" + urlencode({"next": desk_url}),
            ),
            ("patient search", "desk", reverse("clinic:patient_list") + "?q=smith"),
            ("patient chart", "physio", reverse("treatments:chart", args=[fifty.pk])),
            # The chart's IMS readiness and consent badges, loaded right after it shows.
            ("chart readiness", "physio", reverse("treatments:readiness", args=[fifty.pk])),
            # Its outcome scores and latest assessments, loaded right after it shows.
            ("chart scores", "physio", reverse("treatments:chart_scores", args=[fifty.pk])),
            ("session form", "physio", reverse("treatments:session_edit", args=[records.draft.pk])),
            # The session form's site entry form, which the page loads right after it shows.
            (
                "session form entries",
                "physio",
                reverse("treatments:session_entries", args=[records.draft.pk]),
            ),
            # Its needling sites, loaded right after it shows.
            (
                "session form sites",
                "physio",
                reverse("treatments:session_sites", args=[records.draft.pk]),
            ),
            # Its range re-tests with their entry form, loaded right after it shows.
            (
                "session form retests",
                "physio",
                reverse("treatments:session_retests", args=[records.draft.pk]),
            ),
            # Its readiness banner with the re-screen checklist, and its sign panel, both
            # loaded right after it shows (the sign panel again after each save).
            (
                "session form readiness",
                "physio",
                reverse("treatments:readiness", args=[records.draft.patient_id]) + "?on=session",
            ),
            (
                "session form sign panel",
                "physio",
                reverse("treatments:sign_panel", args=[records.draft.pk]),
            ),
            ("assessment", "physio", reverse("assessments:detail", args=[records.assessment.pk])),
            ("portal documents", "patient", documents),
            # The clinic dashboard over the last year, every practitioner and location.
            (
                "clinic dashboard",
                "admin",
                reverse("clinic:dashboard")
                + "?"
                + urlencode(
                    {
                        "date_from": (timezone.localdate() - dt.timedelta(days=364)).isoformat(),
                        "date_to": timezone.localdate().isoformat(),
                    }
                ),
            ),
        ]
        plan = {
            "users": {"desk": desk, "physio": physio, "patient": fifty.user, "admin": admin},
            "checks": {"desk": floor, "physio": floor, "patient": documents, "admin": floor},
        }
        if self.options.get("pages") and not self.options.get("profile"):
            chosen = {name.strip() for name in self.options["pages"].split(",")}
            unknown = chosen - {name for name, _, _ in pages}
            if unknown:
                raise CommandError(f"No page {', '.join(sorted(unknown))}")
            pages = [page for page in pages if page[0] in chosen or page[0].startswith("floor")]
        return [{"name": n, "account": a, "path": p} for n, a, p in pages], plan

    def _profile(self, name: str) -> None:
        """Where one page's time goes: 5 warm-up and 20 profiled requests through Django's
        test client in this process (with this process's settings: run it with DEBUG=0, see
        docs/PERFORMANCE.md, to profile what production runs)."""
        from django.test import Client
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice
        from pyinstrument import Profiler

        pages, page_plan = self._prepare_pages()
        page = next((p for p in pages if p["name"] == name), None)
        if page is None:
            raise CommandError(f"No page {name!r}; one of: {', '.join(p['name'] for p in pages)}")
        user = page_plan["users"][page["account"]]
        staff = {user.pk} if page["account"] != "patient" else set()
        benchmark.prepare_accounts([user], staff=staff)  # the authenticator, if none yet
        user.refresh_from_db()  # a new password hash: the session records it
        client = Client()
        client.force_login(user)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:  # as after the two-factor step
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        for _ in range(5):
            response = client.get(page["path"], secure=True)
            if response.status_code != 200:
                raise CommandError(
                    f"{page['path']} answers {response.status_code} for {user.username} "
                    f"{response.get('Location', '')}"
                )
        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(20):
                client.get(page["path"], secure=True)
        self.stdout.write(
            f"{name}: {page['path']} as {user.username}, 20 requests (DEBUG={settings.DEBUG})"
        )
        self.stdout.write(profiler.output_text(unicode=True, color=False))

    def _busy_day(self, location: Location) -> dt.date:
        """The weekday with the most live appointments at the location, within the last four
        weeks and the next one (a typical busy day, not a quiet holiday week)."""
        today = timezone.localdate()
        busiest = (
            Appointment.objects.filter(
                location=location,
                local_date__range=(today - dt.timedelta(days=28), today + dt.timedelta(days=7)),
            )
            .exclude(status=Appointment.Status.CANCELLED)
            .values("local_date")
            .annotate(n=Count("id"), weekend=Count("id", filter=Q(local_date__week_day__in=[1, 7])))
            .filter(weekend=0)
            .order_by("-n", "-local_date")
            .first()
        )
        return busiest["local_date"] if busiest else today

    # --- The report ------------------------------------------------------------------------------

    def _report(self, **r) -> str:
        o, m, c = self.options, self.machine, self.page_context
        lines = [
            "# Performance",
            "",
            "Generated by `manage.py bench` (`make bench`); every run rewrites this file. How "
            "to read it: server times come from the app's own `Server-Timing` header (the "
            "outermost middleware, so sessions, authentication and every middleware count; "
            "not the network or gunicorn), wall times from the client process. Each page is "
            "compared with the *floor*, an empty page in the base layout for a signed-in "
            "staff member of the same role (`/floor/`), measured in the same run: a ratio is "
            "what the page itself costs, on any machine.",
            "",
            "## Run",
            "",
            f"- Date: {self.when:%Y-%m-%d %H:%M %Z}",
            f"- Command: `make bench` = `python manage.py bench --requests {o['requests']} "
            f"--warmup {o['warmup']} --clients {o['clients']} "
            f"--booking-attempts {o['booking_attempts']} "
            f"--mixed-users {o['mixed_users']} --mixed-seconds {o['mixed_seconds']:g} "
            f"--mixed-think {o['mixed_think']:g} "
            f"--renders {o['renders']} --pdf-runs {o['pdf_runs']}` with `DATABASE_URL` "
            "(PostgreSQL) and `REDIS_URL` (a Redis database of its own) set",
            f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory']} RAM; {m['os']}",
            f"- Python {m['python']}, PostgreSQL {m['postgresql']}",
            f"- Load average (1, 5, 15 min) at the start: {m['load']}; at the end: "
            f"{benchmark.machine_load()} (other work on the machine makes timings noisy; the "
            "ratios, measured side by side, suffer less)",
            f"- Data: {self.counts['patients']:,} patients, {self.counts['appointments']:,} "
            "appointments (`seed_bench`, scale 1 unless said)"
            + (
                f"; seeded in this run in {r['seed_seconds']:.0f} s"
                if r["seed_seconds"]
                else "; already seeded"
            ),
            "- App server: gunicorn, 2 sync workers, DEBUG off, production settings (static "
            "files collected and served by WhiteNoise, secure cookies behind a TLS proxy), "
            "on loopback; PostgreSQL and Redis on the same machine",
            "",
        ]
        lines += self._pages_section(r["pages"], r["page_results"], c)
        lines += self._booking_section(r)
        lines += self._mixed_section(*r["mixed"])
        lines += self._pdf_section(r["pdf"])
        lines += [
            "## Where the time goes",
            "",
            "To profile one page of this table in-process with pyinstrument "
            "(requirements-dev.txt) under production settings, with the same `DATABASE_URL` and "
            "`REDIS_URL` set:",
            "",
            "```sh",
            "DEBUG=0 CLINIC_DEVTOOLS=1 DJANGO_ENV_FILE= \\",
            "  SECRET_KEY=profile-only-$(openssl rand -hex 24) \\",
            "  ALLOWED_HOSTS=testserver STATIC_ROOT=var/bench/static LOG_LEVEL=WARNING \\",
            "  .venv/bin/python manage.py bench --profile 'session form'",
            "```",
            "",
        ]
        return "\n".join(lines) + "\n"

    def _pages_section(self, pages, results, c) -> list[str]:
        floors = {
            "desk": benchmark.Summary.of(results["floor (front desk)"]["server_ms"]),
            "physio": benchmark.Summary.of(results["floor (physio)"]["server_ms"]),
            "admin": benchmark.Summary.of(results["floor (clinic admin)"]["server_ms"]),
            "patient": benchmark.Summary.of(results["floor (physio)"]["server_ms"]),
        }
        n = self.options["requests"]
        lines = [
            "## Pages",
            "",
            f"{n} timed requests per page after {self.options['warmup']} untimed ones, one at "
            "a time, the pages taken in turn (round-robin), so load elsewhere on the machine "
            "falls on all of them alike. Targets: median at most 3x the floor and p95 at most "
            "5x (the patient search: median at most 2x).",
            "",
            "| Page | Signed in as | Server median ms | Server p95 ms | Wall median ms | "
            "Median / floor | p95 / floor | Target | Result |",
            "|---|---|---:|---:|---:|---:|---:|---|---|",
        ]
        self.misses = []
        for page in pages:
            row = results[page["name"]]
            server = benchmark.Summary.of(row["server_ms"])
            wall = benchmark.Summary.of(row["wall_ms"])
            floor = floors[page["account"]]
            if page["name"].startswith("floor"):
                target, verdict = "(floor)", ""
                ratio_median = server.median / floor.median
                ratio_p95 = server.p95 / floor.p95
            else:
                ratio_median = server.median / floor.median
                ratio_p95 = server.p95 / floor.p95
                limit = (
                    SEARCH_TARGET if page["name"] == "patient search" else PAGE_TARGETS["median"]
                )
                target = f"{limit:g}x / {PAGE_TARGETS['p95']:g}x"
                ok = ratio_median <= limit and ratio_p95 <= PAGE_TARGETS["p95"]
                verdict = "pass" if ok else "**miss**"
                if not ok:
                    self.misses.append(page["name"])
            who = {
                "desk": "front desk",
                "physio": "physio",
                "patient": "patient",
                "admin": "clinic admin",
            }[page["account"]]
            lines.append(
                f"| {page['name']} | {who} | {server.median:.1f} | {server.p95:.1f} | "
                f"{wall.median:.1f} | {ratio_median:.2f} | {ratio_p95:.2f} | {target} | {verdict} |"
            )
        draft = "opened for this run" if c["draft_created"] else "kept from an earlier run"
        lines += [
            "",
            "The pages, as `make bench` picks them from the seeded data:",
            "",
            f"- desk day view: `/desk/?date={c['day']:%Y-%m-%d}&location={c['location'].pk}`, "
            f"the busiest weekday of the last four weeks at {c['location'].name}, the location "
            f"with most practitioners ({c['practitioners_there']} of them; the day view shows "
            "one location's practitioners)",
            "- desk day notices: the day view's alerts (IMS spacing alerts, unseen online "
            "bookings), which the day view loads from its own URL as soon as it shows (htmx, "
            "on load)",
            "- patient search: `/patients/?q=smith` (about 1% of patients are Smiths)",
            f"- patient chart: Bench Fifty (patient {c['fifty'].pk}, 50 signed sessions), "
            "by their physiotherapist",
            f"- session form: draft session {c['draft'].pk} of Bench Fifty by the same "
            f"physiotherapist ({draft}; it stays in the bench database)",
            "- session form entries: the same draft's blank needling-site form, which the "
            "session form loads from its own URL as soon as it shows (htmx, on load)",
            "- session form sites: the same draft's needling sites, which the session form "
            "loads from its own URL as soon as it shows (htmx, on load)",
            "- session form retests: the same draft's range re-tests with the blank re-test "
            "form, which the session form loads from its own URL as soon as it shows (htmx, "
            "on load)",
            "- session form readiness, session form sign panel: the same draft's patient's IMS "
            "readiness banner with the re-screen checklist, and the draft's sign panel, both "
            "loaded by the session form as soon as it shows (htmx, on load)",
            "- chart readiness: Bench Fifty's IMS readiness and consent badges, which the "
            "patient chart loads as soon as it shows (htmx, on load)",
            "- chart scores: Bench Fifty's outcome scores (with the scores chart) and latest "
            "assessments, which the patient chart loads as soon as it shows (htmx, on load)",
            f"- assessment: signed assessment {c['assessment'].pk} with findings",
            "- clinic dashboard: `/dashboard/` for the last 365 days, every practitioner and "
            "location, by the clinic admin (`bench-admin`), compared with the clinic admin's "
            "floor",
            "- portal documents: Bench Fifty signed in to the portal (`bench-fifty`); "
            "compared with the physiotherapist's floor (the floor page is for staff)",
            "",
        ]
        return lines

    def _booking_section(self, r) -> list[str]:
        result, plan = r["booking_result"], r["plan"]
        outcomes = [o for client in result["outcomes"] for o in client]
        tally: dict[str, int] = {}
        for outcome in outcomes:
            tally[outcome["outcome"]] = tally.get(outcome["outcome"], 0) + 1
        succeeded = tally.get("booked", 0)
        elapsed = result["elapsed_s"]
        server = benchmark.Summary.of([o["server_ms"] for o in outcomes if o["server_ms"]])
        wall = benchmark.Summary.of([o["wall_ms"] for o in outcomes])
        total_violations = sum(len(v) for v in r["violations"].values())
        lines = [
            "## Booking under contention",
            "",
            f"{len(result['outcomes'])} client threads, each signed in as its own front-desk "
            "account, post the "
            f"booking form ({self.options['booking_attempts']} attempts each, all at once) for "
            f"{plan.slots} free 30-minute slots ({len(plan.practitioners)} practitioners x 4 "
            f"times x 3 days: {', '.join(f'{d:%a %d %b}' for d in plan.days)}) and "
            f"{len(plan.patients)} patients, 60% IMS visits. Two pairs of the days are closer "
            f"than the IMS interval ({min_interval()} days). Every client's first attempt is "
            "the same slot for a different patient.",
            "",
            "| Measure | Value |",
            "|---|---:|",
            f"| Attempts | {len(outcomes)} in {elapsed:.1f} s |",
            f"| Attempted bookings/s | {len(outcomes) / elapsed:.1f} |",
            f"| Successful bookings/s | {succeeded / elapsed:.1f} ({succeeded} booked) |",
            f"| Server time per attempt, median / p95 | {server.median:.0f} / "
            f"{server.p95:.0f} ms |",
            f"| Wall time per attempt, median / p95 | {wall.median:.0f} / {wall.p95:.0f} ms |",
        ]
        for label, count in sorted(tally.items(), key=lambda kv: -kv[1]):
            if label != "booked":
                lines.append(f"| Refused: {label} | {count} |")
        if result["errors"]:
            lines.append(f"| Connection errors | {len(result['errors'])} |")
        lines += [
            f"| Bookings found in the database | {r['in_database']} "
            f"({'matches' if r['in_database'] == succeeded else '**does not match**'} the "
            "client's count) |",
            "",
            "Invariants over the whole appointment table afterwards (not only the benchmark's "
            "bookings): "
            + (
                "**zero violations**: no practitioner or patient booked twice at once, no IMS "
                "visits closer than the interval without an override."
                if total_violations == 0
                else f"**{total_violations} violations**:"
            ),
        ]
        for label, found in r["violations"].items():
            for line in found[:20]:
                lines.append(f"- {label}: {line}")
        lines += [
            "",
            f"The {r['removed']} bookings were then deleted, so the next run finds the same "
            "free slots.",
            "",
        ]
        return lines

    def _mixed_section(self, load, result) -> list[str]:
        if load is None:
            return ["## Mixed load", "", "Skipped (`--mixed-users 0`).", ""]
        o = self.options
        errors = result["errors"]
        lines = [
            "## Mixed load",
            "",
            f"{len(load.users)} simulated people at once for {o['mixed_seconds']:g} s against "
            "the same gunicorn (2 sync workers, production settings), each signed in through "
            "the real forms with a session of their own, pausing "
            f"{0.5 * o['mixed_think']:g}-{1.5 * o['mixed_think']:g} s between actions: "
            f"{load.count('desk')} at the front desk (search for a patient, open the booking "
            "form, book a free slot of their own), "
            f"{load.count('physio')} physiotherapist(s) (open a patient's chart, open their "
            f"draft note, autosave it {mixed.SAVES_PER_VISIT} times as they type; after each "
            "page the parts it loads as soon as it shows, and after each save the sign "
            "panel's refresh, as a browser fetches them), "
            f"{load.count('patient')} patient(s) (open their documents page). A round under "
            "way when the time is up is finished, and counts: the elapsed time runs until the "
            "last person is done. Times are wall "
            "times in the client (queueing for a worker included) and the server's own "
            "(Server-Timing). An error is any answer other than the page's own (200; a "
            "booking: its redirect, or the form again with a refusal) or a broken connection.",
            "",
            "| Measure | Value |",
            "|---|---:|",
            f"| Machine | {os.cpu_count()} CPUs; load average at the end {result['load']} |",
            f"| Requests | {result['requests']} in {result['elapsed_s']:.1f} s |",
            f"| Throughput | {result['per_s']:.1f} requests/s |",
            f"| Errors | {len(errors)} |",
            f"| Bookings made | {result['booked']} ({result['in_database']} found in the "
            "database) |",
        ]
        for label, count in sorted(result["refusals"].items(), key=lambda kv: -kv[1]):
            lines.append(f"| Refused booking: {label} | {count} |")
        lines += [
            "",
            "| Page | Requests | Per second | Wall p50 ms | Wall p95 ms | Wall p99 ms | "
            "Server p50 ms | Server p95 ms | Server p99 ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, page in result["pages"].items():
            wall, server = page["wall"], page["server"] or {50: 0, 95: 0, 99: 0}
            lines.append(
                f"| {name} | {page['n']} | {page['per_s']:.1f} | {wall[50]:.0f} | "
                f"{wall[95]:.0f} | {wall[99]:.0f} | {server[50]:.0f} | {server[95]:.0f} | "
                f"{server[99]:.0f} |"
            )
        lines.append("")
        for error in errors[:20]:
            lines.append(f"- error: {error}")
        if errors:
            lines.append("")
        removed = result["removed"]
        lines += [
            f"The {removed['bookings']} bookings were then deleted and the drafts got their "
            f"plan back ({removed['history']} autosave history rows removed).",
            "",
        ]
        return lines

    def _pdf_section(self, pdf) -> list[str]:
        if pdf is None:
            return ["## PDF rendering", "", "Skipped (`--skip-pdf`).", ""]
        times, scaling = pdf["times"], pdf["throughput"]
        visit, course = times["visit"], times["course"]
        ratio = scaling[2]["per_minute"] / scaling[1]["per_minute"]

        def verdict(ok: bool) -> str:
            return "pass" if ok else "**miss**"

        self.pdf_misses = [
            name
            for name, ok in (
                ("visit summary", visit.median <= PDF_TARGETS["visit"]),
                ("course summary", course.median <= PDF_TARGETS["course"]),
                ("worker scaling", ratio >= PDF_TARGETS["scaling"]),
            )
            if not ok
        ]
        renders = scaling[1]["renders"]
        return [
            "## PDF rendering",
            "",
            "Per document: the whole render task (claim the row, query, template, WeasyPrint, "
            f"store, mark ready) in one warm process with production settings, {visit.n} of "
            "each kind (`bench_summaries`, rolled back). Throughput: "
            f"{renders} existing visit summaries set back to pending and sent to the `pdf` "
            "queue of a real Celery worker (prefork) against Redis, timed from sending until "
            "the last is ready; the worker first renders three per process, untimed. The "
            "summaries get their previous state back afterwards.",
            "",
            "| Measure | Result | Target | |",
            "|---|---:|---:|---|",
            f"| Visit summary, median (p95) | {visit.median:.3f} s ({visit.p95:.3f} s) | "
            f"<= {PDF_TARGETS['visit']} s | {verdict(visit.median <= PDF_TARGETS['visit'])} |",
            f"| Course summary of {times['course_sessions']} sessions, median (p95) | "
            f"{course.median:.3f} s ({course.p95:.3f} s) | <= {PDF_TARGETS['course']} s | "
            f"{verdict(course.median <= PDF_TARGETS['course'])} |",
            f"| 1 worker process | {scaling[1]['per_minute']:.0f} summaries/min "
            f"({scaling[1]['seconds']:.1f} s) | | |",
            f"| 2 worker processes | {scaling[2]['per_minute']:.0f} summaries/min "
            f"({scaling[2]['seconds']:.1f} s) | | |",
            f"| 2 processes / 1 | {ratio:.2f}x | >= {PDF_TARGETS['scaling']}x | "
            f"{verdict(ratio >= PDF_TARGETS['scaling'])} |",
            f"| Failed renders | {scaling[1]['failed'] + scaling[2]['failed']} | 0 | "
            f"{verdict(scaling[1]['failed'] + scaling[2]['failed'] == 0)} |",
            "",
        ]
