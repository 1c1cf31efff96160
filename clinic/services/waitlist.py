"""The waitlist: entries (front desk), matching a free slot, and e-mailed offers.

Matching (`waitlist_matches`) never judges a booking rule itself: the IMS interval is
`clinic.selectors.scheduling.too_close` over the same `needlings` the booking service
counts (read for every candidate at once), and the slot is confirmed with the booking
service's own `appointment_book_check`. Taking an offer books through `appointment_book`
under its locks, so two patients accepting offers for one slot at once are decided one
after the other: the first books, the second is told the time has been taken.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from clinic.models import (
    Appointment,
    ClinicPolicy,
    Patient,
    Practitioner,
    User,
    WaitlistEntry,
    WaitlistOffer,
)
from clinic.permissions import Role
from clinic.queueing import send_after_commit
from clinic.selectors.scheduling import needlings, too_close
from clinic.services.scheduling import (
    BookingError,
    Slot,
    appointment_book,
    appointment_book_check,
    clinic_date,
)
from clinic.tasks import waitlist_offer_gone_task, waitlist_offer_send_task

# Problems of the slot itself (not of one patient): no one on the list can take it.
_PATIENT_PROBLEMS = {"patient_overlap", "spacing", "override"}
# How many ranked candidates the booking service itself re-checks: the first, which judges
# the slot (hours, time off, taken, past) and confirms the batch reading for the top match.
_CONFIRMED = 1


# --- Entries ------------------------------------------------------------------------------


def _entry_check(entry: WaitlistEntry) -> None:
    errors: dict[str, str] = {}
    if not entry.weekday_list:
        errors["weekdays"] = "Choose at least one day."
    if (entry.time_from is None) != (entry.time_to is None):
        field = "time_to" if entry.time_to is None else "time_from"
        errors[field] = "Give both times of the range, or neither."
    elif entry.time_from and entry.time_to and entry.time_to <= entry.time_from:
        errors["time_to"] = "The end of the range must be after its start."
    if entry.latest_date and entry.latest_date < entry.earliest_date:
        errors["latest_date"] = "The latest date must be on or after the earliest date."
    if errors:
        raise ValidationError(errors)


_ENTRY_FIELDS = (
    "type",
    "location",
    "weekdays",
    "windows",
    "time_from",
    "time_to",
    "earliest_date",
    "latest_date",
    "note",
)


@transaction.atomic
def waitlist_entry_create(
    *,
    patient: Patient,
    by: User,
    practitioners: list[Practitioner] | tuple = (),
    **fields,
) -> WaitlistEntry:
    """Put `patient` on the waitlist (fields: see WaitlistEntry); ValidationError by field
    for what does not fit together. The history row records who added them."""
    entry = WaitlistEntry(patient=patient, created_by=by, **_only_entry_fields(fields))
    _entry_check(entry)
    entry._history_user = by
    entry.save()
    entry.practitioners.set(practitioners)
    return entry


@transaction.atomic
def waitlist_entry_update(
    *, entry: WaitlistEntry, by: User, practitioners: list[Practitioner] | tuple = (), **fields
) -> WaitlistEntry:
    """Change what a waiting entry asks for (a booked or removed one cannot change)."""
    current = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if current.status != WaitlistEntry.Status.WAITING:
        raise ValidationError(
            f"This entry is {current.get_status_display().lower()}; it can no longer change."
        )
    for name, value in _only_entry_fields(fields).items():
        setattr(current, name, value)
    _entry_check(current)
    current._history_user = by
    current.save()
    current.practitioners.set(practitioners)
    return current


def _only_entry_fields(fields: dict) -> dict:
    unknown = set(fields) - set(_ENTRY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown waitlist fields: {sorted(unknown)}")
    return fields


@transaction.atomic
def waitlist_entry_remove(*, entry: WaitlistEntry, by: User, reason: str = "") -> WaitlistEntry:
    """Take the patient off the list (kept, with its history); open offers are withdrawn."""
    current = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if current.status != WaitlistEntry.Status.WAITING:
        raise ValidationError(f"This entry is already {current.get_status_display().lower()}.")
    current.status = WaitlistEntry.Status.REMOVED
    current._history_user = by
    current._change_reason = reason[:100] or "removed from the waitlist"
    current.save()
    current.offers.filter(status=WaitlistOffer.Status.PENDING).update(
        status=WaitlistOffer.Status.WITHDRAWN, answered_at=timezone.now()
    )
    return current


@transaction.atomic
def waitlist_entry_booked(
    *, entry_id: int, appointment: Appointment, by: User
) -> WaitlistEntry | None:
    """The desk booked `appointment` from the waitlist matches ("Book" carries the entry):
    the entry becomes booked with that appointment, and its open offers are withdrawn, as
    when the patient takes an e-mailed offer. Only a waiting entry of the booked patient
    changes (the desk may have picked someone else on the form); otherwise nothing does
    and None is returned. Call it in the booking's transaction: booked and closed together."""
    entry = (
        WaitlistEntry.objects.select_for_update(of=("self",))
        .filter(pk=entry_id, patient_id=appointment.patient_id)
        .first()
    )
    if entry is None or entry.status != WaitlistEntry.Status.WAITING:
        return None
    entry.status, entry.appointment = WaitlistEntry.Status.BOOKED, appointment
    entry._history_user = by
    entry._change_reason = "booked by the desk from the waitlist matches"
    entry.save()
    entry.offers.filter(status=WaitlistOffer.Status.PENDING).update(
        status=WaitlistOffer.Status.WITHDRAWN, answered_at=timezone.now()
    )
    return entry


