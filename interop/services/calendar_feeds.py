"""Calendar feeds: making, revoking and serving a subscription link (issue 21).

A link is `/interop/calendar/<token>.ics`, the token 32 random bytes (256 bits, from
`secrets`), so it cannot be guessed; only its SHA-256 is stored, so it is shown once, when
it is made. "Revoke and make a new link" ends the old one in the same transaction.

Serving a fetch is cheap by design: the link is found by its hash through a unique index
(one query), the visits in the window by the (practitioner, start) or (patient, start)
index (one query), then one access-log row. A calendar app polls every few minutes to
hours; more than `CALENDAR_FEED_FETCHES_PER_HOUR` fetches of one link in an hour answer 429
from the cache without touching the database.

Building events with `icalendar` costs milliseconds per event (a busy practitioner's year
is 500+ events, seconds on a loaded machine), while the visits rarely change between two
polls. So each response carries an ETag, a fingerprint of everything the events show read
from the same query; a calendar that sends it back gets 304 and nothing is built, and the
body of a fingerprint already built is kept in the cache for an hour. A cancelled or moved
visit changes the fingerprint, so the next fetch shows it at once.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from clinic.ics import patient_initials
from clinic.models import AccessLog, Appointment, Patient, Practitioner, User
from clinic.origin import Origin
from clinic.services import access_log_write
from interop.models import CalendarFeed

logger = logging.getLogger(__name__)

TOKEN_BYTES = 32
# token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
# How often last_fetched_at is refreshed: enough to tell "in use" from "forgotten" without
# a write on every poll.
FETCH_MARK_EVERY = timedelta(minutes=15)


class FeedError(Exception):
    """A link that cannot be made or ended, with the message for the holder."""


@dataclass(frozen=True)
class IssuedFeed:
    feed: CalendarFeed
    token: str


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(**holder) -> tuple[CalendarFeed, str]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = CalendarFeed.objects.create(token_hash=token_digest(token), **holder)
    return feed, token


def _revoke_live(*, by: User, now, **holder) -> int:
    return CalendarFeed.objects.filter(revoked_at__isnull=True, **holder).update(
        revoked_at=now, revoked_by=by
    )


@transaction.atomic
def practitioner_feed_issue(*, practitioner: Practitioner, by: User) -> IssuedFeed:
    """A new link to `practitioner`'s schedule; their live link, if any, stops working."""
    if not practitioner.active:
        raise FeedError("This practitioner is not active, so has no schedule to follow.")
    # The holder's row is the lock: two tabs asking at once make one link after the other.
    Practitioner.objects.select_for_update().filter(pk=practitioner.pk).exists()
    _revoke_live(by=by, now=timezone.now(), practitioner=practitioner)
    feed, token = _issue(
        kind=CalendarFeed.Kind.PRACTITIONER, practitioner=practitioner, created_by=by
    )
    logger.info("calendar feed %s made for practitioner %s", feed.pk, practitioner.pk)
    return IssuedFeed(feed, token)


@transaction.atomic
def patient_feed_issue(*, patient: Patient, by: User) -> IssuedFeed:
    """A new link to `patient`'s own visits; their live link, if any, stops working."""
    Patient.objects.select_for_update().filter(pk=patient.pk).exists()
    _revoke_live(by=by, now=timezone.now(), patient=patient)
    feed, token = _issue(kind=CalendarFeed.Kind.PATIENT, patient=patient, created_by=by)
    logger.info("calendar feed %s made for patient %s", feed.pk, patient.pk)
    return IssuedFeed(feed, token)


@transaction.atomic
def calendar_feed_revoke(*, feed: CalendarFeed, by: User) -> bool:
    """End a link (it answers 404 from now on). False if it had ended already."""
    ended = CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by
    )
    if ended:
        logger.info("calendar feed %s revoked", feed.pk)
    return bool(ended)


def feed_rate_limited(feed: CalendarFeed) -> bool:
    """Count this fetch against the link's hourly allowance; True once it is spent."""
    hour = int(timezone.now().timestamp() // 3600)
    key = f"interop:calfeed:{feed.token_hash[:24]}:{hour}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > settings.CALENDAR_FEED_FETCHES_PER_HOUR


def feed_fetch_record(*, feed: CalendarFeed, origin: Origin, events: int) -> None:
    """The fetch in the access log (the path without its token: the log is read by
    people who must not be able to subscribe), and last_fetched_at now and then."""
    holder = feed.practitioner.user if feed.practitioner_id else feed.patient.user
    access_log_write(
        by=holder,
        origin=origin,
        patient=feed.patient if feed.patient_id else None,
        what=f"calendar feed {feed.pk} ({feed.get_kind_display().lower()}, {events} visits)",
        action=AccessLog.Action.DOWNLOAD,
    )
    now = timezone.now()
    if feed.last_fetched_at is None or now - feed.last_fetched_at >= FETCH_MARK_EVERY:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)
    logger.info("calendar feed %s fetched (%s visits)", feed.pk, events)


# Bump when clinic/ics.py changes what an event shows, so no body built before is served.
FEED_FORMAT = 2
FEED_BODY_SECONDS = 3600


def feed_fingerprint(feed: CalendarFeed, visits: list[Appointment], name: str) -> str:
    """A digest of everything the feed's events show (the ETag, and the key of the built
    body in the cache)."""
    digest = hashlib.sha256()
    digest.update(
        repr(
            (FEED_FORMAT, feed.kind, name, settings.SITE_URL, settings.CLINIC_NAME,
             settings.CLINIC_PHONE)
        ).encode()
    )  # fmt: skip
    practitioner_feed = feed.kind == CalendarFeed.Kind.PRACTITIONER
    for visit in visits:
        common = (visit.pk, visit.start.isoformat(), visit.end.isoformat(), visit.status)
        if practitioner_feed:
            room = visit.room.name if visit.room_id is not None else ""
            shown = (visit.type.name, visit.location.name, room, patient_initials(visit.patient))
        else:
            shown = (
                visit.type.name,
                visit.location.address,
                visit.location.name,
                str(visit.practitioner),
            )
        digest.update(repr(common + shown).encode())
    return digest.hexdigest()[:32]


def feed_body(feed: CalendarFeed, fingerprint: str, build) -> bytes:
    """The feed's calendar file: from the cache when this fingerprint was built before,
    else `build()` (kept for the next poll)."""
    key = f"interop:calfeed:body:{feed.pk}:{fingerprint}"
    body = cache.get(key)
    if body is None:
        body = build()
        cache.set(key, body, timeout=FEED_BODY_SECONDS)
    return body
