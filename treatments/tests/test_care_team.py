"""Issue 16, acceptance 1 and 2: one gate for reads and writes of a clinical record, and an
explicit care team.

1. A physiotherapist outside patient A's care team POSTs real data to every write route
   and is sent to break the glass; the database's row counts, the outbox and the task
   queue are unchanged.
2. Booking an appointment with oneself, an attended visit or starting a note grants no
   chart access; the desk's assignment (patient page or booking form) and signing a record
   do, and each grant and removal is an audited row on the audit page.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments.tests.factories import add_sign, make_assessment, practitioner_for
from clinic.access import EMERGENCY_SESSION_KEY
from clinic.models import AccessLog, AppointmentType, CareTeamMember
from clinic.origin import Origin
from clinic.services import Slot, appointment_book, emergency_access_grant
from clinic.tests.factories import verified_client
from tests.world import World, build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

TEXT = "A note that would change the record."


@pytest.fixture
def world() -> World:
    return build_world()


def _counts() -> dict[str, int]:
    """Rows in every table of the three apps (and the session-free rest of auth/otp)."""
    return {
        model._meta.label: model._default_manager.count()
        for label in ("clinic", "assessments", "treatments")
        for model in apps.get_app_config(label).get_models()
    }


def _write_routes(world: World) -> list[tuple[str, dict]]:
    a, s = world.patient_a, world.session
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assessment, finding, site = world.assessment, world.finding, world.site
    return [
        (reverse("treatments:session_addendum", args=[s.pk]), {"text": TEXT}),
        (reverse("assessments:addendum_add", args=[assessment.pk]), {"text": TEXT}),
        (
            reverse("treatments:adverse_event_add", args=[s.pk]),
            {
                "kind": "bruising",
                "severity": "severe",
                "occurred_at": now,
                "description": TEXT,
                "action_taken": "Ice.",
                "follow_up": "Call tomorrow.",
            },
        ),  # fmt: skip
        (
            reverse("clinic:screening_clear", args=[a.pk, world.screening_item.pk]),
            {"reason": "Checked with the patient today: resolved."},
        ),
        (
            reverse("clinic:consent_in_clinic", args=[a.pk]),
            {"understood": "on", "typed_name": a.legal_name},
        ),
        (reverse("clinic:intake_step", args=[a.pk, "pain"]), {"action": "later"}),
        (reverse("clinic:recall_plan", args=[a.pk]), {"active": "1"}),
        (reverse("assessments:start", args=[a.pk]), {}),
        (reverse("treatments:session_start", args=[a.pk]), {}),
        (
            reverse("treatments:course_summary_new", args=[a.pk]),
            {
                "date_from": s.session_date.isoformat(),
                "date_to": s.session_date.isoformat(),
                "recipient": "Dr Referrer",
            },
        ),  # fmt: skip
        (reverse("treatments:summary_email", args=[world.summary.pk]), {}),
        (reverse("treatments:summary_retry", args=[world.summary.pk]), {}),
        (reverse("treatments:course_summary_retry", args=[world.course.token]), {}),
        (reverse("treatments:session_save", args=[s.pk]), {"pain_before": "3"}),
        (reverse("treatments:session_sign", args=[s.pk]), {}),
        (reverse("treatments:part_add", args=[s.pk, "site"]), {}),
        (reverse("treatments:part_refresh", args=[s.pk, "site"]), {}),
        (reverse("treatments:part_remove", args=[s.pk, "site", site.pk]), {}),
        (reverse("assessments:header_save", args=[assessment.pk, "text"]), {}),
        (reverse("assessments:sign", args=[assessment.pk]), {}),
        (reverse("assessments:finding_add", args=[assessment.pk, "sign"]), {}),
        (reverse("assessments:finding_refresh", args=[assessment.pk, "sign"]), {}),
        (reverse("assessments:finding_edit", args=[assessment.pk, "sign", finding.pk]), {}),
        (reverse("assessments:finding_remove", args=[assessment.pk, "sign", finding.pk]), {}),
    ]


def test_an_outsider_physio_writes_nothing_sends_nothing_and_queues_nothing(
    world, enqueued, django_capture_on_commit_callbacks
):
    client = verified_client(world.physio2)
    emergency = reverse("clinic:emergency_access", args=[world.patient_a.pk])
    routes = _write_routes(world)
    before, sent, queued = _counts(), len(mail.outbox), len(enqueued)
    for url, data in routes:
        for headers in ({}, {"HX-Request": "true"}):
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                response = client.post(url, data, headers=headers)
            where = response.get("HX-Redirect") or response.get("Location", "")
            assert where.startswith(emergency), (url, headers, response.status_code)
            assert not callbacks, url
    assert _counts() == before
    assert len(mail.outbox) == sent
    assert len(enqueued) == queued
    # Every write route this issue names was tried (both ways).
    assert len(routes) >= 20


def test_the_same_writes_go_through_once_the_glass_is_broken(world, client_for, enqueued):
    client = client_for(world.physio2)
    grant = reverse("clinic:emergency_access", args=[world.patient_a.pk])
    reason = "The treating physiotherapist is away and the patient is here."
    assert client.post(grant, {"reason": reason}).status_code == 302
    url = reverse("treatments:session_addendum", args=[world.session.pk])
    assert client.post(url, {"text": TEXT}).status_code == 302
    assert world.session.addenda.get().author == world.physio2
    # An addendum does not put its author on the care team.
    assert not CareTeamMember.objects.filter(
        patient=world.patient_a, practitioner__user=world.physio2
    ).exists()


def test_a_refused_post_offers_the_way_back_to_the_page_it_came_from(world, client_for):
    client = client_for(world.physio2)
    note = reverse("treatments:session", args=[world.session.pk])
    url = reverse("treatments:session_addendum", args=[world.session.pk])
    response = client.post(url, {"text": TEXT}, headers={"Referer": f"http://testserver{note}"})
    assert parse_qs(urlsplit(response["Location"]).query)["next"] == [note]
    partial = client.post(
        reverse("treatments:part_add", args=[world.session.pk, "site"]),
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{note}"},
    )
    assert parse_qs(urlsplit(partial["HX-Redirect"]).query)["next"] == [note]
    # Another site's page is never a way back.
    elsewhere = client.post(url, {"text": TEXT}, headers={"Referer": "https://evil.example/x"})
    assert parse_qs(urlsplit(elsewhere["Location"]).query)["next"] == [
        reverse("clinic:patient_detail", args=[world.patient_a.pk])
    ]


def test_a_missing_record_is_not_found_before_any_care_team_question(world, client_for):
    client = client_for(world.physio2)
    assert client.post(reverse("treatments:session_addendum", args=[999999])).status_code == 404
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.post(reverse("treatments:summary_email", args=[999999])).status_code == 404
    download = reverse("treatments:summary_download", args=[missing])
    assert client.get(download).status_code == 404


# --- Acceptance 2: nothing grants access silently ------------------------------------------


def _chart_status(world: World, client) -> int:
    return client.get(reverse("treatments:chart", args=[world.patient_a.pk])).status_code


def test_booking_attending_or_starting_a_note_grants_no_chart_access(world, client_for):
    client = client_for(world.physio2)
    practitioner = practitioner_for(world.physio2)
    # The world gave physio2 an attended visit with patient A, which they booked themselves.
    assert world.patient_a.appointments.filter(practitioner=practitioner, status="completed")
    kind = AppointmentType.objects.get(name="Initial assessment")
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    slot = Slot(
        practitioner=practitioner,
        location=practitioner.locations.first(),
        start=start + dt.timedelta(days=3),
        type=kind,
    )
    appointment_book(patient=world.patient_a, slot=slot, by=world.physio2)
    assert _chart_status(world, client) == 302

    # Under break-the-glass they start an assessment and a session note...
    reason = "Covering for a colleague who is away this week."
    client.post(reverse("clinic:emergency_access", args=[world.patient_a.pk]), {"reason": reason})
    assert client.post(reverse("assessments:start", args=[world.patient_a.pk])).status_code == 302
    assert client.post(reverse("treatments:session_start", args=[world.patient_a.pk]))
    assert world.patient_a.assessments.filter(practitioner=practitioner).exists()
    # ...and once the grant has lapsed, their drafts open nothing.
    session = client.session
    session[EMERGENCY_SESSION_KEY] = {}
    session.save()
    assert _chart_status(world, client) == 302
    assert not CareTeamMember.objects.filter(practitioner=practitioner).exists()


def test_signing_a_record_joins_the_care_team_as_an_audited_event(world, client_for):
    practitioner = practitioner_for(world.physio2)
    assessment = make_assessment(world.physio2, world.patient_a, chief_complaint="Neck pain.")
    add_sign(assessment, world.physio2, segment="C6", region="peripheral", muscle="Supinator")
    from assessments import services

    services.assessment_sign(assessment=assessment, by=world.physio2)
    member = CareTeamMember.objects.get(patient=world.patient_a, practitioner=practitioner)
    assert member.source == CareTeamMember.Source.SIGNED_RECORD
    row = AccessLog.objects.get(action=AccessLog.Action.CARE_TEAM, user=world.physio2)
    assert row.patient == world.patient_a
    assert _chart_status(world, client_for(world.physio2)) == 200


def test_the_desk_assigns_and_removes_and_the_audit_page_shows_both(world, client_for):
    desk = client_for(world.front_desk)
    physio2 = client_for(world.physio2)
    practitioner = practitioner_for(world.physio2)
    detail = reverse("clinic:patient_detail", args=[world.patient_a.pk])
    assert "Care team" in desk.get(detail).content.decode()

    add = reverse("clinic:care_team_add", args=[world.patient_a.pk])
    assert desk.post(add, {"practitioner": practitioner.pk}).status_code == 302
    assert _chart_status(world, physio2) == 200
    remove = reverse("clinic:care_team_remove", args=[world.patient_a.pk, practitioner.pk])
    assert desk.post(remove).status_code == 302
    # The per-request answer is not kept between requests: the removal takes effect.
    assert _chart_status(world, physio2) == 302

    rows = AccessLog.objects.filter(
        action=AccessLog.Action.CARE_TEAM, user=world.front_desk, patient=world.patient_a
    ).order_by("pk")
    whats = [row.what for row in rows]
    assert any(f"added {practitioner}" in what for what in whats)
    assert any(f"removed {practitioner}" in what for what in whats)
    audit = client_for(world.clinic_admin).get(
        reverse("clinic:audit"), {"action": AccessLog.Action.CARE_TEAM}
    )
    page = audit.content.decode()
    assert "Care team changed" in page
    assert f"care team: added {practitioner}" in page
    assert f"care team: removed {practitioner}" in page
    # The membership row is closed, not deleted: the team's history stays.
    closed = CareTeamMember.objects.get(patient=world.patient_a, practitioner=practitioner)
    assert (closed.removed_by, closed.removed_at is not None) == (world.front_desk, True)


def test_a_physio_cannot_assign_the_care_team_even_through_the_booking_form(world, client_for):
    practitioner = practitioner_for(world.physio2)
    client = client_for(world.physio2)
    add = reverse("clinic:care_team_add", args=[world.patient_a.pk])
    assert client.post(add, {"practitioner": practitioner.pk}).status_code == 403
    kind = AppointmentType.objects.get(name="Initial assessment")
    start = timezone.localtime() + dt.timedelta(days=4)
    start = start.replace(hour=11, minute=0, second=0, microsecond=0)
    local = timezone.localtime(start)
    data = {
        "patient": world.patient_a.pk,
        "practitioner": practitioner.pk,
        "location": practitioner.locations.first().pk,
        "type": kind.pk,
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "care_team": "on",
    }
    form = client.get(reverse("clinic:appointment_new")).context["form"]
    assert "care_team" not in form.fields
    client.post(reverse("clinic:appointment_new"), data)
    assert world.patient_a.appointments.filter(practitioner=practitioner, start=start).exists()
    assert not CareTeamMember.objects.filter(practitioner=practitioner).exists()

    # The desk's booking form has the box; ticking it is the audited grant.
    desk = client_for(world.front_desk)
    data |= {"time": "14:00"}
    assert "care_team" in desk.get(reverse("clinic:appointment_new")).context["form"].fields
    desk.post(reverse("clinic:appointment_new"), data)
    member = CareTeamMember.objects.get(practitioner=practitioner)
    assert (member.source, member.added_by) == ("assigned", world.front_desk)
    assert AccessLog.objects.filter(
        action=AccessLog.Action.CARE_TEAM, user=world.front_desk, patient=world.patient_a
    ).exists()


def test_the_care_team_answer_is_asked_once_per_request(world, client_for):
    """The gate, the access log and the page ask the same question; one query answers."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.physio)
    with CaptureQueriesContext(connection) as queries:
        assert _chart_status(world, client) == 200
    asked = [q for q in queries.captured_queries if "clinic_careteammember" in q["sql"]]
    assert len(asked) == 1


def test_emergency_grant_is_still_logged_for_review(world):
    origin = Origin(ip="10.1.2.3", user_agent="Tablet", path="/emergency/")
    row = emergency_access_grant(
        by=world.physio2, patient=world.patient_a, reason="x" * 20, origin=origin
    )
    assert row.action == AccessLog.Action.EMERGENCY
    assert (row.user, row.ip_address, row.user_agent, row.path) == (
        world.physio2,
        "10.1.2.3",
        "Tablet",
        "/emergency/",
    )
