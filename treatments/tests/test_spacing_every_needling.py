"""Issue 17, acceptance 2: IMS spacing counts every needling, not only IMS-type bookings.

A signed session with needling sites counts for the interval whatever its appointment's
type was (here an "Initial assessment"), or with no appointment at all; a draft, or a
signed session without sites, does not. Booking, the booking modal, the patient page, the
visit summary, the nightly audit and recall all give the same date (one rule:
clinic.selectors.scheduling.needlings / ims_next_eligible).
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from clinic.models import (
    AppointmentType,
    NeedlingDay,
    RecallInvitation,
    SpacingAlert,
)
from clinic.selectors import ims_next_eligible, patient_ims_summary
from clinic.services import BookingError, Slot, appointment_book, reminders
from clinic.tests.factories import write_appointment
from treatments import services
from treatments.models import TreatmentSession, VisitSummary
from treatments.selectors import documents
from treatments.tests.factories import add_site, complete_session, credential_for, ready_patient

pytestmark = pytest.mark.django_db

RESCREEN_AND_COUNTS = {
    "rescreen_medication": False,
    "rescreen_pregnancy": False,
    "rescreen_conditions": False,
    "rescreen_contraindication": False,
    "rescreen_acutely_unwell": False,
    "nprs_before": 6,
    "nprs_after": 3,
    "needles_opened": 1,
    "needles_removed": 1,
    "needles_disposed": 1,
    "needle_integrity_checked": True,
}


def local(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def credentialed(physio):
    credential_for(physio)  # also makes the practitioner, working every day 08-18
    return physio


@pytest.fixture
def kinds() -> dict[str, AppointmentType]:
    return {t.name: t for t in AppointmentType.objects.all()}


def needled(physio, patient, *, day: dt.date, appointment=None, sign=True, sites=1):
    """A session on `day` (on `appointment` if given) with `sites` needling sites, signed
    through the service unless `sign` is False."""
    practitioner = physio.practitioner
    session = services.session_start(
        patient=patient, practitioner=practitioner, appointment=appointment
    )
    for _ in range(sites):
        add_site(session, physio)
    services.session_update(session=session, by=physio, session_date=day, **RESCREEN_AND_COUNTS)
    session = TreatmentSession.objects.get(pk=session.pk)
    if sign:
        return services.session_sign(session=session, by=physio)
    return session


def initial_assessment_needling(physio, kinds, *, day: dt.date):
    """The acceptance scenario: needled at an "Initial assessment" visit on `day`."""
    patient = ready_patient(physio)
    visit = write_appointment(
        patient,
        physio.practitioner,
        local(day, 9),
        kinds["Initial assessment"],
        by=physio,
        status="completed",
    )
    assert not visit.is_ims
    session = needled(physio, patient, day=day, appointment=visit)
    return patient, visit, session


def book_ims(patient, physio, kinds, day, by, **extra):
    practitioner = physio.practitioner
    return appointment_book(
        patient=patient,
        slot=Slot(
            practitioner, practitioner.locations.first(), local(day, 10), kinds["IMS treatment"]
        ),
        by=by,
        **extra,
    )


def test_needling_at_an_initial_assessment_blocks_ims_three_days_later_everywhere(
    credentialed, kinds, front_desk, client_for
):
    today = timezone.localdate()
    d = today - dt.timedelta(days=2)  # D+3 is tomorrow: bookable
    patient, visit, session = initial_assessment_needling(credentialed, kinds, day=d)
    eligible = d + dt.timedelta(days=7)
    assert NeedlingDay.objects.filter(session_id=session.pk, day=d, appointment=visit).exists()

    # Booking IMS on D+3 is refused, naming D+7; nothing is written.
    with pytest.raises(BookingError) as refused:
        book_ims(patient, credentialed, kinds, d + dt.timedelta(days=3), front_desk)
    assert refused.value.code == "spacing"
    assert refused.value.next_eligible == eligible
    assert f"Next eligible date: {date_format(eligible, 'D j M Y')}." in refused.value.message
    assert not patient.appointments.filter(is_ims=True).exists()

    # The booking modal and the patient page show D+7 (and the needling as the last visit).
    shown = eligible.strftime("%a %-d %b %Y")
    panel = client_for(front_desk).get(
        reverse("clinic:booking_patient_panel"), {"patient": patient.pk}
    )
    assert panel.status_code == 200
    assert f'Next eligible IMS date: <strong class="text-success-emphasis">{shown}' in (
        panel.content.decode()
    )
    assert d.strftime("%a %-d %b %Y") in panel.content.decode()  # "Last needling"
    page = client_for(front_desk).get(reverse("clinic:patient_detail", args=[patient.pk]))
    assert page.status_code == 200
    assert f"Next eligible IMS date: <strong>{shown}</strong>" in page.content.decode()
    summary = patient_ims_summary(patient, today=today)
    assert (summary.last, summary.next_eligible) == (d, today + dt.timedelta(days=5))

    # The patient's visit summary for the session names D+7 as the earliest next session.
    context = documents.visit_summary_context(VisitSummary.objects.get(session=session))
    assert context["earliest_next_ims"] == eligible
    html = render_to_string("pdf/visit_summary.html", context)
    assert eligible.strftime("%A %-d %B %Y") in html  # the PDFs write day month year

    # ...and D+7 itself can be booked.
    assert book_ims(patient, credentialed, kinds, eligible, front_desk).local_date == eligible


def test_the_audit_reports_a_second_needling_without_override_when_neither_was_ims(
    credentialed, kinds, clinic_admin, settings
):
    today = timezone.localdate()
    d = today - dt.timedelta(days=10)
    # Both sessions were signed when the clinic's interval was 2 days (the audit exists for
    # needling recorded under another setting, in the admin or by an import).
    settings.IMS_MIN_INTERVAL_DAYS = 2
    patient, _visit, first = initial_assessment_needling(credentialed, kinds, day=d)
    follow_up = write_appointment(
        patient,
        credentialed.practitioner,
        local(d + dt.timedelta(days=3), 9),
        kinds["Follow-up"],
        by=credentialed,
        status="completed",
    )
    second = needled(credentialed, patient, day=d + dt.timedelta(days=3), appointment=follow_up)
    assert not patient.appointments.filter(is_ims=True).exists()
    assert reminders.spacing_audit() == []

    settings.IMS_MIN_INTERVAL_DAYS = 7
    new = reminders.spacing_audit()
    assert len(new) == 1
    alert = new[0]
    assert (alert.patient, alert.days_apart) == (patient, 3)
    assert (alert.first_date, alert.second_date) == (d, d + dt.timedelta(days=3))
    assert alert.second == follow_up
    assert alert.second_needling.session_id == second.pk
    assert alert.first_needling.session_id == first.pk
    assert reminders.spacing_audit() == []  # once per pair

    # A physiotherapist's override on the second visit settles it: the alert resolves.
    follow_up.spacing_override_reason = "Acute flare; benefits and risks discussed."
    follow_up.spacing_override_by = credentialed
    follow_up.save()
    reminders.spacing_audit()
    alert.refresh_from_db()
    assert alert.resolved_at is not None


def test_the_audit_reports_a_needling_with_no_appointment(credentialed, kinds, settings):
    today = timezone.localdate()
    d = today - dt.timedelta(days=10)
    settings.IMS_MIN_INTERVAL_DAYS = 2
    patient, _visit, _first = initial_assessment_needling(credentialed, kinds, day=d)
    walk_in = needled(credentialed, patient, day=d + dt.timedelta(days=4))
    assert walk_in.appointment is None
    settings.IMS_MIN_INTERVAL_DAYS = 7
    [alert] = reminders.spacing_audit()
    assert alert.second is None
    assert alert.second_needling.session_id == walk_in.pk
    assert alert.days_apart == 4


def test_a_signed_session_with_no_appointment_counts(credentialed, kinds, front_desk):
    today = timezone.localdate()
    d = today - dt.timedelta(days=1)
    patient = ready_patient(credentialed)
    needled(credentialed, patient, day=d)
    with pytest.raises(BookingError) as refused:
        book_ims(patient, credentialed, kinds, today + dt.timedelta(days=1), front_desk)
    assert refused.value.next_eligible == d + dt.timedelta(days=7)


def test_a_second_signing_within_the_interval_is_refused_whatever_the_visit_type(
    credentialed, kinds
):
    today = timezone.localdate()
    d = today - dt.timedelta(days=3)
    patient, _visit, _session = initial_assessment_needling(credentialed, kinds, day=d)
    draft = needled(credentialed, patient, day=today, sign=False)
    with pytest.raises(ValidationError) as refused:
        services.session_sign(session=draft, by=credentialed)
    assert any(
        m.startswith("IMS spacing:") and f"next eligible {d + dt.timedelta(days=7):%Y-%m-%d}" in m
        for m in refused.value.messages
    )


def test_a_draft_session_does_not_count(credentialed, kinds, front_desk):
    today = timezone.localdate()
    patient = ready_patient(credentialed)
    needled(credentialed, patient, day=today - dt.timedelta(days=1), sign=False)
    assert not NeedlingDay.objects.filter(patient=patient).exists()
    tomorrow = today + dt.timedelta(days=1)
    assert ims_next_eligible(patient, on_or_after=tomorrow) == tomorrow
    assert book_ims(patient, credentialed, kinds, tomorrow, front_desk).is_ims


def test_the_backfill_counts_signed_sessions_with_sites_only(credentialed, kinds):
    """Existing records: the data migration writes a NeedlingDay for each signed session
    with needling sites, not for a draft nor a signed session without sites (signing now
    refuses that, but older or imported notes may be so)."""
    today = timezone.localdate()
    with_sites = needled(credentialed, ready_patient(credentialed), day=today)
    draft = complete_session(credentialed)
    bare = services.session_start(
        patient=ready_patient(credentialed), practitioner=credentialed.practitioner
    )
    TreatmentSession.objects.filter(pk=bare.pk).update(
        status="signed", signed_at=timezone.now(), signed_by=credentialed
    )
    NeedlingDay.objects.all().delete()  # as before the migration

    backfill = import_module("treatments.migrations.0008_needling_days_backfill")
    backfill.backfill(apps, None)
    backfill.backfill(apps, None)  # a rerun adds nothing
    assert list(NeedlingDay.objects.values_list("session_id", "day")) == [(with_sites.pk, today)]
    assert not NeedlingDay.objects.filter(session_id__in=[draft.pk, bare.pk]).exists()
    bare_patient = TreatmentSession.objects.get(pk=bare.pk).patient
    assert ims_next_eligible(bare_patient, on_or_after=today) == today


def test_an_override_still_lets_a_physiotherapist_book_within_the_interval(
    credentialed, kinds, front_desk
):
    today = timezone.localdate()
    d = today - dt.timedelta(days=2)
    patient, _visit, _session = initial_assessment_needling(credentialed, kinds, day=d)
    reason = "Flare-up; discussed with the patient."
    with pytest.raises(BookingError) as refused:
        book_ims(
            patient,
            credentialed,
            kinds,
            today + dt.timedelta(days=1),
            front_desk,
            override_reason=reason,
        )
    assert refused.value.code == "override"  # the front desk may not override
    booked = book_ims(
        patient,
        credentialed,
        kinds,
        today + dt.timedelta(days=1),
        credentialed,
        override_reason=reason,
    )
    assert (booked.spacing_override_reason, booked.spacing_override_by) == (reason, credentialed)
    assert not [a for a in reminders.spacing_audit() if a.patient == patient]


@pytest.mark.parametrize(("days_ago", "invited"), [(10, True), (3, False)])
def test_recall_uses_the_same_date(credentialed, kinds, days_ago, invited):
    today = timezone.localdate()
    d = today - dt.timedelta(days=days_ago)
    patient, _visit, _session = initial_assessment_needling(credentialed, kinds, day=d)
    reminders.recall_plan_set(patient=patient, active=True, by=credentialed)
    reminders.recall_send(today=today)
    recalls = list(RecallInvitation.objects.filter(patient=patient))
    if invited:
        assert [r.eligible_from for r in recalls] == [d + dt.timedelta(days=7)]
        assert recalls[0].eligible_from == ims_next_eligible(
            patient, on_or_after=d + dt.timedelta(days=1)
        )
    else:
        assert recalls == []


def test_an_alert_names_no_clinical_detail_and_the_desk_sees_the_dates(
    credentialed, kinds, front_desk, client_for, settings
):
    today = timezone.localdate()
    d = today - dt.timedelta(days=10)
    settings.IMS_MIN_INTERVAL_DAYS = 2
    patient, _visit, _first = initial_assessment_needling(credentialed, kinds, day=d)
    needled(credentialed, patient, day=d + dt.timedelta(days=3))
    settings.IMS_MIN_INTERVAL_DAYS = 7
    reminders.spacing_audit(notify=False)
    assert SpacingAlert.objects.filter(resolved_at__isnull=True).count() == 1
    # The desk day view's alerts (loaded right after the page, clinic:desk_notices).
    html = client_for(front_desk).get(reverse("clinic:desk_notices")).content.decode()
    assert "needling 3 days apart" in html
    assert (d + dt.timedelta(days=3)).strftime("%a %-d %b") in html
