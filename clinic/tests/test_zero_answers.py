"""Issue 16, acceptance 8: 0 is a real answer. "No pain at its best", an outcome-measure
item scored 0 ("no difficulty") and a PSFS rating of 0 ("can't do it at all") are answers,
not blanks: the step continues, the intake submits, the answer is shown back as 0 (never
"—" or an unticked button) and is scored."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from clinic import outcomes
from clinic.models import Intake, OutcomeScore
from clinic.services.intake import intake_missing
from clinic.tests.factories import fill_intake, join_care_team

pytestmark = pytest.mark.django_db

PAIN_POST = {
    "presenting_complaint": "Elbow pain when typing",
    "pain_marks": json.dumps([{"view": "front", "x": 0.3, "y": 0.4, "kind": "pain", "note": ""}]),
    "onset": "gradual",
    "duration": "6-12m",
    "nprs_now": "4",
    "nprs_best": "2",
    "nprs_worst": "7",
}


def step_url(step: str) -> str:
    return reverse("clinic:portal_intake_step", args=[step])


def _checked(html: str, name: str) -> list[str]:
    """The values of the ticked radio buttons called `name`."""
    return [
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in re.findall(r"<input[^>]*>", html)
        if f'name="{name}"' in tag and re.search(r"\schecked", tag)
    ]


@pytest.fixture
def portal(client_for, patient_user):
    return client_for(patient_user)


@pytest.fixture
def draft(patient_user):
    """Every step answered except what each test posts itself."""
    return fill_intake(patient_user.patient, by=patient_user, submit=False)


@pytest.mark.parametrize(
    "zeros",
    [
        {"nprs_now": "0"},
        {"nprs_best": "0"},
        {"nprs_best": "0", "nprs_worst": "0"},
        {"nprs_now": "0", "nprs_best": "0", "nprs_worst": "0"},
    ],
    ids=["now", "best", "best-and-worst", "all"],
)
def test_pain_scored_zero_continues_submits_and_shows_as_zero(
    portal, draft, client_for, physio, zeros
):
    saved = portal.post(step_url("pain"), PAIN_POST | zeros | {"action": "continue"})
    assert saved.status_code == 302, saved.context["form"].errors
    assert saved.url == step_url("history")
    intake = Intake.objects.get(pk=draft.pk)
    for name in zeros:
        assert getattr(intake, name) == 0
    assert intake_missing(intake)["pain"] == []
    # The step shows the 0 ticked when the patient comes back to it.
    html = portal.get(step_url("pain")).content.decode()
    for name in zeros:
        assert _checked(html, name) == ["0"]
    review = portal.get(reverse("clinic:portal_intake_review")).content.decode()
    assert "Everything is filled in" in review
    assert portal.post(reverse("clinic:portal_intake_review")).status_code == 302
    intake.refresh_from_db()
    assert intake.status == Intake.Status.SUBMITTED
    nprs = OutcomeScore.objects.get(intake=intake, instrument="NPRS")
    assert nprs.value == int(zeros.get("nprs_now", PAIN_POST["nprs_now"]))
    # The physiotherapist (on the care team) reads 0, not a dash.
    join_care_team(physio, intake.patient)
    detail = client_for(physio).get(reverse("clinic:intake_detail", args=[intake.patient_id]))
    text = re.sub(r"\s+", " ", detail.content.decode())
    expected = {n: zeros.get(n, PAIN_POST[n]) for n in ("nprs_now", "nprs_best", "nprs_worst")}
    assert (
        f"now {expected['nprs_now']}, best {expected['nprs_best']}, "
        f"worst {expected['nprs_worst']}" in text
    )


def test_pain_left_blank_is_still_missing(portal, draft):
    """The other side: a real blank is still refused on "continue" and at submission."""
    response = portal.post(step_url("pain"), PAIN_POST | {"nprs_best": "", "action": "continue"})
    assert "nprs_best" in response.context["form"].errors
    portal.post(step_url("pain"), PAIN_POST | {"nprs_best": "", "action": "later"})
    intake = Intake.objects.get(pk=draft.pk)
    assert intake.nprs_best is None
    assert intake_missing(intake)["pain"] == ["pain at its best (last week)"]
    portal.post(reverse("clinic:portal_intake_review"))
    intake.refresh_from_db()
    assert intake.status == Intake.Status.DRAFT


INSTRUMENTS = sorted(outcomes.REGION_INSTRUMENT.items())


@pytest.mark.parametrize(("region", "instrument"), INSTRUMENTS, ids=[r for r, _ in INSTRUMENTS])
def test_each_questionnaires_lowest_answer_is_an_answer(portal, draft, region, instrument):
    """Every item answered with its lowest option (0 where the scale has a 0; QuickDASH
    starts at 1): the step continues, the ticks come back, the intake submits and scores."""
    lowest = {item.key: min(item.values) for item in instrument.items}
    assert 0 in lowest.values() or instrument.code == "QUICKDASH"
    data = {"region": region, "action": "continue"}
    data |= {key: str(value) for key, value in lowest.items()}
    data |= {"psfs_activity_0": "Lifting the kettle", "psfs_rating_0": "0"}
    saved = portal.post(step_url("function"), data)
    assert saved.status_code == 302, saved.context["form"].errors
    intake = Intake.objects.get(pk=draft.pk)
    assert intake.region_answers == lowest
    assert intake.psfs == [{"activity": "Lifting the kettle", "rating": 0}]
    html = portal.get(step_url("function")).content.decode()
    for key, value in lowest.items():
        assert _checked(html, key) == [str(value)], key
    assert _checked(html, "psfs_rating_0") == ["0"]
    assert intake_missing(intake)["function"] == []
    assert portal.post(reverse("clinic:portal_intake_review")).status_code == 302
    scores = {s.instrument: s.value for s in OutcomeScore.objects.filter(intake=intake)}
    assert scores["PSFS"] == 0
    assert scores[instrument.code] == instrument.score(lowest).value


def test_a_zero_item_is_shown_as_zero_to_the_physio(client_for, physio, patient_user):
    instrument = outcomes.REGION_INSTRUMENT["neck"]
    answers = {item.key: 0 for item in instrument.items}
    intake = fill_intake(
        patient_user.patient,
        by=patient_user,
        region="neck",
        answers=answers,
        psfs=[{"activity": "Reversing the car", "rating": 0}],
    )
    join_care_team(physio, intake.patient)
    detail = client_for(physio).get(reverse("clinic:intake_detail", args=[intake.patient_id]))
    rows = dict(detail.context["region_rows"])
    first = instrument.items[0]
    assert rows[first.label] == f"0 · {first.options[0].label}"
    text = re.sub(r"\s+", " ", detail.content.decode())
    assert 'Reversing the car</span><span class="fw-semibold">0 / 10' in text
