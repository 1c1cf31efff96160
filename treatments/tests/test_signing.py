"""Acceptance 1 and 2: signing refuses each missing precondition by name; a signed session
cannot change; addenda and history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic import services as clinic_services
from clinic.models import AppointmentType, ConsentVersion, ScreeningItem
from clinic.tests.factories import write_appointment
from treatments import services
from treatments.models import AdverseEvent, TreatmentSession
from treatments.tests.factories import add_site, complete_session, credential_for, ready_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def credentialed(physio):
    credential_for(physio)
    return physio


def _refusal(session, physio) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        services.session_sign(session=session, by=physio)
    session.refresh_from_db()
    assert session.status == TreatmentSession.Status.DRAFT
    return refused.value.messages


def test_all_preconditions_met_signs(credentialed):
    session = complete_session(credentialed)
    signed = services.session_sign(session=session, by=credentialed)
    assert signed.is_signed
    assert signed.signed_by == credentialed
    assert signed.signed_at is not None


def test_stale_consent_refuses(credentialed):
    session = complete_session(credentialed)
    newer = ConsentVersion.objects.create(
        version=ConsentVersion.objects.order_by("-version").first().version + 1, body="New text."
    )
    clinic_services.consent_version_publish(version=newer)
    messages = _refusal(session, credentialed)
    assert len(messages) == 1
    assert messages[0].startswith("Consent:")
    assert f"version {newer.version}" in messages[0]


def test_uncleared_contraindication_refuses_until_cleared(credentialed):
    lymphedema = ScreeningItem.objects.get(code="lymphedema")
    patient = ready_patient(credentialed, screening=[lymphedema.pk])
    session = complete_session(credentialed, patient)
    messages = _refusal(session, credentialed)
    assert messages == [f"Screening: contraindication not cleared: {lymphedema.label}."]
    clinic_services.screening_clear(
        patient=patient,
        item=lymphedema,
        reason="Needling the other limb only; discussed with patient.",
        by=credentialed,
    )
    assert services.session_sign(session=session, by=credentialed).is_signed


def test_new_contraindication_at_re_screen_refuses(credentialed):
    session = complete_session(credentialed, rescreen_contraindication=True)
    assert _refusal(session, credentialed) == [
        "Re-screen: a new contraindication was reported today."
    ]


def test_expired_credential_refuses(physio):
    today = timezone.localdate()
    credential_for(
        physio, valid_from=today - dt.timedelta(days=400), expires_on=today - dt.timedelta(days=1)
    )
    session = complete_session(physio)
    messages = _refusal(session, physio)
    assert len(messages) == 1
    assert messages[0].startswith("Credential:")
    assert f"latest expired {today - dt.timedelta(days=1):%Y-%m-%d}" in messages[0]


@pytest.mark.parametrize(
    "counts",
    [
        {"needles_opened": 2, "needles_removed": 1, "needles_disposed": 1},
        {"needles_opened": 1, "needles_removed": 1, "needles_disposed": 0},
        {"needles_disposed": None},
        {"needle_integrity_checked": False},
    ],
)
def test_unreconciled_needles_refuse(credentialed, counts):
    session = complete_session(credentialed, **counts)
    messages = _refusal(session, credentialed)
    assert len(messages) == 1
    assert messages[0].startswith("Needles:")


def test_spacing_violated_without_override_refuses_and_an_override_allows(credentialed):
    patient = ready_patient(credentialed)
    practitioner = credentialed.practitioner
    ims = AppointmentType.objects.get(name="IMS treatment")
    now = timezone.now()
    write_appointment(patient, practitioner, now - dt.timedelta(days=3), ims, by=credentialed)
    visit = write_appointment(patient, practitioner, now, ims, by=credentialed)
    session = services.session_start(patient=patient, practitioner=practitioner, appointment=visit)
    add_site(session, credentialed)
    services.session_update(
        session=session,
        by=credentialed,
        rescreen_medication=False,
        rescreen_pregnancy=False,
        rescreen_conditions=False,
        rescreen_contraindication=False,
        rescreen_acutely_unwell=False,
        nprs_before=5,
        needles_opened=1,
        needles_removed=1,
        needles_disposed=1,
        needle_integrity_checked=True,
    )
    messages = _refusal(session, credentialed)
    assert len(messages) == 1
    assert messages[0].startswith("IMS spacing:")
    assert "less than 7 days" in messages[0]
    visit.spacing_override_reason = "Flare-up; patient asked, benefits discussed."
    visit.spacing_override_by = credentialed
    visit.save()
    assert services.session_sign(session=session, by=credentialed).is_signed


def test_every_problem_is_listed_at_once(physio):
    patient = ready_patient(physio)
    practitioner = credential_for(physio).practitioner
    session = services.session_start(patient=patient, practitioner=practitioner)
    session.practitioner.needling_credentials.all().delete()
    messages = _refusal(session, physio)
    prefixes = {message.split(":")[0] for message in messages}
    assert {"Re-screen", "Credential", "Needles", "Pain", "Sites"} <= prefixes


def test_only_the_treating_physio_signs(credentialed, physio2):
    session = complete_session(credentialed)
    with pytest.raises(services.NotTheAuthor):
        services.session_sign(session=session, by=physio2)


# --- Acceptance 2: the lock, addenda and history ---------------------------------------


def test_a_signed_session_cannot_change_through_any_service(credentialed):
    session = services.session_sign(session=complete_session(credentialed), by=credentialed)
    site = session.sites.get()
    site.insertions = 9
    for call in (
        lambda: services.session_update(session=session, by=credentialed, nprs_after=0),
        lambda: services.part_save(session=session, by=credentialed, part=site),
        lambda: add_site(session, credentialed),
        lambda: services.part_remove(session=session, by=credentialed, kind="site", pk=site.pk),
        lambda: services.session_sign(session=session, by=credentialed),
    ):
        with pytest.raises(services.SessionLocked):
            call()
    site.refresh_from_db()
    session.refresh_from_db()
    assert site.insertions == 3
    assert session.nprs_after == 3


def test_the_session_form_refuses_a_signed_session(credentialed):
    from treatments.forms import SessionForm

    session = services.session_sign(session=complete_session(credentialed), by=credentialed)
    form = SessionForm({"session_date": session.session_date, "plan": "x"}, instance=session)
    assert not form.is_valid()
    assert "signed and locked" in " ".join(form.non_field_errors())


def test_addendum_with_author_and_time_and_history_shows_both(credentialed, physio2):
    session = services.session_sign(session=complete_session(credentialed), by=credentialed)
    addendum = services.session_addendum_add(
        session=session, by=physio2, text="Pain after was 4, not 3 (patient called)."
    )
    assert (addendum.author, addendum.session) == (physio2, session)
    assert addendum.created_at is not None
    history = list(session.history.order_by("history_date"))
    assert [h.status for h in history][-1] == "signed"
    assert "draft" in [h.status for h in history]
    with pytest.raises(ValidationError):
        services.session_addendum_add(session=session, by=physio2, text="   ")


def test_adverse_events_after_signing_and_serious_ones_notify(
    credentialed, enqueued, clinic_admin, mailoutbox, django_capture_on_commit_callbacks
):
    session = services.session_sign(session=complete_session(credentialed), by=credentialed)
    mild = services.adverse_event_record(
        session=session,
        by=credentialed,
        event=AdverseEvent(kind="bruising", severity="mild", action_taken="Pressure applied."),
    )
    assert not mild.is_serious
    assert enqueued == []
    with django_capture_on_commit_callbacks(execute=True):
        serious = services.adverse_event_record(
            session=session,
            by=credentialed,
            event=AdverseEvent(
                kind="pneumothorax", severity="moderate", action_taken="Sent to emergency."
            ),
        )
    assert serious.is_serious
    assert [task.name for task in enqueued] == ["treatments.tasks.adverse_event_notify_task"]
    from treatments.tasks import adverse_event_notify_task

    assert adverse_event_notify_task.run(serious.pk) is True
    assert adverse_event_notify_task.run(serious.pk) is False  # once
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [clinic_admin.email]
    assert "pneumothorax" in mailoutbox[0].subject
    assert session.patient.legal_last_name not in mailoutbox[0].body
