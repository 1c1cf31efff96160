"""Sign in, sign out, password change and the password reset email, end to end."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from clinic.permissions import Role
from clinic.tests.factories import TEST_PASSWORD, totp_code, totp_device_for

pytestmark = pytest.mark.django_db


def test_a_wrong_password_is_refused_with_a_clear_message(client, front_desk):
    response = client.post(
        reverse("login"), {"username": "frontdesk", "password": "not-the-password"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "That username and password do not match an account" in html
    assert "_auth_user_id" not in client.session
    # The username stays filled in; only the password has to be typed again.
    assert 'value="frontdesk"' in html


def test_signing_in_lands_on_the_role_home_after_the_second_step(client, front_desk):
    device = totp_device_for(front_desk)
    response = client.post(
        reverse("login"), {"username": "frontdesk", "password": TEST_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor"))
    response = client.post(
        response.redirect_chain[-1][0], {"token": totp_code(device)}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("clinic:desk_today")
    assert "No clinic location is set up yet" in response.content.decode()


def test_signing_in_follows_next_but_never_off_site(client, physio):
    ok = client.post(
        reverse("login") + "?next=/accounts/",
        {"username": "physio", "password": TEST_PASSWORD, "next": "/accounts/"},
    )
    assert ok.url == "/accounts/"
    client.logout()
    evil = client.post(
        reverse("login"),
        {"username": "physio", "password": TEST_PASSWORD, "next": "https://evil.example/"},
    )
    assert evil.url == reverse("home")


def test_sign_in_rotates_the_session_key(client, physio):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("login"), {"username": "physio", "password": TEST_PASSWORD})
    assert client.session.session_key != before


def test_sign_out_is_a_post_and_confirms(client_for, physio):
    client = client_for(physio)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"), follow=True)
    assert "You have signed out." in response.content.decode()
    assert client.get(reverse("clinic:physio_day")).status_code == 302


def test_password_change_keeps_this_session_and_checks_the_old_password(client_for, physio):
    client = client_for(physio)
    wrong = client.post(
        reverse("password_change"),
        {
            "old_password": "nope-nope-nope",
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert "Your old password was entered incorrectly" in wrong.content.decode()
    done = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert done.url == reverse("password_change_done")
    assert client.get(reverse("clinic:physio_day")).status_code == 200
    physio.refresh_from_db()
    assert physio.check_password("a-new-long-passphrase")


def test_the_password_reset_email_flow_works_end_to_end(client, make_user):
    user = make_user(Role.PATIENT, username="robin", email="robin@example.com")

    sent = client.post(reverse("password_reset"), {"email": "ROBIN@example.com"})
    assert sent.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["robin@example.com"]
    assert "Reset your Cedar IMS Physiotherapy password" in message.subject
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body).group(1)

    # The emailed link swaps the token for a session-bound "set-password" URL.
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    set_password_url = form_page.redirect_chain[-1][0]

    too_short = client.post(set_password_url, {"new_password1": "short", "new_password2": "short"})
    assert "This password is too short" in too_short.content.decode()

    done = client.post(
        set_password_url,
        {"new_password1": "fresh-green-valley", "new_password2": "fresh-green-valley"},
    )
    assert done.url == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password("fresh-green-valley")

    # The link works once.
    reused = client.get(link, follow=True)
    assert reused.context["validlink"] is False
    assert "This link no longer works" in reused.content.decode()

    signed_in = client.post(
        reverse("login"), {"username": "robin", "password": "fresh-green-valley"}
    )
    assert signed_in.url == reverse("home")


def test_password_reset_does_not_reveal_whether_an_address_has_an_account(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_an_overlong_username_is_refused_by_the_form(client, front_desk):
    """It never reaches authenticate() or the lockout log (varchar 255 on PostgreSQL)."""
    response = client.post(reverse("login"), {"username": "x" * 300, "password": "whatever"})
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
