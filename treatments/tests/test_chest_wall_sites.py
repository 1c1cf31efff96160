"""Issue 17, acceptance 5: a site on a chest-wall muscle records needle depth (1-100 mm)
and direction, refused with a field error and nothing written when missing or out of range;
a session that needled both sides of the thorax warns in the sign panel and needs a one-line
reason to be signed. The values show on the note, the chart, the course summary and the
export, never in the patient's lay visit summary."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from assessments.models import Muscle, Segment
from treatments import services
from treatments.apps import treatment_sessions_export
from treatments.models import CourseSummary, NeedlingSite, TreatmentSession, VisitSummary
from treatments.selectors import documents
from treatments.tests.factories import add_site, complete_session, credential_for, needle

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
CHEST = "Rhomboid major"  # over the ribs; the flag is set below in case reference data moves
CHEST_FIELDS = {
    "pneumothorax_acknowledged": True,
    "needle_depth_mm": 15,
    "needle_direction": "tangential",
}


@pytest.fixture
def chest_muscle(db) -> Muscle:
    Muscle.objects.filter(name=CHEST).update(chest_wall=True)
    Muscle.objects.filter(name="Supinator").update(chest_wall=False)
    return Muscle.objects.get(name=CHEST)


@pytest.fixture
def draft(physio, chest_muscle):
    credential_for(physio)
    return complete_session(physio)


def _post(muscle: Muscle, segment="C5", prefix="site-new", **overrides) -> dict:
    data = {
        "muscle": muscle.pk,
        "side": "R",
        "segment": Segment.objects.get(code=segment).pk,
        "region": muscle.kind,
        "needle": needle().pk,
        "technique": "in_out",
        "insertions": "3",
        "twitch": "large",
        "pneumothorax_acknowledged": "on",
        "needle_depth_mm": "15",
        "needle_direction": "tangential",
    } | overrides
    data = {k: v for k, v in data.items() if v is not None}
    return {"prefix": prefix, **{f"{prefix}-{k}": v for k, v in data.items()}}


def _add(client, session, data):
    return client.post(reverse("treatments:part_add", args=[session.pk, "site"]), data, **HTMX)


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# --- Depth and direction on a chest-wall site ------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"needle_depth_mm": "0"}, "needle_depth_mm", "greater than or equal to 1"),
        ({"needle_depth_mm": "101"}, "needle_depth_mm", "less than or equal to 100"),
        ({"needle_depth_mm": None}, "needle_depth_mm", "give the needle depth in mm (1-100)"),
        ({"needle_depth_mm": ""}, "needle_depth_mm", "give the needle depth in mm (1-100)"),
        ({"needle_depth_mm": "deep"}, "needle_depth_mm", "Enter a whole number"),
        ({"needle_depth_mm": "12.5"}, "needle_depth_mm", "Enter a whole number"),
        ({"needle_direction": None}, "needle_direction", "give the needle direction"),
        ({"needle_direction": "sideways"}, "needle_direction", "Select a valid choice"),
    ],
)
def test_chest_wall_site_needs_depth_and_direction_in_range(
    physio, draft, chest_muscle, client_for, overrides, field, message
):
    before = NeedlingSite.objects.count()
    response = _add(client_for(physio), draft, _post(chest_muscle, **overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any(message in error for error in errors[field]), errors[field]
    # The error is shown next to the field, inside the chest-wall block.
    html = response.content.decode()
    marker = f'id="id_site-new-{field}-wrap"'
    start = html.index(marker) + len(marker)
    wrap = html[start : html.index("-wrap", start)]
    assert re.search(r'class="invalid-feedback d-block">[^<]*' + re.escape(message[:12]), wrap)
    assert NeedlingSite.objects.count() == before


def test_a_chest_wall_site_with_depth_and_direction_is_saved(
    physio, draft, chest_muscle, client_for
):
    response = _add(client_for(physio), draft, _post(chest_muscle, needle_depth_mm="100"))
    assert not response.context["form"].errors
    site = draft.sites.get(muscle=chest_muscle)
    assert (site.needle_depth_mm, site.needle_direction) == (100, "tangential")
    assert "100 mm deep, tangential / oblique to the chest wall" in _text(response)


def test_depth_and_direction_are_not_required_for_other_muscles(physio, draft, client_for):
    supinator = Muscle.objects.get(name="Supinator")
    data = _post(
        supinator,
        segment="C6",
        needle_depth_mm=None,
        needle_direction=None,
        pneumothorax_acknowledged=None,
    )
    response = _add(client_for(physio), draft, data)
    assert not response.context["form"].errors
    site = draft.sites.filter(muscle=supinator).latest("pk")
    assert (site.needle_depth_mm, site.needle_direction) == (None, "")
    # ... and the entry form does not show them for such a muscle.
    assert "id_site-new-needle_depth_mm" not in response.content.decode()


def test_the_service_refuses_a_chest_wall_site_without_them(physio, draft, chest_muscle):
    with pytest.raises(ValidationError) as refused:
        add_site(
            draft,
            physio,
            muscle=CHEST,
            segment="C5",
            pneumothorax_acknowledged=True,
            needle_depth_mm=None,
            needle_direction="",
        )
    assert set(refused.value.message_dict) == {"needle_depth_mm", "needle_direction"}
    assert not draft.sites.filter(muscle=chest_muscle).exists()


def test_the_database_refuses_a_depth_out_of_range(physio, draft, chest_muscle):
    site = add_site(draft, physio, muscle=CHEST, segment="C5", **CHEST_FIELDS)
    for depth in (0, 101):
        with pytest.raises(IntegrityError), transaction.atomic():
            NeedlingSite.objects.filter(pk=site.pk).update(needle_depth_mm=depth)
    NeedlingSite.objects.filter(pk=site.pk).update(needle_depth_mm=None)  # null is allowed


def test_choosing_a_chest_wall_muscle_brings_the_fields_and_keeps_typed_values(
    physio, draft, chest_muscle, client_for
):
    client = client_for(physio)
    url = reverse("treatments:part_refresh", args=[draft.pk, "site"])
    typed = _post(chest_muscle, needle_depth_mm="22", needle_direction="caudal", insertions="4")
    html = client.post(url, typed, **HTMX).content.decode()
    depth = re.search(r'<input[^>]*name="site-new-needle_depth_mm"[^>]*>', html).group(0)
    assert 'value="22"' in depth
    assert re.search(r'<option value="caudal" selected>', html)
    assert "Chest wall: pneumothorax precaution" in html
    # A muscle off the chest wall: the block and its fields go.
    supinator = Muscle.objects.get(name="Supinator")
    other = client.post(url, _post(supinator, segment="C6"), **HTMX).content.decode()
    assert "needle_depth_mm" not in other
    assert "Chest wall" not in other


# --- Where the values show --------------------------------------------------------------------


def _signed_with_chest_site(physio, draft):
    add_site(draft, physio, muscle=CHEST, segment="C5", side="L", **CHEST_FIELDS)
    services.session_update(
        session=draft, by=physio, needles_opened=2, needles_removed=2, needles_disposed=2
    )
    return services.session_sign(session=draft, by=physio)


def test_depth_and_direction_show_on_note_chart_course_summary_and_export(
    physio, draft, client_for
):
    session = _signed_with_chest_site(physio, draft)
    client = client_for(physio)
    shown = "15 mm deep, tangential / oblique to the chest wall (pincer grip)"
    assert shown in _text(client.get(reverse("treatments:session", args=[session.pk])))
    chart = _text(client.get(reverse("treatments:chart", args=[session.patient_id])))
    assert f"{CHEST} L (C5; {shown})" in chart

    course = CourseSummary.objects.create(
        patient=session.patient,
        date_from=session.session_date,
        date_to=session.session_date,
        requested_by=physio,
    )
    context = documents.course_summary_context(course)
    assert f"{CHEST} (L; {shown})" in context["rows"][0].muscles
    assert shown in render_to_string("pdf/course_summary.html", context)

    exported = treatment_sessions_export(session.patient)[0]["needling_sites"]
    chest = next(row for row in exported if row["muscle"] == CHEST)
    assert (chest["needle_depth_mm"], chest["needle_direction"]) == (15, "tangential")


def test_the_lay_visit_summary_leaves_depth_and_direction_out(physio, draft):
    session = _signed_with_chest_site(physio, draft)
    summary = VisitSummary.objects.get(session=session)
    text = render_to_string("pdf/visit_summary.html", documents.visit_summary_context(summary))
    assert "mm deep" not in text
    assert "tangential" not in text.lower()


# --- Both sides of the thorax in one session ----------------------------------------------------


def _both_sides(physio, draft, sides=("L", "R")):
    for side in sides:
        add_site(draft, physio, muscle=CHEST, segment="C5", side=side, **CHEST_FIELDS)
    count = 1 + len(sides)
    services.session_update(
        session=draft,
        by=physio,
        needles_opened=count,
        needles_removed=count,
        needles_disposed=count,
    )
    return TreatmentSession.objects.get(pk=draft.pk)


@pytest.mark.parametrize("sides", [("L", "R"), ("B",)])
def test_both_sides_of_the_thorax_warn_and_need_a_reason(physio, draft, client_for, sides):
    session = _both_sides(physio, draft, sides)
    assert services.sign_problems(session) == [services.BILATERAL_THORAX_PROBLEM]
    client = client_for(physio)
    # The sign panel, which the session form loads as soon as it shows.
    edit = client.get(reverse("treatments:sign_panel", args=[session.pk])).content.decode()
    assert 'id="bilateral-thorax-warning"' in edit
    assert "Both sides of the thorax needled" in edit
    assert 'name="bilateral_thorax_reason"' in edit

    # Signing without the reason is refused, with the message next to the field.
    refused = client.post(
        reverse("treatments:session_sign", args=[session.pk]),
        {"bilateral_thorax_reason": "  "},
        follow=True,
    )
    session.refresh_from_db()
    assert not session.is_signed
    html = refused.content.decode()
    field = html.index('id="id_bilateral_thorax_reason"')
    error = html.index('id="err-bilateral_thorax_reason"')
    assert 0 < error - field < 600
    assert services.BILATERAL_THORAX_PROBLEM in html[error : error + 300]

    # With the reason it signs, and the note shows the reason.
    reason = "Bilateral T4 signs; patient briefed on breathlessness, observed 20 min."
    client.post(
        reverse("treatments:session_sign", args=[session.pk]),
        {"bilateral_thorax_reason": reason},
    )
    session.refresh_from_db()
    assert session.is_signed
    assert session.bilateral_thorax_reason == reason
    detail = _text(client.get(reverse("treatments:session", args=[session.pk])))
    assert f"Both sides of the thorax needled. Reason: {reason}" in detail


def test_a_reason_over_300_characters_is_refused_next_to_the_field(physio, draft, client_for):
    session = _both_sides(physio, draft)
    response = client_for(physio).post(
        reverse("treatments:session_sign", args=[session.pk]),
        {"bilateral_thorax_reason": "x" * 301},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "at most 300 characters" in html
    assert 'value="' + "x" * 301 + '"' in html  # what was typed comes back to be shortened
    session.refresh_from_db()
    assert not session.is_signed
    assert session.bilateral_thorax_reason == ""


def test_a_reason_with_a_nul_character_is_refused_not_stored(physio, draft, client_for):
    """The reason reaches the service without a form; PostgreSQL cannot store NUL, so the
    model's own validation must refuse it (a field error, never a 500)."""
    session = _both_sides(physio, draft)
    response = client_for(physio).post(
        reverse("treatments:session_sign", args=[session.pk]),
        {"bilateral_thorax_reason": "Bilateral T4\x00 segmental signs"},
    )
    assert response.status_code == 400
    assert "Null characters are not allowed" in response.content.decode()
    session.refresh_from_db()
    assert not session.is_signed
    assert session.bilateral_thorax_reason == ""


@pytest.mark.parametrize(
    "sites",
    [
        [(CHEST, "C5", "L"), (CHEST, "C5", "L")],  # one side of the thorax only
        [(CHEST, "C5", "L"), ("Supinator", "C6", "R")],  # the other side off the chest wall
    ],
)
def test_one_side_of_the_thorax_gives_no_warning(physio, draft, client_for, sites):
    for muscle, segment, side in sites:
        extra = CHEST_FIELDS if muscle == CHEST else {}
        add_site(draft, physio, muscle=muscle, segment=segment, side=side, **extra)
    count = 1 + len(sites)
    services.session_update(
        session=draft, by=physio, needles_opened=count, needles_removed=count,
        needles_disposed=count,
    )  # fmt: skip
    session = TreatmentSession.objects.get(pk=draft.pk)
    assert services.sign_problems(session) == []
    edit = client_for(physio).get(reverse("treatments:session_edit", args=[session.pk]))
    html = edit.content.decode()
    assert "bilateral-thorax-warning" not in html
    assert "bilateral_thorax_reason" not in html
    services.session_sign(session=session, by=physio)
    session.refresh_from_db()
    assert session.is_signed
