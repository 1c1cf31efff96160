"""Issue 16, acceptance 4 (assessments): an assessment date outside the plausible window and
overlong free text are refused next to their field, by the form, the htmx autosave and the
services called directly, and nothing is written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments import services
from assessments.forms import AssessmentHeaderForm
from assessments.models import Assessment, AssessmentAddendum
from assessments.tests.factories import add_sign, make_assessment, practitioner_for
from clinic.validators import NARRATIVE_MAX

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
TWO_MB = "x" * (2 * 1024 * 1024)


@pytest.fixture
def draft(physio):
    practitioner_for(physio)
    return make_assessment(physio, chief_complaint="Elbow pain")


@pytest.mark.parametrize("year", ["0001", "3000", "9999"])
def test_header_autosave_refuses_years_next_to_the_date(physio, draft, client_for, year):
    url = f"/assessments/{draft.pk}/header/text/"
    data = {"assessed_on": f"{year}-06-01", "chief_complaint": "Elbow pain", "posture": "x"}
    response = client_for(physio).post(url, data, **HTMX)
    assert response.status_code == 200
    assert dict(response.context["field_errors"])["assessed_on"]
    draft.refresh_from_db()
    assert draft.assessed_on == timezone.localdate()


@pytest.mark.parametrize("year", [1, 3000, 9999])
def test_header_form_refuses_years(draft, year):
    form = AssessmentHeaderForm({"assessed_on": f"{year:04d}-06-01"}, instance=draft)
    assert not form.is_valid()
    assert "assessed_on" in form.errors


@pytest.mark.parametrize("year", [1, 3000, 9999])
def test_assessment_service_refuses_years(physio, draft, year):
    with pytest.raises(ValidationError) as refused:
        services.assessment_update(assessment=draft, by=physio, assessed_on=dt.date(year, 6, 1))
    assert "assessed_on" in refused.value.message_dict
    assert Assessment.objects.get(pk=draft.pk).assessed_on == timezone.localdate()


@pytest.mark.parametrize(
    "field", ["chief_complaint", "posture", "movement", "visceral_note", "impression"]
)
def test_a_2_mb_text_is_refused_on_the_autosave_with_a_field_error(
    physio, draft, client_for, field
):
    url = f"/assessments/{draft.pk}/header/text/"
    data = {"assessed_on": draft.assessed_on.isoformat(), "chief_complaint": "Elbow pain"}
    response = client_for(physio).post(url, data | {field: TWO_MB}, **HTMX)
    assert response.status_code == 200
    errors = " ".join(dict(response.context["field_errors"])[field])
    assert f"at most {NARRATIVE_MAX} characters" in errors
    draft.refresh_from_db()
    assert len(getattr(draft, field)) < NARRATIVE_MAX


def test_assessment_service_refuses_overlong_text(physio, draft):
    with pytest.raises(ValidationError) as refused:
        services.assessment_update(assessment=draft, by=physio, impression=TWO_MB)
    assert "impression" in refused.value.message_dict
    assert Assessment.objects.get(pk=draft.pk).impression == ""


def test_addendum_service_refuses_overlong_text(physio, draft):
    add_sign(draft, physio)
    signed = services.assessment_sign(assessment=draft, by=physio)
    with pytest.raises(ValidationError) as refused:
        services.assessment_addendum_add(assessment=signed, by=physio, text=TWO_MB)
    assert "text" in refused.value.message_dict
    assert not AssessmentAddendum.objects.exists()
