"""Issue 16, acceptance 4 (treatments): dates outside the plausible window and overlong
free text are refused next to their field, by the forms, the htmx autosave and the services
called directly, and nothing is written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.validators import NARRATIVE_MAX, NOTE_MAX
from treatments import services
from treatments.forms import AdverseEventForm, CourseSummaryForm, SessionForm
from treatments.models import AdverseEvent, CourseSummary, SessionAddendum, TreatmentSession
from treatments.services import summaries
from treatments.tests.factories import complete_session, credential_for

HTMX = {"HTTP_HX_REQUEST": "true"}
BAD_YEARS = ["0001", "3000", "9999"]
TWO_MB = "x" * (2 * 1024 * 1024)


@pytest.fixture
def draft(physio):
    credential_for(physio)
    return complete_session(physio)


# --- Adverse events ----------------------------------------------------------------------


@pytest.mark.parametrize("year", BAD_YEARS)
def test_adverse_event_out_of_window_is_refused_next_to_the_time(physio, draft, client_for, year):
    data = {
        "kind": AdverseEvent.Kind.values[0],
        "severity": "mild",
        "occurred_at": f"{year}-06-01T10:00",
        "action_taken": "Rested, symptoms settled.",
    }
    response = client_for(physio).post(f"/treatments/sessions/{draft.pk}/events/", data)
    assert response.status_code == 400
    errors = response.context["event_form"].errors
    assert list(errors) == ["occurred_at"]
    assert "Check the" in errors["occurred_at"][0]
    assert not AdverseEvent.objects.exists()


def test_adverse_event_a_minute_ago_is_recorded(physio, draft, client_for):
    """The window's other side: a real event now is accepted (the test above is not
    refusing everything)."""
    moment = timezone.localtime() - dt.timedelta(minutes=1)
    data = {
        "kind": AdverseEvent.Kind.values[0],
        "severity": "mild",
        "occurred_at": moment.strftime("%Y-%m-%dT%H:%M"),
        "action_taken": "Rested, symptoms settled.",
    }
    response = client_for(physio).post(f"/treatments/sessions/{draft.pk}/events/", data)
    assert response.status_code == 302
    assert AdverseEvent.objects.count() == 1


def test_adverse_event_hours_ahead_is_refused(physio, draft):
    later = timezone.localtime() + dt.timedelta(hours=3)
    form = AdverseEventForm(
        {
            "kind": AdverseEvent.Kind.values[0],
            "severity": "mild",
            "occurred_at": later.strftime("%Y-%m-%dT%H:%M"),
            "action_taken": "x",
        }
    )
    assert not form.is_valid()
    assert "occurred_at" in form.errors


@pytest.mark.parametrize("year", [1, 3000, 9999])
def test_adverse_event_service_refuses_out_of_window(physio, draft, year):
    event = AdverseEvent(
        kind=AdverseEvent.Kind.values[0],
        severity="mild",
        occurred_at=dt.datetime(year, 6, 1, 10, tzinfo=dt.UTC),
        action_taken="Rested.",
    )
    with pytest.raises(ValidationError) as refused:
        services.adverse_event_record(session=draft, by=physio, event=event)
    assert "occurred_at" in refused.value.message_dict
    assert not AdverseEvent.objects.exists()


def test_adverse_event_text_over_the_limit_is_refused(physio, draft, client_for):
    data = {
        "kind": AdverseEvent.Kind.values[0],
        "severity": "mild",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "action_taken": TWO_MB,
    }
    response = client_for(physio).post(f"/treatments/sessions/{draft.pk}/events/", data)
    assert response.status_code == 400
    assert "action_taken" in response.context["event_form"].errors
    assert not AdverseEvent.objects.exists()


# --- The session note: form, autosave, service ----------------------------------------------


@pytest.mark.parametrize("field", ["session_date", "next_visit_on"])
@pytest.mark.parametrize("year", BAD_YEARS)
def test_session_autosave_refuses_dates_out_of_window(physio, draft, client_for, field, year):
    data = {"session_date": draft.session_date.isoformat(), "plan": "changed plan"}
    response = client_for(physio).post(
        f"/treatments/sessions/{draft.pk}/save/", data | {field: f"{year}-06-01"}, **HTMX
    )
    assert response.status_code == 200
    assert dict(response.context["field_errors"])[field]
    draft.refresh_from_db()
    assert draft.session_date == timezone.localdate()
    assert draft.next_visit_on is None


@pytest.mark.parametrize("year", [1, 3000, 9999])
def test_session_form_refuses_years(draft, year):
    form = SessionForm(
        {"session_date": f"{year:04d}-06-01", "next_visit_on": f"{year:04d}-07-01"},
        instance=draft,
    )
    assert not form.is_valid()
    assert {"session_date", "next_visit_on"} <= set(form.errors)


@pytest.mark.parametrize("field", ["session_date", "next_visit_on"])
@pytest.mark.parametrize("year", [1, 3000, 9999])
def test_session_service_refuses_dates_out_of_window(physio, draft, field, year):
    with pytest.raises(ValidationError) as refused:
        services.session_update(session=draft, by=physio, **{field: dt.date(year, 6, 1)})
    assert field in refused.value.message_dict
    stored = TreatmentSession.objects.get(pk=draft.pk)
    assert stored.session_date == timezone.localdate()
    assert stored.next_visit_on is None


def test_a_2_mb_plan_is_refused_on_the_autosave_with_a_field_error(physio, draft, client_for):
    data = {"session_date": draft.session_date.isoformat(), "plan": TWO_MB}
    response = client_for(physio).post(f"/treatments/sessions/{draft.pk}/save/", data, **HTMX)
    assert response.status_code == 200
    errors = dict(response.context["field_errors"])["plan"]
    assert f"at most {NARRATIVE_MAX} characters" in " ".join(errors)
    draft.refresh_from_db()
    assert draft.plan == ""


def test_a_plan_at_the_limit_is_kept(physio, draft, client_for):
    plan = "y" * NARRATIVE_MAX
    data = {"session_date": draft.session_date.isoformat(), "plan": plan}
    client_for(physio).post(f"/treatments/sessions/{draft.pk}/save/", data, **HTMX)
    draft.refresh_from_db()
    assert draft.plan == plan


def test_session_service_refuses_overlong_text(physio, draft):
    with pytest.raises(ValidationError) as refused:
        services.session_update(
            session=draft, by=physio, plan=TWO_MB, home_care_text="z" * (NOTE_MAX + 1)
        )
    assert {"plan", "home_care_text"} <= set(refused.value.message_dict)
    assert TreatmentSession.objects.get(pk=draft.pk).plan == ""


def test_the_form_fields_carry_the_limits(draft):
    form = SessionForm(instance=draft)
    assert form.fields["plan"].max_length == NARRATIVE_MAX
    assert form.fields["plan"].widget.attrs["maxlength"] == str(NARRATIVE_MAX)
    assert form.fields["home_care_text"].max_length == NOTE_MAX


def test_addendum_service_refuses_overlong_text(physio, draft):
    signed = services.session_sign(session=draft, by=physio)
    with pytest.raises(ValidationError) as refused:
        services.session_addendum_add(session=signed, by=physio, text=TWO_MB)
    assert "text" in refused.value.message_dict
    assert not SessionAddendum.objects.exists()


# --- Course summaries ------------------------------------------------------------------------


@pytest.mark.parametrize("year", BAD_YEARS)
def test_course_summary_form_refuses_years(year):
    form = CourseSummaryForm({"date_from": f"{year}-01-01", "date_to": f"{year}-02-01"})
    assert not form.is_valid()
    assert "date_from" in form.errors
    assert "date_to" in form.errors


@pytest.mark.parametrize("year", [1, 3000, 9999])
def test_course_summary_service_refuses_years(physio, draft, year):
    with pytest.raises(ValidationError) as refused:
        summaries.course_summary_request(
            patient=draft.patient,
            date_from=dt.date(year, 1, 1),
            date_to=dt.date(year, 2, 1),
            recipient="",
            by=physio,
        )
    assert "date_from" in refused.value.message_dict
    assert not CourseSummary.objects.exists()
