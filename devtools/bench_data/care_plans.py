"""Plans of care for seed_bench's courses (issue 20), so the clinic dashboard is measured
at scale: each episode of care the front office wrote (an intake, then its visits) becomes
a CarePlan of the episode's first practitioner, and the episode's appointments point at it.

An episode whose last visit is more than three weeks past is discharged on that day
(mostly goals met, some plateau, patient's choice or referred on); a patient's latest
episode that is still going, or has visits booked ahead, stays active, and about one in
ten of the finished latest ones is left active too: the courses that went quiet, which
the dashboard counts as dropped. The baseline is the episode's intake score on its region's
measure. Written with explicit keys through the front office's BulkWriter (COPY on
PostgreSQL); appointments are updated in batches.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection

from clinic.models import Appointment, CarePlan, Intake, OutcomeScore, User
from clinic.outcomes.catalogue import registry
from clinic.services import first_visits_refresh, plan_facts_refresh, plan_outcomes_refresh
from devtools.bench_data.clinic import BenchContext

QUIET_AFTER = dt.timedelta(days=21)
REASONS = (("goals_met", 0.6), ("plateau", 0.2), ("patient_choice", 0.12), ("referred_on", 0.08))
BATCH = 10_000


def build(ctx: BenchContext) -> int:
    """Write the plans and link the appointments; returns how many plans."""
    rng = ctx.rng("care_plans")
    admin_id = User.objects.get(username="bench-admin").pk
    episodes: dict[tuple[int, int], list] = defaultdict(list)
    for visit in ctx.visits:
        episodes[(visit.patient_id, visit.intake_id)].append(visit)
    regions = dict(Intake.objects.values_list("id", "region"))
    baselines: dict[int, tuple[str, object]] = {}
    for intake_id, code, value in OutcomeScore.objects.filter(intake__isnull=False).values_list(
        "intake_id", "instrument", "value"
    ):
        measure = registry.find(code)
        if measure is not None and measure.regions and intake_id not in baselines:
            baselines[intake_id] = (code, value)
    latest = {}
    for patient_id, intake_id in episodes:
        first = episodes[(patient_id, intake_id)][0].start
        if patient_id not in latest or first > episodes[latest[patient_id]][0].start:
            latest[patient_id] = (patient_id, intake_id)

    writer = ctx.writer(
        CarePlan,
        ["id", "patient_id", "practitioner_id", "condition", "region", "goals", "measure",
         "baseline_score", "sessions_planned", "remeasure_every", "status",
         "discharge_reason", "discharged_on", "started_on", "created_by_id", "created_at"],
    )  # fmt: skip
    links: list[tuple[int, int]] = []
    for key, visits in episodes.items():
        visits.sort(key=lambda v: v.start)
        code, baseline = baselines.get(key[1], ("NPRS", None))
        region = regions.get(key[1]) or "low_back"
        held = [v for v in visits if v.status in Appointment.HOLDS_SLOT]
        last_day = (held or visits)[-1].local_date
        ongoing = last_day > ctx.today - QUIET_AFTER or any(
            v.start > ctx.now and v.status == Appointment.Status.BOOKED for v in visits
        )
        active = latest[key[0]] == key and (ongoing or rng.random() < 0.1)
        ims = sum(1 for v in visits if v.kind == "ims") or 1
        planned = min(ims, 40)
        reason = "" if active else _reason(rng)
        plan_id = writer.next_id()
        writer.add(
            plan_id, key[0], visits[0].practitioner_id, "Bench course", region,
            "Back to usual activities.", code, baseline, planned, min(4, planned),
            "active" if active else "discharged", reason,
            None if active else max(min(last_day, ctx.today), visits[0].local_date),
            visits[0].local_date,
            admin_id, ctx.now,
        )  # fmt: skip
        links.extend((v.id, plan_id) for v in visits)
    writer.flush()
    _link(links)
    # The clinic dashboard's precomputed facts (clinic.services.dashboard_facts) for every
    # visit and plan written in bulk above. Statistics first: the seed is one transaction,
    # so autovacuum has seen none of these rows, and without them PostgreSQL planned the
    # per-plan look-ups as bitmap scans of every completed visit (still running after 12
    # minutes; minutes with them).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE clinic_appointment, clinic_careplan, clinic_outcomescore")
    first_visits_refresh()
    plan_facts_refresh()
    plan_outcomes_refresh()
    return writer.written


def _reason(rng) -> str:
    roll, total = rng.random(), 0.0
    for reason, share in REASONS:
        total += share
        if roll < total:
            return reason
    return REASONS[0][0]


def _link(links: list[tuple[int, int]]) -> None:
    """appointment.plan_id for every (appointment, plan), a batch per statement."""
    if connection.vendor != "postgresql":
        by_plan: dict[int, list[int]] = defaultdict(list)
        for appointment_id, plan_id in links:
            by_plan[plan_id].append(appointment_id)
        for plan_id, ids in by_plan.items():
            Appointment.objects.filter(pk__in=ids).update(plan_id=plan_id)
        return
    table = connection.ops.quote_name(Appointment._meta.db_table)
    with connection.cursor() as cursor:
        for at in range(0, len(links), BATCH):
            batch = links[at : at + BATCH]
            values = ", ".join(["(%s, %s)"] * len(batch))
            cursor.execute(
                f"UPDATE {table} AS a SET plan_id = v.plan_id "  # noqa: S608 (our table)
                f"FROM (VALUES {values}) AS v(id, plan_id) WHERE a.id = v.id",
                [n for pair in batch for n in pair],
            )
