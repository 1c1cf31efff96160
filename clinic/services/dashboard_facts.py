"""Facts the clinic dashboard (clinic.selectors.dashboard) reads precomputed instead of
working them out per row at every view (issue 20): which visit was a patient's first
completed one (Appointment.first_visit), where a course's first appointment is
(CarePlan.first_location) and how many of its visits were completed
(CarePlan.completed_visits), the patient's latest visit and booking (whether the course
went quiet), whether a discharged course reached its measure's MCID
(CarePlan.reached_mcid), and the daily counts per practitioner and location of visits
(DashboardDay) and of courses started and ended (CourseDay).

The booking and status services call these after every write that can change them (a
visit completed, marked a no-show or cancelled, or no longer so; any visit booked or
moved, for the patient's latest visits; a visit of a plan booked, moved or completed),
discharge and scoring (a plan discharged, a score recorded); seed commands and direct
writes (the test factories' history rows) call them after writing in bulk. Each is two or three
UPDATE statements for the rows given, or for every row when given none (the backfill).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from clinic.models import (
    Appointment,
    CarePlan,
    ClinicPolicy,
    CourseDay,
    DashboardDay,
    OutcomeScore,
    Patient,
)
from clinic.outcomes.catalogue import registry
from clinic.outcomes.change import change_from_baseline
from clinic.selectors.scheduling import late_cancellation

COUNTED = (Appointment.Status.COMPLETED, Appointment.Status.NO_SHOW)
_DAY_LOCK = 20_020  # advisory lock namespace of a DashboardDay day (issue 20)
_COURSE_DAY_LOCK = 20_021  # ... and of a CourseDay day


# Each refresh is atomic on its own too: its locks (rows, advisory) last until the
# transaction ends, and a caller outside one (a test factory, a shell) must not see half
# the facts rewritten.
@transaction.atomic
def first_visits_refresh(
    patient_ids: Iterable[int] | None = None, *, also_days: Iterable[dt.date] = ()
) -> None:
    """Mark each patient's first completed visit (by start, then id) and unmark any other;
    then count again the days whose new patients changed, with `also_days` (one call, so
    the days are locked in one order). Given patients, their rows are locked first: two of
    a patient's visits completed at once mark one first visit, not two or none."""
    rows = Appointment.objects.all()
    first = (
        Appointment.objects.filter(patient_id=OuterRef("patient_id"), status="completed")
        .order_by("start", "pk")
        .values("pk")[:1]
    )
    if patient_ids is None:
        rows.filter(first_visit=True).update(first_visit=False)
        rows.filter(status="completed", pk=Subquery(first)).update(first_visit=True)
        dashboard_days_refresh()
        return
    patient_ids = sorted(set(patient_ids))
    list(Patient.objects.select_for_update().filter(pk__in=patient_ids).order_by("pk").values("pk"))
    rows = rows.filter(patient_id__in=patient_ids)
    days = set(also_days) | set(rows.filter(first_visit=True).values_list("local_date", flat=True))
    rows.filter(first_visit=True).update(first_visit=False)
    rows.filter(status="completed", pk=Subquery(first)).update(first_visit=True)
    days |= set(rows.filter(first_visit=True).values_list("local_date", flat=True))
    dashboard_days_refresh(days)


@transaction.atomic
def dashboard_days_refresh(days: Iterable[dt.date] | None = None) -> None:
    """Count again the DashboardDay rows of these clinic-local days (every day: None) from
    the appointments. On PostgreSQL each day is locked first (an advisory lock until the
    transaction ends), so two visits of one day completed at once count one after the
    other instead of both replacing the day's rows from what each saw."""
    rows = Appointment.objects.filter(status__in=(*COUNTED, Appointment.Status.CANCELLED))
    old = DashboardDay.objects.all()
    if days is not None:
        days = sorted(set(days))
        if not days:
            return
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for day in days:
                    cursor.execute(
                        "SELECT pg_advisory_xact_lock(%s, %s)", [_DAY_LOCK, day.toordinal()]
                    )
        rows = rows.filter(local_date__in=days)
        old = old.filter(day__in=days)
    completed = Q(status=Appointment.Status.COMPLETED)
    late = late_cancellation(ClinicPolicy.current().cancellation_notice_hours)
    counted = (
        rows.order_by()
        .values("local_date", "practitioner_id", "location_id")
        .annotate(
            visits=Count("pk", filter=completed),
            no_shows=Count("pk", filter=Q(status=Appointment.Status.NO_SHOW)),
            new_patients=Count("pk", filter=completed & Q(first_visit=True)),
            late_cancels=Count("pk", filter=late),
        )
        .exclude(visits=0, no_shows=0, late_cancels=0)  # cancelled in time only: no row
    )
    old.delete()
    DashboardDay.objects.bulk_create(
        (
            DashboardDay(
                day=found["local_date"],
                practitioner_id=found["practitioner_id"],
                location_id=found["location_id"],
                visits=found["visits"],
                no_shows=found["no_shows"],
                new_patients=found["new_patients"],
                late_cancels=found["late_cancels"],
            )
            for found in counted
        ),
        batch_size=2000,
    )


