"""Reads for the clinic admins' incident list and one incident's review page."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from treatments.models import AdverseEvent, IncidentReview, NeedlingSite

State = IncidentReview.State


def _latest_step(field: str) -> Subquery:
    return Subquery(
        IncidentReview.objects.filter(event=OuterRef("pk")).order_by("-at", "-pk").values(field)[:1]
    )


def _with_review_state(events: QuerySet[AdverseEvent]) -> QuerySet[AdverseEvent]:
    """Annotate `review_state` (the latest step's state, open without one) and
    `reviewed_at` (when the latest step was taken)."""
    return events.annotate(
        review_state=Coalesce(_latest_step("state"), Value(State.OPEN)),
        reviewed_at=_latest_step("at"),
    )


def incidents(state: str | None = None) -> QuerySet[AdverseEvent]:
    """Adverse events for the clinic admin's incident list, newest first, each with its
    patient, session, physiotherapist and review state; only those in `state` if given."""
    events = _with_review_state(
        AdverseEvent.objects.select_related(
            "session__practitioner", "session__patient", "recorded_by"
        )
    ).order_by("-occurred_at", "-pk")
    if state:
        events = events.filter(review_state=state)
    return events


def incident_counts() -> dict[str, int]:
    """How many incidents are in each review state (every state present, 0 if none)."""
    counts = dict.fromkeys(State.values, 0)
    rows = _with_review_state(AdverseEvent.objects.all()).values("review_state")
    for row in rows.annotate(n=Count("pk")).order_by():
        counts[row["review_state"]] = row["n"]
    return counts


def incident_detail(pk: int) -> AdverseEvent:
    """One incident with what its review page shows: the event, its patient, the session
    and its needling sites, who recorded it, and every review step (oldest first)."""
    return (
        _with_review_state(AdverseEvent.objects.all())
        .select_related("session__practitioner", "session__patient", "recorded_by")
        .prefetch_related(
            Prefetch(
                "session__sites",
                queryset=NeedlingSite.objects.select_related("muscle", "segment", "needle"),
            ),
            Prefetch("reviews", queryset=IncidentReview.objects.select_related("by")),
        )
        .get(pk=pk)
    )
