"""On PostgreSQL, a signed session stays as signed even for code that goes around the
services: the triggers of migration 0003 (acceptance 2: a raw UPDATE fails)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from treatments import services
from treatments.models import AdverseEvent, NeedlingSite, TreatmentSession
from treatments.tests.factories import add_site, complete_session, credential_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the signed-row triggers")


@pytest.fixture
def signed(physio):
    credential_for(physio)
    return services.session_sign(session=complete_session(physio), by=physio)


def _refused(sql: str, params: list) -> None:
    with (
        pytest.raises(IntegrityError, match="signed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_a_raw_update_of_a_signed_session_fails(signed):
    _refused("UPDATE treatments_treatmentsession SET plan = 'x' WHERE id = %s", [signed.pk])
    _refused("UPDATE treatments_treatmentsession SET status = 'draft' WHERE id = %s", [signed.pk])
    _refused("DELETE FROM treatments_treatmentsession WHERE id = %s", [signed.pk])
    _refused("UPDATE treatments_needlingsite SET insertions = 9 WHERE session_id = %s", [signed.pk])
    _refused("DELETE FROM treatments_needlingsite WHERE session_id = %s", [signed.pk])
    signed.refresh_from_db()
    assert signed.is_signed
    assert signed.plan == ""
    assert signed.sites.get().insertions == 3


def test_inserting_a_site_into_a_signed_session_fails(signed, physio):
    site = signed.sites.get()
    site.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        NeedlingSite.objects.bulk_create([site])
    assert signed.sites.count() == 1


def test_adverse_events_are_added_and_notified_but_never_edited(signed, physio):
    event = services.adverse_event_record(
        session=signed,
        by=physio,
        event=AdverseEvent(kind="pneumothorax", severity="severe", action_taken="Sent to ER."),
    )
    assert services.adverse_event_notify(event.pk) is True  # the timestamp may be set
    _refused("UPDATE treatments_adverseevent SET severity = 'mild' WHERE id = %s", [event.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        AdverseEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.severity == "severe"


def test_drafts_stay_writable(physio):
    credential_for(physio)
    draft = complete_session(physio)
    TreatmentSession.objects.filter(pk=draft.pk).update(plan="fine")
    add_site(draft, physio)
    assert draft.sites.count() == 2
