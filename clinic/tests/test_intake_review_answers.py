"""Issue 19: the intake's review page shows the answers, step by step, before submitting."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.models import ScreeningItem
from clinic.permissions import Role
from clinic.tests.factories import PatientFactory, fill_intake

pytestmark = pytest.mark.django_db


def test_the_review_page_shows_every_answer_before_submitting(make_user, client_for):
    user = make_user(Role.PATIENT)
    patient = PatientFactory(user=user)
    item = ScreeningItem.objects.filter(active=True).first()
    fill_intake(patient, by=user, submit=False, screening=[item])
    html = client_for(user).get(reverse("clinic:portal_intake_review")).content.decode()
    answers = html[html.index('id="answers-heading"') :]
    text = " ".join(answers.split())
    for step in ("About your pain", "Your health", "Safety check", "Daily activities"):
        assert step in text
    assert "Sitting (4/10)" in text  # the factory's activity and its rating
    assert str(item) in text  # the screening item ticked
    assert "Change<span" in answers  # each step can still be changed


def test_the_questionnaire_says_what_it_is_for_in_plain_words(make_user, client_for):
    from clinic import outcomes

    user = make_user(Role.PATIENT)
    patient = PatientFactory(user=user)
    fill_intake(patient, by=user, submit=False)  # region: low back
    instrument = outcomes.REGION_INSTRUMENT["low_back"]
    page = client_for(user).get(reverse("clinic:portal_intake_step", args=["function"]))
    html = " ".join(page.content.decode().split())
    assert instrument.purpose
    assert instrument.purpose in html
    for region, questionnaire in outcomes.REGION_INSTRUMENT.items():
        assert questionnaire.purpose, region  # every region's questionnaire says why
