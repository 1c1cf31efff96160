"""Issue 17, acceptance 3 and 4 (clinic side): screening v2 and consent v2 from migration
0014 screening_v2_and_consent_v2; earlier intakes keep their answers and show the new items
as unanswered; a patient who signed v1 is asked again."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from clinic import selectors, services
from clinic.models import Consent, ConsentVersion, Intake, ScreeningItem
from clinic.services.accounts import reference_data_ensure
from clinic.tests.factories import fill_intake, join_care_team, make_patient

pytestmark = pytest.mark.django_db

MIGRATION = "clinic.migrations.0015_screening_v2_and_consent_v2"
NEW_PRECAUTIONS = (
    "vascular-disease",
    "under-18",
    "frailty",
    "psychological-state",
    "lung-disease",
    "thin-build",
)
ASKED_PRECAUTIONS = tuple(code for code in NEW_PRECAUTIONS if code != "under-18")


def _items() -> dict[str, ScreeningItem]:
    return {item.code: item for item in ScreeningItem.objects.all()}


def test_after_migrate_the_new_items_are_reference_data_with_their_severity():
    items = _items()
    assert items["acutely-unwell"].is_contraindication
    assert items["acutely-unwell"].active
    for code in NEW_PRECAUTIONS:
        assert items[code].severity == ScreeningItem.Severity.PRECAUTION, code
        assert items[code].active, code
        assert items[code].clinical_note, code
    # The earlier list is still there, unchanged in severity.
    assert items["lymphedema"].is_contraindication
    assert items["anticoagulants"].severity == ScreeningItem.Severity.PRECAUTION


def test_after_migrate_consent_v2_is_current_and_names_infection_and_a_broken_needle():
    current = selectors.consent_version_current()
    v1 = ConsentVersion.objects.get(version=1)
    assert current.version == 2
    assert current.is_published
    text = current.body.lower()
    assert "infection" in text
    assert "needle can break" in text
    assert "left in the body" in text
    assert "infection" not in v1.body.lower()
    # Everything v1 said about risks is still said.
    for risk in ("soreness", "bruises", "drowsiness", "faint", "pneumothorax", "emergency"):
        assert risk in text, risk
        assert risk in v1.body.lower(), risk


def _sign_v1(patient, by, when):
    """A signature on v1 from before v2 was published (the service signs only the current
    version, as a patient would have at the time)."""
    return Consent.objects.create(
        patient=patient,
        version=ConsentVersion.objects.get(version=1),
        typed_name=patient.legal_name,
        channel=Consent.Channel.PORTAL,
        recorded_by=by,
        signed_at=when,
    )


def test_a_patient_who_signed_v1_is_asked_again(client_for, patient_user, physio):
    patient = patient_user.patient
    join_care_team(physio, patient)
    _sign_v1(patient, patient_user, timezone.now() - dt.timedelta(days=30))
    fill_intake(patient, by=patient_user)

    assert selectors.consent_current(patient) is None
    assert selectors.consent_status(patient) == "stale"
    readiness = selectors.needling_readiness(patient)
    assert not readiness.ready
    assert "No current consent to IMS on file." in readiness.reasons

    portal = client_for(patient_user)
    home = portal.get(reverse("clinic:portal_home")).content.decode()
    assert "The consent text has changed" in home
    page = portal.get(reverse("clinic:portal_consent")).content.decode()
    assert "a needle can break" in page
    assert "an infection where the needle went in" in page
    assert 'name="typed_name"' in page
    intake_page = client_for(physio).get(reverse("clinic:intake_detail", args=[patient.pk]))
    assert "No current consent to IMS on file." in intake_page.content.decode()

    portal.post(reverse("clinic:portal_consent"), {"understood": "on", "typed_name": "Ada Patient"})
    assert selectors.consent_current(patient).version.version == 2
    assert selectors.needling_readiness(patient).ready


def test_each_new_item_is_on_the_intake_screening_step_but_age_is_not_asked(
    client_for, patient_user
):
    client = client_for(patient_user)
    client.get(reverse("clinic:portal_intake"))
    page = client.get(reverse("clinic:portal_intake_step", args=["screening"])).content.decode()
    items = _items()
    for code in ("acutely-unwell", *ASKED_PRECAUTIONS):
        assert f'value="{items[code].pk}"' in page, code
    assert f'value="{items["under-18"].pk}"' not in page


def test_under_18_is_worked_out_from_the_date_of_birth(physio):
    today = timezone.localdate()
    minor = make_patient(date_of_birth=today.replace(year=today.year - 17) - dt.timedelta(days=1))
    adult = make_patient(date_of_birth=today.replace(year=today.year - 18) - dt.timedelta(days=1))
    for patient in (minor, adult):
        fill_intake(patient, by=physio)
    assert [item.code for item in selectors.screening_for(minor).precautions] == ["under-18"]
    assert selectors.screening_for(adult).precautions == []
    assert not selectors.screening_for(minor).blocked
    assert not selectors.screening_for(minor).unanswered


def test_acutely_unwell_at_intake_blocks_needling_until_cleared(physio):
    patient = make_patient()
    fill_intake(patient, by=physio, screening=[_items()["acutely-unwell"]])
    readiness = selectors.needling_readiness(patient)
    assert readiness.screening.blocked
    assert any("acutely unwell" in reason for reason in readiness.reasons)


def _pre_migration_intake(physio, ticked: list[str]) -> tuple:
    """The database as it was before 0014: no new items, no v2 consent, an intake answered
    and submitted (the screening_asked column did not exist, so it is empty), consent v1."""
    ConsentVersion.objects.filter(version__gte=2).delete()
    ScreeningItem.objects.filter(code__in=("acutely-unwell", *NEW_PRECAUTIONS)).delete()
    patient = make_patient()
    join_care_team(physio, patient)
    items = _items()
    intake = fill_intake(patient, by=physio, screening=[items[code] for code in ticked])
    intake.screening_asked.clear()
    services.consent_sign(
        patient=patient,
        version=selectors.consent_version_current(),
        typed_name=patient.legal_name,
        channel="clinic",
        by=physio,
    )
    assert selectors.consent_version_current().version == 1
    return patient, intake


def test_an_intake_answered_before_the_migration_shows_the_new_items_as_unanswered(
    client_for, physio
):
    patient, intake = _pre_migration_intake(physio, ["diabetes", "local-infection"])
    before_items = set(intake.screening_items.values_list("code", flat=True))
    before_fields = Intake.objects.filter(pk=intake.pk).values().get()
    draft = fill_intake(make_patient(), by=physio, submit=False)
    draft.screening_asked.clear()

    import_module(MIGRATION).forwards(apps, None)

    intake.refresh_from_db()
    # Nothing previously answered is lost or changed.
    assert set(intake.screening_items.values_list("code", flat=True)) == before_items
    assert Intake.objects.filter(pk=intake.pk).values().get() == before_fields
    result = selectors.screening_for(patient)
    assert [item.code for item in result.precautions] == ["diabetes"]
    assert [entry.item.code for entry in result.contraindications] == ["local-infection"]
    # The earlier items count as answered; the new ones (not the computed age) do not.
    assert [item.code for item in result.unanswered] == ["acutely-unwell", *ASKED_PRECAUTIONS]
    assert {c.code for c in intake.screening_asked.all()} >= {"lymphedema", "pregnancy"}
    # A draft whose screening step was answered is backfilled the same way.
    assert "lymphedema" in {c.code for c in draft.screening_asked.all()}

    # Readiness: consent v1 is stale, the outstanding items are asked, and they do not
    # block by themselves ("acutely unwell" is asked by its own re-screen question).
    services.screening_clear(
        patient=patient,
        item=ScreeningItem.objects.get(code="local-infection"),
        reason="Infection healed; seen on examination today.",
        by=physio,
    )
    readiness = selectors.needling_readiness(patient)
    assert readiness.reasons == ["No current consent to IMS on file."]
    assert not readiness.screening.blocked
    assert len(readiness.questions) == 6
    assert any("acutely unwell" in question for question in readiness.questions)

    page = client_for(physio).get(reverse("clinic:intake_detail", args=[patient.pk]))
    text = page.content.decode()
    assert "Not yet answered" in text
    for item in result.unanswered:
        assert item.label in text


def test_answering_the_outstanding_items_keeps_earlier_answers(client_for, physio):
    patient, intake = _pre_migration_intake(physio, ["diabetes"])
    import_module(MIGRATION).forwards(apps, None)
    items = _items()
    client = client_for(physio)
    url = reverse("clinic:screening_answer", args=[patient.pk])

    # Without confirming every item was asked: a message, nothing recorded.
    client.post(url, {"applies": [items["lung-disease"].pk]})
    assert len(selectors.screening_for(patient).unanswered) == 6
    # An item that is not outstanding is refused, nothing half-written.
    client.post(url, {"applies": [items["lymphedema"].pk], "asked": "on"})
    assert len(selectors.screening_for(patient).unanswered) == 6
    assert not intake.screening_items.filter(code="lymphedema").exists()

    response = client.post(url, {"applies": [items["lung-disease"].pk], "asked": "on"})
    assert response.status_code == 302
    result = selectors.screening_for(patient)
    assert result.unanswered == []
    assert [item.code for item in result.precautions] == ["diabetes", "lung-disease"]
    assert result.contraindications == []


def test_the_migration_is_idempotent_and_keeps_an_admins_wording():
    item = ScreeningItem.objects.get(code="frailty")
    item.label = "Frail (clinic wording)"
    item.save()
    import_module(MIGRATION).forwards(apps, None)
    assert ScreeningItem.objects.get(code="frailty").label == "Frail (clinic wording)"
    assert ConsentVersion.objects.count() == 2


def test_a_flushed_database_gets_both_versions_and_the_whole_list_back():
    ConsentVersion.objects.all().delete()
    ScreeningItem.objects.all().delete()
    reference_data_ensure()
    assert selectors.consent_version_current().version == 2
    assert {"acutely-unwell", "lymphedema", *NEW_PRECAUTIONS} <= set(_items())
