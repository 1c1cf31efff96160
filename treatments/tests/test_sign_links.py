"""Issue 19: the sign panel links each problem to where it is fixed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.tests.factories import join_care_team, make_patient
from treatments import services
from treatments.templatetags.sign_links import sign_link
from treatments.tests.factories import credential_for

pytestmark = pytest.mark.django_db


def test_each_problem_links_to_where_it_is_fixed(physio, client_for):
    from assessments.tests.factories import practitioner_for

    credential_for(physio)
    patient = make_patient(legal_first_name="Unready")  # no intake, no consent
    join_care_team(physio, patient)
    draft = services.session_start(patient=patient, practitioner=practitioner_for(physio))
    panel = client_for(physio).get(reverse("treatments:sign_panel", args=[draft.pk]))
    html = panel.content.decode()
    consent = reverse("clinic:consent_in_clinic", args=[patient.pk])
    intake = reverse("clinic:intake_detail", args=[patient.pk])
    edit = reverse("treatments:session_edit", args=[draft.pk])
    assert f'<a class="link-danger" href="{consent}">Consent:' in html
    assert f'<a class="link-danger" href="{intake}">Screening:' in html
    assert f'href="{edit}#site-heading">Sites:' in html
    assert f'href="{edit}#id_nprs_before">Pain:' in html
    assert sign_link("Credential: none valid", draft) == ""
