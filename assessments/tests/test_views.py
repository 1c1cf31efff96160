"""The assessment pages: who may use them, what they log, and how bad input is refused."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import services
from assessments.models import Assessment, Muscle, Segment, Sign, SignFinding, SignTest
from assessments.tests.factories import (
    add_band,
    add_range,
    add_sign,
    make_assessment,
    practitioner_for,
)
from clinic.models import AccessLog, AppointmentType
from clinic.tests.factories import fill_intake, join_care_team, make_patient, write_appointment

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def draft(physio):
    practitioner_for(physio)
    return make_assessment(physio)


def _sign_data(prefix="sign-new", **overrides):
    data = {
        "segment": Segment.objects.get(code="C5").pk,
        "region": "paraspinal",
        "side": "R",
        "severity": "2",
        "sign": Sign.objects.get(name="Paraspinal tenderness").pk,
        "test": SignTest.objects.get(name="Palpation").pk,
        "muscle": "",
        "note": "",
    } | overrides
    return {"prefix": prefix, **{f"{prefix}-{key}": value for key, value in data.items()}}


# --- Access ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["front_desk", "patient_user", "clinic_admin"])
def test_only_physiotherapists_reach_assessments(request, role, draft, client_for):
    client = client_for(request.getfixturevalue(role))
    for url in (
        f"/assessments/{draft.pk}/",
        f"/assessments/{draft.pk}/edit/",
        f"/assessments/patients/{draft.patient_id}/",
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(f"/assessments/{draft.pk}/findings/sign/", _sign_data())
    assert response.status_code == 403
    assert not SignFinding.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, draft):
    response = client.get(f"/assessments/{draft.pk}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_every_read_is_logged(physio, draft, client_for):
    client = client_for(physio)
    before = AccessLog.objects.count()
    assert client.get(f"/assessments/{draft.pk}/edit/").status_code == 200
    assert client.get(f"/assessments/{draft.pk}/").status_code == 200
    assert client.get(f"/assessments/patients/{draft.patient_id}/").status_code == 200
    rows = list(AccessLog.objects.order_by("-pk")[: AccessLog.objects.count() - before])
    assert len(rows) == 3
    assert {row.patient_id for row in rows} == {draft.patient_id}
    assert {row.user_id for row in rows} == {physio.pk}
    assert {row.what for row in rows} == {"assessment", "assessment list"}


def test_another_physio_reads_but_cannot_edit(physio2, draft, client_for):
    join_care_team(physio2, draft.patient)
    client = client_for(physio2)
    assert client.get(f"/assessments/{draft.pk}/").status_code == 200
    response = client.get(f"/assessments/{draft.pk}/edit/")
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{draft.pk}/"
    assert client.post(f"/assessments/{draft.pk}/findings/sign/", _sign_data()).status_code == 403
    assert client.post(f"/assessments/{draft.pk}/sign/").status_code == 403
    assert not SignFinding.objects.exists()


def test_start_from_my_day_links_the_appointment_and_the_intake(physio, client_for):
    practitioner = practitioner_for(physio)
    patient = make_patient()
    join_care_team(physio, patient)
    intake = fill_intake(patient, by=physio)
    kind = AppointmentType.objects.get(name="Initial assessment")
    visit = write_appointment(patient, practitioner, timezone.now(), kind, by=physio)
    later = timezone.now() + dt.timedelta(hours=2)
    other = write_appointment(make_patient(), practitioner, later, kind, by=physio)
    client = client_for(physio)
    url = f"/assessments/patients/{patient.pk}/new/"
    assert client.post(url, {"appointment": other.pk}).status_code == 404
    response = client.post(url, {"appointment": visit.pk})
    assessment = Assessment.objects.get(patient=patient)
    assert assessment.appointment == visit
    assert response["Location"] == f"/assessments/{assessment.pk}/edit/"
    assert assessment.practitioner == practitioner
    assert assessment.intake == intake
    assert assessment.chief_complaint == intake.presenting_complaint
    assert assessment.body_marks == intake.pain_marks


# --- Entry --------------------------------------------------------------------------------


def test_add_a_sign_finding_returns_the_row_and_a_fresh_entry_line(physio, draft, client_for):
    response = client_for(physio).post(
        f"/assessments/{draft.pk}/findings/sign/", _sign_data(), **HTMX
    )
    assert response.status_code == 200
    finding = SignFinding.objects.get(assessment=draft)
    body = response.content.decode()
    assert f'id="sign-row-{finding.pk}"' in body
    assert 'hx-swap-oob="beforeend:#sign-rows"' in body
    assert "findings-changed" in json.loads(response["HX-Trigger"])
    # The next row keeps segment, region and side.
    entry = response.context["form"]
    assert entry.initial["segment"] == str(finding.segment_id)
    assert entry.initial["side"] == "R"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"severity": "5"}, "severity", "not one of the available choices"),
        ({"segment": "99999"}, "segment", "not one of the available choices"),
        ({"segment": "S3"}, "segment", "valid choice"),
        (
            {
                "sign": "Motor point tenderness",
                "region": "peripheral",
                "side": "M",
                "muscle": "Supinator",
            },
            "side",
            "paired muscle",
        ),
        (
            {"sign": "Motor point tenderness", "region": "paraspinal", "muscle": "Supinator"},
            "muscle",
            "peripheral muscle",
        ),
        ({"sign": "Motor point tenderness", "region": "peripheral"}, "muscle", "Name the muscle"),
        ({"test": "Matchstick test"}, "test", "not tested by"),
    ],
)
def test_invalid_sign_findings_show_field_errors_and_save_nothing(
    physio, draft, client_for, overrides, field, message
):
    lookups = {
        "sign": lambda v: Sign.objects.get(name=v).pk,
        "muscle": lambda v: Muscle.objects.get(name=v).pk,
        "test": lambda v: SignTest.objects.get(name=v).pk,
    }
    overrides = {k: lookups[k](v) if k in lookups else v for k, v in overrides.items()}
    response = client_for(physio).post(
        f"/assessments/{draft.pk}/findings/sign/", _sign_data(**overrides), **HTMX
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message.lower() in " ".join(form.errors[field]).lower()
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert not SignFinding.objects.exists()
    assert "HX-Trigger" not in response


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"degrees": "361"}, "degrees"),
        ({"degrees": "-5"}, "degrees"),
        ({"degrees": "", "percent_of_normal": ""}, "degrees"),
        ({"percent_of_normal": "250"}, "percent_of_normal"),
        ({"movement": "dorsiflexion"}, "movement"),
        ({"side": "M"}, "side"),
    ],
)
def test_invalid_ranges_show_field_errors(physio, draft, client_for, data, field):
    prefix = "range-new"
    fields = {"joint": "wrist", "movement": "flexion", "side": "R", "degrees": "60"} | data
    post = {"prefix": prefix, **{f"{prefix}-{k}": v for k, v in fields.items()}}
    response = client_for(physio).post(f"/assessments/{draft.pk}/findings/range/", post, **HTMX)
    assert field in response.context["form"].errors
    assert not draft.range_findings.exists()


def test_taut_band_side_rule(physio, draft, client_for):
    prefix = "band-new"
    muscle = Muscle.objects.get(name="Supinator")
    post = {
        "prefix": prefix,
        f"{prefix}-muscle": muscle.pk,
        f"{prefix}-side": "M",
        f"{prefix}-tenderness": "2",
    }
    response = client_for(physio).post(f"/assessments/{draft.pk}/findings/band/", post, **HTMX)
    assert "side" in response.context["form"].errors
    assert not draft.taut_bands.exists()
    post[f"{prefix}-side"] = "L"
    client_for(physio).post(f"/assessments/{draft.pk}/findings/band/", post, **HTMX)
    assert draft.taut_bands.get().muscle == muscle


def test_edit_and_remove_a_row_in_place(physio, draft, client_for):
    client = client_for(physio)
    finding = add_sign(draft, physio)
    url = f"/assessments/{draft.pk}/findings/sign/{finding.pk}/"
    page = client.get(url, **HTMX)
    assert f'id="sign-row-{finding.pk}"' in page.content.decode()
    response = client.post(url, _sign_data(prefix=f"sign-{finding.pk}", severity="3"), **HTMX)
    assert response.status_code == 200
    finding.refresh_from_db()
    assert finding.severity == 3
    assert "3 · marked" in response.content.decode()
    removed = client.post(f"{url}remove/", **HTMX)
    assert removed.status_code == 200
    assert not SignFinding.objects.filter(pk=finding.pk).exists()


def test_refresh_offers_the_segments_muscles_first_and_the_signs_tests(physio, draft, client_for):
    data = _sign_data(sign=Sign.objects.get(name="Trophedema").pk, segment="")
    data["sign-new-segment"] = Segment.objects.get(code="C6").pk
    response = client_for(physio).post(
        f"/assessments/{draft.pk}/findings/sign/refresh/", data, **HTMX
    )
    body = response.content.decode()
    assert 'id="id_sign-new-muscle-wrap"' in body
    assert body.index('label="Supplied by C6"') < body.index('label="Other muscles"')
    supplied = body[body.index('label="Supplied by C6"') : body.index('label="Other muscles"')]
    assert "Supinator" in supplied
    assert "Gastrocnemius" not in supplied
    tests = response.context["form"].fields["test"].queryset
    expected = Sign.objects.get(name="Trophedema").tests.all()
    assert {t.name for t in tests} == {t.name for t in expected}


def test_refresh_to_another_sign_drops_a_test_it_has_not_and_takes_its_only_one(
    physio, draft, client_for
):
    """Issue 19: a test chosen for the previous sign does not stay chosen (hidden from the
    list) when the sign changes; a sign with a single test gets it."""
    motor_point = Sign.objects.get(name="Motor point tenderness")
    assert list(motor_point.tests.values_list("name", flat=True)) == ["Palpation"]
    data = _sign_data(sign=motor_point.pk, test=SignTest.objects.get(name="Skin rolling").pk)
    response = client_for(physio).post(
        f"/assessments/{draft.pk}/findings/sign/refresh/", data, **HTMX
    )
    form = response.context["form"]
    assert form["test"].value() == SignTest.objects.get(name="Palpation").pk
    # A test the new sign has stays chosen.
    data = _sign_data(test=SignTest.objects.get(name="Skin rolling").pk)
    response = client_for(physio).post(
        f"/assessments/{draft.pk}/findings/sign/refresh/", data, **HTMX
    )
    assert response.context["form"]["test"].value() == str(
        SignTest.objects.get(name="Skin rolling").pk
    )


def test_header_autosave_and_its_errors(physio, draft, client_for):
    client = client_for(physio)
    url = f"/assessments/{draft.pk}/header/text/"
    data = {"assessed_on": "2026-11-01", "chief_complaint": "Elbow pain", "posture": "Slumped"}
    response = client.post(url, data, **HTMX)
    assert "Draft saved" in response.content.decode()
    draft.refresh_from_db()
    assert draft.chief_complaint == "Elbow pain"
    assessed_on = draft.assessed_on
    bad = client.post(url, data | {"assessed_on": "2999-01-01", "posture": "changed"}, **HTMX)
    assert "1 field not saved" in bad.content.decode()
    assert "future" in bad.content.decode()
    ancient = client.post(url, data | {"assessed_on": "0001-01-01", "posture": "later"}, **HTMX)
    assert "cannot be dated before 1900" in ancient.content.decode()
    assert 'data-save-result="partial"' in ancient.content.decode()
    draft.refresh_from_db()
    # Issue 16: the slip in the date does not lose the posture typed with it.
    assert draft.posture == "later"
    assert draft.assessed_on == assessed_on
    marks = [{"view": "back", "x": 0.5, "y": 0.5, "kind": "skin_sign", "note": "Orange peel"}]
    chart = client.post(
        f"/assessments/{draft.pk}/header/chart/", {"body_marks": json.dumps(marks)}, **HTMX
    )
    assert "Draft saved" in chart.content.decode()
    draft.refresh_from_db()
    assert draft.body_marks == marks
    assert draft.chief_complaint == "Elbow pain"  # the chart part leaves the text alone


# --- Signing and the lock ---------------------------------------------------------------


def test_signing_needs_a_complaint_and_a_finding(physio, draft, client_for):
    services.assessment_update(assessment=draft, by=physio, chief_complaint="")
    client = client_for(physio)
    response = client.post(f"/assessments/{draft.pk}/sign/", follow=True)
    assert "Record the chief complaint." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.DRAFT
    services.assessment_update(assessment=draft, by=physio, chief_complaint="Neck pain")
    add_range(draft, physio)
    response = client.post(f"/assessments/{draft.pk}/sign/")
    draft.refresh_from_db()
    assert draft.is_signed
    assert draft.signed_by == physio
    assert response["Location"] == f"/assessments/{draft.pk}/"


def test_a_signed_assessment_cannot_change_through_any_view(physio, draft, client_for):
    finding = add_sign(draft, physio)
    band = add_band(draft, physio)
    services.assessment_update(assessment=draft, by=physio, chief_complaint="Neck pain")
    services.assessment_sign(assessment=draft, by=physio)
    client = client_for(physio)
    base = f"/assessments/{draft.pk}"
    attempts = [
        client.get(f"{base}/edit/"),
        client.post(f"{base}/header/text/", {"chief_complaint": "changed"}, **HTMX),
        client.post(f"{base}/header/chart/", {"body_marks": "[]"}, **HTMX),
        client.post(f"{base}/findings/sign/", _sign_data(), **HTMX),
        client.post(
            f"{base}/findings/sign/{finding.pk}/",
            _sign_data(prefix=f"sign-{finding.pk}", severity="3"),
            **HTMX,
        ),
        client.post(f"{base}/findings/band/{band.pk}/remove/", **HTMX),
        client.post(f"{base}/sign/"),
    ]
    for response in attempts:
        assert response.status_code in (200, 302), response
        if response.status_code == 200:
            assert response.get("HX-Redirect") == f"{base}/"
    draft.refresh_from_db()
    finding.refresh_from_db()
    assert draft.chief_complaint == "Neck pain"
    assert finding.severity == 2
    assert draft.sign_findings.count() == 1
    assert draft.taut_bands.count() == 1


def test_a_signed_assessment_cannot_change_through_any_service(physio, draft):
    finding = add_sign(draft, physio)
    services.assessment_update(assessment=draft, by=physio, chief_complaint="Neck pain")
    services.assessment_sign(assessment=draft, by=physio)
    finding.severity = 3
    calls = [
        lambda: services.assessment_update(assessment=draft, by=physio, posture="x"),
        lambda: services.finding_save(assessment=draft, by=physio, finding=finding),
        lambda: add_band(draft, physio),
        lambda: services.finding_remove(assessment=draft, by=physio, kind="sign", pk=finding.pk),
        lambda: services.assessment_sign(assessment=draft, by=physio),
    ]
    for call in calls:
        with pytest.raises(services.AssessmentLocked):
            call()
    finding.refresh_from_db()
    assert finding.severity == 2


def test_addenda_on_signed_assessments(physio, physio2, draft, client_for):
    join_care_team(physio2, draft.patient)
    services.assessment_update(assessment=draft, by=physio, chief_complaint="Neck pain")
    add_sign(draft, physio)
    services.assessment_sign(assessment=draft, by=physio)
    client = client_for(physio2)
    blank = client.post(f"/assessments/{draft.pk}/addenda/", {"text": "   "})
    assert blank.status_code == 400
    assert "This field is required." in blank.content.decode()
    response = client.post(f"/assessments/{draft.pk}/addenda/", {"text": "Level is C6, not C5."})
    assert response.status_code == 302
    addendum = draft.addenda.get()
    assert (addendum.author, addendum.text) == (physio2, "Level is C6, not C5.")
    page = client.get(f"/assessments/{draft.pk}/").content.decode()
    assert "Level is C6, not C5." in page


# --- Query budget (acceptance 4) ----------------------------------------------------------


def _with_findings(physio, n: int) -> Assessment:
    assessment = make_assessment(physio)
    segments = list(Segment.objects.order_by("position"))
    muscles = list(Muscle.objects.filter(kind="peripheral")[:20])
    sign = Sign.objects.get(name="Motor point tenderness")
    test = SignTest.objects.get(name="Palpation")
    SignFinding.objects.bulk_create(
        SignFinding(
            assessment=assessment,
            sign=sign,
            test=test,
            segment=segments[i % len(segments)],
            region="peripheral",
            side="L",
            severity=1 + i % 3,
            muscle=muscles[i % len(muscles)],
        )
        for i in range(n)
    )
    for i in range(n // 10):
        add_band(assessment, physio, muscle=muscles[i % len(muscles)].name)
        add_range(assessment, physio, degrees=10 + i)
    return assessment


@pytest.mark.parametrize("page", ["", "edit/"])
def test_assessment_pages_have_a_constant_query_count(physio, client_for, page):
    practitioner_for(physio)
    client = client_for(physio)
    counts = []
    for n in (60, 600):
        assessment = _with_findings(physio, n)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/assessments/{assessment.pk}/{page}")
        assert response.status_code == 200
        assert response.content.decode().count('class="list-group-item finding-row"') == n + 2 * (
            n // 10
        )
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 40, counts
