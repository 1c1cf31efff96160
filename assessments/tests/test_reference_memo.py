"""The assessment pages' per-process memo of reference rows (selectors.finding_reference,
clinic/reference_cache.py): an edit to a sign, test, segment, muscle or innervation shows
on the next page, and a row the memo has not seen yet is read, not missed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.models import Muscle, MuscleInnervation, Segment, Sign, SignFinding, SignTest
from assessments.tests.factories import add_sign, make_assessment
from clinic.reference_cache import reference_memo_clear

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(physio, client_for):
    assessment = make_assessment(physio, chief_complaint="Neck pain")
    add_sign(assessment, physio, segment="C6", region="peripheral", muscle="Supinator",
             sign="Motor point tenderness")  # fmt: skip
    reference_memo_clear()
    client = client_for(physio)
    url = reverse("assessments:detail", args=[assessment.pk])

    def get() -> str:
        response = client.get(url)
        assert response.status_code == 200
        return response.content.decode()

    get.assessment = assessment
    return get


def test_reference_edits_show_on_the_next_page(page):
    assert "Motor point tenderness" in page()
    sign = Sign.objects.get(name="Motor point tenderness")
    sign.name = "Motor point tenderness (renamed)"
    sign.save()
    test = SignTest.objects.get(name="Palpation")
    test.name = "Palpation (renamed)"
    test.save()
    segment = Segment.objects.get(code="C6")
    segment.code = "C6x"
    segment.save()
    html = page()
    assert "Motor point tenderness (renamed)" in html
    assert "Palpation (renamed)" in html
    assert ">C6x<" in html


def test_innervation_edits_change_the_suggestions(page):
    new = Muscle.objects.create(
        name="Memo muscle", lay_name="A test muscle", body_region="forearm_hand", kind="peripheral"
    )
    assert "Memo muscle" not in page()
    MuscleInnervation.objects.create(muscle=new, segment=Segment.objects.get(code="C6"))
    assert "Memo muscle" in page()


def test_a_row_written_without_signals_is_read_not_missed(page, physio):
    page()  # the memo is built
    (new,) = Muscle.objects.bulk_create(
        [Muscle(name="Bulk muscle", lay_name="Bulk", body_region="forearm_hand", kind="peripheral")]
    )
    SignFinding.objects.filter(assessment=page.assessment).update(muscle=new)
    assert "Bulk muscle" in page()
