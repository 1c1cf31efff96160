"""The session form's site entry form and its re-tests (with the re-test form), loaded right
after the page (issue 18): the page asks for them on load, only the draft's author gets
them, the read is logged like the page's, and a note signed in the meantime sends the
browser to the note."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.tests.factories import add_sign, make_assessment
from clinic.models import AccessLog
from clinic.tests.factories import join_care_team
from treatments import services
from treatments.models import RomRetest, TreatmentSession
from treatments.tests.factories import add_site, credential_for, ready_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(physio):
    credential_for(physio)
    patient = ready_patient(physio)
    assessment = make_assessment(physio, patient, chief_complaint="Neck and arm pain")
    add_sign(assessment, physio, segment="C6", region="peripheral", muscle="Supinator")
    return services.session_start(patient=patient, practitioner=physio.practitioner)


def _urls(draft) -> tuple[str, str]:
    return (
        reverse("treatments:session_edit", args=[draft.pk]),
        reverse("treatments:session_entries", args=[draft.pk]),
    )


PARTS = pytest.mark.parametrize("part", ["session_entries", "session_retests", "session_sites"])


def test_the_page_loads_the_entry_form_and_the_retests(physio, client_for, draft):
    page_url, entries_url = _urls(draft)
    retests_url = reverse("treatments:session_retests", args=[draft.pk])
    page = client_for(physio).get(page_url).content.decode()
    assert f'hx-get="{entries_url}"' in page
    assert f'hx-get="{retests_url}"' in page
    assert 'hx-trigger="load"' in page
    assert 'id="site-new-form"' not in page
    assert 'id="retest-new-form"' not in page
    assert 'id="retest-rows"' not in page
    assert f'hx-get="{reverse("treatments:session_sites", args=[draft.pk])}"' in page
    assert 'id="site-rows"' not in page


def test_the_author_gets_the_sites_and_the_read_is_logged(physio, client_for, draft):
    add_site(draft, physio, muscle="Supinator", segment="C6", side="L")
    url = reverse("treatments:session_sites", args=[draft.pk])
    before = AccessLog.objects.filter(patient=draft.patient, what="session note").count()
    response = client_for(physio).get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('id="site-rows"') == 1
    assert html.count('class="list-group-item finding-row"') == 1
    assert "Supinator" in html
    assert "Repeat last session's sites" in html
    assert "<html" not in html  # a fragment, not a page
    rows = AccessLog.objects.filter(patient=draft.patient, what="session note")
    assert rows.count() == before + 1
    assert rows.latest("pk").user == physio


def test_the_author_gets_the_site_form_and_the_read_is_logged(physio, client_for, draft):
    _, entries_url = _urls(draft)
    before = AccessLog.objects.filter(patient=draft.patient, what="session note").count()
    response = client_for(physio).get(entries_url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('id="site-new-form"') == 1
    assert "Suggested by the assessment" in html
    assert "<html" not in html  # a fragment, not a page
    rows = AccessLog.objects.filter(patient=draft.patient, what="session note")
    assert rows.count() == before + 1
    assert rows.latest("pk").user == physio


def test_the_author_gets_the_retests_and_the_read_is_logged(physio, client_for, draft):
    RomRetest.objects.create(
        session=draft, joint="shoulder", movement="flexion", side="L", before_degrees=90
    )
    url = reverse("treatments:session_retests", args=[draft.pk])
    before = AccessLog.objects.filter(patient=draft.patient, what="session note").count()
    response = client_for(physio).get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('id="retest-new-form"') == 1
    assert html.count('id="retest-rows"') == 1
    assert html.count('class="list-group-item finding-row"') == 1
    assert "<html" not in html  # a fragment, not a page
    rows = AccessLog.objects.filter(patient=draft.patient, what="session note")
    assert rows.count() == before + 1
    assert rows.latest("pk").user == physio


@PARTS
def test_a_colleague_on_the_care_team_is_refused(physio2, client_for, draft, part):
    join_care_team(physio2, draft.patient)
    url = reverse(f"treatments:{part}", args=[draft.pk])
    before = AccessLog.objects.count()
    assert client_for(physio2).get(url).status_code == 403
    assert AccessLog.objects.count() == before


@PARTS
def test_a_signed_note_sends_the_browser_to_the_note(physio, client_for, draft, part):
    TreatmentSession.objects.filter(pk=draft.pk).update(
        status=TreatmentSession.Status.SIGNED, signed_at=timezone.now(), signed_by=physio
    )
    url = reverse(f"treatments:{part}", args=[draft.pk])
    response = client_for(physio).get(url, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("treatments:session", args=[draft.pk])