@transaction.atomic
def plan_facts_refresh(
    plan_ids: Iterable[int] | None = None, *, recount_courses: bool = True
) -> None:
    """Set each plan's first_location from its first appointment (empty without one) and
    its completed_visits; their patients' latest visits too (plan_activity_refresh)."""
    plans = CarePlan.objects.all()
    if plan_ids is not None:
        plans = plans.filter(pk__in=list(plan_ids))
    plan_activity_refresh(None if plan_ids is None else plans.values_list("patient_id", flat=True))
    visits = Appointment.objects.filter(plan_id=OuterRef("pk"))
    days = None if plan_ids is None else _plan_days(plans)
    plans.update(
        first_location=Subquery(visits.order_by("start", "pk").values("location_id")[:1]),
        completed_visits=Coalesce(
            Subquery(
                visits.filter(status="completed")
                .order_by()
                .values("plan_id")
                .annotate(n=Count("plan_id"))
                .values("n")
            ),
            Value(0),
        ),
    )
    if recount_courses:
        course_days_refresh(days)


@transaction.atomic
def plan_activity_refresh(patient_ids: Iterable[int] | None = None) -> None:
    """Set the patient's latest completed visit and latest booked-or-kept visit start on
    each plan of these patients (every plan: None), for the dashboard's "went quiet"
    (CarePlan.patient_last_visit, patient_last_booking)."""
    plans = CarePlan.objects.all()
    if patient_ids is not None:
        patient_ids = sorted(set(patient_ids))
        if not patient_ids:
            return
        plans = plans.filter(patient_id__in=patient_ids)
    theirs = Appointment.objects.filter(patient_id=OuterRef("patient_id")).order_by("-start")
    kept = (Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN, Appointment.Status.COMPLETED)
    plans.update(
        patient_last_visit=Subquery(
            theirs.filter(status=Appointment.Status.COMPLETED).values("start")[:1]
        ),
        patient_last_booking=Subquery(theirs.filter(status__in=kept).values("start")[:1]),
    )


@transaction.atomic
def plan_outcomes_refresh(
    plan_ids: Iterable[int] | None = None, *, patient_id: int | None = None
) -> None:
    """Judge each discharged plan (these, the patient's, or every one when given neither)
    on its measure: `reached_mcid` is whether the latest score recorded between its start
    and its discharge improved on the baseline by at least the MCID, read by
    clinic.outcomes.change_from_baseline (the MCIDs and their published sources are in the
    measure modules, clinic/outcomes/measures/); empty when it cannot be judged (no
    baseline, no score in the course, a measure without a published MCID) and for plans
    not discharged. At seed_bench scale, reading the latest score per discharged plan at
    every dashboard view cost 48 ms of it (issue 20); it is judged once here instead."""
    plans = CarePlan.objects.order_by()
    if plan_ids is not None:
        plan_ids = list(plan_ids)
        if not plan_ids:
            return
        plans = plans.filter(pk__in=plan_ids)
    if patient_id is not None:
        plans = plans.filter(patient_id=patient_id)
    in_course = OutcomeScore.objects.filter(
        patient_id=OuterRef("patient_id"),
        instrument=OuterRef("measure"),
        recorded_at__date__gte=OuterRef("started_on"),
        recorded_at__date__lte=OuterRef("discharged_on"),
    )
    verdicts: dict[bool | None, list[int]] = {True: [], False: [], None: []}
    judged = plans.filter(status=CarePlan.Status.DISCHARGED, baseline_score__isnull=False)
    for pk, measure, baseline, latest in judged.annotate(
        latest=Subquery(in_course.order_by("-recorded_at", "-pk").values("value")[:1])
    ).values_list("pk", "measure", "baseline_score", "latest"):
        known = registry.find(measure)
        verdict = None
        if latest is not None and known is not None and known.mcid is not None:
            verdict = change_from_baseline(measure, baseline, latest).reaches_mcid
        verdicts[verdict].append(pk)
    unjudged = plans.exclude(pk__in=judged.values("pk")).exclude(reached_mcid=None)
    unjudged.update(reached_mcid=None)
    for verdict, pks in verdicts.items():
        for at in range(0, len(pks), 5000):  # SQLite's limit on parameters
            plans.filter(pk__in=pks[at : at + 5000]).update(reached_mcid=verdict)
    course_days_refresh(None if plan_ids is None and patient_id is None else _plan_days(plans))


