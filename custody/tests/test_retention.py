"""Issue 22, acceptance 3: retention worked examples for each province, legal holds, and the
reviewed destruction (what goes, what stays, the register, the access log, the closed
portal account)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, SignFinding
from clinic.models import (
    AccessLog,
    Appointment,
    Consent,
    Intake,
    OutcomeScore,
    Patient,
)
from clinic.origin import Origin
from clinic.permissions import Role
from clinic.tests.factories import TEST_PASSWORD, UserFactory, make_patient
from custody import selectors, services
from custody.models import DestructionRecord, LegalHold
from custody.retention import RULES, add_years
from tests.world import build_world
from treatments.models import (
    AdverseEvent,
    CourseSummary,
    DischargeSummary,
    NeedlingSite,
    RecordCopy,
    TreatmentSession,
    VisitSummary,
)
from treatments.tests.factories import ready_patient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

TODAY = dt.date(2026, 6, 15)


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _patient(name: str, born: dt.date, last_entry: dt.date) -> Patient:
    """A patient whose only entry is their registration on `last_entry`."""
    patient = make_patient(legal_first_name=name, legal_last_name="Example", date_of_birth=born)
    Patient.objects.filter(pk=patient.pk).update(created_at=_noon(last_entry))
    return patient


# name: (born, last entry, listed under BC, AB, ON on TODAY). BC: 16 years after the later
# of the last entry and the 19th birthday; Alberta and Ontario: 10 years, 18th birthday.
EXAMPLES = {
    "OldAdult": (dt.date(1970, 1, 1), dt.date(2009, 3, 1), {"BC", "AB", "ON"}),
    "BcPast": (dt.date(1970, 1, 1), dt.date(2010, 6, 14), {"BC", "AB", "ON"}),
    "BcEdge": (dt.date(1970, 1, 1), dt.date(2010, 6, 15), {"AB", "ON"}),
    "TenPast": (dt.date(1970, 1, 1), dt.date(2016, 6, 14), {"AB", "ON"}),
    "TenEdge": (dt.date(1970, 1, 1), dt.date(2016, 6, 15), set()),
    "MinorBcPast": (dt.date(1991, 6, 14), dt.date(2003, 5, 1), {"BC", "AB", "ON"}),
    "MinorBcEdge": (dt.date(1991, 6, 15), dt.date(2003, 5, 1), {"AB", "ON"}),
    "MinorTenPast": (dt.date(1998, 6, 14), dt.date(2010, 1, 1), {"AB", "ON"}),
    "MinorTenEdge": (dt.date(1998, 6, 15), dt.date(2010, 1, 1), set()),
    "Young": (dt.date(2015, 1, 1), dt.date(2016, 1, 1), set()),
}


@pytest.fixture
def examples(clinic_admin):
    patients = {name: _patient(name, born, last) for name, (born, last, _) in EXAMPLES.items()}
    held = _patient("Held", dt.date(1950, 1, 1), dt.date(1999, 1, 1))
    services.legal_hold_place(patient=held, reason="Claim served 2026-05-01.", by=clinic_admin)
    return patients | {"Held": held}


@pytest.mark.parametrize("province", ["BC", "AB", "ON"])
def test_each_province_lists_exactly_the_expected_patients(examples, province):
    listed = {p.legal_first_name for p in selectors.past_retention(RULES[province], TODAY)}
    expected = {name for name, (_, _, where) in EXAMPLES.items() if province in where}
    assert listed == expected
    # The Python rule agrees with the database for every example.
    for name, (born, last, where) in EXAMPLES.items():
        past = RULES[province].is_past(last_entry=last, date_of_birth=born, today=TODAY)
        assert past == (province in where), name


def test_a_lifted_hold_lists_the_patient_again(examples, clinic_admin):
    rule = RULES["BC"]
    assert "Held" not in {p.legal_first_name for p in selectors.past_retention(rule, TODAY)}
    services.legal_hold_lift(
        hold=LegalHold.objects.get(patient=examples["Held"]), reason="Settled.", by=clinic_admin
    )
    assert "Held" in {p.legal_first_name for p in selectors.past_retention(rule, TODAY)}


def test_a_later_entry_moves_the_last_entry(physio):
    patient = ready_patient(physio)
    old = dt.date(2000, 1, 1)
    Patient.objects.filter(pk=patient.pk).update(created_at=_noon(old))
    Consent.objects.filter(patient=patient).update(signed_at=_noon(old))
    OutcomeScore.objects.filter(patient=patient).update(recorded_at=_noon(old))
    Intake.objects.filter(patient=patient).update(created_at=_noon(dt.date(2004, 2, 3)))
    row = selectors.last_entries(Patient.objects.filter(pk=patient.pk)).get()
    assert row.last_entry == dt.date(2004, 2, 3)


def test_add_years_moves_29_february_to_28_february():
    assert add_years(dt.date(2004, 2, 29), 1) == dt.date(2005, 2, 28)
    assert add_years(dt.date(2004, 2, 29), 4) == dt.date(2008, 2, 29)


def _old_patient(physio, **names) -> Patient:
    """A patient with an intake and a consent, all of it dated 1990 (past every rule)."""
    patient = ready_patient(physio)
    Patient.objects.filter(pk=patient.pk).update(
        date_of_birth=dt.date(1950, 3, 4), created_at=_noon(dt.date(1990, 1, 1)), **names
    )
    Intake.objects.filter(patient=patient).update(created_at=_noon(dt.date(1990, 1, 2)))
    Consent.objects.filter(patient=patient).update(signed_at=_noon(dt.date(1990, 1, 2)))
    OutcomeScore.objects.filter(patient=patient).update(recorded_at=_noon(dt.date(1990, 1, 2)))
    patient.refresh_from_db()
    return patient


def test_destroy_page_refuses_a_wrong_confirmation_and_writes_nothing(
    physio, clinic_admin, client_for
):
    patient = _old_patient(physio, legal_first_name="Old", legal_last_name="Record")
    logs = AccessLog.objects.count()
    url = reverse("custody:destroy", args=[patient.pk])
    response = client_for(clinic_admin).post(url, {"confirmation": "Someone Else"})
    assert response.status_code == 200
    assert "Type the patient" in response.content.decode()
    assert Intake.objects.filter(patient=patient).exists()
    assert not DestructionRecord.objects.exists()
    assert AccessLog.objects.count() == logs


def test_destroy_page_removes_the_record_keeps_the_stub_and_closes_the_account(
    physio, clinic_admin, client_for, django_capture_on_commit_callbacks
):
    patient = _old_patient(physio, legal_first_name="Old", legal_last_name="Record")
    account = UserFactory(roles={Role.PATIENT}, username="old-record")
    Patient.objects.filter(pk=patient.pk).update(user=account, phone="604-555-0101")
    assert patient in selectors.past_retention(RULES["BC"], timezone.localdate())
    portal = client_for(account)  # signed in before the destruction

    url = reverse("custody:destroy", args=[patient.pk])
    assert "Old Record" in client_for(clinic_admin).get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(clinic_admin).post(url, {"confirmation": " old  record "})
    assert response.status_code == 302

    assert not Intake.objects.filter(patient=patient).exists()
    assert not Consent.objects.filter(patient=patient).exists()
    assert not Intake.history.model.objects.filter(patient_id=patient.pk).exists()
    stub = Patient.objects.get(pk=patient.pk)
    assert (stub.legal_name, stub.date_of_birth) == ("Old Record", dt.date(1950, 3, 4))
    assert stub.phone == stub.email == ""
    record = DestructionRecord.objects.get(patient=patient)
    assert record.destroyed_by == clinic_admin
    assert record.province == "BC"
    assert record.counts["intakes"] == 1
    assert record.counts["consents"] == 1
    assert AccessLog.objects.filter(
        patient=patient, user=clinic_admin, what__contains="destroyed"
    ).exists()
    # Destroyed once: not listed again, and the patient cannot sign back in.
    assert patient not in selectors.past_retention(RULES["BC"], timezone.localdate())
    account.refresh_from_db()
    assert not account.is_active
    assert not account.check_password(TEST_PASSWORD)
    home = portal.get(reverse("clinic:portal_home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("login"))
    signed_in = Client().post(
        reverse("login"), {"username": "old-record", "password": TEST_PASSWORD}
    )
    assert "_auth_user_id" not in signed_in.wsgi_request.session
    assert Intake.objects.filter(patient=patient).count() == 0


def test_a_record_under_hold_or_not_past_retention_cannot_be_destroyed(physio, clinic_admin):
    recent = ready_patient(physio)
    with pytest.raises(services.DestructionError, match="not past retention"):
        services.patient_records_destroy(
            patient=recent, by=clinic_admin, origin=Origin.NONE, confirmation=recent.legal_name
        )
    old = _old_patient(physio)
    services.legal_hold_place(patient=old, reason="College complaint.", by=clinic_admin)
    with pytest.raises(services.DestructionError, match="legal hold"):
        services.patient_records_destroy(
            patient=old, by=clinic_admin, origin=Origin.NONE, confirmation=old.legal_name
        )
    assert Intake.objects.filter(patient__in=[recent, old]).count() == 2
    assert not DestructionRecord.objects.exists()


def test_destroying_a_full_record_removes_notes_documents_and_their_files(
    django_capture_on_commit_callbacks, private_storage
):
    """Patient A of the test world: signed assessment and session (with sites and an
    adverse event), visit, course and discharge summaries, a copy of the record."""
    world = build_world()
    a, b = world.patient_a, world.patient_b
    files = [
        private_storage / doc.file.name
        for doc in (world.summary, world.course, world.record_copy, world.discharge)
    ]
    assert all(path.exists() for path in files)
    b_sessions = TreatmentSession.objects.filter(patient=b).count()
    with django_capture_on_commit_callbacks(execute=True):
        record = services.patient_records_destroy(
            patient=a,
            by=world.clinic_admin,
            origin=Origin.NONE,
            confirmation=a.legal_name,
            today=dt.date(2090, 1, 1),
        )
    for model, path in (
        (TreatmentSession, "patient"),
        (NeedlingSite, "session__patient"),
        (AdverseEvent, "session__patient"),
        (Assessment, "patient"),
        (SignFinding, "assessment__patient"),
        (VisitSummary, "session__patient"),
        (CourseSummary, "patient"),
        (RecordCopy, "patient"),
        (DischargeSummary, "patient"),
        (OutcomeScore, "patient"),
        (Intake, "patient"),
        (Consent, "patient"),
    ):
        assert not model.objects.filter(**{path: a}).exists(), model.__name__
    assert not TreatmentSession.history.model.objects.filter(patient_id=a.pk).exists()
    assert not any(path.exists() for path in files)
    assert record.counts["treatment sessions"] == 1
    # The four PDFs and the archive released for patient A's access request.
    assert record.counts["files"] == 5
    assert record.counts["released archives"] == 1
    # Appointments stay as dates; patient B is untouched.
    assert Appointment.objects.filter(patient=a).exists()
    assert TreatmentSession.objects.filter(patient=b).count() == b_sessions


def test_the_retention_page_costs_the_same_queries_for_2_or_8_patients(clinic_admin, client_for):
    client = client_for(clinic_admin)
    url = reverse("custody:retention")
    client.get(url)  # the first visit writes the settings row and the session
    counts = []
    for batch in (2, 6):
        for n in range(batch):
            _patient(f"Gone{batch}{n}", dt.date(1940, 1, 1), dt.date(1990, 1, 1))
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        counts.append(len(queries))
        assert page.count("Review…") == {2: 2, 6: 8}[batch]
    assert counts[0] == counts[1]
