"""The session form's per-process memo of reference data (clinic/reference_cache.py): a
change to needles, advice, muscles or segments shows on the next form, whichever way it
was made, and a page reads the tables once per version, not once per request."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.models import Muscle, Segment
from clinic.models import ReferenceVersion
from clinic.reference_cache import ReferenceData, reference_memo_clear, reference_token
from treatments import services
from treatments.models import HomeCareSnippet, NeedleSize
from treatments.tests.factories import credential_for, ready_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_url(physio):
    credential_for(physio)
    patient = ready_patient(physio)
    session = services.session_start(patient=patient, practitioner=physio.practitioner)
    reference_memo_clear()
    # The page and its entry forms (the pickers), which it loads right after it shows.
    return [
        reverse(f"treatments:{name}", args=[session.pk])
        for name in ("session_edit", "session_entries")
    ]


def test_reference_changes_show_on_the_next_form(physio, client_for, form_url):
    client = client_for(physio)

    def form() -> str:
        return "".join(client.get(url).content.decode() for url in form_url)

    first = form()
    assert "0.42 × 77 mm" not in first
    assert "Hum the tune" not in first

    needle = NeedleSize.objects.create(diameter_mm="0.42", length_mm=77)
    HomeCareSnippet.objects.create(title="Hum the tune", text="Twice a day.")
    muscle = Muscle.objects.filter(active=True).order_by("name").first()
    muscle.name = "Renamedus maximus"
    muscle.save()
    second = form()
    assert "0.42 × 77 mm" in second
    assert "Hum the tune" in second
    assert "Renamedus maximus" in second

    needle.active = False  # an edit in place, not a new row
    needle.save()
    assert "0.42 × 77 mm" not in form()
    needle.delete()
    segment = Segment.objects.order_by("-position").first()
    segment.code = "Z9"
    segment.save()
    assert ">Z9<" in form()


def test_every_save_and_delete_gives_a_new_token(db):
    tokens = {reference_token()}
    needle = NeedleSize.objects.create(diameter_mm="0.33", length_mm=66)
    tokens.add(reference_token())
    needle.delete()
    tokens.add(reference_token())
    assert None not in tokens
    assert len(tokens) == 3


def test_tables_are_read_once_per_token(db, django_assert_num_queries):
    reference_memo_clear()
    calls = []

    def build():
        calls.append(1)
        return ["value"]

    with django_assert_num_queries(1):  # the token only
        assert ReferenceData().get("test.thing", build) == ["value"]
        first = ReferenceData()
    assert first.get("test.thing", build) == ["value"]
    assert first.get("test.thing", build) == ["value"]  # one token read per request
    assert len(calls) == 1
    NeedleSize.objects.create(diameter_mm="0.31", length_mm=61)
    assert ReferenceData().get("test.thing", build) == ["value"]
    assert len(calls) == 2


def test_without_a_version_row_nothing_is_memoised(db):
    ReferenceVersion.objects.all().delete()
    calls = []
    for _ in range(2):
        ReferenceData().get("test.other", lambda: calls.append(1) or len(calls))
    assert len(calls) == 2
