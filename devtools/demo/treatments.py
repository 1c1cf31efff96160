"""Demo treatment records: a needling credential for every demo physiotherapist and, for
each demo patient with a signed assessment, a weekly course of 4-8 signed IMS sessions at
the assessment's suggested muscles, with pain falling over the course and an adverse event
on a few, each course under an active plan of care written before its first session (so
the sessions join it and the chart shows "Visit N of M"). Written through the services (so
every signing check runs); a patient who already has sessions is left alone, and a
patient who already has a plan gets no second one."""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments.models import Assessment
from assessments.selectors import assessment_detail, segmental_summary
from clinic import outcomes
from clinic import services as clinic_services
from clinic.models import (
    Appointment,
    AppointmentType,
    CarePlan,
    Intake,
    Patient,
    Practitioner,
    User,
)
from clinic.selectors import ims_next_eligible, needling_readiness
from treatments import services
from treatments.models import (
    AdverseEvent,
    HomeCareSnippet,
    NeedleSize,
    NeedlingCredential,
    NeedlingSite,
)

LABEL = "IMS sessions"  # how seed_demo counts what build() made

EVENTS = [
    ("soreness", "mild", "Explained it is expected; heat and movement advised.", ""),
    ("bruising", "mild", "Pressure for one minute.", "Check at next visit."),
    (
        "vasovagal",
        "moderate",
        "Lay patient flat, legs raised; recovered in 5 minutes.",
        "Treat lying down next time.",
    ),  # fmt: skip
]


def build(*, users: dict[str, User], patients: list[Patient]) -> int:
    today = timezone.localdate()
    for practitioner in Practitioner.objects.all():
        NeedlingCredential.objects.get_or_create(
            practitioner=practitioner,
            defaults={
                "college": "College of Physical Therapists of British Columbia",
                "roster_number": f"DN-{4100 + practitioner.pk}",
                "valid_from": today - dt.timedelta(days=400),
                "expires_on": today + dt.timedelta(days=330),
            },
        )
    rng = random.Random(7)  # noqa: S311 (demo data, the same every time)
    needle = NeedleSize.objects.filter(active=True).order_by("diameter_mm", "length_mm")[10]
    advice = list(HomeCareSnippet.objects.filter(active=True)[:3])
    created = 0
    for patient in patients:
        if patient.treatment_sessions.exists():
            continue
        signed = (
            Assessment.objects.filter(patient=patient, status=Assessment.Status.SIGNED)
            .select_related("practitioner__user")
            .first()
        )
        if signed is None:
            continue
        summary = segmental_summary(assessment_detail(signed.pk))
        if not summary:
            continue
        count = rng.randint(4, 8)
        if patient.user_id:
            count = 10  # the portal demo patient: a full course, for course summaries too
        first = today - dt.timedelta(days=28 + 7 * count)
        _plan_demo(patient, signed.practitioner, started_on=first, sessions=count)
        for number in range(count):
            created += 1
            signed_ok = _session(
                patient=patient,
                practitioner=signed.practitioner,
                summary=summary,
                day=first + dt.timedelta(days=7 * number),
                number=number,
                count=count,
                needle=needle,
                advice=advice,
                rng=rng,
            )
            if not signed_ok:
                break  # blocked (stale consent, uncleared contraindication): one draft shows why
    created += _notes_owed_demo(users, needle=needle, advice=advice, rng=rng)
    return created


