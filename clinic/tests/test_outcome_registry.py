"""The outcome registry is the one source of measure and region labels.

A measure built here, in the test, is registered and then shown to reach every place that
reads labels (the intake's region choices and questionnaire, a stored score's label, the
outcome tracks and their MCID); unregistered, it is gone from all of them. And every real
measure cites its published sources in its module docstring.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction

import pytest

from clinic import outcomes
from clinic.forms.intake import FunctionStepForm
from clinic.models import OutcomeScore
from clinic.outcomes import Instrument, Item, Mcid, Measure, Option, Region, registry
from clinic.selectors import outcome_tracks

PELVIS = Region("pelvic_girdle", "Pelvis or groin")


def _throwaway() -> Measure:
    """A two-item, 0-2 per item measure scored as a plain sum, for a region nobody has."""
    options = (Option(0, "Not at all"), Option(1, "Somewhat"), Option(2, "Very much"))
    instrument = Instrument(
        code="TPGQ",
        name="Test Pelvic Girdle Questionnaire",
        instructions="Two questions about your pelvis.",
        items=(
            Item("tpgq_1", "Pain turning over in bed", options),
            Item("tpgq_2", "Pain climbing stairs", options),
        ),
        min_answered=2,
        maximum=Decimal(4),
        unit="points",
        higher_is_worse=True,
        formula=lambda total, answered: Fraction(total),
        source="Nobody 2099, a questionnaire made up for this test.",
    )
    mcid = Mcid(
        code="TPGQ",
        value=Decimal("1"),
        unit="points",
        higher_is_worse=True,
        source="Nobody 2099 (made up).",
        note="No other source.",
    )
    return Measure.of(
        instrument,
        short_label="TPGQ-test",
        regions=(PELVIS,),
        mcid=mcid,
        doc="Test Pelvic Girdle Questionnaire (Nobody 2099).",
    )


@pytest.fixture
def throwaway():
    measure = registry.register(_throwaway())
    try:
        yield measure
    finally:
        registry.unregister(measure.code)


def _score(code: str, value: str, days: int) -> OutcomeScore:
    return OutcomeScore(
        instrument=code,
        value=Decimal(value),
        maximum=Decimal(4),
        higher_is_worse=True,
        recorded_at=dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC) + dt.timedelta(days=days),
    )


def _labels_everywhere() -> dict:
    form = FunctionStepForm(region=PELVIS.code)
    [track] = outcome_tracks([_score("TPGQ", "3", 0), _score("TPGQ", "1", 7)])
    return {
        "region choices": list(form.fields["region"].choices),
        "questionnaire": form.instrument.name if form.instrument else None,
        "questions": [field.label for field in form.region_fields],
        "score label": _score("TPGQ", "3", 0).instrument_label,
        "track": (track.label, track.mcid, track.latest.change and track.latest.change.display()),
        "regions": dict(outcomes.REGION_INSTRUMENT),
        "mcids": set(outcomes.MCIDS),
    }


@pytest.mark.django_db
def test_a_registered_measure_appears_wherever_labels_are_read(throwaway):
    seen = _labels_everywhere()
    assert seen["region choices"][-1] == ("pelvic_girdle", "Pelvis or groin")
    assert seen["region choices"][0] == ("", "Choose an area")
    assert seen["questionnaire"] == "Test Pelvic Girdle Questionnaire"
    assert seen["questions"] == ["Pain turning over in bed", "Pain climbing stairs"]
    assert seen["score label"] == "TPGQ-test"
    # 3 -> 1 on a higher-is-worse scale with an MCID of 1: better by 2.
    assert seen["track"] == ("TPGQ-test", throwaway.mcid, "better by 2 (reaches MCID)")
    assert seen["regions"]["pelvic_girdle"] is throwaway.instrument
    assert "TPGQ" in seen["mcids"]

    # The patient can choose the new region and answer its questions.
    form = FunctionStepForm(
        data={"region": "pelvic_girdle", "tpgq_1": "2", "tpgq_2": "1", "psfs_activity_0": ""},
        region="pelvic_girdle",
    )
    assert form.is_valid(), form.errors
    assert form.step_data()["region_answers"] == {"tpgq_1": 2, "tpgq_2": 1}


@pytest.mark.django_db
def test_an_unregistered_measure_is_gone_from_every_label():
    registry.register(_throwaway())
    registry.unregister("TPGQ")
    seen = _labels_everywhere()
    assert ("pelvic_girdle", "Pelvis or groin") not in seen["region choices"]
    assert seen["questionnaire"] is None
    assert seen["questions"] == []
    assert seen["score label"] == "TPGQ"  # an old score keeps its stored code
    assert seen["track"] == ("TPGQ", None, None)  # no MCID, so no change is judged
    assert "pelvic_girdle" not in seen["regions"]
    assert "TPGQ" not in seen["mcids"]
    form = FunctionStepForm(data={"region": "pelvic_girdle"}, region="pelvic_girdle")
    assert not form.is_valid()
    assert "region" in form.errors


def test_a_region_may_have_several_measures_and_the_intake_asks_the_first(throwaway):
    second = Measure.of(
        Instrument(
            code="TPG2",
            name="Second pelvic questionnaire",
            instructions="",
            items=(Item("tpg2_1", "Walking", throwaway.instrument.items[0].options),),
            min_answered=1,
            maximum=Decimal(2),
            unit="points",
            higher_is_worse=True,
            formula=lambda total, answered: Fraction(total),
        ),
        short_label="TPG2",
        regions=(PELVIS,),
        mcid=None,
        doc="",
    )
    registry.register(second)
    try:
        assert registry.measures_for_region("pelvic_girdle") == [throwaway, second]
        assert registry.intake_instrument("pelvic_girdle") is throwaway.instrument
        assert registry.region_choices().count(("pelvic_girdle", "Pelvis or groin")) == 1
        assert registry.label("TPG2") == "TPG2"
    finally:
        registry.unregister("TPG2")
    # A low-back measure besides ODI: the low back keeps ODI as its intake questionnaire.
    assert [m.code for m in registry.measures_for_region("low_back")] == ["ODI"]


def test_the_registry_refuses_contradictions(throwaway):
    with pytest.raises(ValueError, match="already registered"):
        registry.register(throwaway)
    relabelled = Measure(
        code="TPG3", label="x", short_label="x", regions=(Region("pelvic_girdle", "Hips"),)
    )
    with pytest.raises(ValueError, match="already labelled"):
        registry.register(relabelled)
    mismatched = Measure(code="TPG4", label="x", short_label="x", mcid=throwaway.mcid)
    with pytest.raises(ValueError, match="MCID is coded"):
        registry.register(mismatched)
    assert "TPG3" not in registry
    assert "TPG4" not in registry


def test_the_real_measures_and_their_labels():
    assert [(m.code, m.short_label) for m in registry] == [
        ("NDI", "NDI"),
        ("ODI", "ODI"),
        ("QUICKDASH", "QuickDASH"),
        ("LEFS", "LEFS"),
        ("PSFS", "PSFS"),
        ("NPRS", "NPRS"),
    ]
    assert registry.get("NDI").label == "Neck Disability Index"
    assert OutcomeScore(instrument="QUICKDASH").instrument_label == "QuickDASH"


CITATION = re.compile(r"[A-Z][A-Za-z' &-]+(?:et al\.)?[ ,]*(?:19|20)\d\d")


@pytest.mark.parametrize("measure", list(registry), ids=lambda m: m.code)
def test_every_registered_measure_cites_its_sources_in_its_docstring(measure):
    doc = measure.doc
    assert CITATION.search(doc), f"{measure.code}: cite the published source (author year)"
    # The first author of its scoring source and of its MCID source are both named.
    if measure.instrument is not None:
        first_author = re.match(r"[A-Z][a-z]+", measure.instrument.source)
        assert first_author, f"{measure.code}: the instrument has no source"
        assert first_author.group() in doc, measure.code
    if measure.mcid is not None:
        first_author = re.match(r"[A-Z][a-z]+", measure.mcid.source)
        assert first_author, f"{measure.code}: the MCID has no source"
        assert first_author.group() in doc, measure.code
