"""Calendar feeds (issue 21): the feed a calendar app fetches, and the pages where a
practitioner or a patient makes, copies and revokes their link.

The feed is public: a calendar app cannot sign in, so the token in the URL is the
credential. An unknown or revoked link answers 404 and a fetch over the hourly allowance
429, both without Django's "Not Found: <path>" log line, since the path is the secret;
a fetch that is served is in the access log with the path's token masked.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from clinic.ics import feed_ics, patient_event, practitioner_event
from clinic.origin import Origin
from clinic.permissions import Role, allow_public, allow_roles, own_patient
from interop import selectors, services
from interop.models import CalendarFeed
from interop.services.calendar_feeds import TOKEN_SHAPE


def _quiet(response: HttpResponse) -> HttpResponse:
    # django.request logs every 4xx with its path; this path carries the token.
    response._has_been_logged = True
    return response


@allow_public
# The calendar may keep a copy but asks again each time (with the ETag: 304 if unchanged).
@cache_control(private=True, no_cache=True, max_age=0)
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    if not TOKEN_SHAPE.fullmatch(token):
        return _quiet(HttpResponse("Not found.", status=404, content_type="text/plain"))
    feed = selectors.live_feed_by_digest(services.token_digest(token))
    if feed is None:
        return _quiet(HttpResponse("Not found.", status=404, content_type="text/plain"))
    if services.feed_rate_limited(feed):
        response = HttpResponse("Too many requests.", status=429, content_type="text/plain")
        response["Retry-After"] = "3600"
        return _quiet(response)
    stamp = timezone.now()
    if feed.kind == CalendarFeed.Kind.PRACTITIONER:
        visits = selectors.practitioner_feed_appointments(feed.practitioner_id)
        make_event = practitioner_event
        name = f"My schedule · {settings.CLINIC_NAME}"
    else:
        visits = selectors.patient_feed_appointments(feed.patient_id)
        make_event = patient_event
        name = f"{feed.patient.first_name}'s appointments · {settings.CLINIC_NAME}"
    seen = Origin.of(request)
    masked = Origin(ip=seen.ip, user_agent=seen.user_agent, path=request.path.replace(token, "…"))
    services.feed_fetch_record(feed=feed, origin=masked, events=len(visits))
    etag = f'"{services.feed_fingerprint(feed, visits, name)}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        body = services.feed_body(
            feed,
            etag.strip('"'),
            lambda: feed_ics([make_event(visit, stamp) for visit in visits], name=name),
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    response["ETag"] = etag
    response["X-Robots-Tag"] = "noindex"
    return response


def _links(request: HttpRequest, token: str) -> dict[str, str]:
    path = reverse("interop:calendar_feed", args=[token])
    url = settings.SITE_URL + path
    return {"url": url, "webcal": "webcal://" + url.split("://", 1)[-1]}


def _settings_page(request: HttpRequest, *, holder: dict, issue, template_context: dict):
    """GET shows the link's state; POST `action=new` revokes the live link (if any) and
    makes another, shown on this response only; `action=revoke` ends the live link."""
    feed = selectors.live_feed_of(**holder) if holder else None
    context = {"feed": feed, "fresh": None, "can_have_feed": bool(holder), **template_context}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if not holder:
            messages.error(request, "Your account has no schedule to follow.")
            return redirect(request.path)
        if action == "new":
            try:
                issued = issue()
            except services.FeedError as problem:
                messages.error(request, str(problem))
                return redirect(request.path)
            context.update(feed=issued.feed, fresh=_links(request, issued.token))
            return render(request, "interop/calendar_feed.html", context)
        if action == "revoke" and feed is not None:
            services.calendar_feed_revoke(feed=feed, by=request.user)
            messages.success(request, "Link revoked: calendars that used it stop updating.")
            return redirect(request.path)
        messages.error(request, "Choose “Make a link” or “Revoke”.")
        return redirect(request.path)
    return render(request, "interop/calendar_feed.html", context)


@allow_roles(Role.PHYSIO)
@require_http_methods(["GET", "POST"])
def schedule_feed(request: HttpRequest) -> HttpResponse:
    """The physiotherapist's own schedule as a calendar feed (patients' initials only)."""
    practitioner = getattr(request.user, "practitioner", None)
    holder = {"practitioner": practitioner} if practitioner is not None else {}
    return _settings_page(
        request,
        holder=holder,
        issue=lambda: services.practitioner_feed_issue(practitioner=practitioner, by=request.user),
        template_context={"audience": "practitioner"},
    )


@allow_roles(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def portal_calendar_feed(request: HttpRequest) -> HttpResponse:
    """The patient's own appointments as a calendar feed."""
    patient = own_patient(request)
    return _settings_page(
        request,
        holder={"patient": patient},
        issue=lambda: services.patient_feed_issue(patient=patient, by=request.user),
        template_context={"audience": "patient"},
    )
