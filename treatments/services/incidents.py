"""The clinic admins' review of adverse events (treatments.models.incident): each step
moves the incident to a new state with a note, and is never changed afterwards."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from clinic.models import User
from clinic.permissions import Role
from treatments.models import AdverseEvent, IncidentReview

State = IncidentReview.State

# From each state, the states a review step may move the incident to. A reviewed incident
# may take further review notes before it is closed; a closed one can only be reopened
# (with the reason), which keeps its earlier review and closure in the trail.
NEXT_STATES: dict[str, tuple[str, ...]] = {
    State.OPEN: (State.REVIEWED, State.CLOSED),
    State.REVIEWED: (State.REVIEWED, State.CLOSED),
    State.CLOSED: (State.OPEN,),
}


def incident_state(event_id: int) -> str:
    """The incident's state now: its latest review step's, or open without one."""
    latest = (
        IncidentReview.objects.filter(event_id=event_id)
        .order_by("-at", "-pk")
        .values_list("state", flat=True)
        .first()
    )
    return latest or State.OPEN


def incident_review_add(*, event_id: int, by: User, state: str, note: str) -> IncidentReview:
    """Record one review step of the adverse event `event_id` by a clinic admin.

    Raises PermissionDenied for anyone else and ValidationError (keyed by field) when the
    step does not follow from the incident's current state or has no note. The event row
    is locked while the state is read, so two admins closing the same incident at once
    give one closure and one refusal, not two closures."""
    if not by.has_role(Role.CLINIC_ADMIN):
        raise PermissionDenied("Only clinic admins review incidents.")
    note = (note or "").strip()
    with transaction.atomic():
        event = AdverseEvent.objects.select_for_update(of=("self",)).get(pk=event_id)
        current = incident_state(event.pk)
        errors = {}
        if state not in NEXT_STATES[current]:
            label = State(current).label.lower()
            errors["state"] = (
                f"This incident is {label} now (someone may have just changed it); "
                "choose one of the steps offered."
            )
        if not note:
            errors["note"] = (
                "Say what was done before closing."
                if state == State.CLOSED
                else "Say why it is reopened."
                if state == State.OPEN
                else "Say what the review found."
            )
        if errors:
            raise ValidationError(errors)
        review = IncidentReview(event=event, state=state, note=note, by=by)
        review.full_clean(exclude=["event", "by"])
        review.save()
    return review
