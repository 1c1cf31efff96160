"""Benchmark data for treatments (`manage.py seed_bench`, see devtools.bench_data.clinic): needling
credentials, one IMS session per attended IMS visit (signed; a draft for a visit in progress)
with its needling sites, range re-tests and home-care advice, then adverse events, a few
addenda, and the visit summary rows (ready or pending; no PDF files are written).

Each session is what `session_sign` would accept: current consent (devtools.bench_data.clinic signs
it at the first visit), a credential valid that day, re-screen answered, needles opened =
removed = disposed with integrity checked, a pain score, sites whose muscle is supplied by
the site's segment and of its region, the pneumothorax precaution acknowledged over the
chest wall, and IMS visits spaced as the front office booked them. Sessions are written as
drafts, their sites added, then signed in one UPDATE: on PostgreSQL a trigger refuses sites
of a signed session.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from assessments.models import JOINT_MOVEMENTS, MuscleInnervation, Region, Segment
from assessments.models.assessment import SPINAL_JOINTS
from devtools.bench_data.assessments import REGION_JOINTS, SHARED_KEY, involved_segments
from devtools.bench_data.clinic import BenchContext, uuid_from
from treatments.models import (
    AdverseEvent,
    DocumentStatus,
    HomeCareSnippet,
    NeedleSize,
    NeedlingCredential,
    NeedlingSite,
    RomRetest,
    SessionAddendum,
    TreatmentSession,
    VisitSummary,
)

KEEP_ON_RESET = ("treatments.NeedleSize", "treatments.HomeCareSnippet")

# Needle lengths (mm) by body region: short for the neck and hands, long for the buttock.
LENGTHS = {
    "head_neck": (25, 30, 40),
    "forearm_hand": (15, 25, 30),
    "foot": (15, 25, 30),
    "hip": (60, 75, 100),
    "low_back": (50, 60, 75),
    "thigh": (50, 60, 75),
}
DEFAULT_LENGTHS = (30, 40, 50)
PLANS = (
    "Continue weekly IMS at the involved segments; review at the next visit.",
    "IMS every 1-2 weeks; progress the home exercises.",
    "Reassess the segments next visit; consider spacing sessions out.",
)
EVENTS = (
    ("soreness", "mild", "Explained it is expected; heat and movement advised.", ""),
    ("bruising", "mild", "Pressure for one minute.", "Check at next visit."),
    ("drowsiness", "mild", "Rested 15 minutes before driving.", ""),
    ("vasovagal", "moderate", "Lay patient flat, legs raised; recovered in 5 minutes.",
     "Treat lying down next time."),
)  # fmt: skip


def build(ctx: BenchContext) -> None:
    rng = ctx.rng("treatments")
    _credentials(ctx)
    segments = dict(Segment.objects.values_list("code", "id"))
    supplied: dict[int, list[tuple[int, str, bool, str]]] = defaultdict(list)
    for row in MuscleInnervation.objects.filter(muscle__active=True).values_list(
        "segment_id", "muscle_id", "muscle__kind", "muscle__chest_wall", "muscle__body_region"
    ):
        supplied[row[0]].append(row[1:])
    needles = defaultdict(list)
    for pk, length in NeedleSize.objects.filter(active=True).values_list("pk", "length_mm"):
        needles[length].append(pk)
    any_needle = [pk for pks in needles.values() for pk in pks]
    advice = list(HomeCareSnippet.objects.filter(active=True).values_list("pk", flat=True))
    users = {p.id: p.user_id for p in ctx.practitioners}
    patients = {p.id: p for p in ctx.patients}
    assessments = ctx.shared.get(SHARED_KEY, {})

    session_w = ctx.writer(
        TreatmentSession,
        [
            "id", "patient_id", "practitioner_id", "appointment_id", "assessment_id",
            "session_date", "rescreen_medication", "rescreen_pregnancy", "rescreen_conditions",
            "rescreen_contraindication", "rescreen_acutely_unwell", "nprs_before", "nprs_after",
            "needles_opened",
            "needles_removed", "needles_disposed", "needle_integrity_checked", "plan",
            "next_visit_on", "status", "created_at", "updated_at", "signed_at", "signed_by_id",
        ],
    )  # fmt: skip
    site_w = ctx.writer(
        NeedlingSite,
        [
            "session_id", "muscle_id", "side", "segment_id", "region", "needle_id",
            "technique", "retained_minutes", "estim_frequency_hz", "estim_intensity",
            "insertions", "twitch", "response_ache", "response_cramp", "response_referred",
            "released", "pneumothorax_acknowledged", "needle_depth_mm", "needle_direction",
            "created_at",
        ],
    )  # fmt: skip
    retest_w = ctx.writer(
        RomRetest, ["session_id", "joint", "movement", "side", "before_degrees", "after_degrees"]
    )
    advice_w = ctx.writer(
        TreatmentSession.home_care.through, ["treatmentsession_id", "homecaresnippet_id"]
    )

    signed: list[tuple[int, dt.datetime, int]] = []  # session, signed at, practitioner
    course: dict[int, int] = defaultdict(int)  # intake (episode) -> IMS sessions so far
    choices: dict[tuple[int, ...], list[tuple]] = {}  # segments -> (segment, muscle, ...)
    for visit in ctx.visits:
        if visit.kind != "ims" or visit.status not in ("completed", "checked_in"):
            continue
        patient = patients[visit.patient_id]
        peripheral_sides = (patient.side, patient.side, patient.side, "B")
        assessment_id, segment_ids = _assessment_on(assessments.get(patient.id), visit.local_date)
        if not segment_ids:
            codes = involved_segments(ctx, patient.id, patient.region, 0)
            segment_ids = [segments[code] for code in codes if code in segments]
        session_id = session_w.next_id()
        number = course[visit.intake_id]
        course[visit.intake_id] += 1
        before = max(1, min(10, 7 - number // 2 + rng.randint(-1, 1)))
        done = visit.status == "completed"
        signed_at = min(ctx.now, visit.end + dt.timedelta(minutes=rng.randint(5, 120)))
        key = tuple(segment_ids)
        candidates = choices.get(key)
        if candidates is None:
            candidates = choices[key] = [(s, *m) for s in segment_ids for m in supplied[s]]
        count = rng.randint(5, 12)
        for _ in range(count):
            segment_id, muscle_id, kind, chest_wall, body_region = rng.choice(candidates)
            technique = rng.choices(("in_out", "retained", "electrical"), (85, 10, 5))[0]
            length = rng.choice(LENGTHS.get(body_region, DEFAULT_LENGTHS))
            electrical = technique == "electrical"
            # Over the chest wall: the patient's side only (never both sides of the thorax
            # in one session), with the depth and direction signing asks for.
            if chest_wall:
                side = patient.side
            else:
                side = rng.choice("LRBM" if kind == Region.PARASPINAL else peripheral_sides)
            site_w.add(
                session_id,
                muscle_id,
                side,
                segment_id,
                kind,
                rng.choice(needles.get(length) or any_needle),
                technique,
                rng.randint(5, 20) if technique != "in_out" else None,
                Decimal(rng.choice(("2.0", "4.0", "10.0"))) if electrical else None,
                "to comfortable tapping" if electrical else "",
                rng.randint(1, 8),
                rng.choices(("none", "small", "large"), (15, 45, 40))[0],
                rng.random() < 0.8,
                rng.random() < 0.4,
                rng.random() < 0.2,
                rng.random() < 0.75,
                chest_wall,
                rng.randint(8, 30) if chest_wall else None,
                NeedlingSite.Direction.TANGENTIAL if chest_wall else "",
                visit.start,
            )
        if rng.random() < 0.3:
            joint = rng.choice(REGION_JOINTS[patient.region])
            first = rng.randint(20, 120)
            retest_w.add(
                session_id,
                joint,
                rng.choice(JOINT_MOVEMENTS[joint]),
                rng.choice("LRM") if joint in SPINAL_JOINTS else patient.side,
                first,
                min(360, first + rng.randint(0, 25)),
            )
        for snippet in rng.sample(advice, k=min(len(advice), rng.randint(1, 3))):
            advice_w.add(session_id, snippet)
        session_w.add(
            session_id,
            patient.id,
            visit.practitioner_id,
            visit.id,
            assessment_id,
            visit.local_date,
            False,
            False,
            False,
            False,
            False,
            before,
            max(0, before - rng.randint(1, 3)) if done else None,
            count,
            count,
            count,
            True,
            rng.choice(PLANS),
            visit.local_date + dt.timedelta(days=rng.randint(7, 14)),
            TreatmentSession.Status.DRAFT,
            visit.start,
            signed_at if done else ctx.now,
            signed_at if done else None,
            users[visit.practitioner_id] if done else None,
        )
        if done:
            signed.append((session_id, signed_at, visit.practitioner_id))

    for writer in (session_w, site_w, retest_w, advice_w):
        writer.flush()
    # Sign them all, as session_sign does once the note is complete.
    TreatmentSession.objects.filter(
        status=TreatmentSession.Status.DRAFT, signed_at__isnull=False, pk__gte=session_w.first_id
    ).update(status=TreatmentSession.Status.SIGNED)
    _after_signing(ctx, rng, signed, users)


def _assessment_on(rows, day: dt.date) -> tuple[int | None, list[int]]:
    """The patient's latest assessment on or before `day`, and its segments."""
    if not rows:
        return None, []
    index = bisect.bisect_right([row[0] for row in rows], day) - 1
    if index < 0:
        return None, []
    return rows[index][1], rows[index][2]


