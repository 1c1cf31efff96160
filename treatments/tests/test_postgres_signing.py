"""On PostgreSQL, with real concurrent transactions: two signatures of the same note at once
(a double click, two tabs) are decided one after the other by the row lock that
SigningAction.execute takes, so exactly one signs and the other is refused as already
signed; signing's side effects happen once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from assessments import services as assessment_services
from assessments.models import Assessment
from assessments.tests.factories import add_sign, make_assessment, practitioner_for
from clinic.models import CareTeamMember
from clinic.signing import NoteLocked
from treatments import services
from treatments.models import TreatmentSession, VisitSummary
from treatments.tests.factories import complete_session, credential_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): row locks under concurrent transactions")


def _at_once(attempts) -> tuple[list, list]:
    barrier = threading.Barrier(len(attempts))
    wins, refusals, errors = [], [], []

    def run(attempt):
        try:
            barrier.wait()
            wins.append(attempt())
        except NoteLocked as refusal:
            refusals.append(refusal)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return wins, refusals


def test_two_signatures_of_one_session_at_once_sign_it_once(physio):
    credential_for(physio)
    draft = complete_session(physio)
    # Both actions hold the draft as the page read it; only the lock tells them apart.
    first, second = services.SessionSigning(draft), services.SessionSigning(draft)
    wins, refusals = _at_once([lambda: first.execute(physio), lambda: second.execute(physio)])
    assert len(wins) == 1
    assert [type(r) for r in refusals] == [services.SessionLocked]
    assert TreatmentSession.objects.get(pk=draft.pk).is_signed
    assert VisitSummary.objects.filter(session=draft).count() == 1
    assert (
        CareTeamMember.objects.filter(
            patient=draft.patient, practitioner=draft.practitioner, removed_at__isnull=True
        ).count()
        == 1
    )


def test_two_signatures_of_one_assessment_at_once_sign_it_once(physio):
    practitioner_for(physio)
    draft = make_assessment(physio, chief_complaint="Elbow pain")
    add_sign(draft, physio)
    first = assessment_services.AssessmentSigning(draft)
    second = assessment_services.AssessmentSigning(draft)
    wins, refusals = _at_once([lambda: first.execute(physio), lambda: second.execute(physio)])
    assert len(wins) == 1
    assert [type(r) for r in refusals] == [assessment_services.AssessmentLocked]
    assert Assessment.objects.get(pk=draft.pk).is_signed
