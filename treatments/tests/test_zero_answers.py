"""Issue 16, acceptance 8 (the clinician's side): 0 is a measurement, not a blank. Pain 0
before or after needling, needle counts of 0, a range of 0 degrees, a sign looked for and
found absent (severity 0), a band not tender (0): each saves as 0, counts as answered, and
reads back as 0 on the pages and in the PDFs (never "—", "-" or nothing)."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from assessments.models import Muscle, Segment, Sign, SignTest
from assessments.tests.factories import make_assessment, practitioner_for
from treatments import charts, services
from treatments.models import CourseSummary, VisitSummary
from treatments.selectors import documents
from treatments.tests.factories import complete_session, credential_for
from treatments.tests.summary_helpers import named_patient, signed_session

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _text(response_or_html) -> str:
    html = getattr(response_or_html, "content", response_or_html)
    html = html.decode() if isinstance(html, bytes) else html
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _input_value(html: str, name: str) -> str | None:
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag:
            found = re.search(r'value="([^"]*)"', tag)
            return found.group(1) if found else None
    raise AssertionError(f"no input {name}")


@pytest.fixture
def draft(physio):
    credential_for(physio)
    return complete_session(physio)


@pytest.mark.parametrize(
    "field", ["nprs_before", "nprs_after", "needles_opened", "needles_removed", "needles_disposed"]
)
def test_a_session_number_of_zero_autosaves_as_zero_and_comes_back(
    physio, draft, client_for, field
):
    client = client_for(physio)
    data = {"session_date": draft.session_date.isoformat(), "plan": "Review in a week.", field: "0"}
    response = client.post(reverse("treatments:session_save", args=[draft.pk]), data, **HTMX)
    assert "Draft saved" in response.content.decode()
    draft.refresh_from_db()
    assert getattr(draft, field) == 0
    edit = client.get(reverse("treatments:session_edit", args=[draft.pk])).content.decode()
    assert _input_value(edit, field) == "0"


def test_a_note_with_pain_zero_before_and_after_signs_and_shows_zero_everywhere(
    physio, client_for, private_storage
):
    credential_for(physio)
    patient = named_patient(physio, "Zoe", "Zero")
    session = signed_session(physio, patient, nprs_before=0, nprs_after=0)
    assert session.is_signed
    assert (session.nprs_before, session.nprs_after) == (0, 0)
    client = client_for(physio)
    detail = _text(client.get(reverse("treatments:session", args=[session.pk])))
    assert "before 0 → after 0" in detail
    chart = _text(client.get(reverse("treatments:chart", args=[patient.pk])))
    assert "pain 0 → 0" in chart

    summary = VisitSummary.objects.get(session=session)
    visit = _text(
        render_to_string("pdf/visit_summary.html", documents.visit_summary_context(summary))
    )
    assert re.search(r"Before treatment 0 / 10 .*After treatment 0 / 10", visit), visit

    course = CourseSummary.objects.create(
        patient=patient,
        date_from=session.session_date,
        date_to=session.session_date,
        requested_by=physio,
    )
    text = _text(
        render_to_string("pdf/course_summary.html", documents.course_summary_context(course))
    )
    assert "Numeric pain rating 0/10 before the first session in this period; 0/10 after" in text
    assert "0 / 0" in text  # the session row's before / after


def test_the_pain_chart_plots_zero_on_the_axis():
    import datetime as dt

    svg = str(charts.pain_chart([charts.PainPoint(dt.date(2026, 3, 2), 0, 0)]))
    assert "before 0, after 0" in svg
    floor = charts._y(0, 10)
    assert re.search(rf'<circle cx="[\d.]+" cy="{floor:.1f}"', svg)  # pain before: 0
    assert re.search(rf'<rect x="[\d.]+" y="{floor - 4:.1f}"', svg)  # pain after: 0


def test_needle_counts_of_zero_reconcile_but_a_blank_does_not(physio, draft):
    session = services.session_update(
        session=draft, by=physio, needles_opened=0, needles_removed=0, needles_disposed=0
    )
    assert session.needles_reconcile
    assert not any(p.startswith("Needles:") for p in services.sign_problems(session))
    blank = services.session_update(session=draft, by=physio, needles_disposed=None)
    assert not blank.needles_reconcile
    (needles,) = [p for p in services.sign_problems(blank) if p.startswith("Needles:")]
    assert "(now 0 / 0 / —)" in needles  # a blank is not shown as a count of 0


def test_a_range_retest_of_zero_degrees_saves_and_shows(physio, draft, client_for):
    prefix = "retest-new"
    fields = {
        "joint": "wrist",
        "movement": "flexion",
        "side": "R",
        "before_degrees": "0",
        "after_degrees": "0",
    }
    post = {"prefix": prefix, **{f"{prefix}-{k}": v for k, v in fields.items()}}
    response = client_for(physio).post(
        reverse("treatments:part_add", args=[draft.pk, "retest"]), post, **HTMX
    )
    assert response.status_code == 200
    retest = draft.retests.get()
    assert (retest.before_degrees, retest.after_degrees) == (0, 0)
    assert "0° → 0°" in _text(response)


# --- The assessment -----------------------------------------------------------------------


@pytest.fixture
def assessment(physio):
    practitioner_for(physio)
    return make_assessment(physio)


def _post(client, assessment, kind: str, fields: dict):
    prefix = f"{kind}-new"
    data = {"prefix": prefix, **{f"{prefix}-{k}": v for k, v in fields.items()}}
    url = reverse("assessments:finding_add", args=[assessment.pk, kind])
    return client.post(url, data, **HTMX)


def test_a_sign_looked_for_and_absent_is_severity_zero(physio, assessment, client_for):
    client = client_for(physio)
    response = _post(
        client,
        assessment,
        "sign",
        {
            "segment": Segment.objects.get(code="C5").pk,
            "region": "paraspinal",
            "side": "R",
            "severity": "0",
            "sign": Sign.objects.get(name="Paraspinal tenderness").pk,
            "test": SignTest.objects.get(name="Palpation").pk,
        },
    )
    assert response.status_code == 200
    finding = assessment.sign_findings.get()
    assert finding.severity == 0
    assert "0 · absent" in _text(response)
    edit = client.get(
        reverse("assessments:finding_edit", args=[assessment.pk, "sign", finding.pk]), **HTMX
    ).content.decode()
    assert re.search(r'<option value="0"[^>]*selected', edit)


def test_a_band_that_is_not_tender_is_tenderness_zero(physio, assessment, client_for):
    muscle = Muscle.objects.get(name="Supinator")
    response = _post(
        client_for(physio),
        assessment,
        "band",
        {"muscle": muscle.pk, "side": "R", "tenderness": "0"},
    )
    assert response.status_code == 200
    assert assessment.taut_bands.get().tenderness == 0
    assert "Tender 0 · absent" in _text(response)


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"degrees": "0"}, "0°"),
        ({"degrees": "", "percent_of_normal": "0"}, "0% of normal"),
        ({"degrees": "0", "percent_of_normal": "0"}, "0° · 0% of normal"),
    ],
)
def test_a_range_of_zero_is_a_measurement(physio, assessment, client_for, fields, shown):
    base = {"joint": "wrist", "movement": "flexion", "side": "R"}
    response = _post(client_for(physio), assessment, "range", base | fields)
    assert response.status_code == 200
    assert "form" not in response.context or not response.context["form"].errors
    finding = assessment.range_findings.get()
    assert finding.measured == shown
    assert shown in _text(response)