def _credentials(ctx: BenchContext) -> None:
    """Each physiotherapist's roster registration, renewed once during the two years."""
    renewal = ctx.first_day + dt.timedelta(days=300)
    NeedlingCredential.objects.bulk_create(
        NeedlingCredential(
            practitioner_id=p.id,
            college="College of Physical Therapists of British Columbia",
            roster_number=f"DN-{5000 + n}",
            valid_from=start,
            expires_on=end,
        )
        for n, p in enumerate(ctx.practitioners)
        for start, end in (
            (ctx.first_day - dt.timedelta(days=65), renewal),
            (renewal - dt.timedelta(days=30), ctx.today + dt.timedelta(days=400)),
        )
    )


def _after_signing(ctx: BenchContext, rng, signed, users) -> None:
    """Adverse events (added after signing, as the app allows), a few addenda, and the
    visit summaries: version 1 of each, a second version after an addendum."""
    event_w = ctx.writer(
        AdverseEvent,
        ["session_id", "kind", "severity", "occurred_at", "description", "action_taken",
         "follow_up", "recorded_by_id", "recorded_at", "admin_notified_at"],
    )  # fmt: skip
    addendum_w = ctx.writer(SessionAddendum, ["session_id", "author_id", "created_at", "text"])
    summary_w = ctx.writer(
        VisitSummary,
        ["token", "status", "file", "attempts", "created_at", "queued_at", "rendered_at",
         "render_seconds", "session_id", "version", "reason", "patient_notified_at"],
    )  # fmt: skip
    recent = ctx.now - dt.timedelta(days=2)

    def summary(session_id, at, version, reason) -> None:
        token = uuid_from(rng)
        if at > recent and rng.random() < 0.5:  # the worker has not got to it yet
            summary_w.add(
                token, DocumentStatus.PENDING, "", 0, at, at, None, None, session_id, version,
                reason, None,
            )  # fmt: skip
            return
        rendered = min(ctx.now, at + dt.timedelta(seconds=rng.randint(2, 40)))
        summary_w.add(
            token, DocumentStatus.READY, f"visit-summaries/{at:%Y/%m}/{token}.pdf", 1, at, at,
            rendered, round(rng.uniform(0.4, 2.5), 2), session_id, version, reason, rendered,
        )  # fmt: skip

    for session_id, signed_at, practitioner_id in signed:
        user_id = users[practitioner_id]
        summary(session_id, signed_at, 1, "Session signed")
        if rng.random() < 0.04:
            kind, severity, action, follow_up = rng.choice(EVENTS)
            occurred = signed_at - dt.timedelta(minutes=rng.randint(10, 40))
            event_w.add(
                session_id, kind, severity, occurred, "", action, follow_up, user_id,
                signed_at, signed_at if severity != "mild" else None,
            )  # fmt: skip
        if rng.random() < 0.01:
            written = min(ctx.now, signed_at + dt.timedelta(hours=rng.randint(1, 72)))
            addendum_w.add(
                session_id, user_id, written, "Patient reported next-day soreness settled."
            )
            summary(session_id, written, 2, "Addendum added")
    for writer in (event_w, addendum_w, summary_w):
        writer.flush()
