"""On PostgreSQL, the signed-assessment lock holds even for code that goes around the
services (a shell session, a bulk update, a future bug): the trigger of migration 0003."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from assessments import services
from assessments.models import Assessment, AssessmentAddendum, SignFinding, TautBand
from assessments.tests.factories import add_band, add_sign, make_assessment, practitioner_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the signed-row trigger")


@pytest.fixture
def signed(physio):
    practitioner_for(physio)
    assessment = make_assessment(physio, chief_complaint="Elbow pain")
    add_sign(assessment, physio)
    add_band(assessment, physio)
    return services.assessment_sign(assessment=assessment, by=physio)


def _refused(action) -> None:
    with pytest.raises(IntegrityError, match="signed"), transaction.atomic():
        action()


def test_the_trigger_refuses_changes_to_a_signed_assessment(signed):
    _refused(lambda: Assessment.objects.filter(pk=signed.pk).update(posture="changed"))
    _refused(lambda: Assessment.objects.filter(pk=signed.pk).update(status="draft"))
    _refused(lambda: Assessment.objects.filter(pk=signed.pk).delete())
    signed.refresh_from_db()
    assert signed.posture == ""
    assert signed.is_signed


def test_the_trigger_refuses_changes_to_its_findings(signed, physio):
    finding = signed.sign_findings.get()
    _refused(lambda: SignFinding.objects.filter(pk=finding.pk).update(severity=3))
    _refused(lambda: SignFinding.objects.filter(pk=finding.pk).delete())
    _refused(lambda: TautBand.objects.filter(assessment=signed).delete())
    band = signed.taut_bands.get()
    band.pk = None
    _refused(band.save)
    assert signed.sign_findings.get().severity == 2
    assert signed.taut_bands.count() == 1


def test_drafts_and_addenda_stay_writable(signed, physio):
    draft = make_assessment(physio)
    Assessment.objects.filter(pk=draft.pk).update(posture="fine")
    add_sign(draft, physio)
    SignFinding.objects.filter(assessment=draft).update(severity=3)
    AssessmentAddendum.objects.create(assessment=signed, author=physio, text="Note")
    assert signed.addenda.count() == 1
    assert draft.sign_findings.get().severity == 3
