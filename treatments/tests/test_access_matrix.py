"""Issue 8, acceptance 1: the access-control matrix. Every URL pattern of the site, requested
by every kind of user: anonymous, patient A, patient B, the front desk, patient A's
physiotherapist, a physiotherapist who does not treat patient A, and a clinic admin.

The expected outcome comes from what each view declares next to itself (its
`@allow_public` / `@allow_signed_in` / `@allow_roles(...)` policy), plus the object rules
declared below: a patient reaches only their own records (another patient's get "not
found"), and a physiotherapist outside the care team must break the glass for clinical
reads. A route with no declared policy fails the suite.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import get_resolver, path, reverse
from django.urls.resolvers import URLPattern, URLResolver

from clinic.permissions import DELEGATED_NAMESPACES, Role, allow_roles, policy_of
from clinic.tests.factories import verified_client
from treatments.tests.world import World, build_world, world_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

VIEWERS = ("anonymous", "patient_a", "patient_b", "front_desk", "physio", "physio2", "admin")
ROLE_OF = {
    "patient_a": Role.PATIENT,
    "patient_b": Role.PATIENT,
    "front_desk": Role.FRONT_DESK,
    "physio": Role.PHYSIO,
    "physio2": Role.PHYSIO,
    "admin": Role.CLINIC_ADMIN,
}

# Object rules. Reads of patient A's clinical records by a physiotherapist outside the
# care team go to the break-the-glass page:
BREAK_THE_GLASS = {
    "clinic:intake_detail",
    "clinic:intake_review",
    "clinic:intake_step",
    "clinic:consent_in_clinic",
    "assessments:patient_list",
    "assessments:detail",
    "treatments:chart",
    "treatments:session",
    "treatments:patient_documents",
    "treatments:summary_download",
    "treatments:course_summary_download",
}
# Parts of a draft that only its author edits (the note's other physiotherapists read the
# signed note and add addenda):
AUTHOR_ONLY = {
    "assessments:summary",
    "assessments:finding_edit",
    "assessments:finding_row",
    "treatments:sign_panel",
}
# Public pages that send a visitor on to sign in.
PUBLIC_TO_SIGN_IN = {"home"}
# Patient A's own records named in the URL: patient B gets "not found", whatever the id.
OWN_RECORDS = {"treatments:portal_document_download"}


def walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name, entry.callback, namespace


def routes(patterns=None) -> list[tuple[str, str, Callable]]:
    found = []
    for route, name, callback, ns in walk(patterns or get_resolver().url_patterns):
        if ns in DELEGATED_NAMESPACES:
            continue
        found.append((route, f"{ns}:{name}" if ns else name, callback))
    return found


def expected(name: str, callback: Callable, viewer: str) -> str:
    policy = policy_of(callback)
    if policy is None:
        return "undeclared"
    if policy.kind == "public":
        return "login" if viewer == "anonymous" and name in PUBLIC_TO_SIGN_IN else "ok"
    if viewer == "anonymous":
        return "login"
    if policy.kind == "roles" and ROLE_OF[viewer] not in policy.roles:
        return "forbidden"
    if viewer == "patient_b" and name in OWN_RECORDS:
        return "not_found"
    if viewer == "physio2" and name in BREAK_THE_GLASS:
        return "emergency"
    if viewer == "physio2" and name in AUTHOR_ONLY:
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
    return {
        "anonymous": Client(),
        "patient_a": verified_client(world.patient_a.user),
        "patient_b": verified_client(world.patient_b.user),
        "front_desk": verified_client(world.front_desk),
        "physio": verified_client(world.physio),
        "physio2": verified_client(world.physio2),
        "admin": verified_client(world.clinic_admin),
    }


def test_every_url_for_every_viewer_matches_its_declared_policy():
    world = build_world()
    clients = _clients(world)
    table = routes()
    mismatches = []
    for _route, name, callback in table:
        url = world_url(world, name)
        for viewer in VIEWERS:
            want = expected(name, callback, viewer)
            clients[viewer].raise_request_exception = False
            got = outcome(clients[viewer].get(url), world)
            if got != want:
                mismatches.append(f"{viewer:<10} GET {url}: expected {want}, got {got}")
    assert not mismatches, "\n" + "\n".join(mismatches)
    # 100% of the URL patterns (outside the admin) and all seven viewers were covered.
    assert len(table) == len({name for _r, name, _c in table}) > 80


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
        name
        for _route, name, callback in routes()
        if (policy := policy_of(callback)) and policy.kind == "roles"
        and Role.FRONT_DESK not in policy.roles
        and name.split(":")[0] in {"assessments", "treatments"}
    ]  # fmt: skip
    assert len(clinical) > 30
    for name in clinical:
        assert client.get(world_url(world, name)).status_code == 403, name


def test_a_new_view_without_a_policy_fails_the_matrix(settings):
    """Adds an undeclared view through a temporary URLconf: the matrix refuses it."""
    import sys
    import types

    def forgotten(request):  # pragma: no cover - never called
        raise AssertionError

    module = types.ModuleType("temporary_urlconf")
    module.urlpatterns = [
        *get_resolver().url_patterns,
        path("forgotten/", forgotten, name="forgotten"),
        path("declared/", allow_roles(Role.PHYSIO)(forgotten), name="declared"),
    ]
    sys.modules["temporary_urlconf"] = module
    try:
        settings.ROOT_URLCONF = "temporary_urlconf"
        undeclared = [
            name
            for _route, name, callback in routes(get_resolver("temporary_urlconf").url_patterns)
            if expected(name, callback, "physio") == "undeclared"
        ]
        assert undeclared == ["forgotten"]
    finally:
        del sys.modules["temporary_urlconf"]
