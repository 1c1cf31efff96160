"""Issue 20, acceptance 4: the reminder's "Confirm" and "I can't come" links; the desk's
confirmed / unconfirmed view, its "confirmed by phone", and the notices of what patients
did online (in-app list, optional e-mail)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.models import Appointment, AppointmentType, ClinicPolicy, DeskNotice, Location
from clinic.services import reminders
from clinic.services.reminder_links import reminder_link_token
from clinic.services.scheduling import Slot, appointment_book
from clinic.tests.factories import make_patient, make_practitioner, write_appointment

pytestmark = pytest.mark.django_db
CLINIC_PHONE = "604-555-0142"  # settings.CLINIC_PHONE's default


@pytest.fixture
def follow_up():
    return AppointmentType.objects.get(name="Follow-up")


@pytest.fixture
def maya(physio):
    return make_practitioner(physio, hours=((0, 6), (0, 23)), name="Maya Chen")


@pytest.fixture
def visit(maya, follow_up, front_desk):
    """A booked visit three days ahead at 10:00, well outside the 24-hour notice period and
    with working hours after it for the visits the tests book beside it, whatever the time
    the suite runs (it once ran at 23:26, when "now plus three days" left no room)."""
    patient = make_patient(legal_first_name="Ada", legal_last_name="Lovelace", email="a@x.org")
    day = timezone.localdate() + dt.timedelta(days=3)
    start = dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone())
    return write_appointment(patient, maya, start, follow_up, by=front_desk)


def _path(appointment, action, token=None):
    token = token or reminder_link_token(appointment, action)
    return reverse(f"clinic:visit_{action}", args=[appointment.pk, token])


def _snapshot(appointment) -> tuple:
    appointment.refresh_from_db()
    return (
        appointment.status,
        appointment.confirmed_at,
        appointment.confirmed_via,
        appointment.cancelled_at,
        appointment.history.count(),
    )


def _unchanged(appointment, before) -> None:
    assert _snapshot(appointment) == before
    assert not DeskNotice.objects.exists()


# --- The e-mail --------------------------------------------------------------------------------


@pytest.mark.parametrize(("hours_ahead", "cancel_heading"), [(20, "too late"), (30, "Can")])
def test_the_reminder_carries_both_links_and_they_open_this_visit(
    visit, hours_ahead, cancel_heading
):
    """Both links in every reminder; the cancel link works outside the notice period only,
    and the e-mail says which (a reminder 20 hours ahead is inside the 24-hour notice)."""
    ClinicPolicy.objects.update_or_create(pk=1, defaults={"reminder_hours_before": 48})
    visit.start = timezone.now() + dt.timedelta(hours=hours_ahead)
    visit.end = visit.start + dt.timedelta(minutes=30)
    visit.save()
    assert reminders.appointment_reminders_send() == 1
    body = mail.outbox[0].body
    confirm = re.search(r"Confirm: (\S+)", body).group(1)
    cancel = re.search(r"I can't come: (\S+)", body).group(1)
    for url, action, heading in (
        (confirm, "confirm", "Will you be there?"),
        (cancel, "cancel", cancel_heading),
    ):
        path = url.removeprefix(settings.SITE_URL)
        assert path.startswith(f"/visit/{visit.pk}/{action}/")
        assert heading in Client().get(path).content.decode()
    assert CLINIC_PHONE in body
    if hours_ahead < 24:
        assert "less\nthan 24 hours away: to cancel now, please call us" in body
    else:
        assert "You can\ncancel with the link until" in body


# --- Confirm -----------------------------------------------------------------------------------


def test_opening_the_link_changes_nothing_and_shows_only_the_visit(visit):
    """A mail scanner's GET: one button, nothing written; the page names no patient."""
    before = _snapshot(visit)
    response = Client().get(_path(visit, "confirm"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Yes, I&#x27;ll be there" in html or "Yes, I'll be there" in html
    assert "Maya Chen" in html
    assert "Main clinic" in html
    assert "Lovelace" not in html
    assert "Ada" not in html
    assert 'name="csrfmiddlewaretoken"' in html
    _unchanged(visit, before)


def test_confirm_works_once_and_a_second_use_says_already_confirmed(visit):
    client = Client(enforce_csrf_checks=False)
    response = client.post(_path(visit, "confirm"))
    assert "your visit is confirmed" in response.content.decode()
    visit.refresh_from_db()
    assert visit.confirmed_via == Appointment.ConfirmedVia.LINK
    first = visit.confirmed_at
    assert first is not None
    assert visit.history.first().history_change_reason.startswith("confirmed by patient")
    assert list(DeskNotice.objects.values_list("kind", flat=True)) == ["confirmed"]

    again = client.post(_path(visit, "confirm"))
    assert again.status_code == 200
    assert "already confirmed" in again.content.decode()
    assert "Nothing was changed" in again.content.decode()
    visit.refresh_from_db()
    assert visit.confirmed_at == first
    assert DeskNotice.objects.count() == 1


def test_the_form_needs_its_csrf_token(visit):
    before = _snapshot(visit)
    response = Client(enforce_csrf_checks=True).post(_path(visit, "confirm"))
    assert response.status_code == 403
    _unchanged(visit, before)


@pytest.mark.parametrize("action", ["confirm", "cancel"])
def test_a_tampered_token_gives_a_clear_page_and_changes_nothing(visit, action):
    before = _snapshot(visit)
    token = reminder_link_token(visit, action)
    for forged in (
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # the signature altered
        signing.dumps([visit.pk, visit.patient_id, action, 0], salt="wrong"),  # not ours
        token.replace(":", "", 1),  # mangled
        reminder_link_token(visit, "cancel" if action == "confirm" else "confirm"),  # other
    ):
        for method in ("get", "post"):
            response = getattr(Client(), method)(_path(visit, action, forged))
            html = response.content.decode()
            assert response.status_code == 410
            assert "This link does not work" in html
            assert "Nothing was changed" in html
            assert "Maya Chen" not in html  # nothing about the visit
            assert f'href="tel:{CLINIC_PHONE}"' in html
    _unchanged(visit, before)


def test_a_huge_id_in_the_address_is_a_clear_page_not_an_error(visit):
    for action in ("confirm", "cancel"):
        path = reverse(f"clinic:visit_{action}", args=[10**30, "x"])
        response = Client().post(path)
        assert response.status_code == 410
        assert "This link does not work" in response.content.decode()


@pytest.mark.parametrize("action", ["confirm", "cancel"])
def test_an_expired_token_gives_a_clear_page_and_changes_nothing(
    visit, maya, follow_up, front_desk, action, settings
):
    """Expired two ways: the visit has started, or the signature is older than the cap."""
    started = write_appointment(
        visit.patient, maya, timezone.now() - dt.timedelta(minutes=5), follow_up, by=front_desk
    )
    before = _snapshot(started)
    response = Client().post(_path(started, action))
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    _unchanged(started, before)

    before = _snapshot(visit)
    token = reminder_link_token(visit, action)
    from clinic.services import reminder_links

    old = reminder_links.LINK_MAX_AGE
    reminder_links.LINK_MAX_AGE = dt.timedelta(seconds=-1)  # every signature is too old
    try:
        response = Client().post(_path(visit, action, token))
    finally:
        reminder_links.LINK_MAX_AGE = old
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    _unchanged(visit, before)


@pytest.mark.parametrize("action", ["confirm", "cancel"])
def test_another_patients_token_gives_a_clear_page_and_changes_nothing(
    visit, maya, follow_up, front_desk, action
):
    other_patient = make_patient(legal_first_name="Bea", legal_last_name="Other")
    theirs = write_appointment(
        other_patient, maya, visit.start + dt.timedelta(hours=2), follow_up, by=front_desk
    )
    mine, others = _snapshot(visit), _snapshot(theirs)
    # Their valid token on my visit's address, and a token naming my visit but their
    # patient (as if the visit had changed hands): neither works.
    crossed = signing.dumps(
        [visit.pk, other_patient.pk, action, int(visit.start.timestamp())],
        salt=f"clinic.reminder-link.{action}",
        compress=False,
    )
    for token in (reminder_link_token(theirs, action), crossed):
        response = Client().post(_path(visit, action, token))
        assert response.status_code == 410
        assert "This link does not work" in response.content.decode()
    assert _snapshot(visit) == mine
    assert _snapshot(theirs) == others
    assert not DeskNotice.objects.exists()


def test_a_link_for_a_moved_visit_no_longer_acts(visit):
    token = reminder_link_token(visit, "confirm")
    Appointment.objects.filter(pk=visit.pk).update(
        start=visit.start + dt.timedelta(hours=1), end=visit.end + dt.timedelta(hours=1)
    )
    before = _snapshot(visit)
    response = Client().post(_path(visit, "confirm", token))
    assert response.status_code == 410
    assert "has been moved" in response.content.decode()
    _unchanged(visit, before)


# --- Cancel ------------------------------------------------------------------------------------


def test_cancel_inside_the_notice_period_is_refused_with_the_clinics_phone(
    maya, follow_up, front_desk
):
    patient = make_patient(email="late@example.com")
    soon = write_appointment(
        patient, maya, timezone.now() + dt.timedelta(hours=5), follow_up, by=front_desk
    )
    before = _snapshot(soon)
    for method in ("get", "post"):
        response = getattr(Client(), method)(_path(soon, "cancel"))
        html = response.content.decode()
        assert response.status_code == 409
        assert "too late to cancel online" in html
        assert "up to 24 hours before" in html
        assert f'href="tel:{CLINIC_PHONE}"' in html
        assert "Nothing was changed" in html
    _unchanged(soon, before)


def test_the_locations_own_phone_is_the_one_to_call(maya, follow_up, front_desk):
    Location.objects.filter(name="Main clinic").update(phone="250-555-0199")
    soon = write_appointment(
        make_patient(), maya, timezone.now() + dt.timedelta(hours=5), follow_up, by=front_desk
    )
    html = Client().get(_path(soon, "cancel")).content.decode()
    assert 'href="tel:250-555-0199"' in html


def test_cancel_from_the_link_frees_the_slot_once_and_tells_the_desk(
    visit, maya, follow_up, front_desk
):
    client = Client()
    response = client.post(_path(visit, "cancel"))
    assert "Your visit is cancelled" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.CANCELLED
    assert visit.cancel_reason == "Cancelled by the patient (reminder e-mail link)"
    assert visit.history.first().history_change_reason == (
        "cancelled by patient from reminder link"
    )
    assert list(DeskNotice.objects.values_list("kind", flat=True)) == ["cancelled"]
    # The slot is free: another patient can be booked into it.
    slot = Slot(practitioner=maya, location=visit.location, start=visit.start, type=follow_up)
    appointment_book(patient=make_patient(), slot=slot, by=front_desk)
    # A second use: already cancelled, nothing more.
    again = client.post(_path(visit, "cancel"))
    assert "already cancelled" in again.content.decode()
    assert DeskNotice.objects.count() == 1
    # The confirm link of a cancelled visit says so too.
    assert "already cancelled" in client.post(_path(visit, "confirm")).content.decode()


# --- The desk ----------------------------------------------------------------------------------


def test_the_desk_marks_a_visit_confirmed_by_phone_from_the_modal(visit, client_for, front_desk):
    client = client_for(front_desk)
    detail = client.get(reverse("clinic:appointment_detail", args=[visit.pk])).content.decode()
    assert "Not yet" in detail
    assert "Mark confirmed (by phone)" in detail
    client.post(reverse("clinic:appointment_status", args=[visit.pk]), {"action": "confirm"})
    visit.refresh_from_db()
    assert visit.confirmed_via == Appointment.ConfirmedVia.PHONE
    assert visit.history.first().history_user == front_desk
    detail = client.get(reverse("clinic:appointment_detail", args=[visit.pk])).content.decode()
    assert "Yes, by phone" in detail
    assert "Mark confirmed" not in detail
    # Then the patient's link says it is already confirmed, and the desk gets no notice.
    assert "already confirmed" in Client().post(_path(visit, "confirm")).content.decode()
    assert not DeskNotice.objects.exists()


def test_the_day_grid_shows_confirmed_and_unconfirmed(
    visit, maya, follow_up, client_for, front_desk
):
    write_appointment(
        make_patient(), maya, visit.start + dt.timedelta(hours=1), follow_up, by=front_desk
    )
    Client().post(_path(visit, "confirm"))
    day = timezone.localtime(visit.start).date()
    html = (
        client_for(front_desk)
        .get(reverse("clinic:desk_today"), {"date": day.isoformat()})
        .content.decode()
    )
    assert html.count('<span class="visually-hidden">Confirmed.</span>') == 1
    assert html.count('<span class="visually-hidden">Not confirmed.</span>') == 1
    assert "Confirmed by the patient" in html
    assert "Not confirmed yet" in html


def test_moving_a_visit_clears_its_confirmation(visit, maya, follow_up, front_desk):
    from clinic.services.scheduling import appointment_reschedule

    Client().post(_path(visit, "confirm"))
    slot = Slot(
        practitioner=maya,
        location=visit.location,
        start=visit.start + dt.timedelta(hours=1),
        type=follow_up,
    )
    appointment_reschedule(appointment=visit, slot=slot, by=front_desk)
    visit.refresh_from_db()
    assert (visit.confirmed_at, visit.confirmed_via) == (None, "")


def test_the_desk_sees_replies_until_marked_seen(visit, maya, follow_up, client_for, front_desk):
    later = write_appointment(
        make_patient(legal_first_name="Cy", legal_last_name="Gone"),
        maya, visit.start + dt.timedelta(hours=2), follow_up, by=front_desk,
    )  # fmt: skip
    Client().post(_path(visit, "confirm"))
    Client().post(_path(later, "cancel"))
    client = client_for(front_desk)
    notices = client.get(reverse("clinic:desk_notices")).content.decode()
    assert "cancelled online by patients" in notices
    assert "Ada Lovelace" in notices
    assert "Cy Gone" in notices
    assert "<strong>Confirmed</strong>" in notices
    assert "<strong>Cancelled</strong>" in notices
    ids = list(DeskNotice.objects.values_list("pk", flat=True))
    client.post(reverse("clinic:desk_notices_seen"), {"notice": [str(pk) for pk in ids]})
    assert DeskNotice.objects.filter(seen_at__isnull=True, seen_by=None).count() == 0
    assert set(DeskNotice.objects.values_list("seen_by", flat=True)) == {front_desk.pk}
    assert (
        "cancelled online by patients"
        not in client.get(reverse("clinic:desk_notices")).content.decode()
    )


def test_a_portal_cancellation_is_a_desk_notice_too(visit, client_for, patient_user):
    visit.patient = patient_user.patient
    visit.save()
    client_for(patient_user).post(reverse("clinic:portal_appointment_cancel", args=[visit.pk]))
    assert list(DeskNotice.objects.values_list("kind", flat=True)) == ["cancelled"]


# --- The desk's e-mail -------------------------------------------------------------------------


def test_no_desk_email_unless_the_clinic_gives_an_address(visit, enqueued):
    Client().post(_path(visit, "confirm"))
    assert [task.name for task in enqueued if "desk_notice" in task.name] == []


def test_the_desk_is_emailed_about_confirmations_cancellations_and_online_bookings(
    visit, maya, follow_up, enqueued, patient_user, django_capture_on_commit_callbacks
):
    ClinicPolicy.objects.update_or_create(pk=1, defaults={"desk_notice_email": "desk@x.org"})
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(_path(visit, "confirm"))
    with django_capture_on_commit_callbacks(execute=True):
        slot = Slot(
            practitioner=maya,
            location=visit.location,
            start=visit.start + dt.timedelta(days=1),
            type=AppointmentType.objects.filter(bookable_online=True).first(),
        )
        appointment_book(
            patient=patient_user.patient, slot=slot, by=patient_user, via=Appointment.Via.PORTAL
        )
    sent = [task for task in enqueued if task.name.endswith("desk_notice_email_task")]
    assert [task.args[1] for task in sent] == ["confirmed", "booked"]
    mail.outbox.clear()
    for task in sent:
        task.run()
    assert [message.to for message in mail.outbox] == [["desk@x.org"], ["desk@x.org"]]
    assert "confirmed from the reminder: Ada Lovelace" in mail.outbox[0].subject
    assert "booked online" in mail.outbox[1].subject
    assert reverse("clinic:desk_today") in mail.outbox[0].body
