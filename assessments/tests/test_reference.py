"""Acceptance 1: the reference data arrives with the migrations and the clinic admin edits it."""

from __future__ import annotations

import pytest

from assessments.models import Muscle, MuscleInnervation, Region, Segment, Sign
from assessments.seed import SEGMENTS, SIGNS
from assessments.seed.muscles import MUSCLES

pytestmark = pytest.mark.django_db


def test_the_27_segments_in_order():
    codes = list(Segment.objects.order_by("position").values_list("code", flat=True))
    assert codes == (
        [f"C{n}" for n in range(1, 9)]
        + [f"T{n}" for n in range(1, 13)]
        + [f"L{n}" for n in range(1, 6)]
        + ["S1", "S2"]
    )
    assert len(codes) == len(SEGMENTS) == 27


def test_muscle_catalogue_is_loaded_and_every_muscle_has_a_primary_segment():
    assert Muscle.objects.count() == len(MUSCLES) >= 80
    without_segment = Muscle.objects.filter(innervations__isnull=True)
    assert not without_segment.exists()
    without_primary = Muscle.objects.exclude(innervations__primary=True)
    assert list(without_primary) == []
    for muscle in Muscle.objects.all():
        assert muscle.lay_name
        assert muscle.body_region


def test_every_segment_has_a_paraspinal_muscle():
    for segment in Segment.objects.all():
        assert segment.muscles.filter(kind=Region.PARASPINAL).exists(), segment.code


@pytest.mark.parametrize(
    ("muscle", "segment"),
    [
        ("Deltoid", "C5"),
        ("Supraspinatus", "C5"),
        ("Biceps brachii", "C6"),
        ("Extensor carpi radialis brevis", "C6"),
        ("Triceps brachii", "C7"),
        ("First dorsal interosseous", "T1"),
        ("Iliopsoas", "L2"),
        ("Tibialis anterior", "L4"),
        ("Gluteus medius", "L5"),
        ("Gastrocnemius", "S1"),
    ],
)
def test_domain_table_innervations(muscle, segment):
    assert MuscleInnervation.objects.filter(muscle__name=muscle, segment__code=segment).exists()


def test_signs_grouped_with_their_tests():
    assert Sign.objects.count() == len(SIGNS)
    groups = set(Sign.objects.values_list("group", flat=True))
    assert groups == {"sensory", "autonomic", "trophic", "motor"}
    trophedema = Sign.objects.get(name="Trophedema")
    assert trophedema.group == "autonomic"
    assert {"Matchstick test", "Skin rolling"} <= {t.name for t in trophedema.tests.all()}
    assert all(sign.tests.exists() for sign in Sign.objects.all())


def test_clinic_admin_edits_a_muscle_in_the_admin(clinic_admin, client_for):
    client = client_for(clinic_admin)
    muscle = Muscle.objects.get(name="Supinator")
    url = f"/admin/assessments/muscle/{muscle.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data |= {"lay_name": "Forearm muscle that turns the palm up", "active": "on"}
    inline = page.context["inline_admin_formsets"][0].formset
    data |= {
        f"{inline.prefix}-TOTAL_FORMS": str(inline.initial_form_count()),
        f"{inline.prefix}-INITIAL_FORMS": str(inline.initial_form_count()),
        f"{inline.prefix}-MIN_NUM_FORMS": "1",
        f"{inline.prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, inline_form in enumerate(inline.initial_forms):
        link = inline_form.instance
        data |= {
            f"{inline.prefix}-{index}-id": link.pk,
            f"{inline.prefix}-{index}-muscle": muscle.pk,
            f"{inline.prefix}-{index}-segment": link.segment_id,
        }
        if link.primary:
            data[f"{inline.prefix}-{index}-primary"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    muscle.refresh_from_db()
    assert muscle.lay_name == "Forearm muscle that turns the palm up"
    assert muscle.history.count() >= 1


def test_front_desk_cannot_edit_reference_data(front_desk, client_for):
    response = client_for(front_desk).get("/admin/assessments/muscle/")
    assert response.status_code in (302, 403)
