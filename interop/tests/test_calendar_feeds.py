"""Calendar feeds (issue 21, acceptance 5): the practitioner's and the patient's feeds parse
with `icalendar`, the practitioner's carries no patient's name (nor anything clinical), a
cancelled visit leaves the feed, a revoked link answers 404, one practitioner's link shows
only their visits, and a fetch costs the same few queries however many visits it holds."""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from clinic import services as clinic_services
from clinic.ics import appointment_uid
from clinic.models import AccessLog, AppointmentType, Location, Patient, Room
from clinic.permissions import Role
from clinic.tests.factories import (
    UserFactory,
    make_patient,
    make_practitioner,
    verified_client,
    write_appointment,
)
from interop import services
from interop.models import CalendarFeed

pytestmark = pytest.mark.django_db

# Words that must never reach a practitioner's feed: the booking note's clinical words.
CLINICAL_NOTE = "Whiplash, on warfarin"


@pytest.fixture
def clinic():
    desk = UserFactory(roles={Role.FRONT_DESK})
    location = Location.objects.get_or_create(name="Main clinic")[0]
    room = Room.objects.create(location=location, name="Room 2")
    physio = UserFactory(roles={Role.PHYSIO}, username="feed-physio")
    other = UserFactory(roles={Role.PHYSIO}, username="feed-other")
    practitioner = make_practitioner(physio, location=location)
    colleague = make_practitioner(other, location=location)
    ims = AppointmentType.objects.get(name="IMS treatment")
    follow_up = AppointmentType.objects.get(name="Follow-up")
    names = [
        ("Marguerite", "Okonkwo-Vance", "Daisy"),
        ("Thelonious", "Abernathy", ""),
        ("Ximena", "'Ortega", ""),
        ("Oluwaseun", "Fitzgerald", "Seun"),
    ]
    patients = [
        make_patient(
            legal_first_name=first,
            legal_last_name=last,
            preferred_name=preferred,
            email=f"{first.lower()}@example.org",
            by=desk,
        )
        for first, last, preferred in names
    ]
    base = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=3)
    visits = []
    for index, patient in enumerate(patients):
        visits.append(
            write_appointment(
                patient,
                practitioner,
                base + dt.timedelta(days=index),
                ims if index % 2 else follow_up,
                by=desk,
                note=CLINICAL_NOTE,
                room=room if index == 0 else None,
            )
        )
    # The colleague's visit with the same patients, a past one inside the window, and
    # visits outside the window (far ahead, long ago) and a cancelled one.
    theirs = write_appointment(patients[0], colleague, base + dt.timedelta(hours=3), ims, by=desk)
    recent = write_appointment(
        patients[1], practitioner, base - dt.timedelta(days=10), ims, by=desk, status="completed"
    )
    far = write_appointment(patients[2], practitioner, base + dt.timedelta(days=400), ims, by=desk)
    old = write_appointment(
        patients[3], practitioner, base - dt.timedelta(days=90), ims, by=desk, status="completed"
    )
    cancelled = write_appointment(
        patients[2],
        practitioner,
        base + dt.timedelta(days=20),
        ims,
        by=desk,
        status="cancelled",
        cancel_reason="Unwell",
    )
    return {
        "desk": desk,
        "physio": physio,
        "other": other,
        "practitioner": practitioner,
        "colleague": colleague,
        "patients": patients,
        "visits": visits,
        "theirs": theirs,
        "recent": recent,
        "outside": [far, old, cancelled],
        "room": room,
        "ims": ims,
    }


def _make_link(client, url_name: str) -> str:
    """Make a link through the page, as its holder does; the URL shown once."""
    response = client.post(reverse(url_name), {"action": "new"})
    assert response.status_code == 200
    fresh = response.context["fresh"]
    assert fresh["webcal"].startswith("webcal://")
    assert fresh["url"] in response.content.decode()
    return urlsplit(fresh["url"]).path


def _events(response) -> dict[str, object]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_practitioner_feed_parses_and_shows_initials_never_a_name(client, clinic):
    path = _make_link(verified_client(clinic["physio"]), "interop:schedule_feed")
    response = client.get(path)  # no sign-in: the token is the credential
    events = _events(response)

    expected = {appointment_uid(v) for v in [*clinic["visits"], clinic["recent"]]}
    assert set(events) == expected
    body = response.content.decode()
    forbidden = ["Whiplash", "warfarin", "Unwell"]
    for patient in Patient.objects.all():
        forbidden += [patient.legal_first_name, patient.legal_last_name, patient.email]
        forbidden += [patient.preferred_name] if patient.preferred_name else []
        forbidden += [patient.phone] if patient.phone else []
    for uid, event in events.items():
        text = event.to_ical().decode()
        for word in forbidden:
            assert word.lower() not in text.lower(), (uid, word)
    for word in forbidden:
        assert word.lower() not in body.lower(), word

    by_uid = {appointment_uid(v): v for v in clinic["visits"]}
    first = events[appointment_uid(clinic["visits"][0])]
    # Daisy (preferred) Okonkwo-Vance -> D.O.; the room is part of the place.
    assert str(first["SUMMARY"]) == "Follow-up · D.O."
    assert str(first["LOCATION"]) == "Room 2, Main clinic"
    assert str(events[appointment_uid(clinic["visits"][2])]["SUMMARY"]) == "Follow-up · X.O."
    for uid, visit in by_uid.items():
        assert events[uid].decoded("DTSTART") == visit.start
        assert events[uid].decoded("DTEND") == visit.end
        assert str(events[uid]["STATUS"]) == "CONFIRMED"


