"""Issue 8, acceptance 1, and issue 16, acceptance 1: the access-control matrix. Every URL
pattern of the site, requested with GET and with POST by every kind of user: anonymous,
patient A, patient B, the front desk, patient A's physiotherapist, a colleague on patient
A's care team who wrote none of A's records, a physiotherapist outside A's care team, and a
clinic admin.

The expected outcome comes from what each view declares next to itself: its role policy
(`@allow_public` / `@allow_signed_in` / `@allow_roles(...)`) and its clinical-record gate
(`@clinical_record(...)`: a physiotherapist outside the care team is sent to break the
glass, reads and writes alike), plus the object rules listed below (a patient reaches only
their own records; only a draft's author edits it). A route with no declared policy fails.
A POST-only view answering 405 to a GET of an allowed viewer counts as allowed.

Refused means nothing happened: for every refused request (forbidden, not found, sent to
sign in or to break the glass) no row was inserted, updated or deleted (the session table
aside), no e-mail was sent and no task was queued or scheduled after commit.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse

from clinic.permissions import (
    Role,
    allow_roles,
    clinical_record_of,
    policy_of,
)
from clinic.tests.factories import verified_client
from tests.urlwalk import app_routes, urlconf_with
from tests.world import World, build_world, world_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

VIEWERS = (
    "anonymous",
    "patient_a",
    "patient_b",
    "front_desk",
    "physio",
    "colleague",
    "physio2",
    "admin",
)
ROLE_OF = {
    "patient_a": Role.PATIENT,
    "patient_b": Role.PATIENT,
    "front_desk": Role.FRONT_DESK,
    "physio": Role.PHYSIO,
    "colleague": Role.PHYSIO,
    "physio2": Role.PHYSIO,
    "admin": Role.CLINIC_ADMIN,
}
# Physiotherapists outside patient A's care team (no grant): the clinical-record gate
# sends them to break the glass.
OUTSIDE_CARE_TEAM = {"physio2"}
# Object rules. Parts of a draft that only its author reads or edits (the note's other
# physiotherapists read the signed note and add addenda), by method:
AUTHOR_ONLY = {
    "GET": {
        "assessments:summary",
        "assessments:finding_edit",
        "assessments:finding_row",
        "treatments:sign_panel",
        "treatments:session_entries",
        "treatments:session_retests",
        "treatments:session_sites",
    },
    "POST": {
        "assessments:header_save",
        "assessments:sign",
        "assessments:finding_add",
        "assessments:finding_refresh",
        "assessments:finding_edit",
        "assessments:finding_remove",
        "treatments:session_save",
        "treatments:part_add",
        "treatments:part_refresh",
        "treatments:part_remove",
        "treatments:sites_repeat",
        "treatments:session_sign",
    },
}
# Public pages that send a visitor on to sign in (a POST to them is not allowed: 405).
PUBLIC_TO_SIGN_IN = {"GET": {"home"}, "POST": set()}
# Patient A's own records named in the URL: patient B gets "not found", whatever the id
# (a GET-only download answers a POST with 405 before looking).
OWN_RECORDS = {
    "GET": {
        "treatments:portal_document_download",
        "treatments:portal_record_download",
        "treatments:portal_discharge_download",
        "clinic:portal_appointment_calendar",
        "custody:portal_release_download",
    },
    "POST": {"clinic:portal_appointment_cancel"},
}
# Requests that end the viewer's session (and land on the sign-in page): sent last, so the
# other rows keep their sessions.
SIGNS_OUT = {"POST": {"logout"}, "GET": set()}
REFUSED = {"forbidden", "not_found", "login", "emergency"}
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def expected(name: str, callback: Callable, viewer: str, method: str = "GET") -> str:
    policy = policy_of(callback)
    if policy is None:
        return "undeclared"
    if policy.kind == "public":
        if name in SIGNS_OUT[method]:
            return "signed_out"
        return "login" if viewer == "anonymous" and name in PUBLIC_TO_SIGN_IN[method] else "ok"
    if viewer == "anonymous":
        return "login"
    if policy.kind == "roles" and ROLE_OF[viewer] not in policy.roles:
        return "forbidden"
    if viewer == "patient_b" and name in OWN_RECORDS[method]:
        return "not_found"
    if viewer in OUTSIDE_CARE_TEAM and clinical_record_of(callback) is not None:
        return "emergency"
    if ROLE_OF[viewer] == Role.PHYSIO and viewer != "physio" and name in AUTHOR_ONLY[method]:
        return "forbidden"
    return "ok"


def outcome(response, world: World) -> str:
    status = response.status_code
    location = response.get("Location", "")
    if status >= 500:
        return f"error {status}"
    if status == 302 and location.startswith(reverse("login")):
        return "login"
    if status == 302 and location.startswith(
        reverse("clinic:emergency_access", args=[world.patient_a.pk])
    ):
        return "emergency"
    if status == 403:
        return "forbidden"
    if status == 404:
        return "not_found"
    return "ok"


def _clients(world: World) -> dict[str, Client]:
    clients = {
        "anonymous": Client(),
        "patient_a": verified_client(world.patient_a.user),
        "patient_b": verified_client(world.patient_b.user),
        "front_desk": verified_client(world.front_desk),
        "physio": verified_client(world.physio),
        "colleague": verified_client(world.colleague),
        "physio2": verified_client(world.physio2),
        "admin": verified_client(world.clinic_admin),
    }
    for client in clients.values():
        client.raise_request_exception = False
    return clients


def _writes(queries) -> list[str]:
    """The INSERT/UPDATE/DELETE statements among `queries`, the session table's aside (a
    signed-in request refreshes its session's last-seen time)."""
    found = []
    for query in queries:
        match = WRITE.match(query["sql"])
        if match and match.group(1) != "django_session":
            found.append(query["sql"][:160])
    return found


