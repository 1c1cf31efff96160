"""Issue 19: a negative range is an elbow or knee extension deficit (AAOS convention; see
assessments.models.assessment), refused anywhere else, in the form, the model and the
database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from assessments.models import RangeOfMotion
from assessments.models.assessment import range_degrees_problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("joint", "movement", "degrees", "allowed"),
    [
        ("knee", "extension", -10, True),
        ("elbow", "extension", -90, True),
        ("elbow", "extension", -91, False),
        ("knee", "flexion", -5, False),
        ("shoulder", "extension", -5, False),
        ("cervical", "rotation", -20, False),
        ("hip", "flexion", 120, True),
        ("knee", "extension", 0, True),
    ],
)
def test_only_elbow_and_knee_extension_may_be_negative(joint, movement, degrees, allowed):
    assert (range_degrees_problem(joint, movement, degrees) is None) is allowed


def _finding(assessment_factory, **fields) -> RangeOfMotion:
    values = {"joint": "knee", "movement": "extension", "side": "R", "degrees": -15} | fields
    return RangeOfMotion(assessment=assessment_factory(), **values)


@pytest.fixture
def assessment_factory(physio):
    from assessments.tests.factories import make_assessment

    return lambda: make_assessment(physio)


def test_a_knee_extension_deficit_is_kept_and_read_in_words(assessment_factory):
    finding = _finding(assessment_factory)
    finding.full_clean()
    finding.save()
    assert finding.measured == "-15° (lacks 15° of extension)"


def test_a_negative_flexion_is_refused_by_the_model_and_the_database(assessment_factory):
    finding = _finding(assessment_factory, movement="flexion", degrees=-5)
    with pytest.raises(ValidationError, match="Only elbow and knee extension"):
        finding.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        finding.save()
