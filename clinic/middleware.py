"""Session and sign-in safeguards that apply to every page.

- SessionTimeoutMiddleware: signs a user out after a quiet spell (15 minutes for staff on
  shared clinic computers, 30 for patients by default) and after a fixed lifetime since
  sign-in, whatever the activity. Background polling (requests marked `X-Clinic-Poll`)
  does not count as activity, so a page left open still times out. Every signed-in
  response tells the page how long it has left (`X-Clinic-Idle-Seconds`, and
  `request.clinic_idle_seconds` for base.html's `data-idle-seconds`), so static/js/idle.js
  can warn a minute before the end and offer to stay signed in (the keep_alive view).
- StaffTwoFactorMiddleware: a staff account must have confirmed a TOTP device and verified
  it in this session before any page other than sign-in, sign-out and the two-factor pages
  themselves (the Django admin included). Patients are not asked.
- permissions_policy: the Permissions-Policy header (Django has no setting for it).
- no_store_when_signed_in: `Cache-Control: no-store` on every response to a signed-in
  user (pages, htmx partials, downloads, redirects, error pages), so no patient data stays
  in a shared computer's browser cache after sign-out.
- server_timing: the Server-Timing header, how long the app took to answer (outermost, so
  every middleware counts); `manage.py bench` reads it, and so do browsers' developer tools.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from clinic.permissions import Role, page_path

LAST_SEEN_KEY = "clinic:last_seen"
SIGNED_IN_AT_KEY = "clinic:signed_in_at"
POLL_HEADER = "X-Clinic-Poll"
IDLE_HEADER = "X-Clinic-Idle-Seconds"


def _with_next(url: str, request: HttpRequest) -> str:
    """`url?next=<where the user was going>`, query-encoded (the path may hold "&"). For an
    htmx request that is the page it came from, not the partial it asked for."""
    return f"{url}?{urlencode({'next': page_path(request)})}"


def is_staff(user) -> bool:
    return user.is_authenticated and bool(user.roles & Role.staff_roles())


def _to_login(request: HttpRequest) -> HttpResponse:
    url = _with_next(reverse("login"), request)
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = time.time()
            session = request.session
            signed_in_at = session.setdefault(SIGNED_IN_AT_KEY, now)
            last_seen = session.get(LAST_SEEN_KEY, now)
            idle_minutes = (
                settings.SESSION_IDLE_MINUTES_STAFF
                if is_staff(user)
                else settings.SESSION_IDLE_MINUTES_PATIENT
            )
            if now - last_seen > idle_minutes * 60:
                logout(request)
                messages.info(
                    request,
                    f"You were signed out after {idle_minutes} minutes without activity. "
                    "Sign in again to continue.",
                )
                return _to_login(request)
            if now - signed_in_at > settings.SESSION_COOKIE_AGE:
                logout(request)
                messages.info(request, "Your session has ended. Sign in again to continue.")
                return _to_login(request)
            if not request.headers.get(POLL_HEADER):
                session[LAST_SEEN_KEY] = last_seen = now
            # Seconds until this session ends: the idle limit or, if sooner, its lifetime.
            left = min(
                idle_minutes * 60 - (now - last_seen),
                settings.SESSION_COOKIE_AGE - (now - signed_in_at),
            )
            request.clinic_idle_seconds = max(0, int(left))
        response = self.get_response(request)
        if getattr(request, "clinic_idle_seconds", None) is not None and (
            request.user.is_authenticated
        ):
            response[IDLE_HEADER] = str(request.clinic_idle_seconds)
        return response


# URL names a staff member without a verified second factor may still open.
TWO_FACTOR_OPEN = frozenset(
    {
        "login",
        "logout",
        "two_factor",
        "two_factor_setup",
        "two_factor_backup_codes",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "healthz",
        # Does nothing; an idle warning on the two-factor page may still ping it.
        "keep_alive",
    }
)


class StaffTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not settings.OTP_REQUIRED_FOR_STAFF or not is_staff(request.user):
            return None
        if request.user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.url_name in TWO_FACTOR_OPEN:
            return None
        url = _with_next(reverse("two_factor"), request)
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)


def permissions_policy(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

    return middleware


def no_store_when_signed_in(get_response: Callable[[HttpRequest], HttpResponse]):
    """Every response for a signed-in user says `Cache-Control: no-store` (with Django's
    other never-cache headers: `no-cache, must-revalidate, private, max-age=0`, and
    `Expires`), whatever the view set: a browser on a shared clinic computer keeps no copy
    of a chart, a partial, a PDF or an export after sign-out, and its back button cannot
    show one again.

    "Signed in" is decided from the session, at the start (so the sign-out response and
    the session-timeout redirect count) and again at the end (so the response that signs
    someone in counts). Anonymous pages keep their own caching, and static files never
    reach this: WhiteNoise answers them before it (see MIDDLEWARE), with its long cache
    lifetimes intact."""

    def middleware(request: HttpRequest) -> HttpResponse:
        had_session = settings.SESSION_COOKIE_NAME in request.COOKIES
        signed_in = had_session and SESSION_KEY in request.session
        response = get_response(request)
        if signed_in or (request.session.accessed and SESSION_KEY in request.session):
            add_never_cache_headers(response)
        return response

    return middleware


class EmergencyAccessMiddleware:
    """Turns EmergencyAccessRequired (raised when a physiotherapist outside the care team
    opens or writes to a patient's record) into the break-the-glass page, which asks for a
    reason. `next` is where to go once the glass is broken: the page itself for a plain
    GET; for an htmx partial or a POST (which cannot be replayed), the page the user was
    on, or the patient's page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        from clinic.services import EmergencyAccessRequired

        if not isinstance(exception, EmergencyAccessRequired):
            return None
        patient_id = exception.patient_id
        htmx = getattr(request, "htmx", False)
        if request.method in ("GET", "HEAD") and not htmx:
            back = request.get_full_path()
        else:
            came_from = (htmx.current_url if htmx else None) or request.headers.get("Referer")
            back = _same_site_path(request, came_from) or reverse(
                "clinic:patient_detail", args=[patient_id]
            )
        url = reverse("clinic:emergency_access", args=[patient_id])
        url = f"{url}?{urlencode({'next': back})}"
        if htmx:
            return HttpResponseClientRedirect(url)
        return redirect(url)


def _same_site_path(request: HttpRequest, url: str | None) -> str | None:
    """The path (and query) of `url` when it points at this site, else None."""
    if not url:
        return None
    if not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def server_timing(get_response: Callable[[HttpRequest], HttpResponse]):
    """`Server-Timing: app;dur=<milliseconds>` on every response: the time from this
    middleware (the outermost) receiving the request to the response leaving it, i.e. what
    the application costs without the web server and network. Durations only, no names or
    data, so it tells a visitor nothing a stopwatch would not; SERVER_TIMING=0 turns it off.
    A streamed response's duration stops when its headers are ready."""
    if not settings.SERVER_TIMING:
        raise MiddlewareNotUsed

    def middleware(request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = get_response(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        response["Server-Timing"] = f"app;dur={elapsed_ms:.2f}"
        return response

    return middleware
