"""Sign-in safeguards (issue 8, acceptance 2): lockout after ten wrong passwords, two-step
sign-in required for every staff role and never for patients, idle and absolute session
timeouts."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.middleware import LAST_SEEN_KEY, SIGNED_IN_AT_KEY
from clinic.permissions import Role
from clinic.tests.factories import TEST_PASSWORD, totp_code, totp_device_for

pytestmark = pytest.mark.django_db

CLINICAL_PAGES = ["clinic:physio_day", "clinic:patient_list", "clinic:desk_today"]


def _sign_in(client: Client, username: str, password: str = TEST_PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


# --- Lockout ----------------------------------------------------------------------------


def test_ten_wrong_passwords_lock_the_account_with_a_clear_message(front_desk):
    client = Client()
    for attempt in range(9):
        response = _sign_in(client, "frontdesk", f"wrong-{attempt}")
        assert response.status_code == 200  # the usual "do not match" message
    locked = _sign_in(client, "frontdesk", "wrong-9")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "too many wrong passwords" in html
    assert "15 minutes" in html
    # Even the right password is refused now, from another machine too.
    elsewhere = Client(REMOTE_ADDR="10.9.9.9")
    assert _sign_in(elsewhere, "frontdesk").status_code == 429
    assert "_auth_user_id" not in elsewhere.session


def test_ten_wrong_passwords_from_one_address_lock_that_address(make_user):
    for index in range(10):
        make_user(Role.PATIENT, username=f"p{index}")
    client = Client(REMOTE_ADDR="10.1.2.3")
    for index in range(10):
        _sign_in(client, f"p{index}", "guess")
    make_user(Role.PATIENT, username="fresh")
    assert _sign_in(client, "fresh").status_code == 429
    assert _sign_in(Client(REMOTE_ADDR="10.1.2.4"), "fresh").status_code == 302


PROXY = "10.0.0.2"  # the load balancer: every request arrives from it


def _behind_the_proxy(client_address: str, spoofed: str = "") -> Client:
    """A browser behind our one load balancer, which appends the address it saw to
    X-Forwarded-For; `spoofed` is whatever the client put in the header itself."""
    chain = f"{spoofed}, {client_address}" if spoofed else client_address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=chain)


def test_behind_a_load_balancer_the_lockout_counts_per_forwarded_client(make_user, settings):
    """Ten failures from one client behind the proxy lock that client (whatever it writes
    into the left of X-Forwarded-For), not the proxy's address shared by everyone."""
    settings.TRUSTED_PROXY_COUNT = 1
    for index in range(10):
        make_user(Role.PATIENT, username=f"p{index}")
    make_user(Role.PATIENT, username="fresh")
    make_user(Role.PATIENT, username="neighbour")
    attacker = "203.0.113.66"
    for index in range(10):
        # A fresh made-up "client" on the left of the chain each time does not help.
        client = _behind_the_proxy(attacker, spoofed=f"198.51.100.{index}")
        response = _sign_in(client, f"p{index}", "guess")
        assert response.status_code == (429 if index == 9 else 200)  # the tenth locks
    assert _sign_in(_behind_the_proxy(attacker, "192.0.2.200"), "fresh").status_code == 429
    assert _sign_in(_behind_the_proxy(attacker), "fresh").status_code == 429
    # Another client behind the same proxy signs in as usual.
    neighbour = _behind_the_proxy("203.0.113.7")
    assert _sign_in(neighbour, "neighbour").status_code == 302
    assert "_auth_user_id" in neighbour.session
    # What was recorded is the client's address, as the access log records it.
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {attacker}


