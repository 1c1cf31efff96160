"""Issue 8, acceptance 3: every response carries the Content-Security-Policy and the other
security headers, and no page the app renders contains an inline script, an inline event
handler, a `javascript:` URL or an inline style (the CSP would block them)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from tests.urlwalk import sample_url, walk
from tests.world import build_world, world_url

pytestmark = pytest.mark.django_db

EXPECTED = {
    "Content-Security-Policy": "script-src 'self'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=()",
}


class InlineCode(HTMLParser):
    """Collects what a strict CSP would refuse."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name == "style":
                self.problems.append(f"<{tag} style=...>")
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:...>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.problems


def assert_secure_headers(response, url: str) -> None:
    for header, fragment in EXPECTED.items():
        assert fragment in response.get(header, ""), f"{url}: {header} missing or wrong"
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp


def test_every_route_answers_with_the_security_headers(client):
    for route in walk():
        if route.delegated:
            continue
        url = sample_url(route.route)
        response = client.get(url)
        assert_secure_headers(response, url)


def test_pages_each_role_sees_contain_no_inline_code(client_for, private_storage):
    world = build_world()
    clients = {
        "physio": client_for(world.physio),
        "front_desk": client_for(world.front_desk),
        "clinic_admin": client_for(world.clinic_admin),
        "patient": client_for(world.patient_a.user),
        "anonymous": Client(),
    }
    checked = 0
    for route in walk():
        if route.delegated or route.name is None:
            continue
        url = world_url(world, route.full_name)
        if url is None:
            continue
        for who, client in clients.items():
            response = client.get(url)
            assert_secure_headers(response, url)
            if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
                problems = inline_code(response.content.decode())
                assert problems == [], f"{who} {url}: {problems}"
                checked += 1
    assert checked > 40  # most pages were really rendered, not only refused


def test_the_admin_keeps_the_headers_too(client_for, clinic_admin):
    response = client_for(clinic_admin).get(reverse("admin:index"))
    assert response.status_code == 200
    assert_secure_headers(response, "/admin/")