def _plan_demo(
    patient: Patient, practitioner: Practitioner, *, started_on: dt.date, sessions: int
) -> None:
    """An active plan of care for a demo course, unless the patient has a plan already:
    the region and measure of their intake (else the neck and NDI), eight sessions (two
    more than a longer course has had, so it is still under way), re-measured every four;
    the first demo course is twice weekly for its first two weeks, with its reason."""
    if CarePlan.objects.filter(patient=patient).exists():
        return
    intake = Intake.objects.filter(patient=patient).exclude(region="").order_by("-pk").first()
    region = intake.region if intake else "neck"
    measure = next(
        (m.code for m in outcomes.registry.measures_for_region(region) if m.instrument), "NDI"
    )
    twice = not CarePlan.objects.exists()
    plan = clinic_services.care_plan_create(
        patient=patient,
        practitioner=practitioner,
        by=practitioner.user,
        condition=f"{dict(outcomes.registry.region_choices()).get(region, 'Neck')} pain",
        region=region,
        goals="Back to work and sleep through the night without pain.",
        measure=measure,
        sessions_planned=max(8, sessions + 2),
        frequency=CarePlan.Frequency.TWICE_WEEKLY_START if twice else CarePlan.Frequency.WEEKLY,
        frequency_reason="Severe guarding at the assessment: two visits a week to settle it."
        if twice
        else "",
        remeasure_every=4,
        started_on=started_on,
    )
    # The course's visits so far belong to it, as if booked from the plan: the chart counts
    # "visit N of M" from them and the dashboard places the course at their location
    # (seed_demo counts the plans' facts again at the end).
    Appointment.objects.filter(
        patient=patient, plan__isnull=True, local_date__gte=started_on
    ).update(plan=plan)


def _notes_owed_demo(users, *, needle, advice, rng) -> int:
    """The demo physio's "Notes to finish" shows every shape: of their completed IMS visits
    (written by clinic's demo schedule, none with a note), one gets a signed note (not
    listed), the latest a note left as a draft (listed as a draft), and the rest stay
    without a note (listed as "No note"); their draft assessment comes from the assessments
    demo. The schedule's last three days may hold too few such visits (a weekend, a Monday
    morning): earlier ones are then written as history, as clinic's demo writes the past.
    Idempotent: nothing happens once the demo physio has a note linked to a visit."""
    practitioner = Practitioner.objects.filter(user=users.get("physio")).first()
    if (
        practitioner is None
        or practitioner.treatment_sessions.filter(appointment__isnull=False).exists()
    ):
        return 0
    visits = list(
        Appointment.objects.filter(
            practitioner=practitioner,
            is_ims=True,
            status=Appointment.Status.COMPLETED,
            treatment_session__isnull=True,
        )
        .select_related("patient")
        .order_by("start")
    )
    ready = [visit for visit in visits if _signable(visit.patient)]
    day = timezone.localdate() - dt.timedelta(days=4)
    # Not within a week of the demo courses' last sessions (five weeks back or more).
    while (not ready or len(visits) < 3) and day > timezone.localdate() - dt.timedelta(days=27):
        visit = _past_ims_visit(practitioner, day, desk=users["frontdesk"])
        if visit is not None:
            visits.insert(0, visit)
            ready.insert(0, visit)
        day -= dt.timedelta(days=1)
    if not ready or len(visits) < 3:
        return 0
    signed_visit = ready[0]
    draft_visit = next(visit for visit in reversed(visits) if visit != signed_visit)
    assessment = Assessment.objects.filter(
        patient=signed_visit.patient, status=Assessment.Status.SIGNED
    ).first()
    _session(
        patient=signed_visit.patient,
        practitioner=practitioner,
        summary=segmental_summary(assessment_detail(assessment.pk)),
        day=signed_visit.local_date,
        number=3,
        count=8,
        needle=needle,
        advice=advice,
        rng=rng,
        appointment=signed_visit,
    )
    draft = services.session_start(
        patient=draft_visit.patient, practitioner=practitioner, appointment=draft_visit
    )
    services.session_update(session=draft, by=practitioner.user, nprs_before=6)
    return 2


def _signable(patient: Patient) -> bool:
    """Consent, screening and a signed assessment: a session note for them can be signed."""
    return (
        needling_readiness(patient).ready
        and patient.assessments.filter(status=Assessment.Status.SIGNED).exists()
    )


