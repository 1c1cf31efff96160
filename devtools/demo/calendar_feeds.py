"""Demo calendar feeds (issue 21): Maya Chen's schedule and the demo patient's own visits,
each behind a link whose token is derived from the username, so the link stays the same
from one seeding to the next and a demo calendar app keeps working. A real link's token is
random (interop.services.calendar_feeds); these are for the demo clinic only."""

from __future__ import annotations

import base64
import hashlib

from django.conf import settings
from django.urls import reverse

from clinic.models import Patient, User
from interop.models import CalendarFeed
from interop.services import token_digest

LABEL = "calendar feeds"  # how seed_demo counts what build() made
HOLDERS = ("physio", "patient")


def demo_token(username: str) -> str:
    digest = hashlib.sha256(f"cedar-demo-calendar-feed:{username}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def demo_feed_url(username: str) -> str:
    return settings.SITE_URL + reverse("interop:calendar_feed", args=[demo_token(username)])


def build(*, users: dict[str, User], patients: list[Patient]) -> int:
    """The two demo links, unless their holder already has a live link (one they made
    themselves is kept)."""
    made = 0
    for username in HOLDERS:
        user = users[username]
        practitioner = getattr(user, "practitioner", None)
        patient = Patient.objects.filter(user=user).first()
        if username == "physio" and practitioner is not None:
            holder = {"kind": CalendarFeed.Kind.PRACTITIONER, "practitioner": practitioner}
        elif patient is not None:
            holder = {"kind": CalendarFeed.Kind.PATIENT, "patient": patient}
        else:
            continue
        live = {key: value for key, value in holder.items() if key != "kind"}
        if CalendarFeed.objects.filter(revoked_at__isnull=True, **live).exists():
            continue
        CalendarFeed.objects.update_or_create(
            token_hash=token_digest(demo_token(username)),
            defaults={"revoked_at": None, "revoked_by": None, "created_by": user, **holder},
        )
        made += 1
    return made
