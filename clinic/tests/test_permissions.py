"""Every URL declares who may use it; each role lands on its own home and sees its own menu."""

from __future__ import annotations

import pytest
from django.urls import path, reverse

from clinic.permissions import (
    AccessPolicy,
    Role,
    allow_roles,
    policy_of,
)
from clinic.views.home import ROLE_HOMES
from tests.urlwalk import app_routes, sample_url


def undeclared(patterns=None) -> list[str]:
    return [route.route for route in app_routes(patterns) if policy_of(route.callback) is None]


def test_every_view_in_the_urlconf_declares_an_access_policy():
    assert undeclared() == []


def test_the_walker_catches_a_view_without_a_declaration():
    def forgotten(request):  # pragma: no cover - never called
        raise AssertionError

    declared = allow_roles(Role.PHYSIO)(lambda request: None)
    patterns = [path("forgotten/", forgotten), path("declared/", declared)]
    assert undeclared(patterns) == ["forgotten/"]


def test_class_based_views_carry_their_declaration():
    from django.views.generic import TemplateView

    @allow_roles(Role.FRONT_DESK)
    class Page(TemplateView):
        template_name = "clinic/desk_today.html"

    assert policy_of(Page.as_view()) == AccessPolicy("roles", frozenset({Role.FRONT_DESK}))


def _protected_routes():
    for route in app_routes():
        policy = policy_of(route.callback)
        if policy is None or policy.kind == "public":
            continue
        yield pytest.param(sample_url(route.route), id=route.name or route.route)


@pytest.mark.django_db
@pytest.mark.parametrize("url", list(_protected_routes()))
def test_anonymous_users_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


@pytest.mark.django_db
def test_anonymous_htmx_requests_get_a_full_page_redirect(client):
    response = client.get(reverse("clinic:desk_today"), headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith(reverse("login"))


ROLE_FIXTURES = {
    Role.FRONT_DESK: "front_desk",
    Role.PHYSIO: "physio",
    Role.PATIENT: "patient_user",
    Role.CLINIC_ADMIN: "clinic_admin",
}
MENUS = {
    Role.FRONT_DESK: ["clinic:desk_today", "clinic:patient_list", "clinic:waitlist_list"],
    Role.PHYSIO: [
        "clinic:physio_day",
        "clinic:desk_today",
        "clinic:patient_list",
        "clinic:waitlist_list",
        "clinic:dashboard",
    ],
    Role.PATIENT: [
        "clinic:portal_home",
        "clinic:portal_appointments",
        "treatments:portal_documents",
    ],
    Role.CLINIC_ADMIN: [
        "clinic:waitlist_list",
        "clinic:dashboard",
        "clinic:admin_home",
        "custody:home",
    ],
}
# Physiotherapists book too, so the front desk's schedule is open to them.
SHARED_HOMES = {Role.PHYSIO: {Role.FRONT_DESK}}
HOME_HEADINGS = {
    Role.FRONT_DESK: "No clinic location is set up yet",  # none in a fresh database
    Role.PHYSIO: "My patients today",
    Role.PATIENT: "Upcoming appointments",
    Role.CLINIC_ADMIN: "Running the clinic",
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_role_lands_on_its_own_home_and_only_there(request, client_for, role):
    user = request.getfixturevalue(ROLE_FIXTURES[role])
    client = client_for(user)

    landing = client.get(reverse("home"))
    assert landing.status_code == 302
    assert landing.url == reverse(ROLE_HOMES[role])

    home = client.get(landing.url)
    assert home.status_code == 200
    assert HOME_HEADINGS[role] in home.content.decode()

    for other, url_name in ROLE_HOMES.items():
        if other is not role:
            expected = 200 if other in SHARED_HOMES.get(role, set()) else 403
            assert client.get(reverse(url_name)).status_code == expected, other


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_role_sees_only_its_own_menu_items(request, client_for, role):
    user = request.getfixturevalue(ROLE_FIXTURES[role])
    page = client_for(user).get(reverse(ROLE_HOMES[role]))
    menu = [item["url_name"] for item in page.context["nav_items"]]
    assert menu == MENUS[role]
    html = page.content.decode()
    for other, url_name in ROLE_HOMES.items():
        link = f'href="{reverse(url_name)}"'
        visible = other is role or other in SHARED_HOMES.get(role, set())
        assert (link in html) is visible, other


@pytest.mark.django_db
def test_a_physio_who_also_runs_the_clinic_sees_both_menus_and_starts_with_patients(
    make_user, client_for
):
    owner = make_user(Role.PHYSIO, Role.CLINIC_ADMIN)
    client = client_for(owner)
    assert client.get(reverse("home")).url == reverse("clinic:physio_day")
    page = client.get(reverse("clinic:physio_day"))
    menu = {item["url_name"] for item in page.context["nav_items"]}
    assert menu == {
        "clinic:physio_day",
        "clinic:desk_today",
        "clinic:patient_list",
        "clinic:waitlist_list",
        "clinic:dashboard",
        "clinic:admin_home",
        "custody:home",
    }


@pytest.mark.django_db
def test_an_account_without_a_role_is_told_so(make_user, client_for):
    response = client_for(make_user()).get(reverse("home"))
    assert response.status_code == 403
    assert "no role yet" in response.content.decode()


@pytest.mark.django_db
def test_deactivated_accounts_lose_access(front_desk, client_for):
    client = client_for(front_desk)
    front_desk.is_active = False
    front_desk.save()
    response = client.get(reverse("clinic:desk_today"))
    assert response.status_code == 302


@pytest.mark.django_db
def test_forbidden_and_missing_pages_are_explained(front_desk, client_for):
    client = client_for(front_desk)
    forbidden = client.get(reverse("clinic:physio_day"))
    assert forbidden.status_code == 403
    assert "not part of your role" in forbidden.content.decode()
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert "could not find that page" in missing.content.decode()


@pytest.mark.django_db
def test_the_django_admin_opens_for_clinic_admins_only(client_for, clinic_admin, physio):
    assert client_for(clinic_admin).get(reverse("admin:index")).status_code == 200
    assert client_for(physio).get(reverse("admin:index")).status_code == 302