# --- Matching -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    entry: WaitlistEntry
    preferred: bool  # the entry names this practitioner (not "anyone")

    @property
    def patient(self) -> Patient:
        return self.entry.patient


@dataclass(frozen=True)
class Matches:
    slot: Slot
    matches: list[Match]
    problem: str = ""  # the slot itself cannot be booked (then no matches)


def _rank(match: Match) -> tuple:
    entry = match.entry
    return (not match.preferred, entry.created_at, entry.earliest_date, entry.pk)


def waitlist_matches(*, slot: Slot, by: User, limit: int = 20) -> Matches:
    """The waiting entries that `slot` suits and that the booking service would book now,
    best first (at most `limit`).

    Suits: same visit type; the slot's location (or the entry's "any"); its practitioner
    among the preferred (or "any"); its clinic-local weekday among the entry's days; its
    start within the entry's times; its date within earliest..latest.

    Left out: a patient with another visit overlapping the slot, and, for an IMS slot, a
    patient for whom it would break the IMS interval (`too_close` over `needlings`, the
    booking rule; a care plan's twice-weekly allowance is not assumed here, so such a
    patient is booked from the booking form instead). The best ranked is then checked
    with `appointment_book_check` itself; a refusal of the slot (hours, time off, taken,
    past) returns no matches and says why.

    Ranking, best first:
      1. the entry names this practitioner (a preference met beats "anyone");
      2. longest waiting (added to the list first);
      3. earliest date soonest (the one who has been ready longest), then the entry id.

    Queries do not grow with the list: the entries with their patients and practitioners,
    the patients' overlapping visits and their needlings (two) are each one query, then
    one service check."""
    local = timezone.localtime(slot.start)
    day = local.date()
    end_time = timezone.localtime(slot.end).time()
    entries = (
        WaitlistEntry.objects.filter(
            Q(location__isnull=True) | Q(location=slot.location),
            status=WaitlistEntry.Status.WAITING,
            type=slot.type,
            earliest_date__lte=day,
            weekdays__contains=str(day.weekday()),
        )
        .exclude(latest_date__lt=day)
        .select_related("patient", "type", "location")
        .prefetch_related("practitioners")
    )
    found: list[Match] = []
    for entry in entries:
        if not entry.fits_time(local.time(), end_time):
            continue
        wanted = {p.pk for p in entry.practitioners.all()}
        if wanted and slot.practitioner.pk not in wanted:
            continue
        found.append(Match(entry=entry, preferred=bool(wanted)))
    if not found:
        return Matches(slot=slot, matches=[])
    patient_ids = sorted({m.entry.patient_id for m in found})
    busy = set(
        Appointment.objects.filter(
            patient_id__in=patient_ids, start__lt=slot.end, end__gt=slot.start
        )
        .exclude(status=Appointment.Status.CANCELLED)
        .values_list("patient_id", flat=True)
    )
    too_soon: set[int] = set()
    if slot.type.is_ims:
        days: dict[int, list[dt.date]] = {}
        for needling in needlings(patient_ids=patient_ids):
            days.setdefault(needling.patient_id, []).append(needling.day)
        too_soon = {pk for pk, dates in days.items() if too_close(clinic_date(slot.start), dates)}
    ranked = sorted((m for m in found if m.entry.patient_id not in busy | too_soon), key=_rank)
    # One patient once (two entries of one patient: the better ranked).
    seen: set[int] = set()
    ranked = [m for m in ranked if not (m.entry.patient_id in seen or seen.add(m.entry.patient_id))]
    confirmed: list[Match] = []
    for match in ranked[:_CONFIRMED]:
        try:
            appointment_book_check(patient=match.entry.patient, slot=slot, by=by)
        except BookingError as refusal:
            slot_problems = [p for p in refusal.problems if p.code not in _PATIENT_PROBLEMS]
            if slot_problems:
                return Matches(slot=slot, matches=[], problem=slot_problems[0].message)
            continue
        confirmed.append(match)
    return Matches(slot=slot, matches=(confirmed + ranked[_CONFIRMED:])[:limit])


