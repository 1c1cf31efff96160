"""Issue 19, patient search and contact details: phone numbers and postal codes are written
one way on save (the `phonenumbers` library), a search by "+1 604 ..." or any other spelling
finds the patient, and the preferred contact method must have its channel."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.contact import phone_normalize, postal_code_normalize
from clinic.models import Patient
from clinic.selectors.patients import patient_search
from clinic.tests.factories import make_patient

pytestmark = pytest.mark.django_db

REGISTRATION = {
    "legal_first_name": "Noor",
    "legal_last_name": "Haddad",
    "date_of_birth": "1979-05-04",
    "sex": "female",
    "email": "noor@example.org",
    "preferred_contact": "email",
}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("604 555 0199", "+1 604-555-0199"),
        ("(604) 555-0199", "+1 604-555-0199"),
        ("+1 604 555 0199", "+1 604-555-0199"),
        ("1-604-555-0199", "+1 604-555-0199"),
        ("+44 20 7946 0958", "+44 20 7946 0958"),
        ("604-555-0199 x12", "+1 604-555-0199 ext. 12"),
        ("", ""),
    ],
)
def test_phone_numbers_are_written_one_way(typed, stored):
    assert phone_normalize(typed) == stored


@pytest.mark.parametrize("typed", ["12", "not a number", "604 555 01999999"])
def test_impossible_numbers_are_refused_with_an_example(typed):
    with pytest.raises(ValidationError, match="604-555-0199"):
        phone_normalize(typed)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("v6k1a1", "V6K 1A1"), (" V6K-1A1 ", "V6K 1A1"), ("90210", "90210"), ("sw1a 1aa", "SW1A 1AA")],
)
def test_postal_codes_are_written_one_way(typed, stored):
    assert postal_code_normalize(typed) == stored


def test_registration_stores_the_normalised_values(client_for, front_desk):
    answer = client_for(front_desk).post(
        reverse("clinic:patient_create"),
        REGISTRATION | {"phone": "(604) 555 0199", "postal_code": "v6k1a1"},
    )
    assert answer.status_code == 302
    patient = Patient.objects.get()
    assert (patient.phone, patient.postal_code) == ("+1 604-555-0199", "V6K 1A1")


@pytest.mark.parametrize("query", ["+1 604 555 0199", "604-555-0199", "6045550199", "555 0199"])
def test_any_spelling_of_the_number_finds_the_patient(query):
    new_style = make_patient(legal_first_name="New", phone="+1 604-555-0199")
    old_style = make_patient(legal_first_name="Old", phone="604.555.0199")  # before this change
    make_patient(legal_first_name="Other", phone="+1 778-555-0100")
    assert set(patient_search(query=query)) == {new_style, old_style}


def test_an_international_number_is_found_with_its_country_code():
    abroad = make_patient(legal_first_name="Abroad", phone="+44 20 7946 0958")
    assert list(patient_search(query="+44 20 7946 0958")) == [abroad]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"preferred_contact": "email", "email": ""}, "E-mail is preferred but there is no"),
        ({"preferred_contact": "phone", "phone": ""}, "Phone call is preferred but there is no"),
        ({"preferred_contact": "sms", "phone": ""}, "Text message is preferred but there is no"),
    ],
)
def test_the_preferred_contact_method_needs_its_channel(client_for, front_desk, changes, message):
    answer = client_for(front_desk).post(
        reverse("clinic:patient_create"), REGISTRATION | {"phone": "604 555 0199"} | changes
    )
    form = answer.context["form"]
    assert message in " ".join(form.errors["preferred_contact"])
    assert not Patient.objects.exists()


def test_a_record_whose_preferred_channel_is_missing_says_so_on_the_patient_page(
    client_for, front_desk
):
    """An older or imported record may prefer e-mail without an address: the desk sees why
    the channel cannot be used, next to the preference; a usable one shows no warning."""
    without = make_patient(email="", phone="", preferred_contact="email")
    html = client_for(front_desk).get(reverse("clinic:patient_detail", args=[without.pk]))
    assert "E-mail is preferred but there is no e-mail address." in html.content.decode()

    usable = make_patient(email="ok@example.org", preferred_contact="email")
    html = client_for(front_desk).get(reverse("clinic:patient_detail", args=[usable.pk]))
    assert "is preferred but there is no" not in html.content.decode()
