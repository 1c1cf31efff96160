"""Intake: step by step, resumable, validated per field, scored on submit, private."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from clinic import outcomes
from clinic.models import Intake, OutcomeScore
from clinic.permissions import Role
from clinic.tests.factories import PatientFactory, fill_intake, join_care_team, make_patient

pytestmark = pytest.mark.django_db

PAIN_POST = {
    "presenting_complaint": "Neck pain at work",
    "pain_marks": json.dumps([{"view": "back", "x": 0.5, "y": 0.2, "kind": "pain", "note": ""}]),
    "onset": "gradual",
    "duration": "6-12m",
    "nprs_now": "5",
    "nprs_best": "2",
    "nprs_worst": "8",
}


@pytest.fixture
def portal(client_for, patient_user):
    return client_for(patient_user)


def step_url(step):
    return reverse("clinic:portal_intake_step", args=[step])


def test_a_patient_saves_part_of_the_intake_and_resumes_where_they_left_off(portal, patient_user):
    assert portal.get(reverse("clinic:portal_intake")).url == step_url("pain")
    saved = portal.post(step_url("pain"), PAIN_POST | {"action": "continue"})
    assert saved.url == step_url("history")
    partial = portal.post(step_url("history"), {"medications": "Ibuprofen", "action": "later"})
    assert partial.url == reverse("clinic:portal_home")

    intake = Intake.objects.get(patient=patient_user.patient)
    assert intake.status == Intake.Status.DRAFT
    assert intake.channel == Intake.Channel.PORTAL
    assert intake.nprs_worst == 8
    assert intake.medications == "Ibuprofen"
    assert intake.pain_marks[0]["view"] == "back"
    # Resuming goes to the first step with something missing: the anticoagulant question.
    assert portal.get(reverse("clinic:portal_intake")).url == step_url("history")
    home = portal.get(reverse("clinic:portal_home")).content.decode()
    assert "Continue where I left off" in home


def test_nprs_out_of_range_is_refused_at_the_field_and_nothing_is_saved(portal, patient_user):
    response = portal.post(
        step_url("pain"), PAIN_POST | {"nprs_now": "11", "presenting_complaint": "changed"}
    )
    assert response.status_code == 200
    assert "Choose a number from 0 (no pain) to 10" in str(
        response.context["form"].errors["nprs_now"]
    )
    intake = Intake.objects.get(patient=patient_user.patient)
    assert intake.presenting_complaint == ""
    assert intake.nprs_now is None


def test_continue_requires_the_steps_answers_but_later_does_not(portal, patient_user):
    response = portal.post(step_url("pain"), {"nprs_now": "4", "action": "continue"})
    errors = response.context["form"].errors
    assert {"presenting_complaint", "onset", "duration", "nprs_best", "nprs_worst"} <= set(errors)
    assert portal.post(step_url("pain"), {"nprs_now": "4", "action": "later"}).status_code == 302
    assert Intake.objects.get(patient=patient_user.patient).nprs_now == 4


def test_best_pain_cannot_exceed_worst(portal):
    response = portal.post(step_url("pain"), PAIN_POST | {"nprs_best": "9", "nprs_worst": "3"})
    assert "should not be higher than your worst" in str(response.context["form"].errors)


def _function_post(region="neck", psfs=True, answered=10):
    instrument = outcomes.REGION_INSTRUMENT[region]
    data = {"region": region, "action": "continue"}
    for item in instrument.items[:answered]:
        data[item.key] = str(item.options[2].value)
    if psfs:
        data |= {"psfs_activity_0": "Driving", "psfs_rating_0": "4"}
    return data


def test_psfs_with_no_activity_gets_a_clear_error_and_saves_nothing(portal, patient_user):
    response = portal.post(step_url("function"), _function_post(psfs=False))
    assert response.status_code == 200
    assert "Name at least one activity" in str(response.context["form"].errors["psfs_activity_0"])
    intake = Intake.objects.get(patient=patient_user.patient)
    assert intake.region == ""
    assert intake.region_answers == {}


def test_a_rating_without_its_activity_is_an_error(portal):
    data = _function_post() | {"psfs_rating_1": "7"}
    response = portal.post(step_url("function"), data)
    assert "Name the activity you rated" in str(response.context["form"].errors["psfs_activity_1"])


def test_the_region_questionnaire_needs_enough_answers_to_score(portal):
    response = portal.post(step_url("function"), _function_post(answered=7))
    errors = response.context["form"].errors
    assert {"ndi_8", "ndi_9", "ndi_10"} <= set(errors)


def test_changing_region_over_htmx_returns_that_questionnaire(portal):
    response = portal.get(
        step_url("function"), {"region": "lower_limb"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert outcomes.LEFS.name in html
    assert 'name="lefs_20"' in html
    assert "<html" not in html


def test_submitting_computes_scores_by_the_published_rules_and_locks_the_intake(
    client_for, patient_user
):
    patient = patient_user.patient
    answers = {f"ndi_{i}": 2 for i in range(1, 11)}  # 20 of 50 -> 40.0 %
    intake = fill_intake(
        patient,
        by=patient_user,
        submit=False,
        region="neck",
        answers=answers,
        psfs=[{"activity": "Driving", "rating": 4}, {"activity": "Reading", "rating": 7}],
    )
    portal = client_for(patient_user)
    review = portal.get(reverse("clinic:portal_intake_review"))
    assert "Everything is filled in" in review.content.decode()
    assert portal.post(reverse("clinic:portal_intake_review")).url == reverse("clinic:portal_home")

    intake.refresh_from_db()
    assert intake.status == Intake.Status.SUBMITTED
    scores = {s.instrument: s.value for s in OutcomeScore.objects.filter(intake=intake)}
    assert scores == {"NPRS": 6, "PSFS": pytest.approx(5.5), "NDI": pytest.approx(40.0)}

    locked = portal.post(step_url("pain"), PAIN_POST | {"action": "later"})
    assert locked.status_code == 302
    intake.refresh_from_db()
    assert intake.presenting_complaint != "Neck pain at work"


def test_review_lists_what_is_missing_and_refuses_to_submit(portal, patient_user):
    portal.post(step_url("pain"), PAIN_POST | {"action": "continue"})
    review = portal.get(reverse("clinic:portal_intake_review")).content.decode()
    assert "A few answers are still missing" in review
    portal.post(reverse("clinic:portal_intake_review"))
    assert Intake.objects.get(patient=patient_user.patient).status == Intake.Status.DRAFT


def test_a_patient_only_ever_reaches_their_own_intake(client_for, make_user):
    a = make_user(Role.PATIENT)
    b = make_user(Role.PATIENT)
    patient_a = PatientFactory(user=a)
    patient_b = PatientFactory(user=b)
    fill_intake(patient_b, by=b, submit=False)
    client_a = client_for(a)

    # Portal URLs carry no patient id: A's requests only ever touch A's record.
    client_a.post(step_url("pain"), PAIN_POST | {"action": "later"})
    assert Intake.objects.get(patient=patient_a).presenting_complaint == "Neck pain at work"
    assert Intake.objects.get(patient=patient_b).presenting_complaint == "Low back pain for a year."
    assert "Low back pain" not in client_a.get(step_url("pain")).content.decode()
    # Staff URLs naming B are closed to patients.
    for url in (
        reverse("clinic:intake_detail", args=[patient_b.pk]),
        reverse("clinic:intake_step", args=[patient_b.pk, "pain"]),
        reverse("clinic:patient_detail", args=[patient_b.pk]),
    ):
        assert client_a.get(url).status_code == 403
        assert client_a.post(url, PAIN_POST).status_code == 403


def test_a_patient_account_without_a_record_gets_404_not_someone_elses(client_for, make_user):
    orphan = make_user(Role.PATIENT)
    assert client_for(orphan).get(step_url("pain")).status_code == 404


def test_a_physio_fills_in_the_intake_with_the_patient_in_clinic(client_for, physio):
    patient = make_patient()
    join_care_team(physio, patient)
    client = client_for(physio)
    url = reverse("clinic:intake_step", args=[patient.pk, "pain"])
    response = client.post(url, PAIN_POST | {"action": "continue"})
    assert response.url == reverse("clinic:intake_step", args=[patient.pk, "history"])
    intake = Intake.objects.get(patient=patient)
    assert intake.channel == Intake.Channel.CLINIC
    assert intake.history.first().history_user == physio


def test_physio_reading_intake_is_access_logged(client_for, physio):
    patient = make_patient()
    join_care_team(physio, patient)
    fill_intake(patient, by=physio)
    response = client_for(physio).get(reverse("clinic:intake_detail", args=[patient.pk]))
    assert "Low back pain for a year." in response.content.decode()
    log = patient.access_logs.get(action="view")
    assert (log.user, log.what) == (physio, "intake and screening")


@pytest.mark.parametrize(
    ("instrument", "value", "maximum", "shown"),
    [
        ("NDI", "40.0", "100", "40.0%"),
        ("LEFS", "52.0", "80", "52 / 80"),
        ("PSFS", "5.5", "10", "5.5 / 10"),
        ("NPRS", "6.0", "10", "6 / 10"),
    ],
)
def test_scores_display_as_their_scales_report_them(instrument, value, maximum, shown):
    from decimal import Decimal

    score = OutcomeScore(instrument=instrument, value=Decimal(value), maximum=Decimal(maximum))
    assert score.display == shown
