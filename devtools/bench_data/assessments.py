"""Benchmark data for assessments (`manage.py seed_bench`, see devtools.bench_data.clinic):
one signed Gunn assessment, with sign findings, taut bands and ranges of motion, for every attended
initial assessment visit.

Every finding is one the entry form would accept (the sign's own test, a muscle supplied by
the segment and of the finding's region, sides each muscle allows). Assessments are written
as drafts, their findings added, and then signed in one UPDATE: on PostgreSQL a trigger
refuses findings of a signed assessment, and this is the order the app itself follows.

For treatments, `ctx.shared[SHARED_KEY]` maps each patient to their assessments as
(date, assessment id, segment ids) in date order.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from assessments.models import (
    JOINT_MOVEMENTS,
    Assessment,
    MuscleInnervation,
    RangeOfMotion,
    Region,
    Segment,
    Sign,
    SignFinding,
    TautBand,
)
from assessments.models.assessment import SPINAL_JOINTS
from devtools.bench_data.clinic import MARKS, BenchContext

SHARED_KEY = "assessments"
KEEP_ON_RESET = (
    "assessments.Segment",
    "assessments.Muscle",
    "assessments.MuscleInnervation",
    "assessments.SignTest",
    "assessments.Sign",
)

# The segments an intake region usually involves (two or three adjacent ones are chosen).
REGION_SEGMENTS = {
    "neck": ("C3", "C4", "C5", "C6", "C7"),
    "upper_limb": ("C5", "C6", "C7", "C8", "T1"),
    "low_back": ("L2", "L3", "L4", "L5", "S1"),
    "lower_limb": ("L3", "L4", "L5", "S1", "S2"),
}
REGION_JOINTS = {
    "neck": ("cervical", "shoulder"),
    "upper_limb": ("shoulder", "elbow", "wrist", "forearm"),
    "low_back": ("lumbar", "hip"),
    "lower_limb": ("hip", "knee", "ankle"),
}
POSTURE = (
    "Forward head, shoulders protracted.",
    "Flattened lumbar lordosis; shifts weight off the affected leg.",
    "Guarded posture of the affected arm.",
    "Mild scoliosis, convex to the right.",
)
MOVEMENT = (
    "Flexion limited by pain at end of range.",
    "Rotation towards the affected side reproduces the pain.",
    "Resisted movement reproduces the familiar pain.",
)


def involved_segments(ctx: BenchContext, patient_id: int, region: str, episode: int) -> list[str]:
    """Two or three adjacent segment codes for one episode of a patient."""
    rng = ctx.rng(f"segments:{patient_id}:{episode}")
    codes = REGION_SEGMENTS[region]
    size = rng.choice((2, 2, 3))
    first = rng.randrange(len(codes) - size + 1)
    return list(codes[first : first + size])


def build(ctx: BenchContext) -> None:
    rng = ctx.rng("assessments")
    segments = dict(Segment.objects.values_list("code", "id"))
    supplied: dict[int, list[tuple[int, str]]] = defaultdict(list)  # segment -> (muscle, kind)
    for muscle_id, segment_id, kind in MuscleInnervation.objects.filter(
        muscle__active=True
    ).values_list("muscle_id", "segment_id", "muscle__kind"):
        supplied[segment_id].append((muscle_id, kind))
    signs = [
        (sign.pk, sign.needs_muscle, [test.pk for test in sign.tests.all()])
        for sign in Sign.objects.filter(active=True).prefetch_related("tests")
    ]
    signs = [sign for sign in signs if sign[2]]
    plain_signs = [sign for sign in signs if not sign[1]]
    users = {p.id: p.user_id for p in ctx.practitioners}
    patients = {p.id: p for p in ctx.patients}

    assessment_w = ctx.writer(
        Assessment,
        [
            "id", "patient_id", "practitioner_id", "appointment_id", "intake_id",
            "assessed_on", "chief_complaint", "posture", "movement", "impression",
            "body_marks", "status", "created_at", "updated_at", "signed_at", "signed_by_id",
        ],
    )  # fmt: skip
    sign_w = ctx.writer(
        SignFinding,
        ["assessment_id", "sign_id", "test_id", "side", "segment_id", "region", "muscle_id",
         "severity", "note", "created_at"],
    )  # fmt: skip
    band_w = ctx.writer(
        TautBand,
        ["assessment_id", "muscle_id", "side", "tenderness", "twitch", "note", "created_at"],
    )
    range_w = ctx.writer(
        RangeOfMotion,
        ["assessment_id", "joint", "movement", "side", "degrees", "percent_of_normal",
         "painful", "note", "created_at"],
    )  # fmt: skip

    shared: dict[int, list[tuple[dt.date, int, list[int]]]] = defaultdict(list)
    episodes: dict[int, int] = defaultdict(int)
    for visit in ctx.visits:
        if visit.kind != "initial" or visit.status != "completed":
            continue
        patient = patients[visit.patient_id]
        episodes[patient.id] += 1
        codes = involved_segments(ctx, patient.id, patient.region, episodes[patient.id])
        segment_ids = [segments[code] for code in codes if code in segments]
        assessment_id = assessment_w.next_id()
        signed_at = visit.end + dt.timedelta(minutes=rng.randint(5, 90))
        signed_at = min(signed_at, ctx.now)
        marks = [dict(mark) for mark in MARKS[patient.region]]
        marks.append({"view": "back", "x": 0.5, "y": 0.3, "kind": "skin_sign", "note": ""})
        assessment_w.add(
            assessment_id,
            patient.id,
            visit.practitioner_id,
            visit.id,
            visit.intake_id,
            visit.local_date,
            "",
            rng.choice(POSTURE),
            rng.choice(MOVEMENT),
            f"{'-'.join(codes)} segmental picture; needle the paraspinals at "
            f"{codes[0]}-{codes[-1]}, then the muscles of the myotome.",
            marks,
            Assessment.Status.DRAFT,
            visit.start,
            signed_at,
            signed_at,
            users[visit.practitioner_id],
        )
        shared[patient.id].append((visit.local_date, assessment_id, segment_ids))
        side = patient.side
        for _ in range(rng.randint(3, 6)):
            segment_id = rng.choice(segment_ids)
            region = rng.choice((Region.PARASPINAL, Region.PERIPHERAL))
            sign_id, needs_muscle, tests = rng.choice(signs)
            muscle_id = None
            if needs_muscle:
                muscles = [m for m, kind in supplied[segment_id] if kind == region]
                if muscles:
                    muscle_id = rng.choice(muscles)
                else:
                    sign_id, _, tests = rng.choice(plain_signs)
            finding_side = rng.choice("LRBM") if region == Region.PARASPINAL else side
            sign_w.add(
                assessment_id, sign_id, rng.choice(tests), finding_side, segment_id, region,
                muscle_id, rng.choice((1, 2, 2, 3)), "", visit.start,
            )  # fmt: skip
        candidates = [pair for s in segment_ids for pair in supplied[s]]
        for muscle_id, kind in rng.sample(candidates, k=min(len(candidates), rng.randint(2, 4))):
            band_side = rng.choice("LRB") if kind == Region.PARASPINAL else side
            band_w.add(
                assessment_id, muscle_id, band_side, rng.randint(1, 3), rng.random() < 0.6, "",
                visit.start,
            )  # fmt: skip
        for _ in range(rng.randint(1, 3)):
            joint = rng.choice(REGION_JOINTS[patient.region])
            spinal = joint in SPINAL_JOINTS
            degrees = rng.randint(10, 150) if rng.random() < 0.7 else None
            percent = rng.randint(40, 95) if degrees is None or rng.random() < 0.3 else None
            range_w.add(
                assessment_id, joint, rng.choice(JOINT_MOVEMENTS[joint]),
                rng.choice("LRM") if spinal else side, degrees, percent, rng.random() < 0.5,
                "", visit.start,
            )  # fmt: skip

    for writer in (assessment_w, sign_w, band_w, range_w):
        writer.flush()
    # Sign them all, as the app does once the findings are in.
    Assessment.objects.filter(
        status=Assessment.Status.DRAFT, signed_at__isnull=False, pk__gte=assessment_w.first_id
    ).update(status=Assessment.Status.SIGNED)
    ctx.shared[SHARED_KEY] = dict(shared)