def test_without_trusted_proxies_a_forwarded_for_header_is_ignored(make_user, settings):
    """With TRUSTED_PROXY_COUNT=0 X-Forwarded-For is the client's own claim: changing it
    per request does not escape the lockout of the address the request really came from."""
    settings.TRUSTED_PROXY_COUNT = 0
    for index in range(10):
        make_user(Role.PATIENT, username=f"p{index}")
    make_user(Role.PATIENT, username="fresh")
    for index in range(10):
        client = Client(REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR=f"198.51.100.{index}")
        _sign_in(client, f"p{index}", "guess")
    spoofing = Client(REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert _sign_in(spoofing, "fresh").status_code == 429


def test_a_successful_sign_in_resets_the_count(front_desk):
    client = Client()
    for attempt in range(8):
        _sign_in(client, "frontdesk", f"wrong-{attempt}")
    assert _sign_in(client, "frontdesk").status_code == 302
    client.logout()
    for attempt in range(8):
        assert _sign_in(client, "frontdesk", f"again-{attempt}").status_code == 200
    assert _sign_in(client, "frontdesk").status_code == 302


# --- Two-step sign-in -------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(Role.staff_roles()), ids=str)
def test_staff_without_a_confirmed_device_reach_no_clinical_page(make_user, role):
    user = make_user(role, username="staffer")
    client = Client()
    assert _sign_in(client, "staffer").status_code == 302
    for name in [*CLINICAL_PAGES, "clinic:admin_home", "treatments:incidents"]:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("two_factor")), name
    assert client.get(reverse("admin:index")).url.startswith(reverse("two_factor"))
    htmx = client.get(reverse("clinic:patient_list"), headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"].startswith(reverse("two_factor"))
    # With a device but no code typed in this session: still nothing.
    totp_device_for(user)
    assert client.get(reverse("clinic:patient_list")).status_code == 302


def test_a_patient_is_not_asked_for_a_second_step(patient_user):
    client = Client()
    assert _sign_in(client, "patienta").url == reverse("home")
    assert client.get(reverse("clinic:portal_home")).status_code == 200
    assert client.get(reverse("two_factor")).status_code == 403


def test_setting_up_an_authenticator_then_signing_in_with_codes(physio, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the throttle has its own test below
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    client = Client()
    _sign_in(client, "physio")
    setup = client.get(reverse("two_factor"), follow=True)
    assert setup.redirect_chain[-1][0].startswith(reverse("two_factor_setup"))
    html = setup.content.decode()
    assert "<svg" in html  # the QR code, inline, no external image
    device = TOTPDevice.objects.get(user=physio, confirmed=False)

    wrong = client.post(reverse("two_factor_setup"), {"token": "000000"})
    assert "did not match" in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    garbage = client.post(reverse("two_factor_setup"), {"token": "12ab"})
    assert "Type the 6 digits" in garbage.content.decode()

    done = client.post(reverse("two_factor_setup"), {"token": totp_code(device)}, follow=True)
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    codes = done.context["codes"]
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=physio).count() == 10
    assert client.get(reverse("clinic:physio_day")).status_code == 200
    # Shown once only.
    assert client.get(reverse("two_factor_backup_codes")).status_code == 302

    # Next sign-in: a backup code works once.
    client.logout()
    _sign_in(client, "physio")
    assert client.get(reverse("clinic:physio_day")).status_code == 302
    used = client.post(reverse("two_factor"), {"token": codes[0]}, follow=True)
    assert "9 are left" in used.content.decode()
    assert client.get(reverse("clinic:physio_day")).status_code == 200
    client.logout()
    _sign_in(client, "physio")
    again = client.post(reverse("two_factor"), {"token": codes[0]})
    assert "did not match" in again.content.decode()


def test_the_requirement_can_be_switched_off_only_in_development(settings, make_user):
    settings.OTP_REQUIRED_FOR_STAFF = False
    make_user(Role.FRONT_DESK, username="desk2")
    client = Client()
    _sign_in(client, "desk2")
    assert client.get(reverse("clinic:desk_today")).status_code == 200


# --- Session lifetime ---------------------------------------------------------------------


def _age(client: Client, key: str, seconds: float) -> None:
    session = client.session
    session[key] = time.time() - seconds
    session.save()


def test_staff_are_signed_out_after_fifteen_idle_minutes(client_for, physio):
    client = client_for(physio)
    assert client.get(reverse("clinic:physio_day")).status_code == 200
    _age(client, LAST_SEEN_KEY, 14 * 60)
    assert client.get(reverse("clinic:physio_day")).status_code == 200
    _age(client, LAST_SEEN_KEY, 16 * 60)
    response = client.get(reverse("clinic:physio_day"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "signed out after 15 minutes without activity" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_patients_get_thirty_idle_minutes(client_for, patient_user):
    client = client_for(patient_user)
    client.get(reverse("clinic:portal_home"))
    _age(client, LAST_SEEN_KEY, 20 * 60)
    assert client.get(reverse("clinic:portal_home")).status_code == 200
    _age(client, LAST_SEEN_KEY, 31 * 60)
    assert client.get(reverse("clinic:portal_home")).status_code == 302


def test_polling_does_not_keep_a_session_alive(client_for, patient_user):
    client = client_for(patient_user)
    client.get(reverse("clinic:portal_home"))
    _age(client, LAST_SEEN_KEY, 10 * 60)
    seen = client.session[LAST_SEEN_KEY]
    client.get(reverse("treatments:portal_documents"), headers={"X-Clinic-Poll": "1"})
    assert client.session[LAST_SEEN_KEY] == seen


def test_a_session_ends_after_its_absolute_lifetime_however_active(client_for, physio):
    client = client_for(physio)
    client.get(reverse("clinic:physio_day"))
    _age(client, SIGNED_IN_AT_KEY, 12 * 60 * 60 + 1)
    response = client.get(reverse("clinic:physio_day"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_wrong_codes_are_throttled(physio):
    device = totp_device_for(physio)
    client = Client()
    _sign_in(client, "physio")
    client.post(reverse("two_factor"), {"token": "000000"})
    # Straight after a wrong code even the right one is refused for a moment.
    refused = client.post(reverse("two_factor"), {"token": totp_code(device)})
    assert "did not match" in refused.content.decode()
    assert client.get(reverse("clinic:physio_day")).status_code == 302


def test_the_way_back_survives_a_query_string(client_for, physio, make_user):
    """The page asked for (with its query) comes back intact after the second step."""
    user = make_user(Role.FRONT_DESK, username="desk3")
    client = Client()
    _sign_in(client, "desk3")
    wanted = reverse("clinic:patient_list") + "?q=lee&dob=1980-01-01"
    response = client.get(wanted)
    assert response.status_code == 302
    device = totp_device_for(user)
    done = client.post(response.url, {"token": totp_code(device)})
    assert done.url == wanted


# --- Session key rotated at the second step -------------------------------------------------


def _cookie_client(session_key: str) -> Client:
    """A browser presenting `session_key` (e.g. one stolen before the second step)."""
    from django.conf import settings

    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


def _assert_rotated(client: Client, before: str) -> None:
    after = client.session.session_key
    assert after
    assert after != before
    assert client.get(reverse("clinic:physio_day")).status_code == 200
    # The key known before the second step now opens nothing: not even the code page.
    stale = _cookie_client(before).get(reverse("clinic:physio_day"))
    assert stale.status_code == 302
    assert stale.url.startswith(reverse("login"))


@pytest.mark.parametrize("code", ["authenticator", "backup"])
def test_the_session_key_changes_when_the_second_step_is_passed(physio, settings, code):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    device = totp_device_for(physio)
    client = Client()
    _sign_in(client, "physio")
    if code == "backup":
        static = physio.staticdevice_set.create(name="Backup codes", confirmed=True)
        static.token_set.create(token="12345678")
        token = "12345678"
    else:
        token = totp_code(device)
    before = client.session.session_key
    assert client.post(reverse("two_factor"), {"token": token}).status_code == 302
    _assert_rotated(client, before)


def test_the_session_key_changes_when_a_new_authenticator_is_confirmed(physio):
    client = Client()
    _sign_in(client, "physio")
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=physio, confirmed=False)
    before = client.session.session_key
    done = client.post(reverse("two_factor_setup"), {"token": totp_code(device)}, follow=True)
    assert len(done.context["codes"]) == 10  # the backup codes survived the new key
    _assert_rotated(client, before)


def test_a_wrong_code_keeps_the_session_key(physio):
    totp_device_for(physio)
    client = Client()
    _sign_in(client, "physio")
    before = client.session.session_key
    client.post(reverse("two_factor"), {"token": "000000"})
    assert client.session.session_key == before
