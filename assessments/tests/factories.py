"""Assessment test data, created through the services as the entry page does."""

from __future__ import annotations

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
from clinic.tests.factories import join_care_team, make_patient, make_practitioner


def practitioner_for(user):
    """The user's practitioner row, created on first use."""
    return getattr(user, "practitioner", None) or make_practitioner(user)


def make_assessment(user, patient=None, **header) -> Assessment:
    """A draft by `user`; a patient made here gets `user` on their care team (one passed in
    keeps the team it has)."""
    if patient is None:
        patient = make_patient()
        join_care_team(user, patient)
    assessment = services.assessment_start(patient=patient, practitioner=practitioner_for(user))
    if header:
        assessment = services.assessment_update(assessment=assessment, by=user, **header)
    return assessment


def add_sign(
    assessment,
    user,
    *,
    segment="C5",
    region="paraspinal",
    side="R",
    severity=2,
    sign="Paraspinal tenderness",
    test="Palpation",
    muscle=None,
    note="",
) -> SignFinding:
    return services.finding_save(
        assessment=assessment,
        by=user,
        finding=SignFinding(
            sign=Sign.objects.get(name=sign),
            test=SignTest.objects.get(name=test),
            segment=Segment.objects.get(code=segment),
            region=region,
            side=side,
            severity=severity,
            muscle=Muscle.objects.get(name=muscle) if muscle else None,
            note=note,
        ),
    )


def add_band(assessment, user, *, muscle="Supinator", side="R", tenderness=2, twitch=True):
    return services.finding_save(
        assessment=assessment,
        by=user,
        finding=TautBand(
            muscle=Muscle.objects.get(name=muscle),
            side=side,
            tenderness=tenderness,
            twitch=twitch,
        ),
    )


def add_range(assessment, user, *, joint="wrist", movement="flexion", side="R", degrees=60):
    return services.finding_save(
        assessment=assessment,
        by=user,
        finding=RangeOfMotion(joint=joint, movement=movement, side=side, degrees=degrees),
    )
