"""Acceptance 7 (issue 17): the chart and the course summary show each outcome score's
change from baseline (the patient's first score on that measure) and whether it reaches
the measure's MCID, as clinic.outcomes.change_from_baseline decides (tested with worked
examples in clinic/tests/test_outcome_change.py); these tests check the wiring."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clinic.models import OutcomeScore
from clinic.tests.budgets import render_counted
from clinic.tests.factories import join_care_team, make_patient
from treatments.models import CourseSummary
from treatments.selectors import documents
from treatments.tests.factories import credential_for, ready_patient
from treatments.tests.summary_helpers import signed_session

pytestmark = pytest.mark.django_db

MAXIMUM = {"NDI": 100, "LEFS": 80, "NPRS": 10, "PSFS": 10}
WORSE_WHEN_HIGHER = {"NDI": True, "LEFS": False, "NPRS": True, "PSFS": False}


def add_scores(patient, code: str, values_by_days_ago: list[tuple[int, str]]) -> None:
    for days_ago, value in values_by_days_ago:
        OutcomeScore.objects.create(
            patient=patient,
            instrument=code,
            value=Decimal(value),
            maximum=Decimal(MAXIMUM[code]),
            higher_is_worse=WORSE_WHEN_HIGHER[code],
            recorded_at=timezone.now() - dt.timedelta(days=days_ago),
        )


def course_of_scores(patient) -> None:
    # NDI 50 -> 40 -> 31: better by 19 at the end, exactly the MCID (reaches it).
    add_scores(patient, "NDI", [(42, "50.0"), (21, "40.0"), (1, "31.0")])
    # LEFS 30 -> 38: better by 8, one short of the MCID of 9.
    add_scores(patient, "LEFS", [(42, "30"), (1, "38")])
    # NPRS 4 -> 7: worse by 3, beyond the MCID of 2.
    add_scores(patient, "NPRS", [(42, "4"), (1, "7")])


def track_html(html: str, code: str) -> str:
    match = re.search(
        rf'<div class="[^"]*outcome-track[^"]*" data-measure="{code}">(.*?)</table>', html, re.S
    )
    assert match, f"no outcome table for {code}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def chart_scores_html(client, patient) -> str:
    """The chart's outcome scores as shown: loaded right after the page
    (treatments:chart_scores, hx-trigger="load")."""
    page = client.get(reverse("treatments:chart", args=[patient.pk])).content.decode()
    url = reverse("treatments:chart_scores", args=[patient.pk])
    assert f'hx-get="{url}"' in page
    return client.get(url, HTTP_HX_REQUEST="true").content.decode()


def test_chart_shows_change_from_baseline_and_mcid_for_each_measure(physio, client_for):
    patient = make_patient()
    join_care_team(physio, patient)
    course_of_scores(patient)
    html = chart_scores_html(client_for(physio), patient)

    assert "Change from baseline" in html
    ndi = track_html(html, "NDI")
    assert "lower is better" in ndi
    assert "MCID 19 percentage points" in ndi
    assert "Baseline" in ndi  # the first score is the baseline
    assert "better by 10 below MCID" in ndi  # 50 -> 40
    assert "better by 19 reaches MCID" in ndi  # 50 -> 31, at the threshold
    lefs = track_html(html, "LEFS")
    assert "higher is better" in lefs
    assert "better by 8 below MCID" in lefs
    assert "reaches MCID" not in lefs
    nprs = track_html(html, "NPRS")
    assert "worse by 3 beyond MCID" in nprs
    # Not colour alone: the MCID status is written out, with the icon hidden from readers.
    assert (
        html.count('<i class="bi bi-check-circle-fill" aria-hidden="true"></i> reaches MCID') == 1
    )


def test_chart_with_a_single_score_shows_only_the_baseline(physio, client_for):
    patient = make_patient()
    join_care_team(physio, patient)
    add_scores(patient, "PSFS", [(3, "4.0")])
    html = chart_scores_html(client_for(physio), patient)
    psfs = track_html(html, "PSFS")
    assert "Baseline" in psfs
    assert "MCID" in psfs
    assert "better by" not in psfs
    assert "worse by" not in psfs


def test_chart_outcome_table_adds_no_queries_per_score(physio, client_for):
    patient = make_patient()
    join_care_team(physio, patient)
    client = client_for(physio)
    url = reverse("treatments:chart_scores", args=[patient.pk])  # loaded after the chart
    course_of_scores(patient)
    small = render_counted(client, url)
    add_scores(patient, "NDI", [(d, "45.0") for d in range(30, 40)])
    add_scores(patient, "PSFS", [(d, "4.0") for d in range(30, 40)])
    large = render_counted(client, url)
    assert large.html.count('class="outcome-row"') == small.html.count('class="outcome-row"') + 20
    assert large.count == small.count


def test_course_summary_shows_change_from_baseline_and_mcid(physio):
    credential_for(physio)
    patient = ready_patient(physio)
    OutcomeScore.objects.filter(patient=patient).delete()  # the intake's; ours set the course
    course_of_scores(patient)
    signed_session(physio, patient, days_ago=14)
    today = timezone.localdate()
    summary = CourseSummary.objects.create(
        patient=patient,
        date_from=today - dt.timedelta(days=30),
        date_to=today,
        recipient="Dr. Lee",
        requested_by=physio,
    )
    html = render_to_string("pdf/course_summary.html", documents.course_summary_context(summary))
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())

    assert "Change from baseline" in text
    assert "MCID" in text
    # Baseline is the patient's first score, even when it is before the summary's period.
    # Dates as the app writes them: day month year.
    assert re.search(r"NDI \(lower is better\) 50\.0% \(\d+ \w+ \d{4}\) 31\.0%", text)
    assert "better by 19 (reaches MCID) 19 percentage points" in text
    assert "LEFS (higher is better)" in text
    assert "better by 8 (below MCID) 9 points" in text
    assert "worse by 3 (beyond MCID) 2 points" in text


def test_course_summary_ends_the_change_at_its_last_day(physio):
    credential_for(physio)
    patient = ready_patient(physio)
    OutcomeScore.objects.filter(patient=patient).delete()
    course_of_scores(patient)
    signed_session(physio, patient, days_ago=28)
    today = timezone.localdate()
    summary = CourseSummary.objects.create(
        patient=patient,
        date_from=today - dt.timedelta(days=35),
        date_to=today - dt.timedelta(days=14),
        recipient="Dr. Lee",
        requested_by=physio,
    )
    context = documents.course_summary_context(summary)
    ndi = next(track for track in context["scores"] if track.code == "NDI")
    # The 1-day-old 31.0 is after the period: the latest in it is 40.0 (better by 10).
    assert ndi.latest.change.display() == "better by 10 (below MCID)"
    nprs = next(track for track in context["scores"] if track.code == "NPRS")
    assert nprs.latest.is_baseline
    html = render_to_string("pdf/course_summary.html", context)
    assert "One score so far" in html
