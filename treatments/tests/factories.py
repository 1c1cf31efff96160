"""Treatment test data: a patient ready for IMS and a session note filled in through the
services, as the session form does."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from assessments.models import Muscle, Segment
from assessments.tests.factories import practitioner_for
from clinic import selectors as clinic_selectors
from clinic import services as clinic_services
from clinic.tests.factories import fill_intake, join_care_team, make_patient
from treatments import services
from treatments.models import NeedleSize, NeedlingCredential, NeedlingSite


def ready_patient(physio, **intake):
    """A patient with a submitted intake (no contraindication) and current consent, with
    `physio` on their care team."""
    patient = make_patient()
    join_care_team(physio, patient)
    fill_intake(patient, by=physio, **intake)
    clinic_services.consent_sign(
        patient=patient,
        version=clinic_selectors.consent_version_current(),
        typed_name=patient.legal_name,
        channel="clinic",
        by=physio,
    )
    return patient


def credential_for(physio, *, expires_on=None, valid_from=None):
    today = timezone.localdate()
    return NeedlingCredential.objects.create(
        practitioner=practitioner_for(physio),
        college="College of Physical Therapists of BC",
        roster_number="DN-1234",
        valid_from=valid_from or today - dt.timedelta(days=365),
        expires_on=expires_on or today + dt.timedelta(days=365),
    )


def needle(diameter="0.25", length=40) -> NeedleSize:
    return NeedleSize.objects.get(diameter_mm=Decimal(diameter), length_mm=length)


def add_site(session, physio, *, muscle="Supinator", segment="C6", side="R", **fields):
    muscle_obj = Muscle.objects.get(name=muscle)
    data = {
        "muscle": muscle_obj,
        "side": side,
        "segment": Segment.objects.get(code=segment),
        "region": muscle_obj.kind,
        "needle": needle(),
        "technique": "in_out",
        "insertions": 3,
        "twitch": "large",
        "response_ache": True,
        "released": True,
        "pneumothorax_acknowledged": muscle_obj.chest_wall,
    }
    if muscle_obj.chest_wall:
        # What signing asks for over the chest wall (issue 17): depth and direction.
        data |= {"needle_depth_mm": 15, "needle_direction": NeedlingSite.Direction.TANGENTIAL}
    data |= fields
    return services.part_save(session=session, by=physio, part=NeedlingSite(**data))


def complete_session(physio, patient=None, *, sites=1, **fields):
    """A draft session that passes every signing check."""
    patient = patient or ready_patient(physio)
    session = services.session_start(patient=patient, practitioner=practitioner_for(physio))
    for _ in range(sites):
        add_site(session, physio)
    values = {
        "rescreen_medication": False,
        "rescreen_pregnancy": False,
        "rescreen_conditions": False,
        "rescreen_contraindication": False,
        "rescreen_acutely_unwell": False,
        "nprs_before": 6,
        "nprs_after": 3,
        "needles_opened": sites,
        "needles_removed": sites,
        "needles_disposed": sites,
        "needle_integrity_checked": True,
    } | fields
    return services.session_update(session=session, by=physio, **values)
