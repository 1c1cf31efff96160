"""Weekly series booking from a plan of care (issue 20, part 3; acceptance 1 without the
PostgreSQL race, which is in test_series_postgres.py): the proposal, the confirmation page,
all-or-nothing booking, and "this and later ones" for cancelling and moving."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from clinic import services
from clinic.models import Appointment, AppointmentType, CarePlan
from clinic.services.scheduling import BookingError, Slot, appointment_book
from clinic.services.series import Fit, SeriesError
from clinic.tests.factories import (
    join_care_team,
    make_patient,
    make_practitioner,
    verified_client,
)

pytestmark = pytest.mark.django_db
VANCOUVER = zoneinfo.ZoneInfo("America/Vancouver")


def local(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=VANCOUVER)


@pytest.fixture
def tuesday() -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=14)
    return day + dt.timedelta(days=(1 - day.weekday()) % 7)


@pytest.fixture
def ims():
    return AppointmentType.objects.get(name="IMS treatment")


@pytest.fixture
def maya(physio):
    return make_practitioner(physio, hours=((0, 6), (8, 18)), name="Maya Chen")


@pytest.fixture
def patient():
    return make_patient(legal_first_name="Jordan", legal_last_name="Avery")


@pytest.fixture
def plan(patient, maya, physio) -> CarePlan:
    return services.care_plan_create(
        patient=patient,
        practitioner=maya,
        by=physio,
        condition="Right lateral elbow pain",
        region="upper_limb",
        goals="Lift the kettle without pain.",
        measure="QUICKDASH",
        sessions_planned=8,
        started_on=timezone.localdate(),
    )


@pytest.fixture
def where(maya, ims):
    return {"practitioner": maya, "location": maya.locations.get(), "type": ims}


def take(maya, ims, start, by, name="Sam Other"):
    """Another patient booked into `start` with the same practitioner."""
    first, last = name.split()
    other = make_patient(legal_first_name=first, legal_last_name=last)
    slot = Slot(practitioner=maya, location=maya.locations.get(), start=start, type=ims)
    return appointment_book(patient=other, slot=slot, by=by)


def test_eight_visits_seven_days_apart(plan, where, tuesday, front_desk):
    proposal = services.series_propose(
        plan=plan, first_start=local(tuesday), by=front_desk, **where
    )
    assert [p.fit for p in proposal] == [Fit.AS_ASKED] * 8  # the plan's 8 sessions
    assert Appointment.objects.count() == 0  # a proposal writes nothing
    booked = services.series_book(
        plan=plan, starts=[p.start for p in proposal], by=front_desk, **where
    )
    visits = list(Appointment.objects.order_by("start"))
    assert len(booked) == len(visits) == 8
    days = [v.local_date for v in visits]
    assert [(b - a).days for a, b in zip(days, days[1:], strict=False)] == [7] * 7
    assert {timezone.localtime(v.start).time() for v in visits} == {dt.time(10)}
    assert {v.plan_id for v in visits} == {plan.pk}
    assert len({v.series for v in visits}) == 1
    assert visits[0].series is not None


def test_count_defaults_to_the_sessions_left(plan, where, tuesday, front_desk):
    services.series_book(
        plan=plan,
        starts=[local(tuesday), local(tuesday + dt.timedelta(days=7))],
        by=front_desk,
        **where,
    )
    later = tuesday + dt.timedelta(days=14)
    proposal = services.series_propose(plan=plan, first_start=local(later), by=front_desk, **where)
    assert len(proposal) == 6


def test_taken_slot_gets_the_nearest_free_one_and_nothing_is_written(
    plan, where, tuesday, front_desk, maya, ims
):
    fifth = local(tuesday + dt.timedelta(days=28))
    take(maya, ims, fifth, front_desk)
    proposal = services.series_propose(
        plan=plan, first_start=local(tuesday), by=front_desk, **where
    )
    visit5 = proposal[4]
    assert visit5.fit == Fit.MOVED
    # The nearest free start the booking service accepts: same day, ending as the other
    # visit starts (9:30 and 10:30 tie; the earlier wins; the IMS interval rules out the
    # days around it).
    assert visit5.start == fifth - ims.duration == local(fifth.date(), 9, 30)
    assert "already booked" in " ".join(visit5.reasons)
    assert [p.fit for i, p in enumerate(proposal) if i != 4] == [Fit.AS_ASKED] * 7
    assert Appointment.objects.filter(plan=plan).count() == 0


def test_a_day_with_no_time_moves_the_rest_of_the_series(plan, where, tuesday, front_desk, maya):
    """Visit 5's whole day off: the next day that keeps the interval, and the later visits
    follow (each a week after the one before), never closer than the interval."""
    from clinic.models import TimeOff

    fifth = tuesday + dt.timedelta(days=28)
    TimeOff.objects.create(
        practitioner=maya, start=local(fifth, 0), end=local(fifth, 23, 59), kind="leave"
    )
    proposal = services.series_propose(
        plan=plan, first_start=local(tuesday), by=front_desk, **where
    )
    days = [p.start.astimezone(VANCOUVER).date() for p in proposal]
    assert proposal[4].fit == Fit.MOVED
    assert days[4] == fifth + dt.timedelta(days=1)
    assert all((b - a).days >= 7 for a, b in zip(days, days[1:], strict=False))


def test_no_slot_within_two_days(plan, where, tuesday, front_desk, maya):
    from clinic.models import TimeOff

    fifth = tuesday + dt.timedelta(days=28)
    TimeOff.objects.create(
        practitioner=maya,
        start=local(fifth - dt.timedelta(days=2), 0),
        end=local(fifth + dt.timedelta(days=3), 0),
        kind="leave",
    )
    proposal = services.series_propose(
        plan=plan, first_start=local(tuesday), by=front_desk, count=5, **where
    )
    assert proposal[4].fit == Fit.NONE
    assert proposal[4].start is None
    assert "away" in " ".join(proposal[4].reasons)


def test_any_refusal_at_write_time_writes_nothing(plan, where, tuesday, front_desk, maya, ims):
    proposal = services.series_propose(
        plan=plan, first_start=local(tuesday), by=front_desk, **where
    )
    take(maya, ims, proposal[4].start, front_desk)  # taken after the proposal was shown
    with pytest.raises(SeriesError) as caught:
        services.series_book(plan=plan, starts=[p.start for p in proposal], by=front_desk, **where)
    assert [f.number for f in caught.value.failures] == [5]
    assert "already booked" in caught.value.message
    assert Appointment.objects.filter(plan=plan).count() == 0


@pytest.fixture
def series(plan, where, tuesday, front_desk):
    starts = [local(tuesday + dt.timedelta(days=7 * i)) for i in range(5)]
    return services.series_book(plan=plan, starts=starts, by=front_desk, **where)


def test_cancel_this_and_later_ones(series, front_desk):
    cancelled = services.series_cancel_from(
        appointment=series[2], reason="Patient moving away", by=front_desk
    )
    assert [a.pk for a in cancelled] == [a.pk for a in series[2:]]
    statuses = list(Appointment.objects.order_by("start").values_list("status", flat=True))
    assert statuses == ["booked", "booked", "cancelled", "cancelled", "cancelled"]
    assert set(
        Appointment.objects.filter(status="cancelled").values_list("cancel_reason", flat=True)
    ) == {"Patient moving away"}


def test_move_this_and_later_ones_by_the_same_delta(series, front_desk, where):
    new = series[2].start + dt.timedelta(days=1, hours=1)
    moved = services.series_move_from(
        appointment=series[2], slot=Slot(start=new, **where), by=front_desk
    )
    assert len(moved) == 3
    visits = list(Appointment.objects.order_by("start"))
    assert [v.start for v in visits[:2]] == [s.start for s in series[:2]]
    assert [v.start for v in visits[2:]] == [
        s.start + dt.timedelta(days=1, hours=1) for s in series[2:]
    ]


def test_move_refused_for_one_moves_none(series, front_desk, where, maya, ims):
    take(maya, ims, series[4].start + dt.timedelta(days=1), front_desk)
    new = series[2].start + dt.timedelta(days=1)
    with pytest.raises(SeriesError) as caught:
        services.series_move_from(
            appointment=series[2], slot=Slot(start=new, **where), by=front_desk
        )
    assert [f.number for f in caught.value.failures] == [3]  # the series' third from here
    assert "already booked" in caught.value.message
    mine = Appointment.objects.filter(series=series[0].series).order_by("start")
    assert [v.start for v in mine] == [s.start for s in series]


def test_move_earlier_breaking_the_interval_is_refused(series, front_desk, where):
    new = series[2].start - dt.timedelta(days=1)
    with pytest.raises(SeriesError) as caught:
        services.series_move_from(
            appointment=series[2], slot=Slot(start=new, **where), by=front_desk
        )
    assert "IMS sessions need at least" in caught.value.message
    assert [v.start for v in Appointment.objects.order_by("start")] == [s.start for s in series]


def test_a_visit_outside_a_series_has_no_later_ones(plan, where, tuesday, front_desk):
    single = appointment_book(
        patient=plan.patient, slot=Slot(start=local(tuesday), **where), by=front_desk
    )
    with pytest.raises(BookingError):
        services.series_cancel_from(appointment=single, reason="x", by=front_desk)


# --- The pages -----------------------------------------------------------------------------


def _query(where, tuesday, count=8) -> dict:
    return {
        "practitioner": where["practitioner"].pk,
        "location": where["location"].pk,
        "type": where["type"].pk,
        "date": tuesday.isoformat(),
        "time": "10:00",
        "count": count,
    }


@pytest.fixture
def desk_client(front_desk):
    return verified_client(front_desk)


def test_proposal_page_shows_the_move_and_writes_nothing_until_confirmed(
    plan, where, tuesday, front_desk, maya, ims, desk_client
):
    fifth = local(tuesday + dt.timedelta(days=28))
    take(maya, ims, fifth, front_desk)
    url = reverse("clinic:series_plan", args=[plan.pk])
    page = desk_client.get(url, _query(where, tuesday))
    assert page.status_code == 200
    proposal = page.context["proposal"]
    assert [p.fit for p in proposal].count(Fit.MOVED) == 1
    html = page.content.decode()
    assert html.count('name="visit"') == 8
    assert 'data-fit="moved"' in html
    assert date_format(timezone.localtime(proposal[4].start), "D j M Y, H:i") in html
    assert Appointment.objects.filter(plan=plan).count() == 0
    confirm = _query(where, tuesday) | {"visit": [p.value for p in proposal]}
    done = desk_client.post(url, confirm)
    assert done.status_code == 302
    visits = Appointment.objects.filter(plan=plan).order_by("start")
    assert visits.count() == 8
    assert visits[4].start == proposal[4].start


def test_a_slot_taken_before_confirmation_books_nothing_and_says_why(
    plan, where, tuesday, front_desk, maya, ims, desk_client
):
    url = reverse("clinic:series_plan", args=[plan.pk])
    proposal = desk_client.get(url, _query(where, tuesday)).context["proposal"]
    take(maya, ims, proposal[4].start, front_desk)
    page = desk_client.post(url, _query(where, tuesday) | {"visit": [p.value for p in proposal]})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nothing was booked" in html
    assert "already booked" in html
    assert Appointment.objects.filter(plan=plan).count() == 0
    assert page.context["proposal"][4].fit == Fit.MOVED  # worked out again


def test_bad_input_is_a_form_error_not_a_500(plan, where, tuesday, desk_client):
    url = reverse("clinic:series_plan", args=[plan.pk])
    page = desk_client.post(url, _query(where, tuesday) | {"visit": ["not-a-time"]})
    assert page.status_code == 200
    assert "could not be read" in page.content.decode()
    page = desk_client.post(url, _query(where, tuesday, count=0) | {"visit": []})
    assert page.status_code == 200
    assert Appointment.objects.count() == 0
    page = desk_client.post(url, _query(where, tuesday))
    assert "Tick at least one visit" in page.content.decode()


def test_physio_on_the_team_may_and_a_patient_may_not(plan, where, tuesday, physio, patient_user):
    join_care_team(physio, plan.patient)
    url = reverse("clinic:series_plan", args=[plan.pk])
    assert verified_client(physio).get(url).status_code == 200
    assert verified_client(patient_user).get(url).status_code == 403


def test_the_modal_offers_this_one_or_this_and_later_ones(series, desk_client, front_desk):
    html = desk_client.get(reverse("clinic:appointment_detail", args=[series[2].pk])).content
    html = html.decode()
    assert reverse("clinic:series_cancel", args=[series[2].pk]) in html
    assert reverse("clinic:series_move", args=[series[2].pk]) in html
    desk_client.post(
        reverse("clinic:series_cancel", args=[series[2].pk]), {"reason": "Moving away"}
    )
    statuses = list(Appointment.objects.order_by("start").values_list("status", flat=True))
    assert statuses == ["booked", "booked", "cancelled", "cancelled", "cancelled"]


def test_series_move_page_moves_later_ones_or_shows_the_problem(series, desk_client, where):
    url = reverse("clinic:series_move", args=[series[1].pk])
    new = timezone.localtime(series[1].start) + dt.timedelta(days=1)
    data = {
        "practitioner": where["practitioner"].pk,
        "location": where["location"].pk,
        "type": where["type"].pk,
        "date": new.date().isoformat(),
        "time": new.strftime("%H:%M"),
    }
    earlier = dict(data, date=(new - dt.timedelta(days=2)).date().isoformat())
    refused = desk_client.post(url, earlier)
    assert refused.status_code == 200
    assert "IMS sessions need at least" in refused.content.decode()
    assert [a.start for a in Appointment.objects.order_by("start")] == [s.start for s in series]
    assert desk_client.post(url, data).status_code == 302
    starts = [a.start for a in Appointment.objects.order_by("start")]
    assert starts == [series[0].start] + [s.start + dt.timedelta(days=1) for s in series[1:]]


def test_nothing_is_proposed_by_default_once_every_session_is_booked(
    plan, where, tuesday, front_desk, desk_client
):
    starts = [local(tuesday + dt.timedelta(days=7 * i)) for i in range(8)]
    services.series_book(plan=plan, starts=starts, by=front_desk, **where)
    page = desk_client.get(reverse("clinic:series_plan", args=[plan.pk]))
    assert page.context["proposal"] == []
    assert "All 8 planned sessions are booked" in page.content.decode()


def test_the_booking_page_links_to_the_series(plan, desk_client):
    panel = desk_client.get(reverse("clinic:booking_patient_panel"), {"patient": plan.patient.pk})
    assert reverse("clinic:series_plan", args=[plan.pk]) in panel.content.decode()
