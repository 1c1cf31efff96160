"""On PostgreSQL: a destruction deletes a patient's signed notes through the triggers'
narrow exemption, while ordinary updates (and other patients' rows) stay refused, and the
exemption ends with the transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from clinic.origin import Origin
from custody import services
from custody.models import DestructionRecord
from custody.services.retention import DESTROY_SETTING
from tests.world import build_world
from treatments.models import AdverseEvent, TreatmentSession
from treatments.tests.summary_helpers import signed_session

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,
    pytest.mark.usefixtures("private_storage"),
]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the signed-row triggers")


def _execute(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _mark_destroying(patient_id: int) -> None:
    _execute("SELECT set_config(%s, %s, true)", [DESTROY_SETTING, str(patient_id)])


def test_the_exemption_lets_only_that_patients_deletes_through():
    world = build_world()
    a, session = world.patient_a, world.session
    other = signed_session(world.physio, world.patient_b)
    with transaction.atomic():
        _mark_destroying(a.pk)
        # An update of the patient's own signed note is still refused...
        with pytest.raises(IntegrityError, match="signed"), transaction.atomic():
            _execute(
                "UPDATE treatments_treatmentsession SET plan = 'x' WHERE id = %s", [session.pk]
            )
        with pytest.raises(IntegrityError, match="signed"), transaction.atomic():
            _execute(
                "UPDATE assessments_assessment SET chief_complaint = 'x' WHERE id = %s",
                [world.assessment.pk],
            )
        # ... and so is deleting another patient's.
        with pytest.raises(IntegrityError, match="signed"), transaction.atomic():
            _execute("DELETE FROM treatments_needlingsite WHERE session_id = %s", [other.pk])
        with pytest.raises(IntegrityError, match="signed"), transaction.atomic():
            _execute("DELETE FROM treatments_treatmentsession WHERE id = %s", [other.pk])
        transaction.set_rollback(True)
    # Outside that transaction the setting is gone: a raw delete is refused again.
    with pytest.raises(IntegrityError), transaction.atomic():
        _execute("DELETE FROM treatments_adverseevent WHERE id = %s", [world.event.pk])
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s, true)", [DESTROY_SETTING])
        assert cursor.fetchone()[0] in (None, "")


def test_a_destruction_goes_through_the_triggers_and_its_register_row_is_kept():
    world = build_world()
    a = world.patient_a
    record = services.patient_records_destroy(
        patient=a,
        by=world.clinic_admin,
        origin=Origin.NONE,
        confirmation=a.legal_name,
        today=dt.date(2090, 1, 1),
    )
    assert not TreatmentSession.objects.filter(patient=a).exists()
    assert not AdverseEvent.objects.filter(session__patient=a).exists()
    with pytest.raises(DatabaseError, match="kept"), transaction.atomic():
        DestructionRecord.objects.filter(pk=record.pk).update(province="ON")
    with pytest.raises(DatabaseError, match="kept"), transaction.atomic():
        DestructionRecord.objects.filter(pk=record.pk).delete()
    assert DestructionRecord.objects.get(pk=record.pk).province == "BC"
