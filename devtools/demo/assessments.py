"""Demo assessments: a realistic segmental picture for each demo patient with a submitted
intake, matched to their complaint (C5-C6 tennis elbow, L4-L5-S1 sciatica, ...), written
through the same services as the entry page. Called by `seed_demo` after devtools.demo.clinic;
a patient who already has an assessment is left alone, so running it again adds nothing."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.utils import timezone

from assessments import services
from assessments.models import (
    Assessment,
    Muscle,
    RangeOfMotion,
    Segment,
    Sign,
    SignFinding,
    SignTest,
    TautBand,
)
from clinic import services as clinic_services
from clinic.models import Intake, Patient, Practitioner, User

LABEL = "assessments"  # how seed_demo counts what build() made


class S(NamedTuple):  # a sign finding
    sign: str
    test: str
    segment: str
    region: str
    side: str
    severity: int
    muscle: str = ""
    note: str = ""


class B(NamedTuple):  # a taut band
    muscle: str
    side: str
    tenderness: int
    twitch: bool
    note: str = ""


class R(NamedTuple):  # a range of motion
    joint: str
    movement: str
    side: str
    degrees: int | None
    percent: int | None
    painful: bool


PICTURES: dict[str, dict] = {
    "upper_limb": {
        "posture": "Forward head, right shoulder protracted; guards the right arm.",
        "movement": "Gripping and resisted wrist extension reproduce lateral elbow pain.",
        "impression": "C5-C6 radiculopathic picture with lateral epicondylalgia on the right. "
        "Needle C5-C6 paraspinals first, then shoulder and forearm extensors.",
        "signs": [
            S("Paraspinal tenderness", "Palpation", "C5", "paraspinal", "R", 2),
            S("Trophedema", "Matchstick test", "C6", "paraspinal", "R", 2),
            S(
                "Motor point tenderness",
                "Palpation",
                "C6",
                "peripheral",
                "R",
                3,
                "Extensor carpi radialis brevis",
                "Reproduces the elbow pain.",
            ),
            S("Motor point tenderness", "Palpation", "C5", "peripheral", "R", 2, "Deltoid"),
            S("Pilomotor reflex", "Scratch or cold stimulus", "C6", "peripheral", "R", 1),
        ],
        "bands": [
            B("Extensor carpi radialis longus", "R", 3, True),
            B("Supinator", "R", 2, True),
            B("Brachioradialis", "R", 2, False),
            B("Infraspinatus", "R", 1, False),
        ],
        "ranges": [
            R("wrist", "flexion", "R", 55, 70, True),
            R("elbow", "extension", "R", None, 95, True),
            R("shoulder", "internal_rotation", "R", 50, None, False),
        ],
        "marks": [
            {"view": "front", "x": 0.2, "y": 0.42, "kind": "pain", "note": "Lateral elbow"},
            {"view": "back", "x": 0.53, "y": 0.17, "kind": "skin_sign", "note": "Orange peel"},
            {"view": "back", "x": 0.81, "y": 0.43, "kind": "taut_band", "note": "ECRL"},
        ],
    },
    "low_back": {
        "posture": "Flattened lumbar lordosis; shifts weight off the right leg in standing.",
        "movement": "Flexion limited by right buttock pain; sitting slump positive on the right.",
        "impression": "L4-L5-S1 segmental dysfunction with right sciatica. Lumbar paraspinals "
        "L4-S1, then gluteals, hamstrings and calf.",
        "signs": [
            S("Paraspinal tenderness", "Palpation", "L4", "paraspinal", "B", 2),
            S(
                "Trophedema",
                "Matchstick test",
                "L5",
                "paraspinal",
                "R",
                3,
                note="Deep indentation, slow to fade.",
            ),
            S("Paraspinal tenderness", "Palpation", "S1", "paraspinal", "R", 2),
            S("Motor point tenderness", "Palpation", "L5", "peripheral", "R", 2, "Gluteus medius"),
            S("Motor point tenderness", "Palpation", "S1", "peripheral", "R", 3, "Gastrocnemius"),
            S(
                "Vasomotor change",
                "Touch (temperature)",
                "S1",
                "peripheral",
                "R",
                1,
                note="Right foot cooler.",
            ),
        ],
        "bands": [
            B("Gluteus medius", "R", 3, True),
            B("Piriformis", "R", 2, True),
            B("Biceps femoris", "R", 2, False),
            B("Gastrocnemius", "R", 2, True),
        ],
        "ranges": [
            R("lumbar", "flexion", "M", None, 60, True),
            R("hip", "slr", "R", 45, None, True),
            R("hip", "slr", "L", 75, None, False),
            R("hip", "internal_rotation", "R", 20, None, False),
        ],
        "marks": [
            {"view": "back", "x": 0.5, "y": 0.47, "kind": "pain", "note": "Low back"},
            {"view": "back", "x": 0.57, "y": 0.55, "kind": "pain", "note": "Buttock"},
            {"view": "back", "x": 0.6, "y": 0.8, "kind": "paraesthesia", "note": "Calf"},
            {"view": "back", "x": 0.47, "y": 0.5, "kind": "skin_sign", "note": "Trophedema"},
        ],
    },
    "neck": {
        "posture": "Forward head; upper trapezius prominent on both sides.",
        "movement": "Rotation and side flexion to the left stiff and painful at end range.",
        "impression": "C4-C5 segmental picture with cervicogenic headache. Cervical "
        "paraspinals C3-C6, upper trapezius, levator scapulae, suboccipitals.",
        "signs": [
            S("Paraspinal tenderness", "Palpation", "C4", "paraspinal", "B", 2),
            S("Trophedema", "Skin rolling", "C5", "paraspinal", "B", 2),
            S("Motor point tenderness", "Palpation", "C4", "peripheral", "L", 3, "Upper trapezius"),
            S(
                "Shortened muscle",
                "Muscle length test",
                "C4",
                "peripheral",
                "L",
                2,
                "Levator scapulae",
            ),
        ],
        "bands": [
            B("Upper trapezius", "B", 3, True),
            B("Levator scapulae", "L", 2, True),
            B("Suboccipitals", "B", 2, False, "Reproduces the headache."),
        ],
        "ranges": [
            R("cervical", "rotation", "L", 55, None, True),
            R("cervical", "rotation", "R", 70, None, False),
            R("cervical", "side_flexion", "L", 25, None, True),
        ],
        "marks": [
            {"view": "back", "x": 0.5, "y": 0.17, "kind": "pain", "note": "Neck"},
            {"view": "back", "x": 0.4, "y": 0.2, "kind": "taut_band", "note": "Upper trap"},
            {"view": "back", "x": 0.5, "y": 0.08, "kind": "pain", "note": "Headache"},
        ],
    },
    "lower_limb": {
        "posture": "Mild genu valgum; right foot pronates.",
        "movement": "Step-down reproduces anterior knee pain; calf raises tire early.",
        "impression": "L3-L4 picture with patellofemoral pain and S1 calf involvement. "
        "Lumbar paraspinals L3-L4, quadriceps, adductors, then calf.",
        "signs": [
            S("Paraspinal tenderness", "Palpation", "L3", "paraspinal", "R", 2),
            S("Paraspinal tenderness", "Palpation", "L4", "paraspinal", "R", 1),
            S("Motor point tenderness", "Palpation", "L4", "peripheral", "R", 2, "Vastus medialis"),
            S("Motor point tenderness", "Palpation", "S1", "peripheral", "R", 2, "Soleus"),
        ],
        "bands": [
            B("Vastus lateralis", "R", 2, True),
            B("Rectus femoris", "R", 2, False),
            B("Soleus", "R", 2, True),
        ],
        "ranges": [
            R("knee", "flexion", "R", 125, None, True),
            R("ankle", "dorsiflexion", "R", 8, None, False),
        ],
        "marks": [
            {"view": "front", "x": 0.41, "y": 0.72, "kind": "pain", "note": "Knee"},
            {"view": "back", "x": 0.6, "y": 0.8, "kind": "taut_band", "note": "Calf"},
        ],
    },
}


def build(*, users: dict[str, User], patients: list[Patient]) -> int:
    """Signed assessments for demo patients with a submitted intake; one left as a draft
    for the demo physiotherapist to finish. Returns how many were created."""
    practitioners = list(Practitioner.objects.filter(active=True).select_related("user"))
    if not practitioners:
        return 0
    created = 0
    today = timezone.localdate()
    draft_left = Assessment.objects.filter(status=Assessment.Status.DRAFT).exists()
    for index, patient in enumerate(patients):
        if patient.assessments.exists():
            continue
        intake = patient.intakes.filter(status=Intake.Status.SUBMITTED).order_by("-id").first()
        if intake is None or intake.region not in PICTURES:
            continue
        practitioner = practitioners[index % len(practitioners)]
        # The desk assigned the assessing practitioner (starting a note grants nothing).
        clinic_services.care_team_add(
            patient=patient, practitioner=practitioner, by=users["frontdesk"]
        )
        assessment = services.assessment_start(patient=patient, practitioner=practitioner)
        _fill(
            assessment,
            practitioner.user,
            PICTURES[intake.region],
            today - dt.timedelta(days=90 + index % 10),
        )
        # The draft is never the portal demo patient's: their course of care is the one
        # whose visit summaries the demo patient reads.
        if not draft_left and practitioner.user.username == "physio" and not patient.user_id:
            draft_left = True  # the demo physio has one to finish
        else:
            services.assessment_sign(assessment=assessment, by=practitioner.user)
        created += 1
    return created


def _fill(assessment: Assessment, by: User, picture: dict, on: dt.date) -> None:
    services.assessment_update(
        assessment=assessment,
        by=by,
        assessed_on=on,
        posture=picture["posture"],
        movement=picture["movement"],
        impression=picture["impression"],
        body_marks=picture["marks"],
    )
    segments = {s.code: s for s in Segment.objects.all()}
    signs = {s.name: s for s in Sign.objects.all()}
    tests = {t.name: t for t in SignTest.objects.all()}
    muscles = {m.name: m for m in Muscle.objects.all()}
    for s in picture["signs"]:
        services.finding_save(
            assessment=assessment,
            by=by,
            finding=SignFinding(
                sign=signs[s.sign],
                test=tests[s.test],
                segment=segments[s.segment],
                region=s.region,
                side=s.side,
                severity=s.severity,
                muscle=muscles[s.muscle] if s.muscle else None,
                note=s.note,
            ),
        )
    for b in picture["bands"]:
        services.finding_save(
            assessment=assessment,
            by=by,
            finding=TautBand(
                muscle=muscles[b.muscle],
                side=b.side,
                tenderness=b.tenderness,
                twitch=b.twitch,
                note=b.note,
            ),
        )
    for r in picture["ranges"]:
        services.finding_save(
            assessment=assessment,
            by=by,
            finding=RangeOfMotion(
                joint=r.joint,
                movement=r.movement,
                side=r.side,
                degrees=r.degrees,
                percent_of_normal=r.percent,
                painful=r.painful,
            ),
        )