def test_every_url_for_every_viewer_and_method_matches_its_declarations(
    enqueued, django_capture_on_commit_callbacks
):
    world = build_world()
    clients = _clients(world)
    table = sorted(app_routes(), key=lambda route: route.full_name in SIGNS_OUT["POST"])
    mismatches, side_effects = [], []
    counted = {"GET": 0, "POST": 0}
    for route in table:
        name, callback = route.full_name, route.callback
        url = world_url(world, name)
        for method in ("GET", "POST"):
            for viewer in VIEWERS:
                want = expected(name, callback, viewer, method)
                sent, queued = len(mail.outbox), len(enqueued)
                # The query log is a bounded deque: emptied first, so the capture is whole.
                connection.queries_log.clear()
                with (
                    CaptureQueriesContext(connection) as queries,
                    django_capture_on_commit_callbacks(execute=True) as callbacks,
                ):
                    client = clients[viewer]
                    response = client.get(url) if method == "GET" else client.post(url, {})
                got = outcome(response, world)
                if name in SIGNS_OUT[method] and got == "login":
                    got = "signed_out"
                counted[method] += 1
                if got != want:
                    mismatches.append(f"{viewer:<10} {method:<4} {url}: expected {want}, got {got}")
                if got in REFUSED:
                    writes = _writes(queries.captured_queries)
                    if writes or callbacks or len(mail.outbox) != sent or len(enqueued) != queued:
                        side_effects.append(
                            f"{viewer} {method} {url} ({got}): writes={writes} "
                            f"on_commit={len(callbacks)} mail={len(mail.outbox) - sent} "
                            f"tasks={len(enqueued) - queued}"
                        )
    assert not mismatches, "\n" + "\n".join(mismatches)
    assert not side_effects, "\n" + "\n".join(side_effects)
    # 100% of the URL patterns (outside the admin), both methods and all eight viewers.
    assert len(table) == len({route.full_name for route in table}) > 80
    assert counted["GET"] == counted["POST"] == len(table) * len(VIEWERS)


def test_the_matrix_reads_the_gate_from_the_view_not_from_a_list():
    """Every view that reads or writes patient A's clinical record declares the gate; the
    matrix's expectations come from that declaration."""
    gated = {route.full_name for route in app_routes() if clinical_record_of(route.callback)}
    assert {
        "treatments:session_addendum",
        "assessments:addendum_add",
        "treatments:adverse_event_add",
        "clinic:screening_clear",
        "clinic:consent_in_clinic",
        "assessments:start",
        "treatments:session_start",
        "treatments:session_summaries",
        "treatments:course_summary_new",
        "treatments:summary_email",
        "treatments:summary_retry",
        "treatments:part_add",
        "assessments:header_save",
        "treatments:chart",
        "treatments:readiness",
        "treatments:chart_scores",
    } <= gated
    assert len(gated) >= 40


def test_patient_b_cannot_act_on_patient_a_records_by_post(client_for):
    world = build_world()
    client = verified_client(world.patient_b.user)
    cancel = reverse("clinic:portal_appointment_cancel", args=[world.appointment.pk])
    assert client.post(cancel).status_code == 404
    world.appointment.refresh_from_db()
    assert world.appointment.status == "booked"


def test_front_desk_never_reaches_clinical_content():
    world = build_world()
    client = verified_client(world.front_desk)
    clinical = [
        route.full_name
        for route in app_routes()
        if (policy := policy_of(route.callback)) and policy.kind == "roles"
        and Role.FRONT_DESK not in policy.roles
        and route.namespace in {"assessments", "treatments"}
    ]  # fmt: skip
    assert len(clinical) > 30
    for name in clinical:
        assert client.get(world_url(world, name)).status_code == 403, name


def test_a_new_view_without_a_policy_fails_the_matrix(settings):
    """Adds an undeclared view through a temporary URLconf: the matrix refuses it."""

    def forgotten(request):  # pragma: no cover - never called
        raise AssertionError

    with urlconf_with(
        settings,
        path("forgotten/", forgotten, name="forgotten"),
        path("declared/", allow_roles(Role.PHYSIO)(forgotten), name="declared"),
    ):
        undeclared = [
            route.full_name
            for route in app_routes()
            if expected(route.full_name, route.callback, "physio") == "undeclared"
        ]
    assert undeclared == ["forgotten"]