def test_a_cancelled_visit_leaves_the_feed_and_a_moved_one_keeps_its_uid(client, clinic):
    path = _make_link(verified_client(clinic["physio"]), "interop:schedule_feed")
    visit = clinic["visits"][1]
    assert appointment_uid(visit) in _events(client.get(path))

    clinic_services.appointment_cancel(
        appointment=visit, reason="Patient called", by=clinic["desk"]
    )

    after = _events(client.get(path))
    assert appointment_uid(visit) not in after
    assert len(after) == len(clinic["visits"])  # the others stay (4 visits + 1 recent - 1)


def test_revoked_link_answers_404_and_a_new_one_works(client, clinic):
    physio_client = verified_client(clinic["physio"])
    old = _make_link(physio_client, "interop:schedule_feed")
    assert client.get(old).status_code == 200

    new = _make_link(physio_client, "interop:schedule_feed")  # "Revoke and make a new link"
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200

    response = physio_client.post(reverse("interop:schedule_feed"), {"action": "revoke"})
    assert response.status_code == 302
    assert client.get(new).status_code == 404
    assert not CalendarFeed.objects.filter(revoked_at__isnull=True).exists()
    assert CalendarFeed.objects.filter(revoked_by=clinic["physio"]).count() == 2


def test_unknown_or_malformed_links_answer_404_without_logging_the_path(client, clinic, caplog):
    issued = services.practitioner_feed_issue(
        practitioner=clinic["practitioner"], by=clinic["physio"]
    )
    services.calendar_feed_revoke(feed=issued.feed, by=clinic["physio"])
    guess = "A" * 43
    with caplog.at_level(logging.INFO), CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("interop:calendar_feed", args=[issued.token])).status_code == 404
        assert client.get(reverse("interop:calendar_feed", args=[guess])).status_code == 404
        before = len(queries)
        assert client.get(reverse("interop:calendar_feed", args=["short"])).status_code == 404
        assert len(queries) == before  # a malformed token costs no query
    assert issued.token not in caplog.text
    assert guess not in caplog.text


def test_one_practitioners_link_shows_only_their_visits(client, clinic):
    mine = _make_link(verified_client(clinic["physio"]), "interop:schedule_feed")
    theirs = _make_link(verified_client(clinic["other"]), "interop:schedule_feed")

    assert set(_events(client.get(theirs))) == {appointment_uid(clinic["theirs"])}
    assert appointment_uid(clinic["theirs"]) not in _events(client.get(mine))


def test_the_token_is_stored_hashed_and_shown_only_once(clinic):
    physio_client = verified_client(clinic["physio"])
    path = _make_link(physio_client, "interop:schedule_feed")
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get()
    assert feed.token_hash == services.token_digest(token) != token
    page = physio_client.get(reverse("interop:schedule_feed"))
    assert page.status_code == 200
    assert token not in page.content.decode()
    assert "Revoke and make a new link" in page.content.decode()


def test_a_fetch_is_in_the_access_log_without_the_token(client, clinic):
    path = _make_link(verified_client(clinic["physio"]), "interop:schedule_feed")
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    client.get(path, HTTP_USER_AGENT="Calendar/1.0")

    log = AccessLog.objects.get(action=AccessLog.Action.DOWNLOAD)
    assert log.user == clinic["physio"]
    assert log.patient is None
    assert "calendar feed" in log.what
    assert log.user_agent == "Calendar/1.0"
    assert log.path.startswith("/interop/calendar/")
    assert not AccessLog.objects.filter(path__contains=token).exists()
    feed = CalendarFeed.objects.get()
    assert feed.last_fetched_at is not None


