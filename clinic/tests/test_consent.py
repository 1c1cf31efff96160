"""Informed consent: versioned, signed by typed name, stale when a new version appears."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic import selectors, services
from clinic.models import Consent, ConsentVersion
from clinic.permissions import Role
from clinic.tests.factories import PatientFactory, join_care_team, make_patient

pytestmark = pytest.mark.django_db


def publish_new_version() -> ConsentVersion:
    version = ConsentVersion.objects.create(
        version=services.consent_version_next_number(), body="New wording.\n\nSecond paragraph."
    )
    return services.consent_version_publish(version=version)


def test_a_patient_signs_in_the_portal_and_the_record_keeps_how(client_for, patient_user):
    patient = patient_user.patient
    client = client_for(patient_user)
    page = client.get(reverse("clinic:portal_consent")).content.decode()
    assert "pneumothorax" in page

    response = client.post(
        reverse("clinic:portal_consent"),
        {"understood": "on", "typed_name": "  ada   PATIENT "},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.url == reverse("clinic:portal_home")
    consent = Consent.objects.get()
    assert consent.patient == patient
    assert consent.version == selectors.consent_version_current()
    assert consent.channel == Consent.Channel.PORTAL
    assert consent.ip_address == "203.0.113.7"
    assert consent.recorded_by == patient_user
    assert consent.typed_name == "ada   PATIENT"
    assert selectors.consent_current(patient) == consent


def test_the_typed_name_must_be_the_patients_legal_name(client_for, patient_user):
    response = client_for(patient_user).post(
        reverse("clinic:portal_consent"), {"understood": "on", "typed_name": "Someone Else"}
    )
    assert "Type the full legal name on the record: Ada Patient" in str(
        response.context["form"].errors["typed_name"]
    )
    assert not Consent.objects.exists()


def test_reading_the_text_must_be_confirmed(client_for, patient_user):
    response = client_for(patient_user).post(
        reverse("clinic:portal_consent"), {"typed_name": "Ada Patient"}
    )
    assert "confirm that you have read" in str(response.context["form"].errors["understood"])
    assert not Consent.objects.exists()


def test_a_new_version_makes_the_old_consent_stale_until_signed_again(client_for, patient_user):
    patient = patient_user.patient
    client = client_for(patient_user)
    client.post(reverse("clinic:portal_consent"), {"understood": "on", "typed_name": "Ada Patient"})
    assert selectors.consent_status(patient) == "current"

    new = publish_new_version()
    assert selectors.consent_current(patient) is None
    assert selectors.consent_status(patient) == "stale"
    home = client.get(reverse("clinic:portal_home")).content.decode()
    assert "The consent text has changed" in home

    client.post(reverse("clinic:portal_consent"), {"understood": "on", "typed_name": "Ada Patient"})
    assert selectors.consent_current(patient).version == new


def test_signing_an_outdated_version_is_refused(physio):
    patient = make_patient()
    old = selectors.consent_version_current()
    publish_new_version()
    with pytest.raises(services.ConsentError, match="newer consent text"):
        services.consent_sign(
            patient=patient,
            version=old,
            typed_name=patient.legal_name,
            channel="portal",
            by=physio,
        )


def test_a_physio_records_consent_in_clinic_with_the_patient_present(client_for, physio):
    patient = make_patient(legal_first_name="Zoë", legal_last_name="Lefèvre")
    join_care_team(physio, patient)
    client = client_for(physio)
    url = reverse("clinic:consent_in_clinic", args=[patient.pk])
    response = client.post(url, {"understood": "on", "typed_name": "Zoe Lefevre"})
    assert response.url == reverse("clinic:intake_detail", args=[patient.pk])
    consent = Consent.objects.get()
    assert (consent.channel, consent.recorded_by) == (Consent.Channel.CLINIC, physio)


def test_patients_cannot_sign_or_read_for_someone_else(client_for, make_user):
    a = make_user(Role.PATIENT)
    b = make_user(Role.PATIENT)
    PatientFactory(user=a, legal_first_name="Ann", legal_last_name="A")
    patient_b = PatientFactory(user=b, legal_first_name="Bea", legal_last_name="B")
    client_a = client_for(a)
    url_b = reverse("clinic:consent_in_clinic", args=[patient_b.pk])
    assert client_a.get(url_b).status_code == 403
    assert client_a.post(url_b, {"understood": "on", "typed_name": "Bea B"}).status_code == 403
    # A's portal page signs A's record only, whatever name A types.
    client_a.post(reverse("clinic:portal_consent"), {"understood": "on", "typed_name": "Bea B"})
    assert not Consent.objects.filter(patient=patient_b).exists()


def test_front_desk_sees_consent_status_only(client_for, front_desk):
    patient = make_patient()
    client = client_for(front_desk)
    assert client.get(reverse("clinic:consent_in_clinic", args=[patient.pk])).status_code == 403
    detail = client.get(reverse("clinic:patient_detail", args=[patient.pk])).content.decode()
    assert "Not signed" in detail
