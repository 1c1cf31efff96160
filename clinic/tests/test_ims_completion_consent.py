"""An IMS visit cannot be marked completed for a patient without current consent (issue 16):
no needling without consent, so the front desk (and a physiotherapist alike) is refused with
the reason, and nothing is written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic import selectors, services
from clinic.models import Appointment, AppointmentType, ConsentVersion
from clinic.services.scheduling import NO_CONSENT_FOR_IMS, BookingError
from clinic.tests.factories import make_patient, make_practitioner, write_appointment

pytestmark = pytest.mark.django_db

REFUSAL = (
    "No current consent for IMS: ask the patient to sign consent (portal or in clinic) "
    "before marking this visit completed"
)


@pytest.fixture
def practitioner(physio):
    return make_practitioner(physio)


def started_visit(practitioner, by, *, kind="IMS treatment", patient=None):
    """A visit that began ten minutes ago and is still booked."""
    start = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=10)
    return write_appointment(
        patient or make_patient(by=by),
        practitioner,
        start,
        AppointmentType.objects.get(name=kind),
        by=by,
    )


def sign_consent(patient, by) -> None:
    services.consent_sign(
        patient=patient,
        version=selectors.consent_version_current(),
        typed_name=patient.legal_name,
        channel="clinic",
        by=by,
    )


def complete(client, appointment):
    return client.post(
        reverse("clinic:appointment_status", args=[appointment.pk]),
        {"action": "complete"},
        follow=True,
    )


def test_front_desk_cannot_complete_an_ims_visit_without_consent(
    client_for, front_desk, practitioner
):
    visit = started_visit(practitioner, front_desk)
    versions = visit.history.count()

    response = complete(client_for(front_desk), visit)

    assert REFUSAL in response.content.decode()
    assert f"{visit.patient.display_name} marked complete" not in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.BOOKED
    assert visit.completed_at is None
    assert visit.history.count() == versions  # nothing written


def test_a_stale_consent_is_not_enough(front_desk, practitioner):
    visit = started_visit(practitioner, front_desk)
    sign_consent(visit.patient, front_desk)
    latest = selectors.consent_version_current()
    ConsentVersion.objects.create(
        version=latest.version + 1, body="Revised wording.", published_at=timezone.now()
    )
    with pytest.raises(BookingError, match="No current consent for IMS") as refused:
        services.appointment_complete(appointment=visit, by=front_desk)
    assert refused.value.message == NO_CONSENT_FOR_IMS
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.BOOKED


def test_physios_are_held_to_the_same_rule(client_for, front_desk, physio, practitioner):
    visit = started_visit(practitioner, front_desk)
    response = complete(client_for(physio), visit)
    assert REFUSAL in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.BOOKED


def test_with_current_consent_the_desk_completes_the_ims_visit(
    client_for, front_desk, practitioner
):
    visit = started_visit(practitioner, front_desk)
    sign_consent(visit.patient, front_desk)

    response = complete(client_for(front_desk), visit)

    assert f"{visit.patient.display_name} marked complete" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.COMPLETED
    assert visit.completed_at is not None


def test_a_visit_that_is_not_ims_needs_no_consent_to_complete(client_for, front_desk, practitioner):
    visit = started_visit(practitioner, front_desk, kind="Follow-up")
    complete(client_for(front_desk), visit)
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.COMPLETED


def test_the_appointment_says_up_front_that_consent_is_missing(
    client_for, front_desk, practitioner
):
    visit = started_visit(practitioner, front_desk)
    client = client_for(front_desk)
    url = reverse("clinic:appointment_detail", args=[visit.pk])
    assert "ims-consent-missing" in client.get(url).content.decode()
    sign_consent(visit.patient, front_desk)
    assert "ims-consent-missing" not in client.get(url).content.decode()
