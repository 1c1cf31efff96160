"""Issue 16, acceptance 6: nothing a signed-in user is shown stays in the browser's cache.
Every response to a signed-in user (every page of the URLconf for each role, htmx
partials, PDF downloads, redirects, refusals and error pages) carries
`Cache-Control: no-store`; static files keep WhiteNoise's long caching."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import path, reverse

from clinic.middleware import LAST_SEEN_KEY
from clinic.permissions import allow_public
from clinic.tests.factories import TEST_PASSWORD, verified_client
from tests.urlwalk import app_routes, urlconf_with
from tests.world import build_world, world_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]
SIGNED_IN = ("patient_a", "patient_b", "front_desk", "physio", "physio2", "admin")
HTMX = {"HX-Request": "true"}
HTMX_ROLES = ("patient_a", "front_desk", "physio")


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def _clients(world) -> dict[str, Client]:
    users = {
        "patient_a": world.patient_a.user,
        "patient_b": world.patient_b.user,
        "front_desk": world.front_desk,
        "physio": world.physio,
        "physio2": world.physio2,
        "admin": world.clinic_admin,
    }
    clients = {who: verified_client(user) for who, user in users.items()}
    for client in clients.values():
        client.raise_request_exception = False
    return clients


def test_every_page_each_role_opens_is_not_stored():
    world = build_world()
    clients = _clients(world)
    missing, statuses = [], {}
    for route in app_routes():
        url = world_url(world, route.full_name)
        for who in SIGNED_IN:
            # The htmx variant too, for the roles whose pages use htmx partials.
            for headers in ({}, HTMX) if who in HTMX_ROLES else ({},):
                response = clients[who].get(url, headers=headers)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                # Every status: pages and partials (200), redirects (302, the
                # break-the-glass page included) and refusals (403, 404).
                if not no_store(response):
                    kind = "htmx" if headers else "page"
                    missing.append(f"{who:<10} {kind} {url} -> {response.status_code}")
    assert not missing, "\n" + "\n".join(missing)
    # The walk really opened pages and followed redirects, not only refusals.
    assert statuses.get(200, 0) > 150
    assert statuses.get(302, 0) > 10


def test_pdf_downloads_are_not_stored():
    world = build_world()
    clients = _clients(world)
    for who, name, token in (
        ("physio", "treatments:summary_download", world.summary.token),
        ("physio", "treatments:course_summary_download", world.course.token),
        ("patient_a", "treatments:portal_document_download", world.summary.token),
    ):
        response = clients[who].get(reverse(name, args=[token]))
        assert response.status_code == 200, name
        assert response["Content-Type"] == "application/pdf"
        assert no_store(response), name
        assert "private" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]


def test_error_pages_for_signed_in_users_are_not_stored(physio, settings):
    client = verified_client(physio)
    client.raise_request_exception = False
    assert client.get("/no-such-page/").status_code == 404
    assert no_store(client.get("/no-such-page/"))

    def broken(request):
        raise RuntimeError("boom")

    with urlconf_with(settings, path("broken/", allow_public(broken), name="broken")):
        response = client.get("/broken/")
    assert response.status_code == 500
    assert no_store(response)


def test_signing_in_and_out_and_timing_out_responses_are_not_stored(physio):
    client = Client()
    client.raise_request_exception = False
    assert not no_store(client.get("/no-such-page/"))  # anonymous: left as it was
    signed_in = client.post(reverse("login"), {"username": "physio", "password": TEST_PASSWORD})
    assert signed_in.status_code == 302
    assert no_store(signed_in)
    # The second-step redirect made by the middleware for a page asked too early.
    early = client.get(reverse("clinic:physio_day"))
    assert early.url.startswith(reverse("two_factor"))
    assert no_store(early)

    client = verified_client(physio)
    session = client.session
    session[LAST_SEEN_KEY] = 0  # long idle
    session.save()
    timed_out = client.get(reverse("clinic:physio_day"))
    assert timed_out.url.startswith(reverse("login"))
    assert no_store(timed_out)

    client = verified_client(physio)
    signed_out = client.post(reverse("logout"))
    assert signed_out.status_code == 302
    assert no_store(signed_out)


def test_static_files_keep_their_long_caching_for_signed_in_users(physio, settings):
    settings.WHITENOISE_MAX_AGE = 60 * 60 * 24 * 365
    settings.WHITENOISE_USE_FINDERS = True  # tests run with DEBUG off and no collectstatic
    client = verified_client(physio)  # a new client: WhiteNoise reads the setting afresh
    response = client.get("/static/js/clinic.js")
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "no-store" not in cache_control
    assert f"max-age={60 * 60 * 24 * 365}" in cache_control
    assert "public" in cache_control
