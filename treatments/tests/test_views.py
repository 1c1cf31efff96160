"""The chart and session pages: access, field errors with nothing partial, the lock
through every view, and a constant query count however long the history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Muscle, Segment
from assessments.tests.factories import practitioner_for
from clinic.models import AccessLog
from clinic.tests.factories import join_care_team
from treatments import services
from treatments.models import NeedleSize, NeedlingSite, TreatmentSession
from treatments.tests.factories import complete_session, credential_for, needle, ready_patient

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def draft(physio):
    credential_for(physio)
    return complete_session(physio)


def _site_post(prefix="site-new", **overrides):
    muscle = Muscle.objects.get(name="Supinator")
    data = {
        "muscle": muscle.pk,
        "side": "R",
        "segment": Segment.objects.get(code="C6").pk,
        "region": "peripheral",
        "needle": needle().pk,
        "technique": "in_out",
        "retained_minutes": "",
        "insertions": "3",
        "twitch": "large",
    } | overrides
    return {"prefix": prefix, **{f"{prefix}-{k}": v for k, v in data.items()}}


@pytest.mark.parametrize("role", ["front_desk", "patient_user", "clinic_admin"])
def test_only_physiotherapists_reach_charts_and_notes(request, role, draft, client_for):
    client = client_for(request.getfixturevalue(role))
    for url in (
        f"/treatments/patients/{draft.patient_id}/chart/",
        f"/treatments/sessions/{draft.pk}/",
        f"/treatments/sessions/{draft.pk}/edit/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/treatments/sessions/{draft.pk}/site/", _site_post()).status_code == 403


def test_incident_list_is_for_clinic_admins(clinic_admin, physio, client_for):
    assert client_for(clinic_admin).get("/treatments/incidents/").status_code == 200
    assert client_for(physio).get("/treatments/incidents/").status_code == 403


def test_reads_are_logged(physio, draft, client_for):
    client = client_for(physio)
    before = AccessLog.objects.count()
    client.get(f"/treatments/patients/{draft.patient_id}/chart/")
    client.get(f"/treatments/sessions/{draft.pk}/")
    client.get(f"/treatments/sessions/{draft.pk}/edit/")
    assert AccessLog.objects.count() - before == 3
    assert set(AccessLog.objects.values_list("what", flat=True)) >= {"chart", "session note"}


def test_start_session_from_my_day_reuses_the_visits_note(physio, client_for):
    credential_for(physio)
    patient = ready_patient(physio)
    client = client_for(physio)
    first = client.post(f"/treatments/patients/{patient.pk}/sessions/new/")
    session = TreatmentSession.objects.get(patient=patient)
    assert first["Location"] == f"/treatments/sessions/{session.pk}/edit/"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"insertions": "-1"}, "insertions"),
        ({"insertions": "0"}, "insertions"),
        ({"needle": "99999"}, "needle"),
        ({"retained_minutes": "10"}, "retained_minutes"),  # on an in-and-out technique
        ({"technique": "retained"}, "retained_minutes"),
        ({"technique": "electrical", "retained_minutes": "10"}, "estim_frequency_hz"),
        ({"side": "M"}, "side"),
        ({"segment": "__S1__"}, "segment"),  # S1 does not supply the supinator
        ({"region": "paraspinal"}, "region"),
    ],
)
def test_invalid_sites_give_field_errors_and_save_nothing(
    physio, draft, client_for, overrides, field
):
    if overrides.get("segment") == "__S1__":
        overrides["segment"] = Segment.objects.get(code="S1").pk
    before = NeedlingSite.objects.count()
    response = client_for(physio).post(
        f"/treatments/sessions/{draft.pk}/site/", _site_post(**overrides), **HTMX
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert NeedlingSite.objects.count() == before


@pytest.mark.parametrize(
    "name",
    # Rhomboid from the first seed; supraspinatus and infraspinatus from migration 0005
    # (issue 17, acceptance 1: the test database is migrated from empty).
    ["Rhomboid major", "Supraspinatus", "Infraspinatus"],
)
def test_chest_wall_muscles_need_the_precaution_acknowledged(name, physio, draft, client_for):
    muscle = Muscle.objects.get(name=name)
    assert muscle.chest_wall
    data = _site_post(muscle=muscle.pk, segment=Segment.objects.get(code="C5").pk)
    client = client_for(physio)
    # Choosing the muscle brings up the precaution before anything is saved.
    chosen = client.post(f"/treatments/sessions/{draft.pk}/site/refresh/", data, **HTMX)
    assert "Chest wall: pneumothorax precaution" in chosen.content.decode()
    refused = client.post(f"/treatments/sessions/{draft.pk}/site/", data, **HTMX)
    assert "pneumothorax_acknowledged" in refused.context["form"].errors
    assert "pneumothorax precaution" in refused.content.decode()
    assert not draft.sites.filter(muscle=muscle).exists()
    data["site-new-pneumothorax_acknowledged"] = "on"
    # Over the chest wall the depth and direction are required too (test_chest_wall_sites).
    data["site-new-needle_depth_mm"] = "12"
    data["site-new-needle_direction"] = "onto_bone"
    client.post(f"/treatments/sessions/{draft.pk}/site/", data, **HTMX)
    assert draft.sites.filter(muscle=muscle, pneumothorax_acknowledged=True).exists()


def test_a_muscle_off_the_chest_wall_brings_no_precaution(physio, draft, client_for):
    data = _site_post()  # supinator
    chosen = client_for(physio).post(f"/treatments/sessions/{draft.pk}/site/refresh/", data, **HTMX)
    assert "Chest wall: pneumothorax precaution" not in chosen.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("nprs_before", "12", "Pain before (0-10)"),
        ("nprs_after", "-1", "Pain after (0-10)"),
        ("needles_opened", "-3", "Needles opened"),
    ],
)
def test_one_invalid_session_field_does_not_stop_the_rest_saving(
    physio, draft, client_for, field, value, label
):
    """Issue 16: autosave stores every valid field; the invalid one keeps its last saved
    value, is marked next to itself and named in the status."""
    before = getattr(draft, field)
    data = {
        "session_date": draft.session_date.isoformat(),
        "nprs_before": "5",
        "nprs_after": "2",
        "needles_opened": "4",
        "plan": "changed plan",
        field: value,
    }
    response = client_for(physio).post(f"/treatments/sessions/{draft.pk}/save/", data, **HTMX)
    body = response.content.decode()
    assert 'data-save-result="partial"' in body
    assert "Draft saved" in body
    assert "1 field not saved" in body
    assert f"<strong>{label}</strong>" in body
    errors = dict(response.context["field_errors"])
    assert errors[field]
    assert [name for name, messages in errors.items() if messages] == [field]
    assert f'id="err-{field}"' in body  # swapped in next to the field
    draft.refresh_from_db()
    assert draft.plan == "changed plan"  # typed after the slip, saved all the same
    assert getattr(draft, field) == before


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("session_date", "0001-01-01", "cannot be dated before 1900"),
        ("next_visit_on", "9999-12-31", "within two years"),
    ],
)
def test_session_dates_out_of_range_are_refused_and_the_rest_saved(
    physio, draft, client_for, field, value, error
):
    before = getattr(draft, field)
    data = {"session_date": draft.session_date.isoformat(), "plan": "changed plan"}
    response = client_for(physio).post(
        f"/treatments/sessions/{draft.pk}/save/", data | {field: value}, **HTMX
    )
    assert error in " ".join(dict(response.context["field_errors"])[field])
    draft.refresh_from_db()
    assert getattr(draft, field) == before
    assert draft.plan == "changed plan"


def test_a_field_the_service_refuses_is_reported_and_the_rest_saved(
    physio, draft, client_for, monkeypatch
):
    from django.core.exceptions import ValidationError

    from treatments import services

    real = services.session_update
    calls = []

    def refuse_the_plan(**kwargs):
        calls.append(sorted(kwargs))
        if "plan" in kwargs:
            raise ValidationError({"plan": "The plan cannot say that."})
        return real(**kwargs)

    monkeypatch.setattr(services, "session_update", refuse_the_plan)
    data = {"session_date": draft.session_date.isoformat(), "nprs_before": "3", "plan": "x"}
    response = client_for(physio).post(f"/treatments/sessions/{draft.pk}/save/", data, **HTMX)
    body = response.content.decode()
    assert 'data-save-result="partial"' in body
    assert "The plan cannot say that." in body
    assert len(calls) == 2
    assert "plan" not in calls[1]
    draft.refresh_from_db()
    assert (draft.nprs_before, draft.plan) == (3, "")


def test_a_refusal_naming_no_field_saves_nothing(physio, draft, client_for, monkeypatch):
    from django.core.exceptions import ValidationError

    from treatments import services

    def refuse(**kwargs):
        raise ValidationError("The note cannot be saved just now.")

    monkeypatch.setattr(services, "session_update", refuse)
    data = {"session_date": draft.session_date.isoformat(), "plan": "changed plan"}
    response = client_for(physio).post(f"/treatments/sessions/{draft.pk}/save/", data, **HTMX)
    body = response.content.decode()
    assert 'data-save-result="refused"' in body
    assert "The note cannot be saved just now." in body
    assert "Draft saved" not in body
    assert "HX-Trigger" not in response.headers  # the sign panel has nothing new to show
    draft.refresh_from_db()
    assert draft.plan == ""


def test_autosave_saves_the_note(physio, draft, client_for):
    data = {
        "session_date": draft.session_date.isoformat(),
        "nprs_before": "7",
        "rescreen_medication": "True",
        "rescreen_pregnancy": "False",
        "rescreen_conditions": "False",
        "rescreen_contraindication": "False",
        "needles_opened": "4",
        "plan": "Weekly for 4 weeks.",
    }
    response = client_for(physio).post(f"/treatments/sessions/{draft.pk}/save/", data, **HTMX)
    assert "Draft saved" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.nprs_before, draft.rescreen_medication, draft.plan) == (
        7,
        True,
        "Weekly for 4 weeks.",
    )


def test_sign_refusal_names_each_problem_on_the_page(physio, client_for):
    session = complete_session(physio, needles_disposed=0)  # and no credential
    response = client_for(physio).post(f"/treatments/sessions/{session.pk}/sign/", follow=True)
    page = response.content.decode()
    assert "Not signed" in page
    assert "Credential: no needling credential valid" in page
    assert "Needles: opened, removed and disposed" in page
    session.refresh_from_db()
    assert not session.is_signed


def test_a_signed_session_cannot_change_through_any_view(physio, draft, client_for):
    session = services.session_sign(session=draft, by=physio)
    site = session.sites.get()
    client = client_for(physio)
    base = f"/treatments/sessions/{session.pk}"
    for response in (
        client.get(f"{base}/edit/"),
        client.post(f"{base}/save/", {"plan": "changed", "nprs_before": "1"}, **HTMX),
        client.post(f"{base}/site/", _site_post(), **HTMX),
        client.post(f"{base}/site/{site.pk}/remove/", **HTMX),
        client.post(f"{base}/sign/"),
    ):
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert response["HX-Redirect"] == f"{base}/"
    session.refresh_from_db()
    assert session.plan == ""
    assert session.nprs_before == 6
    assert session.sites.count() == 1


def test_addendum_shows_with_author_and_time(physio, physio2, draft, client_for):
    session = services.session_sign(session=draft, by=physio)
    join_care_team(physio2, session.patient)
    client = client_for(physio2)
    response = client.post(f"/treatments/sessions/{session.pk}/addenda/", {"text": "Correction."})
    assert response.status_code == 302
    page = client.get(f"/treatments/sessions/{session.pk}/").content.decode()
    assert "Correction." in page
    addendum = session.addenda.get()
    assert f"{timezone.localtime(addendum.created_at):%Y-%m-%d %H:%M}" in page
    assert (physio2.get_full_name() or physio2.username) in page
    # The change history under the note shows the draft and the signed versions.
    history = page[page.index('id="history"') :]
    assert "created · draft" in history
    assert "changed · signed" in history


def test_adverse_event_form_errors(physio, draft, client_for):
    url = f"/treatments/sessions/{draft.pk}/events/"
    response = client_for(physio).post(url, {"kind": "other", "severity": "mild"})
    assert response.status_code == 400
    errors = response.context["event_form"].errors
    assert "action_taken" in errors
    assert "description" in errors
    assert not draft.adverse_events.exists()


# --- Acceptance 3: the chart's query count --------------------------------------------------


def _history(physio, patient, sessions: int, sites: int = 10) -> None:
    practitioner = practitioner_for(physio)
    muscle = Muscle.objects.get(name="Supinator")
    segment = Segment.objects.get(code="C6")
    size = NeedleSize.objects.first()
    start = timezone.localdate() - dt.timedelta(days=7 * sessions)
    created = TreatmentSession.objects.bulk_create(
        TreatmentSession(
            patient=patient,
            practitioner=practitioner,
            session_date=start + dt.timedelta(days=7 * i),
            nprs_before=7,
            nprs_after=4,
        )
        for i in range(sessions)
    )
    NeedlingSite.objects.bulk_create(
        NeedlingSite(
            session=session,
            muscle=muscle,
            side="R",
            segment=segment,
            region="peripheral",
            needle=size,
            technique="in_out",
            insertions=2,
            twitch="small",
        )
        for session in created
        for _ in range(sites)
    )
    TreatmentSession.objects.filter(patient=patient).update(
        status="signed", signed_at=timezone.now(), signed_by=physio
    )


def test_chart_query_count_is_constant_and_paginated(physio, client_for):
    client = client_for(physio)
    counts = []
    for sessions in (50, 500):
        patient = ready_patient(physio)
        _history(physio, patient, sessions)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/treatments/patients/{patient.pk}/chart/")
        assert response.status_code == 200
        page = response.content.decode()
        assert page.count('class="list-group-item session-item"') == 10  # one page
        assert f"{sessions} in all" in page
        assert page.count("<circle") >= sessions  # every signed session on the chart
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    second = client.get(f"/treatments/patients/{patient.pk}/chart/?page=2")
    assert "Page 2 of 50" in second.content.decode()
