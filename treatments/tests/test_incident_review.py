"""Issue 19, acceptance 6: the clinic admins' incident list shows patient, session and
severity with a review state (open, reviewed, closed with what was done); its links and
filters work; a reviewed or closed incident stays visible with its whole history; the
history cannot be rewritten."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, InternalError, connection, transaction
from django.db.utils import ProgrammingError

from clinic.models import AccessLog
from clinic.permissions import Role
from clinic.tests.budgets import render_counted
from treatments import selectors, services
from treatments.models import AdverseEvent, IncidentReview
from treatments.tests.factories import complete_session, credential_for

pytestmark = pytest.mark.django_db
State = IncidentReview.State


@pytest.fixture
def signed(physio):
    credential_for(physio)
    return services.session_sign(session=complete_session(physio), by=physio)


def _event(session, physio, **fields) -> AdverseEvent:
    values = {"kind": "bruising", "severity": "mild", "action_taken": "Pressure."} | fields
    return services.adverse_event_record(session=session, by=physio, event=AdverseEvent(**values))


def _step(client, event, state, note="Checked."):
    return client.post(
        f"/treatments/incidents/{event.pk}/", {"review-state": state, "review-note": note}
    )


def _row(html: str, event: AdverseEvent) -> str:
    row = html[html.index(f'id="incident-{event.pk}"') :]
    return row[: row.index("</tr>")]


def test_the_list_shows_patient_session_severity_and_state(
    physio, signed, clinic_admin, client_for
):
    event = _event(signed, physio, kind="headache", severity="moderate")
    html = client_for(clinic_admin).get("/treatments/incidents/").content.decode()
    row = _row(html, event)
    assert signed.patient.display_name in row
    assert "Headache · moderate" in row
    assert physio.practitioner.display_name in row
    assert f"{signed.session_date:%-d %b %Y}" in row
    assert "Open</span>" in row
    assert f'href="/treatments/incidents/{event.pk}/"' in row


def test_review_then_close_then_reopen_keeps_the_whole_trail(
    physio, signed, clinic_admin, client_for
):
    event = _event(signed, physio, kind="soreness")
    admin = client_for(clinic_admin)

    answer = _step(admin, event, State.REVIEWED, "Spoke with the physiotherapist.")
    assert answer.status_code == 302
    assert answer["Location"] == f"/treatments/incidents/{event.pk}/#review"
    assert services.incident_state(event.pk) == State.REVIEWED
    assert _step(admin, event, State.CLOSED, "Patient phoned; soreness gone.").status_code == 302
    assert _step(admin, event, State.OPEN, "Patient called back.").status_code == 302

    steps = list(IncidentReview.objects.filter(event=event).order_by("at", "pk"))
    assert [s.state for s in steps] == [State.REVIEWED, State.CLOSED, State.OPEN]
    assert all(s.by == clinic_admin for s in steps)
    page = admin.get(f"/treatments/incidents/{event.pk}/").content.decode()
    trail = page[page.index('id="review"') :]
    positions = [
        trail.index(text)
        for text in ("Spoke with the physiotherapist.", "Patient phoned", "Patient called back")
    ]
    assert positions == sorted(positions)


def test_the_state_filters_list_each_incident_under_its_state(
    physio, signed, clinic_admin, client_for
):
    still_open = _event(signed, physio, kind="nausea")
    reviewed = _event(signed, physio, kind="headache")
    closed = _event(signed, physio, kind="drowsiness")
    admin = client_for(clinic_admin)
    _step(admin, reviewed, State.REVIEWED)
    _step(admin, closed, State.CLOSED, "Nothing more to do.")

    def listed(query: str) -> set[int]:
        html = admin.get(f"/treatments/incidents/{query}").content.decode()
        return {int(pk) for pk in re.findall(r'id="incident-(\d+)"', html)}

    assert listed("") == {still_open.pk, reviewed.pk, closed.pk}  # closed stay visible
    assert listed("?state=open") == {still_open.pk}
    assert listed("?state=reviewed") == {reviewed.pk}
    assert listed("?state=closed") == {closed.pk}
    assert listed("?state=nonsense") == {still_open.pk, reviewed.pk, closed.pk}
    assert selectors.incident_counts() == {"open": 1, "reviewed": 1, "closed": 1}
    assert "Closed</span>" in _row(admin.get("/treatments/incidents/").content.decode(), closed)


@pytest.mark.parametrize(
    ("state", "note", "field", "message"),
    [
        (State.CLOSED, "  ", "note", "Say what was done before closing."),
        (State.REVIEWED, "", "note", "Say what the review found."),
        (State.OPEN, "Why not", "state", "Select a valid choice"),  # open -> open is no step
        ("", "Something", "state", "This field is required."),
    ],
)
def test_a_step_that_does_not_follow_is_refused_next_to_its_field(
    physio, signed, clinic_admin, client_for, state, note, field, message
):
    event = _event(signed, physio)
    answer = _step(client_for(clinic_admin), event, state, note)
    assert answer.status_code == 400
    html = answer.content.decode()
    # Crispy's Bootstrap 5 field: the error sits in the field's own wrapper.
    assert re.search(
        rf'id="error_\d+_id_review-{field}"[^>]*>\s*<strong>[^<]*{re.escape(message)}', html
    ), html[html.index('id="review"') :]
    assert 'name="review-note"' in html
    assert note.strip() in html
    assert not IncidentReview.objects.exists()


def test_the_service_refuses_a_stale_step_and_a_non_admin(physio, signed, clinic_admin):
    event = _event(signed, physio)
    services.incident_review_add(
        event_id=event.pk, by=clinic_admin, state=State.CLOSED, note="Done."
    )
    # A second admin's form still offered "Mark reviewed"; the incident is closed now.
    with pytest.raises(ValidationError) as refused:
        services.incident_review_add(
            event_id=event.pk, by=clinic_admin, state=State.REVIEWED, note="Late."
        )
    assert "closed now" in refused.value.message_dict["state"][0]
    with pytest.raises(PermissionDenied):
        services.incident_review_add(event_id=event.pk, by=physio, state=State.OPEN, note="x")
    assert IncidentReview.objects.count() == 1


@pytest.mark.parametrize("role", ["physio", "front_desk", "patient_user"])
def test_only_clinic_admins_see_or_review_incidents(request, physio, signed, client_for, role):
    event = _event(signed, physio)
    client = client_for(request.getfixturevalue(role))
    assert client.get(f"/treatments/incidents/{event.pk}/").status_code == 403
    assert _step(client, event, State.CLOSED, "Sneaky.").status_code == 403
    assert not IncidentReview.objects.exists()


def test_the_review_page_is_access_logged_and_links_the_note_for_clinicians(
    physio, signed, clinic_admin, make_user, client_for
):
    event = _event(signed, physio)
    page = client_for(clinic_admin).get(f"/treatments/incidents/{event.pk}/").content.decode()
    assert AccessLog.objects.filter(
        user=clinic_admin, patient=signed.patient, what=f"incident {event.pk} (adverse event)"
    ).exists()
    assert "Supinator" in page or "No needling sites recorded." in page
    assert f'href="/treatments/sessions/{signed.pk}/"' not in page  # admins can't open notes
    both = make_user(Role.CLINIC_ADMIN, Role.PHYSIO, username="adminphysio")
    page = client_for(both).get(f"/treatments/incidents/{event.pk}/").content.decode()
    assert f'href="/treatments/sessions/{signed.pk}/"' in page
    assert client_for(clinic_admin).get("/treatments/incidents/999999/").status_code == 404


def test_the_list_reads_a_fixed_number_of_queries(physio, signed, clinic_admin, client_for):
    client = client_for(clinic_admin)
    _event(signed, physio)
    small = render_counted(client, "/treatments/incidents/")
    for n in range(9):
        event = _event(signed, physio, kind="nausea")
        if n % 2:
            services.incident_review_add(
                event_id=event.pk, by=clinic_admin, state=State.REVIEWED, note="Seen."
            )
    large = render_counted(client, "/treatments/incidents/")
    assert large.count == small.count


@pytest.mark.postgres
def test_review_steps_cannot_be_changed_or_deleted_in_the_database(physio, signed, clinic_admin):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the append-only trigger")
    event = _event(signed, physio)
    step = services.incident_review_add(
        event_id=event.pk, by=clinic_admin, state=State.CLOSED, note="Done."
    )
    for sql in (
        "UPDATE treatments_incidentreview SET note = 'rewritten' WHERE id = %s",
        "DELETE FROM treatments_incidentreview WHERE id = %s",
    ):
        with (
            pytest.raises((IntegrityError, InternalError, ProgrammingError), match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [step.pk])
    step.refresh_from_db()
    assert step.note == "Done."


def test_the_list_links_each_incident_to_its_session(
    physio, signed, clinic_admin, make_user, client_for
):
    event = _event(signed, physio)
    admin_row = _row(client_for(clinic_admin).get("/treatments/incidents/").content.decode(), event)
    assert f'href="/treatments/incidents/{event.pk}/#session-heading"' in admin_row
    both = make_user(Role.CLINIC_ADMIN, Role.PHYSIO, username="adminphysio2")
    row = _row(client_for(both).get("/treatments/incidents/").content.decode(), event)
    assert f'href="/treatments/sessions/{signed.pk}/"' in row