# --- Offers -------------------------------------------------------------------------------

_SALT = "clinic.waitlist-offer"


def waitlist_offer_token(offer: WaitlistOffer) -> str:
    """The e-mailed link's token: the offer's id and its random nonce, signed with
    SECRET_KEY. A changed character fails the signature; a valid token of another offer
    names that offer only. One-time by the offer's status, not by the token."""
    return signing.dumps([offer.pk, offer.nonce], salt=_SALT, compress=False)


def waitlist_offer_for_token(token: str) -> WaitlistOffer | None:
    """The offer a token names, or None for a forged, mangled or unknown one."""
    try:
        pk, nonce = signing.loads(token, salt=_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(pk, int) or not isinstance(nonce, str):
        return None
    offer = (
        WaitlistOffer.objects.select_related("entry__patient", "practitioner", "location", "type")
        .filter(pk=pk)
        .first()
    )
    if offer is None or not constant_time_compare(offer.nonce, nonce):
        return None
    return offer


def waitlist_offer_url(offer: WaitlistOffer) -> str:
    return settings.SITE_URL + reverse("clinic:waitlist_offer", args=[waitlist_offer_token(offer)])


def _expiry(start: dt.datetime) -> dt.datetime:
    """WAITLIST_OFFER_HOURS from now, and never after the slot starts."""
    return min(timezone.now() + dt.timedelta(hours=settings.WAITLIST_OFFER_HOURS), start)


def _slot_of(offer: WaitlistOffer) -> Slot:
    return Slot(
        practitioner=offer.practitioner, location=offer.location, start=offer.start, type=offer.type
    )


@transaction.atomic
def waitlist_offer_create(*, entry: WaitlistEntry, slot: Slot, by: User) -> WaitlistOffer:
    """Offer `slot` to the entry's patient by e-mail (sent after commit). Refused
    (ValidationError) when the entry is no longer waiting, the patient has no confirmed
    e-mail address, the same slot is already offered to them, or the booking service would not
    book them into it now."""
    current = WaitlistEntry.objects.select_for_update().select_related("patient").get(pk=entry.pk)
    if current.status != WaitlistEntry.Status.WAITING:
        raise ValidationError(f"This entry is {current.get_status_display().lower()}.")
    patient = current.patient
    if not patient.email:
        raise ValidationError(
            f"{patient.display_name} has no e-mail address on file: phone them instead."
        )
    if not patient.email_confirmed:
        # The link books the visit for whoever opens it: only a mailbox the patient proved
        # is theirs gets one (as clinical documents, issue 16).
        raise ValidationError(
            f"{patient.display_name} has not confirmed their e-mail address yet: phone them "
            "instead."
        )
    if current.offers.filter(
        status=WaitlistOffer.Status.PENDING, practitioner=slot.practitioner, start=slot.start
    ).exists():
        raise ValidationError(f"This time is already offered to {patient.display_name}.")
    try:
        appointment_book_check(patient=patient, slot=slot, by=by)
    except BookingError as refusal:
        raise ValidationError(refusal.message) from refusal
    offer = WaitlistOffer.objects.create(
        entry=current,
        practitioner=slot.practitioner,
        location=slot.location,
        type=slot.type,
        start=slot.start,
        expires_at=_expiry(slot.start),
        created_by=by,
    )
    send_after_commit(waitlist_offer_send_task, offer.pk)
    return offer


def waitlist_offers_make(*, slot: Slot, by: User, count: int) -> list[WaitlistOffer]:
    """Offer `slot` to the first `count` matches that can receive an e-mail (the
    automatic offer); each offer is its own transaction."""
    made: list[WaitlistOffer] = []
    for match in waitlist_matches(slot=slot, by=by).matches:
        if len(made) >= count:
            break
        try:
            made.append(waitlist_offer_create(entry=match.entry, slot=slot, by=by))
        except ValidationError:
            continue
    return made


def waitlist_slot_freed(*, appointment_id: int) -> int:
    """A visit was cancelled (by the desk, the portal or a reminder's link): when the clinic
    has turned automatic offers on (ClinicPolicy.waitlist_auto_offer), offer its slot to
    the best matches. Returns how many offers were made; safe to run twice (an entry is
    never offered the same slot twice while an offer is pending)."""
    policy = ClinicPolicy.current()
    if not policy.waitlist_auto_offer:
        return 0
    appointment = (
        Appointment.objects.select_related("practitioner", "location", "type", "cancelled_by")
        .filter(pk=appointment_id, status=Appointment.Status.CANCELLED)
        .first()
    )
    if appointment is None or appointment.start <= timezone.now():
        return 0
    slot = Slot(
        practitioner=appointment.practitioner,
        location=appointment.location,
        start=appointment.start,
        type=appointment.type,
    )
    # The offer (and the booking it may make) is the clinic's: made in the name of the staff
    # member who cancelled or booked the visit, never of a patient who cancelled online.
    by = next(
        (
            user
            for user in (appointment.cancelled_by, appointment.booked_by)
            if user is not None and user.is_active and not user.has_role(Role.PATIENT)
        ),
        None,
    )
    if by is None:
        return 0  # the desk sees the freed time on the waitlist page and offers it
    return len(waitlist_offers_make(slot=slot, by=by, count=policy.waitlist_offer_count))


def _send(template: str, subject: str, offer: WaitlistOffer, **extra) -> None:
    context = {
        "offer": offer,
        "patient": offer.entry.patient,
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        **extra,
    }
    send_mail(
        subject=subject,
        message=render_to_string(template, context),
        from_email=None,
        recipient_list=[offer.entry.patient.email],
    )


def waitlist_offer_send(*, offer_id: int) -> bool:
    """E-mail the offer's link while it is pending and unsent (claimed under a row lock,
    so a task run twice sends once)."""
    with transaction.atomic():
        offer = (
            WaitlistOffer.objects.select_for_update(of=("self",))
            .select_related("entry__patient", "practitioner", "location", "type")
            .filter(pk=offer_id)
            .first()
        )
        if (
            offer is None
            or not offer.is_open
            or offer.sent_at
            or not offer.entry.patient.email_confirmed
        ):
            return False
        offer.sent_at = timezone.now()
        offer.save(update_fields=["sent_at"])
        _send(
            "clinic/email/waitlist_offer.txt",
            f"An earlier appointment is free at {settings.CLINIC_NAME}",
            offer,
            url=waitlist_offer_url(offer),
        )
    return True


def waitlist_offer_gone_send(*, offer_id: int) -> bool:
    """Tell the patient the time they were offered has been taken (once per offer)."""
    with transaction.atomic():
        offer = (
            WaitlistOffer.objects.select_for_update(of=("self",))
            .select_related("entry__patient", "practitioner", "location", "type")
            .filter(pk=offer_id, status=WaitlistOffer.Status.GONE, gone_sent_at__isnull=True)
            .first()
        )
        if offer is None or not offer.sent_at or not offer.entry.patient.email:
            return False
        offer.gone_sent_at = timezone.now()
        offer.save(update_fields=["gone_sent_at"])
        _send(
            "clinic/email/waitlist_offer_gone.txt",
            f"That appointment has been taken - {settings.CLINIC_NAME}",
            offer,
        )
    return True


class Outcome(Enum):
    BOOKED = "booked"  # this acceptance booked the slot
    USED = "used"  # the link was used before (it booked then)
    TAKEN = "taken"  # someone else took the time first, or it is no longer free
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"  # the desk withdrew it, or the patient is no longer waiting


def waitlist_offer_accept(*, offer: WaitlistOffer) -> tuple[Outcome, Appointment | None]:
    """The patient takes the offered time. First to accept wins: the practitioner row is
    locked first (as the booking service locks it), then the entry and the offer, so two
    acceptances of one slot run one after the other; the booking itself is
    `appointment_book` with every rule, by the staff member who made the offer. The
    winner's entry becomes booked, the other pending offers of that slot are marked gone
    and their patients told (after commit), and the winner's other offers are withdrawn.
    Any other state changes nothing and says why."""
    with transaction.atomic():
        Practitioner.objects.select_for_update().get(pk=offer.practitioner_id)
        # The entry before the offer, as waitlist_entry_remove locks them: no circular wait.
        entry = (
            WaitlistEntry.objects.select_for_update(of=("self",))
            .select_related("patient")
            .get(pk=offer.entry_id)
        )
        current = (
            WaitlistOffer.objects.select_for_update(of=("self",))
            .select_related("practitioner", "location", "type", "created_by")
            .get(pk=offer.pk)
        )
        status = WaitlistOffer.Status
        if current.status == status.ACCEPTED:
            return Outcome.USED, current.appointment
        if current.status == status.GONE:
            return Outcome.TAKEN, None
        if current.status == status.WITHDRAWN:
            return Outcome.WITHDRAWN, None
        now = timezone.now()
        if current.status == status.EXPIRED or current.expires_at <= now:
            current.status = status.EXPIRED
            current.save(update_fields=["status"])
            return Outcome.EXPIRED, None
        if entry.status != WaitlistEntry.Status.WAITING:
            current.status, current.answered_at = status.WITHDRAWN, now
            current.save(update_fields=["status", "answered_at"])
            return Outcome.WITHDRAWN, None
        try:
            appointment = appointment_book(
                patient=entry.patient,
                slot=_slot_of(current),
                by=current.created_by,
                note="From the waitlist: taken by the patient from an e-mailed offer",
            )
        except BookingError:
            current.status, current.answered_at = status.GONE, now
            current.save(update_fields=["status", "answered_at"])
            return Outcome.TAKEN, None
        current.status, current.answered_at, current.appointment = status.ACCEPTED, now, appointment
        current.save(update_fields=["status", "answered_at", "appointment"])
        entry.status, entry.appointment = WaitlistEntry.Status.BOOKED, appointment
        entry._history_user = current.created_by
        entry._change_reason = "booked from an e-mailed waitlist offer"
        entry.save()
        others = WaitlistOffer.objects.filter(
            practitioner_id=current.practitioner_id, start=current.start, status=status.PENDING
        ).exclude(pk=current.pk)
        gone = list(others.values_list("pk", flat=True))
        others.update(status=status.GONE, answered_at=now)
        for pk in gone:
            send_after_commit(waitlist_offer_gone_task, pk)
        entry.offers.filter(status=status.PENDING).update(status=status.WITHDRAWN, answered_at=now)
        return Outcome.BOOKED, appointment


def waitlist_offers_expire() -> int:
    """Mark pending offers past their time as expired (beat, every few minutes); their
    links then say so. Returns how many."""
    return WaitlistOffer.objects.filter(
        status=WaitlistOffer.Status.PENDING, expires_at__lte=timezone.now()
    ).update(status=WaitlistOffer.Status.EXPIRED)


@transaction.atomic
def waitlist_offer_withdraw(*, offer: WaitlistOffer, by: User) -> WaitlistOffer:
    """The desk withdraws a pending offer (the link then says so; the time can be offered
    to someone else). Locks the entry, then the offer, in the order waitlist_offer_accept
    takes them, so a patient accepting at the same moment is decided one way or the other:
    an offer already taken stays taken and this says so. Audited: the entry's history gets
    a row by `by` naming the offer withdrawn."""
    entry = WaitlistEntry.objects.select_for_update(of=("self",)).get(pk=offer.entry_id)
    current = (
        WaitlistOffer.objects.select_for_update(of=("self",))
        .select_related("practitioner")
        .get(pk=offer.pk)
    )
    if current.status != WaitlistOffer.Status.PENDING:
        raise ValidationError(
            f"This offer is no longer open ({current.get_status_display().lower()})."
        )
    current.status, current.answered_at = WaitlistOffer.Status.WITHDRAWN, timezone.now()
    current.save(update_fields=["status", "answered_at"])
    when = timezone.localtime(current.start)
    entry._history_user = by
    reason = f"offer of {when:%Y-%m-%d %H:%M} with {current.practitioner} withdrawn"
    entry._change_reason = reason[:100]
    entry.save()
    return current
