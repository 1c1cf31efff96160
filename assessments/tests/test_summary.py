"""Acceptance 2: the segmental summary follows the findings and the reference data."""

from __future__ import annotations

import pytest

from assessments import selectors
from assessments.models import Muscle, MuscleInnervation, Region, Segment
from assessments.tests.factories import add_sign, make_assessment

pytestmark = pytest.mark.django_db


def _expected(code: str) -> tuple[list[str], list[str]]:
    """What the reference data says for a segment: paraspinal then peripheral muscles,
    primary roots first, then by name."""
    links = (
        MuscleInnervation.objects.filter(segment__code=code, muscle__active=True)
        .select_related("muscle")
        .order_by("-primary", "muscle__name")
    )
    paraspinal = [link.muscle.name for link in links if link.muscle.kind == Region.PARASPINAL]
    peripheral = [link.muscle.name for link in links if link.muscle.kind == Region.PERIPHERAL]
    return paraspinal, peripheral


def _summary(assessment):
    return selectors.segmental_summary(selectors.assessment_detail(assessment.pk))


def test_c5_paraspinal_and_c6_peripheral(physio):
    assessment = make_assessment(physio)
    add_sign(assessment, physio, segment="C5", region="paraspinal", side="R")
    add_sign(
        assessment,
        physio,
        segment="C6",
        region="peripheral",
        side="R",
        sign="Motor point tenderness",
        muscle="Extensor carpi radialis brevis",
    )

    summary = _summary(assessment)

    assert [entry.segment.code for entry in summary] == ["C5", "C6"]
    c5, c6 = summary
    assert (c5.paraspinal, c5.peripheral, c5.where) == (True, False, "Paraspinal")
    assert (c6.paraspinal, c6.peripheral, c6.where) == (False, True, "Peripheral")
    for entry in summary:
        paraspinal, peripheral = _expected(entry.segment.code)
        assert [m.name for m in entry.paraspinal_muscles] == paraspinal
        assert [m.name for m in entry.peripheral_muscles] == peripheral
        assert [m.name for m in entry.suggested_muscles] == paraspinal + peripheral
    # The domain's table, spot-checked: whole-segment treatment, paraspinal first.
    assert "Cervical multifidus" in [m.name for m in c5.paraspinal_muscles]
    assert {"Deltoid", "Supraspinatus", "Infraspinatus"} <= {m.name for m in c5.peripheral_muscles}
    assert {"Supinator", "Extensor carpi radialis brevis", "Pronator teres"} <= {
        m.name for m in c6.peripheral_muscles
    }


def test_suggestions_follow_edits_to_the_reference_data(physio):
    """Nothing is hard-coded: a clinic's correction changes the suggestions."""
    assessment = make_assessment(physio)
    add_sign(assessment, physio, segment="C5")
    new = Muscle.objects.create(
        name="Test muscle", lay_name="A test muscle", body_region="shoulder", kind="peripheral"
    )
    MuscleInnervation.objects.create(muscle=new, segment=Segment.objects.get(code="C5"))
    Muscle.objects.filter(name="Deltoid").update(active=False)

    names = [m.name for m in _summary(assessment)[0].suggested_muscles]

    assert "Test muscle" in names
    assert "Deltoid" not in names


def test_both_regions_at_one_segment_and_absent_signs_do_not_count(physio):
    assessment = make_assessment(physio)
    add_sign(assessment, physio, segment="L5", region="paraspinal")
    add_sign(
        assessment,
        physio,
        segment="L5",
        region="peripheral",
        sign="Taut band",
        muscle="Gluteus medius",
    )
    add_sign(assessment, physio, segment="T4", region="paraspinal", severity=0)

    summary = _summary(assessment)

    assert [entry.segment.code for entry in summary] == ["L5"]
    assert summary[0].where == "Paraspinal and peripheral"
    assert len(summary[0].findings) == 2


def test_suggested_muscles_for_the_next_session_come_from_the_latest_assessment(physio):
    assessment = make_assessment(physio)
    add_sign(assessment, physio, segment="S1", region="paraspinal")
    muscles = selectors.suggested_muscles(assessment.patient)
    paraspinal, peripheral = _expected("S1")
    assert [m.name for m in muscles] == paraspinal + peripheral
    assert selectors.suggested_muscles(make_assessment(physio).patient) == []
