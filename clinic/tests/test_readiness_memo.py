"""Needling readiness read once per request (issue 18): the parts of one page that ask share
the answer; another request, or a call without the request, reads afresh."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from clinic import selectors, services
from clinic.models import ScreeningClearance, ScreeningItem
from clinic.tests.factories import fill_intake, make_patient

pytestmark = pytest.mark.django_db


def _consent(patient, physio) -> None:
    services.consent_sign(
        patient=patient,
        version=selectors.consent_version_current(),
        typed_name=patient.legal_name,
        channel="clinic",
        by=physio,
    )


def test_one_read_per_request_and_patient(physio):
    patient, other = make_patient(), make_patient(legal_first_name="Other")
    fill_intake(patient, by=physio)
    _consent(patient, physio)
    request = RequestFactory().get("/")
    first = selectors.needling_readiness(patient, request=request)
    assert first.ready
    with CaptureQueriesContext(connection) as again:
        assert selectors.needling_readiness(patient, request=request) is first
    assert len(again) == 0
    # Another patient on the same request, and another request, are read.
    assert not selectors.needling_readiness(other, request=request).ready
    with CaptureQueriesContext(connection) as fresh:
        assert selectors.needling_readiness(patient, request=RequestFactory().get("/")).ready
    assert len(fresh) > 0


def test_without_the_request_every_call_reads(physio):
    patient = make_patient()
    fill_intake(patient, by=physio)
    assert not selectors.needling_readiness(patient).ready  # no consent yet
    _consent(patient, physio)
    assert selectors.needling_readiness(patient).ready


def test_consent_status_reuses_the_consent_read(physio):
    patient = make_patient()
    fill_intake(patient, by=physio)
    assert selectors.consent_status(patient) == "missing"
    _consent(patient, physio)
    readiness = selectors.needling_readiness(patient)
    assert readiness.consent is not None
    with CaptureQueriesContext(connection) as queries:
        assert selectors.consent_status(patient, current=readiness.consent) == "current"
    assert len(queries) == 0
    # Told there is no current signature, while one exists: an older one, "stale".
    assert selectors.consent_status(patient, current=None) == "stale"


def test_clearances_are_still_read_for_a_contraindication(physio):
    items = {item.code: item for item in ScreeningItem.objects.all()}
    patient = make_patient()
    fill_intake(patient, by=physio, screening=[items["needle-phobia"]])
    assert selectors.screening_for(patient).blocked
    services.screening_clear(
        patient=patient, item=items["needle-phobia"], reason="Discussed; happy to go on.", by=physio
    )
    result = selectors.screening_for(patient)
    assert not result.blocked
    assert result.contraindications[0].clearance == ScreeningClearance.objects.get()
