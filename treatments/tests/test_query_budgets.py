"""Query budgets of the treatment pages: the patient chart, the session form and the
patient's Documents page. Each renders over a small history, then over one about ten times
longer: the number of queries must be the same, and under a ceiling (clinic/tests/budgets.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.tests.factories import add_band, add_range, add_sign, make_assessment
from clinic.models import OutcomeScore
from clinic.permissions import Role
from clinic.reference_cache import reference_memo_clear
from clinic.tests.budgets import assert_constant, render_counted
from treatments import services
from treatments.models import AdverseEvent, RomRetest, TreatmentSession, VisitSummary
from treatments.tests.factories import add_site, credential_for, ready_patient
from treatments.tests.summary_helpers import signed_session

pytestmark = pytest.mark.django_db

SITES = (("Supinator", "C6", "R"), ("Infraspinatus", "C5", "L"), ("Gluteus medius", "L5", "R"))


@pytest.fixture
def credentialed(physio):
    # Two years back, so a history of weekly sessions is signed under a valid credential.
    credential_for(physio, valid_from=timezone.localdate() - dt.timedelta(days=2 * 365))
    return physio


def _grow_history(physio, patient, n: int) -> None:
    """`n` more weekly signed sessions (three sites each, every other one with an addendum,
    every third one with an adverse event), an outcome score per visit and a signed
    assessment per five visits, older than those already there."""
    taken = TreatmentSession.objects.filter(patient=patient).count()
    for index in range(taken, taken + n):
        session = signed_session(physio, patient, muscles=SITES, days_ago=7 * (index + 1))
        if index % 2 == 0:
            services.session_addendum_add(session=session, by=physio, text=f"Addendum {index}")
        if index % 3 == 0:
            services.adverse_event_record(
                session=session,
                by=physio,
                event=AdverseEvent(kind="bruising", severity="mild", action_taken="Ice."),
            )
        OutcomeScore.objects.create(
            patient=patient,
            instrument="NDI" if index % 2 else "PSFS",
            value=Decimal(20 + index % 30),
            maximum=Decimal(50 if index % 2 else 10),
            higher_is_worse=bool(index % 2),
            recorded_at=timezone.now() - dt.timedelta(days=7 * (index + 1)),
        )
        if index % 5 == 0:
            assessment = make_assessment(physio, patient, chief_complaint="Neck and arm pain")
            add_sign(assessment, physio, segment="C6", region="peripheral", muscle="Supinator")
            add_band(assessment, physio)
            add_range(assessment, physio)
            assessment_services.assessment_sign(assessment=assessment, by=physio)


def test_chart_query_count_is_constant_at_5_and_50_sessions(credentialed, client_for):
    physio = credentialed
    patient = ready_patient(physio)
    client = client_for(physio)
    url = reverse("treatments:chart", args=[patient.pk])

    _grow_history(physio, patient, 5)
    small = render_counted(client, url)
    assert small.html.count('class="list-group-item session-item"') == 5

    _grow_history(physio, patient, 45)
    large = render_counted(client, url)
    assert large.html.count('class="list-group-item session-item"') == 10  # one page
    assert "50 in all" in large.html
    # 30 -> 33: the chart's "Unsigned and missing notes" card reads one query per registered
    # provider (draft sessions, draft assessments, IMS visits without a note); its own
    # budget at 1x and 10x notes is in test_query_budgets_open_notes.py.
    # 33 -> 23 (issue 18; 28 were run): consent in one query, no clearance query without a
    # contraindication, readiness and consent read once, count and pain chart in one read.
    # 23 -> 21: the open notes of the three providers in one query (clinic open_notes).
    # 21 -> 19 (20 were run): the sessions read once for the count, the page and the pain
    # chart, as values, with their addenda counts (issue 18, helper chart).
    # 19 -> 16: the readiness and consent badges load after the page, from
    # treatments:readiness (its own budget below).
    # 16 -> 14: the outcome scores and latest assessments load after the page, from
    # treatments:chart_scores (its own budget below).
    # 14 -> 13: the notes owed load with them (out of band).
    # 13 -> 14 (issue 20): the care plan's "Visit N of M" (the current plan with its signed
    # sessions counted, one query).
    assert_constant(small, large, ceiling=14)
    # Reading the chart is logged: one row per read, whatever the history.
    assert patient.access_logs.filter(what="chart").count() == 2

    # The IMS readiness and consent badges the chart loads right after it shows.
    readiness_url = reverse("treatments:readiness", args=[patient.pk])
    small_readiness = render_counted(client, readiness_url)
    assert "Ready for IMS" in small_readiness.html
    assert "Consent: current" in small_readiness.html
    other = ready_patient(physio)
    _grow_history(physio, other, 20)
    large_readiness = render_counted(client, reverse("treatments:readiness", args=[other.pk]))
    assert_constant(small_readiness, large_readiness, ceiling=13)
    assert patient.access_logs.filter(what="needling readiness").count() == 1

    # The outcome scores and latest assessments the chart loads right after it shows.
    small_scores = render_counted(client, reverse("treatments:chart_scores", args=[patient.pk]))
    assert "outcome-track" in small_scores.html
    large_scores = render_counted(client, reverse("treatments:chart_scores", args=[other.pk]))
    assert_constant(small_scores, large_scores, ceiling=13)
    assert patient.access_logs.filter(what="chart scores").count() == 1


def test_session_form_query_count_is_constant(credentialed, client_for):
    """The author's draft at the table: its sites, the muscle picker (the latest
    assessment's suggestions first), needles and advice; the patient's history must not
    weigh on it."""
    physio = credentialed
    small_patient, large_patient = ready_patient(physio), ready_patient(physio)
    _grow_history(physio, small_patient, 2)
    _grow_history(physio, large_patient, 20)
    client = client_for(physio)

    def draft_with(patient, sites: int):
        session = services.session_start(patient=patient, practitioner=physio.practitioner)
        for index in range(sites):
            muscle, segment, side = SITES[index % len(SITES)]
            add_site(session, physio, muscle=muscle, segment=segment, side=side)
        for index in range(sites // 4):
            RomRetest.objects.create(
                session=session, joint="shoulder", movement="flexion", side="L",
                before_degrees=90 + index,
            )  # fmt: skip
        return session

    small_draft = draft_with(small_patient, 2)
    large_draft = draft_with(large_patient, 20)
    small_url = reverse("treatments:session_edit", args=[small_draft.pk])
    reference_memo_clear()
    cold = render_counted(client, small_url)
    small = render_counted(client, small_url)
    large = render_counted(client, reverse("treatments:session_edit", args=[large_draft.pk]))
    small_sites = render_counted(client, reverse("treatments:session_sites", args=[small_draft.pk]))
    large_sites = render_counted(client, reverse("treatments:session_sites", args=[large_draft.pk]))
    assert small_sites.html.count("Gluteus medius") < large_sites.html.count("Gluteus medius")
    # The first form after a reference change reads the version and the advice table (the
    # entry forms the other three: needles, muscles, segments); later ones only the version.
    assert cold.count == small.count + 1
    # 40 -> 26 (issue 18; 32 were run): no events or addenda read for the form, the
    # credential and readiness read once, consent in one query, no clearance query without
    # a contraindication, the suggested muscles' findings in one query.
    # 26 -> 23: the reference tables from the per-process memo (clinic/reference_cache.py).
    # 23 -> 22: the suggested muscles in one query (the findings as a subquery).
    # 22 -> 20 (21 were run): the site entry form (and the suggested muscles) load after
    # the page, from treatments:session_entries (its own budget below).
    # 20 -> 15: the readiness (banner, re-screen checklist) and the sign panel load after
    # the page, from treatments:readiness and treatments:sign_panel (budgets below).
    # 15 -> 14: the re-tests (and their entry form) load after the page, from
    # treatments:session_retests (its own budget below).
    # 14 -> 13: the sites load after the page, from treatments:session_sites (its own
    # budget below).
    assert_constant(small, large, ceiling=13)
    assert 'id="site-rows"' not in small.html
    assert_constant(small_sites, large_sites, ceiling=11)

    # The site entry form the page loads right after it shows: the muscle picker
    # (suggestions first), segments, needles; the same whatever the history or the sites.
    entries_url = reverse("treatments:session_entries", args=[small_draft.pk])
    reference_memo_clear()
    cold_entries = render_counted(client, entries_url)
    small_entries = render_counted(client, entries_url)
    assert cold_entries.count == small_entries.count + 3
    large_entries = render_counted(
        client, reverse("treatments:session_entries", args=[large_draft.pk])
    )
    assert 'id="site-new-form"' in small_entries.html
    assert_constant(small_entries, large_entries, ceiling=12)

    # The re-tests with their entry form, which the page loads right after it shows.
    small_retests = render_counted(
        client, reverse("treatments:session_retests", args=[small_draft.pk])
    )
    large_retests = render_counted(
        client, reverse("treatments:session_retests", args=[large_draft.pk])
    )
    assert 'id="retest-new-form"' in small_retests.html
    assert 'id="retest-new-form"' not in small.html
    assert small_retests.html.count("finding-row") < large_retests.html.count("finding-row")
    assert_constant(small_retests, large_retests, ceiling=11)

    # The readiness banner and re-screen checklist the page loads right after it shows.
    def readiness_of(patient):
        url = reverse("treatments:readiness", args=[patient.pk]) + "?on=session"
        return render_counted(client, url)

    small_readiness, large_readiness = readiness_of(small_patient), readiness_of(large_patient)
    assert 'id="rescreen-checklist"' in small_readiness.html
    assert 'id="rescreen-checklist"' not in small.html.split('aria-busy="true"', 1)[0]
    assert_constant(small_readiness, large_readiness, ceiling=13)

    # The sign panel the page loads right after it shows (and after each save).
    # 21 -> 16: the draft read once, by the author's guard, with only what the checks read
    # of its sites (selectors.session_sign_sites), not the whole note (session_detail).
    small_sign = render_counted(client, reverse("treatments:sign_panel", args=[small_draft.pk]))
    large_sign = render_counted(client, reverse("treatments:sign_panel", args=[large_draft.pk]))
    assert "Sign and lock" in small_sign.html
    assert_constant(small_sign, large_sign, ceiling=16)


def test_portal_documents_query_count_is_constant(credentialed, client_for, make_user):
    physio = credentialed
    patient = ready_patient(physio)
    patient.user = make_user(Role.PATIENT, username="budget-patient")
    patient.save(update_fields=["user"])
    client = client_for(patient.user)
    url = reverse("treatments:portal_documents")

    def grow(n: int) -> None:
        taken = TreatmentSession.objects.filter(patient=patient).count()
        for index in range(taken, taken + n):
            session = signed_session(physio, patient, muscles=SITES[:1], days_ago=7 * (index + 1))
            if index % 2:  # a second version, the first one ready
                services.session_addendum_add(session=session, by=physio, text="Checked.")
        VisitSummary.objects.filter(session__patient=patient, version=1).update(status="ready")

    grow(3)
    small = render_counted(client, url)
    assert small.html.count("Visit summary,") == 3
    grow(27)
    large = render_counted(client, url)
    assert large.html.count("Visit summary,") == 30
    assert large.html.count("Download PDF") == 30
    assert large.html.count("an updated version is being prepared") == 15
    assert_constant(small, large, ceiling=10)