def _past_ims_visit(practitioner: Practitioner, day: dt.date, *, desk: User) -> Appointment | None:
    """A completed IMS visit at 07:00 on `day` (before the demo clinic opens, so it clashes
    with nothing) for a patient whose note could be signed and whose IMS spacing allows
    that day; None if no patient fits."""
    for patient in Patient.objects.order_by("pk"):
        if ims_next_eligible(patient, on_or_after=day) != day or not _signable(patient):
            continue
        kind = AppointmentType.objects.get(name="IMS treatment")
        start = dt.datetime.combine(day, dt.time(7), tzinfo=timezone.get_current_timezone())
        return Appointment.objects.create(
            patient=patient,
            practitioner=practitioner,
            location=practitioner.locations.first(),
            type=kind,
            start=start,
            end=start + kind.duration,
            is_ims=True,
            local_date=day,
            status=Appointment.Status.COMPLETED,
            completed_at=start + kind.duration,
            booked_by=desk,
        )
    return None


def _session(
    *, patient, practitioner, summary, day, number, count, needle, advice, rng, appointment=None
) -> bool:
    user = practitioner.user
    session = services.session_start(
        patient=patient, practitioner=practitioner, appointment=appointment
    )
    sites = 0
    for entry in summary:
        for muscle in [*entry.paraspinal_muscles[:1], *entry.peripheral_muscles[:2]]:
            if muscle.chest_wall and rng.random() < 0.5:
                continue
            services.part_save(
                session=session,
                by=user,
                part=NeedlingSite(
                    muscle=muscle,
                    side="B" if muscle.is_paraspinal else "R",
                    segment=entry.segment,
                    region=muscle.kind,
                    needle=needle,
                    technique="in_out",
                    insertions=rng.randint(2, 6),
                    twitch=rng.choice(["small", "large", "large"]),
                    response_ache=True,
                    response_cramp=rng.random() < 0.4,
                    response_referred=rng.random() < 0.2,
                    released=rng.random() < 0.8,
                    pneumothorax_acknowledged=muscle.chest_wall,
                    # Over the chest wall: a shallow depth, paraspinals angled medially
                    # onto the lamina, others tangential in a pincer grip.
                    needle_depth_mm=(15 if muscle.is_paraspinal else 12)
                    if muscle.chest_wall
                    else None,
                    needle_direction=("medial" if muscle.is_paraspinal else "tangential")
                    if muscle.chest_wall
                    else "",
                ),
            )
            sites += 1
    before = max(2, 7 - number + rng.randint(-1, 1))
    services.session_update(
        session=session,
        by=user,
        session_date=day,
        rescreen_medication=False,
        rescreen_pregnancy=False,
        rescreen_conditions=False,
        rescreen_contraindication=False,
        rescreen_acutely_unwell=False,
        nprs_before=before,
        nprs_after=max(0, before - rng.randint(1, 3)),
        needles_opened=sites,
        needles_removed=sites,
        needles_disposed=sites,
        needle_integrity_checked=True,
        home_care=advice,
        plan="Continue weekly IMS at the involved segments; review at session "
        f"{min(count, number + 3)}.",
        next_visit_on=day + dt.timedelta(days=7),
    )
    if session.needled_both_sides_of_thorax:
        services.session_update(
            session=session,
            by=user,
            bilateral_thorax_reason="Signs at the same thoracic level on both sides; "
            "patient briefed on breathlessness and observed for 20 minutes.",
        )
    try:
        services.session_sign(session=session, by=user)
    except ValidationError:
        return False  # left as a draft: the demo shows one that cannot be signed yet
    if number % 3 == 1:
        kind, severity, action, follow_up = EVENTS[(patient.pk + number) % len(EVENTS)]
        services.adverse_event_record(
            session=session,
            by=user,
            event=AdverseEvent(
                kind=kind,
                severity=severity,
                occurred_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10, 40))),
                action_taken=action,
                follow_up=follow_up,
            ),
        )
    return True
