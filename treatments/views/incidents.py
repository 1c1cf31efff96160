"""The clinic admins' incident list and one incident's review page. Both show clinical
content (what happened to which patient), so the review page writes an AccessLog row, and
the list one for the whole list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from clinic.forms.common import form_add_errors
from clinic.inputs import parse_id
from clinic.origin import Origin
from clinic.permissions import Role, allow_roles
from clinic.services.audit import access_log_write
from treatments import selectors, services
from treatments.forms import IncidentReviewForm
from treatments.models import AdverseEvent, IncidentReview

LIST_LIMIT = 200


@allow_roles(Role.CLINIC_ADMIN)
@require_GET
def incidents(request: HttpRequest) -> HttpResponse:
    """Adverse events across the clinic, newest first, filtered by review state
    (`?state=open|reviewed|closed`). `?event=<id>`, the link in e-mails sent before the
    review page existed, opens that incident's review page."""
    one = parse_id(request.GET.get("event", ""))
    if one is not None:
        return redirect("treatments:incident", pk=one)
    state = request.GET.get("state", "")
    if state not in IncidentReview.State.values:
        state = ""
    events = list(selectors.incidents(state or None)[:LIST_LIMIT])
    access_log_write(by=request.user, origin=Origin.of(request), patient=None, what="incident list")
    return render(
        request,
        "treatments/incidents.html",
        {
            "events": events,
            "state": state,
            "counts": selectors.incident_counts(),
            "states": IncidentReview.State,
            "limit": LIST_LIMIT,
            # The note itself is for physiotherapists; an admin who is one opens it from
            # here, the others see the session on the incident's page.
            "can_open_note": request.user.has_role(Role.PHYSIO),
        },
    )


@allow_roles(Role.CLINIC_ADMIN)
@require_http_methods(["GET", "POST"])
def incident(request: HttpRequest, pk: int) -> HttpResponse:
    """One incident: the event, the patient and session it belongs to, the needling sites
    of that session, and its review trail, with the form for the next review step."""
    try:
        event = selectors.incident_detail(pk)
    except AdverseEvent.DoesNotExist:
        raise Http404("No such incident.") from None
    current = event.review_state
    next_states = services.NEXT_STATES[current]
    form = IncidentReviewForm(
        request.POST or None, current=current, next_states=next_states, prefix="review"
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                review = services.incident_review_add(
                    event_id=event.pk,
                    by=request.user,
                    state=form.cleaned_data["state"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form_add_errors(form, error)
            else:
                messages.success(request, f"Incident {review.get_state_display().lower()}.")
                return redirect(reverse("treatments:incident", args=[event.pk]) + "#review")
        status = 400
    # Written directly, not through clinic.access.access_log_record: the admin reads this
    # as the clinic's incident reviewer, so a physiotherapist's care-team gate (and its
    # break-the-glass page) does not apply to an admin who also treats patients.
    access_log_write(
        by=request.user,
        origin=Origin.of(request),
        patient=event.session.patient,
        what=f"incident {event.pk} (adverse event)",
    )
    return render(
        request,
        "treatments/incident.html",
        {
            "event": event,
            "form": form,
            "can_open_note": request.user.has_role(Role.PHYSIO),
        },
        status=status,
    )
