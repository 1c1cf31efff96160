"""Issue 19, acceptance 2: the staff's free-slot finder offers only times the booking
service accepts (each is booked in a transaction rolled back afterwards), never one inside
the patient's IMS interval, narrowed to the practitioners and location asked for."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import transaction
from django.utils import timezone

from clinic.models import Appointment, AppointmentType, TimeOff
from clinic.permissions import Role
from clinic.services.scheduling import Slot, appointment_book, slots_find
from clinic.tests.factories import make_patient, make_practitioner, write_appointment

pytestmark = pytest.mark.django_db
VANCOUVER = zoneinfo.ZoneInfo("America/Vancouver")


@pytest.fixture
def ims():
    return AppointmentType.objects.get(name="IMS treatment")


@pytest.fixture
def follow_up():
    return AppointmentType.objects.get(name="Follow-up")


@pytest.fixture
def maya(physio):
    return make_practitioner(physio, hours=((0, 4), (9, 12)), name="Maya Chen")


@pytest.fixture
def omar(make_user):
    return make_practitioner(make_user(Role.PHYSIO), hours=((0, 4), (13, 15)), name="Omar Haddad")


@pytest.fixture
def patient():
    return make_patient(legal_first_name="Jordan", legal_last_name="Avery")


def _from() -> dt.date:
    """The next weekday (the practitioners work Monday to Friday)."""
    day = timezone.localdate() + dt.timedelta(days=1)
    while day.weekday() > 4:
        day += dt.timedelta(days=1)
    return day


def _books(slot, kind, patient, by) -> bool:
    """Does the booking service accept this slot? Booked and rolled back."""
    with transaction.atomic():
        appointment_book(
            patient=patient,
            slot=Slot(
                practitioner=slot.practitioner, location=slot.location, start=slot.start, type=kind
            ),
            by=by,
        )
        transaction.set_rollback(True)
    return True


def test_every_slot_offered_books(patient, maya, omar, follow_up, front_desk):
    other = make_patient(legal_first_name="Busy")
    start = dt.datetime.combine(_from(), dt.time(9), tzinfo=VANCOUVER)
    # Maya's first hour is taken, the patient is busy at 13:00 elsewhere, Omar is off a day.
    appointment_book(
        patient=other,
        slot=Slot(maya, maya.locations.first(), start, follow_up),
        by=front_desk,
    )
    appointment_book(
        patient=patient,
        slot=Slot(maya, maya.locations.first(), start.replace(hour=11), follow_up),
        by=front_desk,
    )
    day_two = _from() + dt.timedelta(days=1)
    while day_two.weekday() > 4:
        day_two += dt.timedelta(days=1)
    TimeOff.objects.create(
        practitioner=omar,
        start=dt.datetime.combine(day_two, dt.time(0), tzinfo=VANCOUVER),
        end=dt.datetime.combine(day_two, dt.time(23, 59), tzinfo=VANCOUVER),
    )
    found = slots_find(patient=patient, type=follow_up, by=front_desk, from_date=_from(), limit=60)
    assert len(found) >= 20
    for slot in found:
        assert _books(slot, follow_up, patient, front_desk), slot
    starts = {(s.practitioner.pk, s.start) for s in found}
    assert (maya.pk, start) not in starts  # taken
    assert not any(s.start.date() == day_two and s.practitioner.pk == omar.pk for s in found)
    # The patient's own 11:00 visit blocks Omar's overlapping times too? (He starts at 13.)
    assert not any(
        s.start < start.replace(hour=11, minute=30)
        and s.start + follow_up.duration > start.replace(hour=11)
        for s in found
    )
    assert Appointment.objects.count() == 2  # nothing written by the finder or the checks


def test_no_slot_inside_the_ims_interval(patient, maya, omar, ims, front_desk):
    needled = dt.datetime.combine(_from(), dt.time(10), tzinfo=VANCOUVER)
    appointment_book(
        patient=patient, slot=Slot(maya, maya.locations.first(), needled, ims), by=front_desk
    )
    found = slots_find(
        patient=patient,
        type=ims,
        by=front_desk,
        from_date=timezone.localdate(),
        days=21,
        limit=200,
    )
    assert found
    gap = 7
    assert all(abs((timezone.localtime(s.start).date() - _from()).days) >= gap for s in found)
    for slot in found[:10]:
        assert _books(slot, ims, patient, front_desk)


def test_a_past_needling_sets_the_earliest_ims_day(patient, maya, ims, front_desk):
    write_appointment(
        patient, maya, timezone.now() - dt.timedelta(days=3), ims, by=front_desk,
        status="completed",
    )  # fmt: skip
    found = slots_find(
        patient=patient, type=ims, by=front_desk, from_date=timezone.localdate(), limit=5
    )
    earliest = timezone.localdate() + dt.timedelta(days=4)
    assert found
    assert min(timezone.localtime(s.start).date() for s in found) >= earliest


def test_the_finder_narrows_to_practitioners(patient, maya, omar, follow_up, front_desk):
    found = slots_find(
        patient=patient,
        type=follow_up,
        by=front_desk,
        from_date=_from(),
        practitioners=[omar],
        limit=10,
    )
    assert found
    assert {s.practitioner.pk for s in found} == {omar.pk}


def test_the_finder_page_links_to_a_filled_in_booking_form(
    patient, maya, ims, front_desk, client_for
):
    client = client_for(front_desk)
    empty = client.get("/appointments/find/")
    assert "Open the finder from a patient" in empty.content.decode()
    page = client.get(
        "/appointments/find/",
        {"patient": patient.pk, "type": ims.pk, "from_date": _from().isoformat()},
    )
    html = page.content.decode()
    assert page.status_code == 200
    days = page.context["days"]
    assert days
    slot, url = days[0][1][0]
    assert url.startswith(f"/appointments/new/?patient={patient.pk}&type={ims.pk}")
    form = client.get(url)
    assert form.status_code == 200
    assert form.context["form"]["practitioner"].value() == slot.practitioner.pk
    assert "Maya Chen" in html
    bad = client.get(
        "/appointments/find/", {"patient": patient.pk, "type": ims.pk, "from_date": "2001-01-01"}
    )
    assert "Choose today or a later date." in bad.content.decode()
    assert client_for(patient_user_of(patient)).get("/appointments/find/").status_code == 403


def patient_user_of(patient):
    from clinic.tests.factories import UserFactory

    user = UserFactory(roles={Role.PATIENT})
    patient.user = user
    patient.save(update_fields=["user"])
    return user


def test_book_next_from_a_signed_note_opens_the_finder_filled_in(physio, client_for):
    from treatments import services as treatment_services
    from treatments.tests.factories import complete_session, credential_for

    credential_for(physio)
    next_visit = _from() + dt.timedelta(days=7)
    draft = complete_session(physio, next_visit_on=next_visit)
    signed = treatment_services.session_sign(session=draft, by=physio)
    client = client_for(physio)
    note = client.get(f"/treatments/sessions/{signed.pk}/").content.decode()
    start = note.index('href="/appointments/find/?')
    url = note[start + 6 : note.index('"', start + 6)].replace("&amp;", "&")
    assert "Book next" in note[start : start + 400]
    form = client.get(url).context["form"]
    assert form.initial["from_date"] == next_visit
    assert form.initial["practitioners"] == [signed.practitioner_id]
