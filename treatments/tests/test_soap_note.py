"""The S and O of the session note (issue 19): free-text subjective and objective fields,
autosaved like the plan, shown on the signed note, in the staff course summary and the
patient's export, not in the patient's visit summary, and locked with the rest once signed."""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from clinic.services import patient_export
from treatments import services
from treatments.forms import SessionForm
from treatments.models import CourseSummary, TreatmentSession
from treatments.selectors import documents
from treatments.tests.factories import complete_session, credential_for
from treatments.tests.summary_helpers import named_patient, signed_session

pytestmark = pytest.mark.django_db

S = "Sleeping better; still sore reaching overhead at work."
O = "Guarded cervical rotation R; taut band in supinator, tender to touch."  # noqa: E741


@pytest.fixture
def credentialed(physio):
    credential_for(physio)
    return physio


def _text(response) -> str:
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_session_form_asks_s_and_o_first_with_their_help_texts(credentialed, client_for):
    session = complete_session(credentialed)
    html = client_for(credentialed).get(reverse("treatments:session_edit", args=[session.pk]))
    page = html.content.decode()
    for name in ("subjective", "objective"):
        help_text = TreatmentSession._meta.get_field(name).help_text
        assert f'<div id="id_{name}_helptext" class="form-text">{help_text}</div>' in page
        assert f'aria-describedby="id_{name}_helptext"' in page
        assert f'name="{name}"' in page
    # S then O, before the re-screen and the needling sites.
    order = [
        page.index('name="nprs_before"'),
        page.index('name="subjective"'),
        page.index('name="objective"'),
        page.index("Re-screen since the last visit"),
        page.index('id="site-heading"'),
    ]
    assert order == sorted(order)


def test_autosave_stores_s_and_o_and_the_signed_note_shows_them(credentialed, client_for):
    session = complete_session(credentialed)
    client = client_for(credentialed)
    # Autosave posts every field of the form, as the page does.
    data = {
        name: "" if value is None else value
        for name, value in SessionForm(instance=session).initial.items()
        if name in SessionForm.Meta.fields and name != "home_care"
    }
    response = client.post(
        reverse("treatments:session_save", args=[session.pk]),
        data | {"subjective": S, "objective": O},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    session.refresh_from_db()
    assert (session.subjective, session.objective) == (S, O)
    assert session.nprs_before == 6
    services.session_sign(session=session, by=credentialed)
    detail = _text(client.get(reverse("treatments:session", args=[session.pk])))
    assert f"Subjective {S}" in detail
    assert f"Objective {O}" in detail


def test_too_long_a_subjective_is_an_error_next_to_it_and_nothing_is_saved(
    credentialed, client_for
):
    session = complete_session(credentialed)
    response = client_for(credentialed).post(
        reverse("treatments:session_save", args=[session.pk]),
        {"session_date": session.session_date.isoformat(), "subjective": "x" * 10_001},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'id="err-subjective"' in response.content.decode()
    session.refresh_from_db()
    assert session.subjective == ""


def test_s_and_o_of_a_signed_note_cannot_be_changed(credentialed, client_for):
    session = services.session_sign(
        session=complete_session(credentialed, subjective=S, objective=O), by=credentialed
    )
    with pytest.raises(services.SessionLocked):
        services.session_update(session=session, by=credentialed, subjective="changed")
    form = SessionForm(
        {"session_date": session.session_date, "objective": "changed"}, instance=session
    )
    assert not form.is_valid()
    response = client_for(credentialed).post(
        reverse("treatments:session_save", args=[session.pk]),
        {"session_date": session.session_date.isoformat(), "subjective": "changed"},
        HTTP_HX_REQUEST="true",
    )
    assert response.headers["HX-Redirect"] == reverse("treatments:session", args=[session.pk])
    session.refresh_from_db()
    assert (session.subjective, session.objective) == (S, O)


@pytest.mark.postgres
def test_postgres_refuses_a_raw_update_of_s_or_o_on_a_signed_note(credentialed):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the signed-row trigger")
    session = services.session_sign(
        session=complete_session(credentialed, subjective=S, objective=O), by=credentialed
    )
    for column in ("subjective", "objective"):
        with (
            pytest.raises(IntegrityError, match="signed"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                f"UPDATE treatments_treatmentsession SET {column} = 'x' WHERE id = %s",  # noqa: S608
                [session.pk],
            )
    session.refresh_from_db()
    assert (session.subjective, session.objective) == (S, O)


def test_s_and_o_go_to_the_export_and_course_summary_not_the_patients_visit_summary(
    credentialed,
):
    patient = named_patient(credentialed, "Sam", "Soap")
    session = signed_session(
        credentialed, patient, subjective=S, objective=O, plan="Review in 1 week"
    )
    exported = patient_export(patient)["treatment_sessions"][0]
    assert (exported["subjective"], exported["objective"]) == (S, O)

    course = CourseSummary.objects.create(
        patient=patient,
        date_from=session.session_date,
        date_to=session.session_date,
        requested_by=credentialed,
    )
    context = documents.course_summary_context(course)
    staff = " ".join(render_to_string("pdf/course_summary.html", context).split())
    assert f"<strong>Subjective:</strong> {S}" in staff
    assert f"<strong>Objective:</strong> {O}" in staff

    # The patient's own summary speaks in plain words and shows no clinical narrative
    # (it shows neither the plan nor S/O).
    summary = documents.visit_summary_with_relations(session.summaries.get().pk)
    visit = render_to_string("pdf/visit_summary.html", documents.visit_summary_context(summary))
    for clinical in (S, O, "Review in 1 week", "Subjective", "Objective"):
        assert clinical not in visit
