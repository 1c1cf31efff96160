"""Two-factor sign-in for staff (TOTP with django-otp, plus single-use backup codes).

After the password, a staff member without a confirmed authenticator is sent to set one up
(scan the QR code, type a code to prove it works, save the backup codes); one with a device
types the current code. Until then StaffTwoFactorMiddleware lets them reach nothing else.
Wrong codes are throttled by django-otp (each failure doubles the wait).
"""

from __future__ import annotations

import base64
import secrets

import segno
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.forms.accounts import TokenForm
from clinic.inputs import safe_next
from clinic.permissions import Role, allow_roles

STAFF = (Role.PHYSIO, Role.FRONT_DESK, Role.CLINIC_ADMIN)
BACKUP_CODES = 10
NEW_CODES_KEY = "clinic:new_backup_codes"


def _next_url(request: HttpRequest) -> str:
    return safe_next(request, "/")


def _with_next(url: str, request: HttpRequest) -> str:
    """`url` carrying the sign-in's `next` along (query-encoded: it may hold "&")."""
    return f"{url}?{urlencode({'next': _next_url(request)})}"


def _verified(request: HttpRequest, device) -> None:
    """Mark this session as having passed the second step, under a new session key (and
    CSRF token), as Django's login() does at the password step: a key seen or planted
    before the code was typed must not become a fully signed-in session. The old key is
    deleted from the session store; the session's data moves to the new one."""
    otp_login(request, device)
    request.session.cycle_key()
    rotate_token(request)


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@allow_roles(*STAFF)
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Type the current code from the authenticator app (or a backup code)."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if confirmed_totp(request.user) is None:
        return redirect(_with_next(reverse("two_factor_setup"), request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is None:
            form.add_error(
                "token",
                "That code did not match. Type the 6-digit code your authenticator app shows "
                "now, or one of your backup codes. After several wrong codes you must wait "
                "a little before trying again.",
            )
        else:
            _verified(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(request, f"You signed in with a backup code; {left} are left.")
            return redirect(_next_url(request))
    return render(
        request, "registration/two_factor.html", {"form": form, "next": _next_url(request)}
    )


@allow_roles(*STAFF)
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan, prove with one code, get backup codes."""
    if confirmed_totp(request.user) is not None:
        return redirect("two_factor")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name="Authenticator app", confirmed=False
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            codes = _confirm(device)
            _verified(request, device)
            request.session[NEW_CODES_KEY] = codes
            return redirect(_with_next(reverse("two_factor_backup_codes"), request))
        form.add_error(
            "token",
            "That code did not match. Check that the app shows this account and that the "
            "phone's clock is set automatically, then type the newest code.",
        )
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(scale=5, dark="#1f2a2e", omitsize=False, title="Scan with your app")
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": mark_safe(svg),  # noqa: S308 (segno's own SVG of our own URL)
            "secret": _grouped(_base32(device)),
            "next": _next_url(request),
        },
    )


@transaction.atomic
def _confirm(device: TOTPDevice) -> list[str]:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    static, _ = StaticDevice.objects.get_or_create(
        user=device.user, defaults={"name": "Backup codes", "confirmed": True}
    )
    static.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def _base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def _grouped(text: str) -> str:
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@allow_roles(*STAFF)
@never_cache
@require_http_methods(["GET"])
def two_factor_backup_codes(request: HttpRequest) -> HttpResponse:
    """The backup codes, shown once right after set-up."""
    codes = request.session.pop(NEW_CODES_KEY, None)
    if not codes:
        return redirect(_next_url(request))
    return render(
        request,
        "registration/two_factor_backup_codes.html",
        {"codes": codes, "next": _next_url(request)},
    )