def test_a_fetch_costs_the_same_queries_for_few_or_many_visits(client, clinic):
    path = _make_link(verified_client(clinic["physio"]), "interop:schedule_feed")
    client.get(path)  # last_fetched_at is marked on the first fetch only
    with CaptureQueriesContext(connection) as few:
        few_events = _events(client.get(path))
    base = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=60)
    patients = clinic["patients"]
    for index in range(20):
        write_appointment(
            patients[index % len(patients)],
            clinic["practitioner"],
            base + dt.timedelta(days=index),
            clinic["ims"],
            by=clinic["desk"],
            room=clinic["room"],
        )
    with CaptureQueriesContext(connection) as many:
        many_events = _events(client.get(path))
    assert len(many_events) == len(few_events) + 20
    assert len(many) == len(few) <= 3  # the link, the visits, the access-log row


def test_fetches_over_the_hourly_allowance_answer_429(client, clinic, settings):
    settings.CALENDAR_FEED_FETCHES_PER_HOUR = 2
    path = _make_link(verified_client(clinic["physio"]), "interop:schedule_feed")
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200
    refused = client.get(path)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    assert AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD).count() == 2


def test_patient_feed_shows_their_own_visits_only(client, clinic):
    patient = clinic["patients"][0]
    user = UserFactory(roles={Role.PATIENT}, username="feed-patient")
    Patient.objects.filter(pk=patient.pk).update(user=user)
    path = _make_link(verified_client(user), "interop:portal_calendar_feed")

    response = client.get(path)
    events = _events(response)
    assert set(events) == {appointment_uid(clinic["visits"][0]), appointment_uid(clinic["theirs"])}
    calendar = Calendar.from_ical(response.content)
    assert "Daisy" in str(calendar["X-WR-CALNAME"])  # their own name is allowed
    mine = events[appointment_uid(clinic["visits"][0])]
    assert str(mine["SUMMARY"]).startswith("Follow-up at ")
    body = response.content.decode()
    for other in clinic["patients"][1:]:
        assert other.legal_last_name not in body
    log = AccessLog.objects.get(action=AccessLog.Action.DOWNLOAD)
    assert log.patient_id == patient.pk


def test_a_page_post_without_a_known_action_makes_nothing(clinic):
    physio_client = verified_client(clinic["physio"])
    response = physio_client.post(reverse("interop:schedule_feed"), {"action": "bogus"})
    assert response.status_code == 302
    assert not CalendarFeed.objects.exists()


def test_a_physio_without_a_schedule_gets_no_link():
    physio = UserFactory(roles={Role.PHYSIO}, username="no-schedule")
    physio_client = verified_client(physio)
    page = physio_client.get(reverse("interop:schedule_feed"))
    assert page.status_code == 200
    assert "no schedule" in page.content.decode()
    refused = physio_client.post(reverse("interop:schedule_feed"), {"action": "new"})
    assert refused.status_code == 302
    assert not CalendarFeed.objects.exists()


def test_account_and_portal_pages_carry_the_calendar_feed_card(clinic):
    page = verified_client(clinic["physio"]).get(reverse("account"))
    assert reverse("interop:schedule_feed") in page.content.decode()
    patient = clinic["patients"][1]
    user = UserFactory(roles={Role.PATIENT}, username="card-patient")
    Patient.objects.filter(pk=patient.pk).update(user=user)
    portal = verified_client(user).get(reverse("clinic:portal_appointments"))
    assert reverse("interop:portal_calendar_feed") in portal.content.decode()


def test_a_link_dies_with_its_holders_access(client, clinic):
    path = _make_link(verified_client(clinic["physio"]), "interop:schedule_feed")
    assert client.get(path).status_code == 200
    type(clinic["physio"]).objects.filter(pk=clinic["physio"].pk).update(is_active=False)
    assert client.get(path).status_code == 404

    patient = clinic["patients"][0]
    user = UserFactory(roles={Role.PATIENT}, username="leaving-patient")
    Patient.objects.filter(pk=patient.pk).update(user=user)
    mine = _make_link(verified_client(user), "interop:portal_calendar_feed")
    assert client.get(mine).status_code == 200
    Patient.objects.filter(pk=patient.pk).update(user=None)
    assert client.get(mine).status_code == 404


def test_an_unchanged_feed_answers_304_to_its_etag_and_a_cancel_changes_it(client, clinic):
    path = _make_link(verified_client(clinic["physio"]), "interop:schedule_feed")
    first = client.get(path)
    etag = first["ETag"]
    assert "no-cache" in first["Cache-Control"]
    again = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert client.get(path).content.count(b"BEGIN:VEVENT") == len(_events(first))

    clinic_services.appointment_cancel(
        appointment=clinic["visits"][0], reason="Patient called", by=clinic["desk"]
    )
    changed = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert appointment_uid(clinic["visits"][0]) not in _events(changed)
    # Every fetch, 304 or not, is in the access log.
    assert AccessLog.objects.filter(action=AccessLog.Action.DOWNLOAD).count() == 4
