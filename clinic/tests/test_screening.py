"""Screening: contraindications block needling until a physiotherapist clears them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic import selectors, services
from clinic.models import ScreeningClearance, ScreeningItem
from clinic.tests.factories import fill_intake, join_care_team, make_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def items():
    return {item.code: item for item in ScreeningItem.objects.all()}


def test_reference_data_holds_contraindications_and_precautions(items):
    assert items["lymphedema"].is_contraindication
    assert not items["pregnancy"].is_contraindication
    assert len(items) >= 16


def test_screening_is_pending_until_an_intake_is_submitted(physio):
    patient = make_patient()
    fill_intake(patient, by=physio, submit=False)
    result = selectors.screening_for(patient)
    assert result.pending
    assert result.blocked


def test_precautions_are_listed_and_do_not_block(physio, items):
    patient = make_patient()
    fill_intake(patient, by=physio, screening=[items["diabetes"]], anticoagulants="yes")
    result = selectors.screening_for(patient)
    assert [item.code for item in result.precautions] == ["anticoagulants", "diabetes"]
    assert not result.blocked


def test_a_contraindication_blocks_until_a_physio_clears_it_with_a_reason(
    client_for, physio, items
):
    patient = make_patient()
    join_care_team(physio, patient)
    fill_intake(patient, by=physio, screening=[items["local-infection"], items["pregnancy"]])
    client = client_for(physio)
    detail_url = reverse("clinic:intake_detail", args=[patient.pk])

    assert selectors.screening_for(patient).blocked
    page = client.get(detail_url).content.decode()
    assert "Needling blocked." in page
    assert "Contraindication not cleared: An infection, wound or skin condition" in page

    clear_url = reverse("clinic:screening_clear", args=[patient.pk, items["local-infection"].pk])
    too_short = client.post(clear_url, {"reason": "ok"})
    assert too_short.status_code == 302
    assert not ScreeningClearance.objects.exists()

    reason = "Lesion is on the left forearm; today's sites are lumbar paraspinals only."
    client.post(clear_url, {"reason": reason})
    assert not selectors.screening_for(patient).blocked

    clearance = ScreeningClearance.objects.get()
    audit = clearance.history.get()
    assert (audit.history_type, audit.history_user, audit.reason) == ("+", physio, reason)
    assert audit.cleared_by == physio
    assert "Cleared by" in client.get(detail_url).content.decode()


def test_front_desk_cannot_clear_a_contraindication(client_for, front_desk, physio, items):
    patient = make_patient()
    fill_intake(patient, by=physio, screening=[items["lymphedema"]])
    url = reverse("clinic:screening_clear", args=[patient.pk, items["lymphedema"].pk])
    response = client_for(front_desk).post(url, {"reason": "Front desk should not do this."})
    assert response.status_code == 403
    with pytest.raises(services.IntakeError):
        services.screening_clear(
            patient=patient, item=items["lymphedema"], reason="a long enough reason", by=front_desk
        )
    assert selectors.screening_for(patient).blocked


def test_only_a_contraindication_on_the_current_screening_can_be_cleared(physio, items):
    patient = make_patient()
    fill_intake(patient, by=physio, screening=[items["lymphedema"]])
    with pytest.raises(services.IntakeError, match="not on the patient's current screening"):
        services.screening_clear(
            patient=patient, item=items["needle-phobia"], reason="Not relevant at all.", by=physio
        )


def test_needling_readiness_needs_consent_and_clear_screening(physio, items):
    patient = make_patient()
    fill_intake(patient, by=physio)
    readiness = selectors.needling_readiness(patient)
    assert not readiness.ready
    assert readiness.reasons == ["No current consent to IMS on file."]
    services.consent_sign(
        patient=patient,
        version=selectors.consent_version_current(),
        typed_name=patient.legal_name,
        channel="clinic",
        by=physio,
    )
    assert selectors.needling_readiness(patient).ready
