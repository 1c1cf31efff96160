"""Registration with duplicate detection, editing, search, and what front desk may see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import Patient
from clinic.tests.factories import fill_intake, make_patient

pytestmark = pytest.mark.django_db

VALID = {
    "legal_first_name": "Hélène",
    "legal_last_name": "Tremblay",
    "preferred_name": "Lena",
    "date_of_birth": "1971-09-02",
    "sex": "female",
    "phone": "604-555-0133",
    "email": "Lena.Tremblay@Example.com",
    "preferred_contact": "email",
    "emergency_contact_name": "Marc Tremblay",
    "emergency_contact_phone": "604 555 0134",
}


def test_front_desk_registers_a_patient_and_the_history_names_them(client_for, front_desk):
    response = client_for(front_desk).post(reverse("clinic:patient_create"), VALID)
    patient = Patient.objects.get()
    assert response.url == reverse("clinic:patient_detail", args=[patient.pk])
    assert patient.email == "lena.tremblay@example.com"
    assert patient.search_text == "helene tremblay lena lena.tremblay@example.com 6045550133"
    assert patient.history.get().history_user == front_desk


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", "2999-01-01", "cannot be in the future"),
        ("date_of_birth", "not-a-date", "Enter the date of birth as a date"),
        ("email", "lena@", "Enter a complete e-mail address"),
        ("phone", "12", "That number has too few or too many digits"),
        ("legal_last_name", "", "This field is required"),
    ],
)
def test_invalid_input_gets_a_field_error_and_saves_nothing(
    client_for, front_desk, field, value, message
):
    response = client_for(front_desk).post(reverse("clinic:patient_create"), VALID | {field: value})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert Patient.objects.count() == 0


def test_tomorrow_is_already_in_the_future(client_for, front_desk):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client_for(front_desk).post(
        reverse("clinic:patient_create"), VALID | {"date_of_birth": tomorrow}
    )
    assert "date_of_birth" in response.context["form"].errors


@pytest.mark.parametrize(
    "changes",
    [
        # same name (other accents and case) and date of birth
        {
            "legal_first_name": "HELENE",
            "email": "",
            "phone": "250 555 0101",
            "preferred_contact": "phone",
        },
        # same e-mail, other person's name
        {"legal_first_name": "Marc", "date_of_birth": "1970-01-01", "phone": ""},
        # same phone, written differently
        {
            "legal_first_name": "Marc",
            "date_of_birth": "1970-01-01",
            "email": "",
            "phone": "(604) 555 0133",
            "preferred_contact": "sms",
        },
    ],
)
def test_possible_duplicates_are_shown_before_anything_is_created(client_for, front_desk, changes):
    existing = make_patient(
        legal_first_name="Hélène",
        legal_last_name="Tremblay",
        date_of_birth=dt.date(1971, 9, 2),
        email="lena.tremblay@example.com",
        phone="604-555-0133",
    )
    client = client_for(front_desk)
    warned = client.post(reverse("clinic:patient_create"), VALID | changes)
    assert warned.status_code == 200
    assert warned.context["duplicates"] == [existing]
    assert "This may be someone already on file" in warned.content.decode()
    assert Patient.objects.count() == 1

    confirmed = client.post(
        reverse("clinic:patient_create"), VALID | changes | {"confirm_not_duplicate": "on"}
    )
    assert confirmed.status_code == 302
    assert Patient.objects.count() == 2


def test_editing_keeps_search_text_in_step(client_for, front_desk):
    patient = make_patient(legal_last_name="Smith", by=front_desk)
    data = VALID | {"legal_last_name": "Smyth-Jones"}
    response = client_for(front_desk).post(reverse("clinic:patient_edit", args=[patient.pk]), data)
    assert response.status_code == 302
    patient.refresh_from_db()
    assert "smyth-jones" in patient.search_text
    assert patient.history.count() == 2


@pytest.fixture
def directory(front_desk):
    return {
        "helene": make_patient(
            legal_first_name="Hélène",
            legal_last_name="Tremblay",
            preferred_name="Lena",
            date_of_birth=dt.date(1971, 9, 2),
            phone="604-555-0133",
            email="lena@example.com",
            by=front_desk,
        ),
        "sam": make_patient(
            legal_first_name="Samuel",
            legal_last_name="O'Neill",
            date_of_birth=dt.date(1992, 6, 24),
            phone="778 555 0110",
            email="sam.oneill@example.com",
            by=front_desk,
        ),
        "jordan": make_patient(
            legal_first_name="Jordan",
            legal_last_name="Avery",
            date_of_birth=dt.date(1984, 3, 12),
            phone="604-555-0187",
            email="jordan@example.com",
            by=front_desk,
        ),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "helene"}, ["helene"]),  # accent-insensitive
        ({"q": "TREMB"}, ["helene"]),  # partial, case-insensitive
        ({"q": "lena"}, ["helene"]),  # preferred name
        ({"q": "oneil"}, ["sam"]),  # apostrophes ignored
        ({"q": "o'neill sam"}, ["sam"]),  # every term must match
        ({"q": "604 555"}, ["jordan", "helene"]),  # phone, any punctuation
        ({"q": "(778) 555-0110"}, ["sam"]),
        ({"q": "jordan@"}, ["jordan"]),  # e-mail
        ({"dob": "1992-06-24"}, ["sam"]),
        ({"q": "avery", "dob": "1971-09-02"}, []),
    ],
)
def test_search_by_name_phone_email_or_birth_date(client_for, physio, directory, params, expected):
    response = client_for(physio).get(reverse("clinic:patient_list"), params)
    found = list(response.context["page"].object_list)
    assert found == [
        directory[key] for key in sorted(expected, key=lambda k: directory[k].legal_last_name)
    ]


def test_search_answers_htmx_with_the_results_only(client_for, front_desk, directory):
    response = client_for(front_desk).get(
        reverse("clinic:patient_list"), {"q": "avery"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "Avery, Jordan" in html


def _list_queries(client, n_patients: int, front_desk) -> int:
    for index in range(n_patients):
        patient = make_patient(legal_last_name=f"Bulk{index:03d}", by=front_desk)
        if index % 3 == 0:
            fill_intake(patient, by=front_desk, submit=index % 2 == 0)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("clinic:patient_list"))
    assert response.status_code == 200
    return len(queries)


def test_patient_list_query_count_does_not_grow_with_patients(client_for, front_desk, physio):
    client = client_for(physio)
    small = _list_queries(client, 3, front_desk)
    large = _list_queries(client, 27, front_desk)  # 30 patients: more than a page
    assert small == large


def test_front_desk_sees_status_but_never_clinical_answers(client_for, front_desk, physio):
    patient = make_patient(by=front_desk)
    fill_intake(patient, by=physio)
    client = client_for(front_desk)

    detail = client.get(reverse("clinic:patient_detail", args=[patient.pk])).content.decode()
    listing = client.get(reverse("clinic:patient_list")).content.decode()
    for html in (detail, listing):
        assert "Complete" in html  # intake status is shown
        for clinical in ("Low back pain for a year", "Sitting", "warfarin", "Walking"):
            assert clinical not in html
    assert reverse("clinic:intake_detail", args=[patient.pk]) not in detail
    assert client.get(reverse("clinic:intake_detail", args=[patient.pk])).status_code == 403
    assert client.get(reverse("clinic:intake_step", args=[patient.pk, "pain"])).status_code == 403


def test_the_list_shows_each_patients_next_appointment(client_for, front_desk, physio):
    from clinic.models import Appointment, AppointmentType
    from clinic.tests.factories import make_practitioner, write_appointment

    maya = make_practitioner(physio, hours=((0, 6), (7, 20)), name="Maya Chen")
    follow_up = AppointmentType.objects.get(name="Follow-up")
    booked = make_patient(legal_first_name="Robin", legal_last_name="Booked")
    idle = make_patient(legal_first_name="Sam", legal_last_name="Idle")
    tz = timezone.get_current_timezone()
    soon = dt.datetime.combine(timezone.localdate() + dt.timedelta(days=3), dt.time(10), tz)
    later = soon + dt.timedelta(days=7)
    for start in (later, soon):
        write_appointment(booked, maya, start, follow_up, by=front_desk)
    # A cancelled visit and a past one are not "next".
    write_appointment(
        idle, maya, soon, follow_up, by=front_desk, status=Appointment.Status.CANCELLED
    )
    write_appointment(idle, maya, soon - dt.timedelta(days=30), follow_up, by=front_desk)

    html = client_for(front_desk).get(reverse("clinic:patient_list")).content.decode()
    booked_row = html[html.index("Booked, Robin") :].split("</tr>")[0]
    idle_row = html[html.index("Idle, Sam") :].split("</tr>")[0]
    assert f"{soon:%a} {soon.day} {soon:%b %Y}, 10:00" in booked_row
    assert "None booked" not in booked_row
    assert "None booked" in idle_row


@pytest.mark.parametrize("number", [None, "", "1", "2", "3", "4", "5", "6", "7", "0", "-1", "x"])
def test_search_pages_are_the_pages_a_paginator_gives(front_desk, number):
    """A search's page, whether read in one query (the first pages) or from its ids (later
    ones), is the page Django's Paginator.get_page gives over the whole ordered result:
    same rows, number, count and neighbours; out-of-range numbers land where get_page puts
    them (not a number: the first page; below 1 or past the end: the last)."""
    from django.core.paginator import Paginator

    from clinic import selectors

    for index in range(11):  # 6 pages of 2, the last one short
        patient = make_patient(
            legal_first_name=f"Pat{10 - index:02d}", legal_last_name="Pagewise", by=front_desk
        )
        if index % 3 == 0:
            fill_intake(patient, by=front_desk, submit=index % 2 == 0)
    make_patient(legal_last_name="Elsewhere", by=front_desk)

    page = selectors.patient_search_page(query="pagewise", number=number, per_page=2)
    expected = Paginator(list(selectors.patient_search(query="pagewise")), 2).get_page(number)

    assert page.number == expected.number
    assert page.paginator.count == 11
    assert page.paginator.num_pages == 6
    assert (page.has_previous(), page.has_next()) == (expected.has_previous(), expected.has_next())
    shown = [
        (p.pk, p.legal_first_name, p.intake_state, p.consent_current, p.next_visit)
        for p in page.object_list
    ]
    assert shown == [
        (p.pk, p.legal_first_name, p.intake_state, p.consent_current, p.next_visit)
        for p in expected.object_list
    ]
    assert shown  # never an empty page for a search that matches