def _plan_days(plans) -> set[dt.date]:
    """The days on which these plans count in CourseDay: started and discharged."""
    days = set()
    for started, discharged in plans.values_list("started_on", "discharged_on"):
        days.add(started)
        if discharged is not None:
            days.add(discharged)
    return days


@transaction.atomic
def course_days_refresh(days: Iterable[dt.date] | None = None) -> None:
    """Count again the CourseDay rows of these days (every day: None) from the plans:
    courses started on each day, and those discharged on it (completed, dropped at the
    patient's choice, completed visits of the completed ones, MCID verdicts). Each day is
    locked first on PostgreSQL, as dashboard_days_refresh does."""
    plans = CarePlan.objects.order_by()
    old = CourseDay.objects.all()
    if days is not None:
        days = sorted(set(days))
        if not days:
            return
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for day in days:
                    cursor.execute(
                        "SELECT pg_advisory_xact_lock(%s, %s)",
                        [_COURSE_DAY_LOCK, day.toordinal()],
                    )
        old = old.filter(day__in=days)
    counted: dict[tuple, CourseDay] = {}

    def row(day, practitioner_id, location_id) -> CourseDay:
        key = (day, practitioner_id, location_id)
        if key not in counted:
            counted[key] = CourseDay(
                day=day, practitioner_id=practitioner_id, location_id=location_id
            )
        return counted[key]

    started = plans if days is None else plans.filter(started_on__in=days)
    for found in started.values("started_on", "practitioner_id", "first_location_id").annotate(
        n=Count("pk")
    ):
        row(
            found["started_on"], found["practitioner_id"], found["first_location_id"]
        ).started = found["n"]
    ended = plans.filter(status=CarePlan.Status.DISCHARGED)
    if days is not None:
        ended = ended.filter(discharged_on__in=days)
    by_choice = Q(discharge_reason=CarePlan.DischargeReason.PATIENT_CHOICE)
    for found in ended.values("discharged_on", "practitioner_id", "first_location_id").annotate(
        completed=Count("pk", filter=~by_choice),
        dropped=Count("pk", filter=by_choice),
        sessions=Sum("completed_visits", filter=~by_choice),
        measured=Count("pk", filter=Q(reached_mcid__isnull=False)),
        reached=Count("pk", filter=Q(reached_mcid=True)),
    ):
        target = row(found["discharged_on"], found["practitioner_id"], found["first_location_id"])
        target.completed = found["completed"]
        target.dropped = found["dropped"]
        target.completed_sessions = found["sessions"] or 0
        target.measured = found["measured"]
        target.reached_mcid = found["reached"]
    old.delete()
    CourseDay.objects.bulk_create(counted.values(), batch_size=2000)


@transaction.atomic
def dashboard_facts_rebuild() -> None:
    """Every fact again from the rows (nightly, beat): a safety net for a write that went
    around the services (the Django admin, a shell, a restore of part of the data), which
    the per-write refreshes above cannot see."""
    first_visits_refresh()
    plan_facts_refresh(recount_courses=False)  # plan_outcomes_refresh() recounts them all
    plan_outcomes_refresh()
