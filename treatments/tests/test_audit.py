"""Issue 8, acceptance 4 and the audit page: reads leave exactly one row each with user,
patient and address; break-the-glass asks for a reason and is flagged for review; audit rows
cannot be changed or deleted on PostgreSQL; clinic admins filter the trail."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from clinic.models import AccessLog, AccessReview
from clinic.tests.factories import join_care_team, make_patient
from tests.world import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


@pytest.fixture
def world():
    return build_world()


def test_reading_a_chart_leaves_exactly_one_row(world, client_for):
    before = AccessLog.objects.count()
    client = client_for(world.physio)
    response = client.get(
        reverse("treatments:chart", args=[world.patient_a.pk]), REMOTE_ADDR="192.0.2.10"
    )
    assert response.status_code == 200
    assert AccessLog.objects.count() == before + 1
    row = AccessLog.objects.latest("pk")
    assert (row.user, row.patient, row.ip_address) == (world.physio, world.patient_a, "192.0.2.10")
    assert row.action == AccessLog.Action.VIEW


def test_downloading_a_pdf_leaves_exactly_one_row(world, client_for):
    before = AccessLog.objects.count()
    client = client_for(world.patient_a.user)
    url = reverse("treatments:portal_document_download", args=[world.summary.token])
    response = client.get(url, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200
    assert AccessLog.objects.count() == before + 1
    row = AccessLog.objects.latest("pk")
    assert row.action == AccessLog.Action.DOWNLOAD
    assert (row.user, row.patient, row.ip_address) == (
        world.patient_a.user,
        world.patient_a,
        "198.51.100.7",
    )


def test_break_the_glass_needs_a_reason_and_leaves_one_flagged_row(world, client_for):
    client = client_for(world.physio2)
    chart = reverse("treatments:chart", args=[world.patient_a.pk])
    before = AccessLog.objects.count()
    response = client.get(chart)
    assert response.status_code == 302
    assert response.url.startswith(reverse("clinic:emergency_access", args=[world.patient_a.pk]))
    assert AccessLog.objects.count() == before  # refused reads are not reads
    page = client.get(response.url)
    assert "is not your patient" in page.content.decode()

    short = client.post(response.url, {"reason": "need it", "next": chart})
    assert short.status_code == 422
    assert "Say why you need this record" in short.content.decode()
    assert AccessLog.objects.count() == before

    opened = client.post(
        response.url,
        {"reason": "Treating physio is away; patient here with a flare.", "next": chart},
        REMOTE_ADDR="203.0.113.5",
    )
    assert opened.status_code == 302
    assert opened.url == chart
    assert AccessLog.objects.count() == before + 1
    row = AccessLog.objects.latest("pk")
    assert row.action == AccessLog.Action.EMERGENCY
    assert (row.user, row.patient, row.ip_address) == (
        world.physio2,
        world.patient_a,
        "203.0.113.5",
    )
    assert "flare" in row.reason
    # Now the chart opens (and that read is logged as a read).
    assert client.get(chart).status_code == 200
    assert AccessLog.objects.count() == before + 2
    # Other patients' records stay closed.
    assert client.get(reverse("treatments:session", args=[world.session.pk])).status_code == 200
    other = make_patient(legal_last_name="Other")
    join_care_team(world.physio, other)
    assert client.get(reverse("treatments:chart", args=[other.pk])).status_code == 302


def test_a_care_team_member_needs_no_emergency_access_but_a_team_less_patient_does(
    world, client_for
):
    join_care_team(world.physio2, world.patient_a, by=world.front_desk)
    client = client_for(world.physio2)
    assert client.get(reverse("treatments:chart", args=[world.patient_a.pk])).status_code == 200
    # A patient nobody has been assigned to is not open to every physiotherapist.
    newcomer = make_patient(legal_last_name="Newcomer")
    response = client.get(reverse("treatments:chart", args=[newcomer.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("clinic:emergency_access", args=[newcomer.pk]))
    assert not AccessLog.objects.filter(user=world.physio2, patient=newcomer).exists()


def test_htmx_requests_are_sent_to_the_emergency_page_whole(world, client_for):
    client = client_for(world.physio2)
    response = client.get(
        reverse("treatments:chart", args=[world.patient_a.pk]),
        headers={"HX-Request": "true"},
    )
    assert response.headers.get("HX-Redirect", "").startswith(
        reverse("clinic:emergency_access", args=[world.patient_a.pk])
    )


def test_the_audit_page_lists_filters_and_takes_reviews(world, client_for):
    admin = client_for(world.clinic_admin)
    client_for(world.physio).get(reverse("treatments:chart", args=[world.patient_a.pk]))
    client_for(world.physio).get(reverse("treatments:chart", args=[world.patient_b.pk]))
    page = admin.get(reverse("clinic:audit"))
    html = page.content.decode()
    assert "Emergency accesses to review (1)" in html
    assert "Covering for a colleague" in html

    by_patient = admin.get(reverse("clinic:audit"), {"patient": "lovelace"})
    names = {log.patient.legal_last_name for log in by_patient.context["page"]}
    assert names == {"Lovelace"}
    by_action = admin.get(reverse("clinic:audit"), {"action": "emergency"})
    assert {log.action for log in by_action.context["page"]} == {"emergency"}
    by_user = admin.get(reverse("clinic:audit"), {"user": world.patient_a.user.pk})
    assert all(log.user == world.patient_a.user for log in by_user.context["page"])
    bad = admin.get(reverse("clinic:audit"), {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert "on or after the start date" in bad.content.decode()
    changes = admin.get(reverse("clinic:audit"), {"tab": "changes", "patient": "lovelace"})
    assert changes.context["changes"]

    admin.post(reverse("clinic:access_review", args=[world.emergency.pk]), {"note": "Fine."})
    review = AccessReview.objects.get(log=world.emergency)
    assert review.reviewed_by == world.clinic_admin
    assert "Emergency accesses to review" not in admin.get(reverse("clinic:audit")).content.decode()


def test_only_clinic_admins_open_the_audit_page(world, client_for):
    for user in (world.physio, world.front_desk, world.patient_a.user):
        assert client_for(user).get(reverse("clinic:audit")).status_code == 403


@pytest.mark.postgres
def test_audit_rows_cannot_be_changed_or_deleted_on_postgresql(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the append-only trigger")
    row = AccessLog.objects.first()
    for attempt in (
        lambda: AccessLog.objects.filter(pk=row.pk).update(what="tampered"),
        lambda: AccessLog.objects.filter(pk=row.pk).delete(),
        lambda: connection.cursor().execute(
            "UPDATE clinic_accesslog SET user_id = user_id WHERE id = %s", [row.pk]
        ),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    review = AccessReview.objects.create(log=world.emergency, reviewed_by=world.clinic_admin)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessReview.objects.filter(pk=review.pk).delete()
    row.refresh_from_db()
    assert row.what != "tampered"
