"""The clinic admins' review of an adverse event: an append-only trail of review steps.

An adverse event of a signed session cannot change (migration 0003's trigger), and a
review is the clinic's own work, not the physiotherapist's note, so it lives beside the
event: each step says what state the incident moved to, why or what was done, who and
when. The incident's state is its latest step's (no step: open). On PostgreSQL a trigger
refuses UPDATE and DELETE of review steps (migration 0012), so the history cannot be
rewritten; a reopened incident keeps its earlier review and closure.

Why these states: the Canadian Patient Safety Institute's "Canadian Incident Analysis
Framework" (2012) describes incident management as a cycle: immediate response, reporting,
analysis, then follow-through with actions and closing the loop with those involved. The
event's own record (action taken, follow-up, referral) is the physiotherapist's immediate
response; open / reviewed (analysed) / closed (actions taken and recorded) is the smallest
form of the rest of that cycle a small clinic runs. The framework sets no deadlines, so the
app sets none.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinic.validators import NARRATIVE_MAX, LimitedTextField
from treatments.models.session import AdverseEvent


class IncidentReview(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "Open"
        REVIEWED = "reviewed", "Reviewed"
        CLOSED = "closed", "Closed"

    event = models.ForeignKey(AdverseEvent, on_delete=models.PROTECT, related_name="reviews")
    state = models.CharField(
        "new state", max_length=10, choices=State.choices, help_text="Where this step leaves it."
    )
    note = LimitedTextField(
        max_length=NARRATIVE_MAX,
        help_text="What the review found, or (closing) what was done; reopening: why.",
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["event", "-at", "-id"], name="treat_incident_latest")]

    def __str__(self) -> str:
        return f"{self.get_state_display()}: {self.event}"
