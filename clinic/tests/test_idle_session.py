"""Issue 16, acceptance 9 (the server's side): an idle sign-out never swaps the sign-in page
into an editor. An htmx request that meets an ended session gets HX-Redirect to sign-in
whose `next` is the page the user was on (HX-Current-URL, same-origin paths only), never
the partial it asked for; every signed-in response says how long the session has left, and
"Stay signed in" pings a keep-alive endpoint."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from clinic.middleware import IDLE_HEADER, LAST_SEEN_KEY

pytestmark = pytest.mark.django_db

PAGE = "/my-day/?tab=today&x=1"


def _htmx(page: str = "http://testserver" + PAGE) -> dict:
    return {"HX-Request": "true", "HX-Current-URL": page}


def _age(client: Client, seconds: float) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - seconds
    session.save()


def _next_of(url: str) -> str:
    assert url.startswith(reverse("login") + "?")
    return parse_qs(urlsplit(url).query)["next"][0]


def test_htmx_middleware_runs_before_the_middleware_that_answer_htmx_requests():
    """They decide between a redirect and HX-Redirect on `request.htmx`, which only the
    HtmxMiddleware sets: after them it was always missing."""
    order = settings.MIDDLEWARE
    htmx = order.index("django_htmx.middleware.HtmxMiddleware")
    for name in (
        "clinic.middleware.SessionTimeoutMiddleware",
        "clinic.middleware.StaffTwoFactorMiddleware",
        "clinic.middleware.EmergencyAccessMiddleware",
    ):
        assert htmx < order.index(name), name


def test_an_htmx_request_after_the_idle_limit_is_sent_to_sign_in_and_back_to_the_page(
    client_for, physio
):
    client = client_for(physio)
    client.get(reverse("clinic:physio_day"))
    _age(client, 16 * 60)
    response = client.post(reverse("keep_alive"), headers=_htmx())
    # Not a 302, which htmx would follow and swap the sign-in page into the editor.
    assert response.status_code == 200
    assert response.content == b""
    assert _next_of(response.headers["HX-Redirect"]) == PAGE
    assert "_auth_user_id" not in client.session


def test_an_htmx_request_after_sign_out_is_sent_to_sign_in_and_back_to_the_page(client):
    response = client.post(reverse("keep_alive"), headers=_htmx())
    assert _next_of(response.headers["HX-Redirect"]) == PAGE


@pytest.mark.parametrize(
    "current",
    [
        "https://evil.example/my-day/",
        "http://testserver.evil.example/my-day/",
        "http://testserver//evil.example/x",
        "javascript:alert(1)",
        "",
    ],
)
def test_a_foreign_current_url_is_never_the_way_back(client_for, physio, current):
    client = client_for(physio)
    client.get(reverse("clinic:physio_day"))
    _age(client, 16 * 60)
    response = client.post(reverse("keep_alive"), headers=_htmx(current))
    assert _next_of(response.headers["HX-Redirect"]) == "/"


def test_a_full_page_request_still_returns_to_itself(client_for, physio):
    client = client_for(physio)
    client.get(reverse("clinic:physio_day"))
    _age(client, 16 * 60)
    response = client.get(PAGE)
    assert response.status_code == 302
    assert _next_of(response.url) == PAGE


def test_the_keep_alive_counts_as_activity_and_says_how_long_is_left(client_for, physio):
    client = client_for(physio)
    client.get(reverse("clinic:physio_day"))
    _age(client, 10 * 60)
    response = client.post(reverse("keep_alive"))
    assert response.status_code == 204
    assert int(response.headers[IDLE_HEADER]) == 15 * 60
    assert time.time() - client.session[LAST_SEEN_KEY] < 5


def test_a_polling_keep_alive_only_asks_how_long_is_left(client_for, physio):
    client = client_for(physio)
    client.get(reverse("clinic:physio_day"))
    _age(client, 10 * 60)
    seen = client.session[LAST_SEEN_KEY]
    response = client.post(reverse("keep_alive"), headers={"X-Clinic-Poll": "1"})
    assert response.status_code == 204
    assert 4 * 60 <= int(response.headers[IDLE_HEADER]) <= 5 * 60
    assert client.session[LAST_SEEN_KEY] == seen


def test_the_keep_alive_is_a_post_for_signed_in_users_only(client_for, physio):
    assert client_for(physio).get(reverse("keep_alive")).status_code == 405
    anonymous = Client().post(reverse("keep_alive"))
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("login"))


def test_signed_in_pages_carry_the_time_left_and_the_warning(client_for, physio, settings):
    settings.SESSION_IDLE_MINUTES_STAFF = 5
    response = client_for(physio).get(reverse("clinic:physio_day"))
    assert response.headers[IDLE_HEADER] == "300"
    html = response.content.decode()
    assert 'data-idle-seconds="300"' in html
    assert f'data-keep-alive-url="{reverse("keep_alive")}"' in html
    assert 'id="idle-warning"' in html
    assert "Stay signed in" in html
    assert "js/session.js" in html


def test_the_sign_in_page_has_no_idle_warning(client):
    response = client.get(reverse("login"))
    assert IDLE_HEADER not in response.headers
    assert 'id="idle-warning"' not in response.content.decode()
    assert "data-idle-seconds" not in response.content.decode()


def test_the_keep_alive_is_declared_for_any_signed_in_user():
    """The access matrix walks every route and takes its expectation from this."""
    from django.urls import resolve

    from clinic.permissions import AccessPolicy, policy_of

    assert policy_of(resolve(reverse("keep_alive")).func) == AccessPolicy("signed_in")
