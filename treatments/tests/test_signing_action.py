"""Signing as an action (issue 18, clinic.signing): `check(user)` names every reason the
user cannot sign (not the author, already signed, each precondition), and `execute(user)`
decides again on what it reads under the row lock, not on the copy the page was drawn from.
Both kinds of note: IMS sessions and assessments."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from assessments import services as assessment_services
from assessments.models import Assessment
from assessments.tests.factories import add_sign, make_assessment, practitioner_for
from clinic.models import CareTeamMember
from clinic.signing import author_practitioner
from treatments import services
from treatments.models import TreatmentSession, VisitSummary
from treatments.tests.factories import complete_session, credential_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def credentialed(physio):
    credential_for(physio)
    return physio


# --- check ---------------------------------------------------------------------------------


def test_check_is_empty_for_the_author_of_a_complete_draft_only(credentialed, physio2):
    action = services.SessionSigning(complete_session(credentialed))
    assert action.check(credentialed) == []
    assert action.check(physio2) == [services.NotTheAuthor.message]


def test_check_names_each_failed_precondition_as_sign_problems_does(credentialed):
    session = complete_session(credentialed, nprs_before=None, needles_disposed=0)
    reasons = services.SessionSigning(session).check(credentialed)
    assert reasons == services.sign_problems(session)
    assert {reason.split(":")[0] for reason in reasons} == {"Pain", "Needles"}


def test_check_of_a_signed_note_says_it_is_signed_and_asks_for_nothing_else(credentialed, physio2):
    session = services.session_sign(session=complete_session(credentialed), by=credentialed)
    action = services.SessionSigning(session)
    assert action.check(credentialed) == [services.SessionLocked.message]
    assert action.check(physio2) == [
        services.NotTheAuthor.message,
        services.SessionLocked.message,
    ]
    assert not action.can_edit(credentialed)


def test_an_assessment_checks_the_same_way(physio, physio2):
    practitioner_for(physio)
    draft = make_assessment(physio, chief_complaint="Elbow pain")
    action = assessment_services.AssessmentSigning(draft)
    assert action.check(physio) == ["Record at least one finding: a sign, a taut band or a range."]
    assert action.check(physio2)[0] == assessment_services.NotTheAuthor.message
    add_sign(draft, physio)
    assert action.check(physio) == []


# --- execute: decided under the lock ----------------------------------------------------


def test_execute_refuses_a_note_signed_since_the_page_read_it(credentialed):
    stale = complete_session(credentialed)
    action = services.SessionSigning(stale)
    first = services.session_sign(
        session=TreatmentSession.objects.get(pk=stale.pk), by=credentialed
    )
    assert not action.note.is_signed  # the copy the page read still looks like a draft
    with pytest.raises(services.SessionLocked):
        action.execute(credentialed)
    assert TreatmentSession.objects.get(pk=stale.pk).signed_at == first.signed_at
    assert VisitSummary.objects.filter(session=stale).count() == 1


def test_execute_reads_the_preconditions_again_under_the_lock(credentialed):
    stale = complete_session(credentialed)
    action = services.SessionSigning(stale)
    TreatmentSession.objects.filter(pk=stale.pk).update(nprs_before=None)
    assert action.check(credentialed) == []
    with pytest.raises(ValidationError) as refused:
        action.execute(credentialed)
    assert refused.value.messages == ["Pain: record the pain score before treatment."]
    assert not TreatmentSession.objects.get(pk=stale.pk).is_signed


def test_execute_refuses_another_physio_and_writes_nothing(credentialed, physio2):
    session = complete_session(credentialed)
    with pytest.raises(services.NotTheAuthor):
        services.SessionSigning(session).execute(physio2)
    assert not TreatmentSession.objects.get(pk=session.pk).is_signed
    assert not VisitSummary.objects.filter(session=session).exists()


def test_execute_signs_and_writes_what_signing_entails(credentialed):
    session = complete_session(credentialed)
    signed = services.SessionSigning(session).execute(credentialed)
    assert signed.is_signed
    assert signed.signed_by == credentialed
    assert VisitSummary.objects.filter(session=session, version=1).exists()
    assert CareTeamMember.objects.filter(
        patient=session.patient, practitioner=session.practitioner
    ).exists()


def test_an_assessment_signed_meanwhile_is_refused_under_the_lock(physio):
    practitioner_for(physio)
    draft = make_assessment(physio, chief_complaint="Elbow pain")
    add_sign(draft, physio)
    action = assessment_services.AssessmentSigning(draft)
    assessment_services.assessment_sign(assessment=Assessment.objects.get(pk=draft.pk), by=physio)
    with pytest.raises(assessment_services.AssessmentLocked):
        action.execute(physio)


# --- The views' guards ------------------------------------------------------------------


def test_of_author_gives_404_for_no_note_and_403_with_the_kind_message(credentialed, physio2):
    session = complete_session(credentialed)
    assert services.SessionSigning.of_author(session.pk, credentialed).note == session
    with pytest.raises(PermissionDenied, match="physiotherapist who treated"):
        services.SessionSigning.of_author(session.pk, physio2)
    with pytest.raises(Http404):
        services.SessionSigning.of_author(session.pk + 1000, credentialed)


def test_author_practitioner_refuses_a_user_without_a_practitioner(front_desk):
    with pytest.raises(PermissionDenied, match="not set up as a practitioner"):
        author_practitioner(front_desk)
