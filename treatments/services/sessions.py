"""Writes for IMS treatment sessions. Every change goes through here: each function locks
the session row, refuses a signed session, validates and saves atomically. Signing checks
every precondition a college would ask about and names each one that fails."""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from assessments.selectors import assessment_latest
from clinic import services as clinic_services
from clinic import signing
from clinic.models import Appointment, CareTeamMember, Patient, Practitioner, User
from clinic.permissions import Role
from clinic.selectors import NeedlingReadiness, consent_version_current, needling_readiness
from clinic.selectors.care_plans import care_plan_active
from clinic.selectors.scheduling import ims_next_eligible, min_interval, needling_days
from treatments.models import (
    AdverseEvent,
    NeedlingCredential,
    NeedlingSite,
    RomRetest,
    SessionAddendum,
    TreatmentSession,
)
from treatments.services import summaries
from treatments.tasks import adverse_event_notify_task

PART_MODELS: dict[str, type[models.Model]] = {"site": NeedlingSite, "retest": RomRetest}
SESSION_FIELDS = (
    "session_date",
    "rescreen_medication",
    "rescreen_pregnancy",
    "rescreen_conditions",
    "rescreen_contraindication",
    "rescreen_acutely_unwell",
    "rescreen_notes",
    "subjective",
    "objective",
    "nprs_before",
    "nprs_after",
    "needles_opened",
    "needles_removed",
    "needles_disposed",
    "needle_integrity_checked",
    "home_care",
    "home_care_text",
    "plan",
    "next_visit_on",
    "bilateral_thorax_reason",
)
# Shown next to the reason field in the sign panel (TreatmentSession.needled_both_sides_of_
# thorax gives the caution and its sources).
BILATERAL_THORAX_PROBLEM = (
    "Both sides of the thorax: give a one-line reason for needling chest-wall muscles on "
    "the left and the right in one session."
)


class SessionLocked(signing.NoteLocked):
    message = "This session is signed and locked. Add an addendum to correct it."


class NotTheAuthor(signing.NotTheAuthor):
    message = "Only the physiotherapist who treated the patient can change or sign this note."


def _locked_draft(session: TreatmentSession, by: User) -> TreatmentSession:
    return SessionSigning(session).locked_draft(by)


def _active_plan_id(patient: Patient) -> int | None:
    plan = care_plan_active(patient)
    return plan.pk if plan else None


@transaction.atomic
def session_start(
    *, patient: Patient, practitioner: Practitioner, appointment: Appointment | None = None
) -> TreatmentSession:
    """Open the session note for a visit (or return the one already open for it), linked
    to the latest assessment so its suggested muscles come first, and to the visit's care
    plan (without a visit: the patient's active plan, if any)."""
    if appointment is not None:
        if appointment.patient_id != patient.pk:
            raise ValidationError("That appointment belongs to another patient.")
        existing = TreatmentSession.objects.filter(appointment=appointment).first()
        if existing is not None:
            return existing
    return TreatmentSession.objects.create(
        patient=patient,
        practitioner=practitioner,
        appointment=appointment,
        care_plan_id=appointment.plan_id if appointment else _active_plan_id(patient),
        assessment=assessment_latest(patient),
        session_date=timezone.localtime(appointment.start).date()
        if appointment
        else timezone.localdate(),
    )


@transaction.atomic
def session_update(*, session: TreatmentSession, by: User, **fields: Any) -> TreatmentSession:
    """Save fields of a draft note (re-screen, subjective and objective, pain scores,
    needle count, advice, plan)."""
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"not session fields: {', '.join(sorted(unknown))}")
    current = _locked_draft(session, by)
    home_care = fields.pop("home_care", None)
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean(exclude=["home_care"])
    current.save()
    if home_care is not None:
        current.home_care.set(home_care)
    return current


@transaction.atomic
def part_save(*, session: TreatmentSession, by: User, part: models.Model) -> models.Model:
    """Validate and save a needling site or a range re-test of a draft session."""
    current = _locked_draft(session, by)
    if type(part) not in PART_MODELS.values():
        raise TypeError(f"not a session part: {type(part).__name__}")
    if part.pk and part.session_id != current.pk:
        raise ValidationError("That row belongs to another session.")
    part.session = current
    part.full_clean()
    part.save()
    return part


# What a copied site takes from its source: everything the physiotherapist chose, not its
# identity, its session, its time, nor the pneumothorax acknowledgement (below).
SITE_COPY_FIELDS = tuple(
    field.name
    for field in NeedlingSite._meta.concrete_fields
    if field.name not in {"id", "session", "created_at", "pneumothorax_acknowledged"}
)
CHEST_WALL_NOT_COPIED = (
    "{muscle} lies over the chest wall and was not copied: add it in the site form, "
    "acknowledging the pneumothorax precaution for this session."
)


def _site_copy(source: NeedlingSite, session: TreatmentSession) -> NeedlingSite:
    copy = NeedlingSite(session=session, **site_copy_values(source))
    copy.full_clean()
    copy.save()
    return copy


def site_copy_values(source: NeedlingSite) -> dict:
    """A site's values as a new site takes them ("copy previous site", "repeat last
    session's sites"): everything the physiotherapist chose, foreign keys as objects; not
    the pneumothorax acknowledgement, which is given per site when it is entered."""
    return {field: getattr(source, field) for field in SITE_COPY_FIELDS}


def sites_last_signed(session: TreatmentSession) -> TreatmentSession | None:
    """The patient's most recent signed session before this one, or None."""
    return (
        TreatmentSession.objects.filter(
            patient_id=session.patient_id, status=TreatmentSession.Status.SIGNED
        )
        .exclude(pk=session.pk)
        .order_by("-session_date", "-signed_at", "-pk")
        .first()
    )


@transaction.atomic
def sites_repeat_last(
    *, session: TreatmentSession, by: User
) -> tuple[list[NeedlingSite], list[str]]:
    """ "Repeat last session's sites": copy every site of the patient's last signed session
    into this draft, as a starting point (each one editable or removable). Only into a
    draft without sites, so nothing is doubled by a second click; chest-wall sites are left
    out, with a line saying so for each: the pneumothorax precaution is acknowledged per
    site when it is entered (see NeedlingSite), never carried over by a click. Returns
    (copies, skipped notes)."""
    current = _locked_draft(session, by)
    if current.sites.exists():
        raise ValidationError(
            "This note has sites already: copy single sites, or remove them first."
        )
    previous = sites_last_signed(current)
    if previous is None:
        raise ValidationError("There is no signed session of this patient to repeat.")
    sources = list(previous.sites.select_related("muscle").order_by("created_at", "pk"))
    if not sources:
        raise ValidationError("The last signed session has no needling sites.")
    copies, skipped = [], []
    for source in sources:
        if source.muscle.chest_wall:
            skipped.append(CHEST_WALL_NOT_COPIED.format(muscle=source.muscle.name))
        else:
            copies.append(_site_copy(source, current))
    return copies, skipped


@transaction.atomic
def part_remove(*, session: TreatmentSession, by: User, kind: str, pk: int) -> None:
    current = _locked_draft(session, by)
    PART_MODELS[kind].objects.filter(session=current, pk=pk).delete()


@transaction.atomic
def adverse_event_record(
    *, session: TreatmentSession, by: User, event: AdverseEvent
) -> AdverseEvent:
    """Record an adverse event, before or after signing (symptoms can appear hours later).
    A significant one (the physiotherapist's judgement, and always when serious or referred
    for medical care: see AdverseEvent) notifies the clinic admins by email once the
    transaction commits."""
    current = TreatmentSession.objects.select_for_update().get(pk=session.pk)
    event.session = current
    event.recorded_by = by
    event.full_clean(exclude=["recorded_by", "session"])
    event.save()
    if event.significant:
        adverse_event_notify_task.delay_on_commit(event.pk)
    return event


def adverse_event_notify(event_id: int) -> bool:
    """Email the clinic admins about a significant (or serious) adverse event, once.
    Returns False when it was already sent. The email identifies nobody: no patient name or
    other identifier, and none of the free text (description, action, follow-up, referral),
    which may name the patient. It says what kind of event, who recorded it and when, and
    links to the incident in the app, where an admin signs in to read the rest."""
    with transaction.atomic():
        event = (
            AdverseEvent.objects.select_for_update(of=("self",))
            .select_related("session__practitioner")
            .get(pk=event_id)
        )
        if event.admin_notified_at is not None:
            return False
        admins = list(
            get_user_model()
            .objects.filter(groups__name=Role.CLINIC_ADMIN.group_name, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        grade = "Serious" if event.is_serious else "Significant"
        link = settings.SITE_URL.rstrip("/") + reverse("treatments:incident", args=[event.pk])
        referred = "yes" if event.referred_for_care else "no"
        send_mail(
            subject=f"[{settings.CLINIC_NAME}] {grade} adverse event: "
            f"{event.get_kind_display().lower()}",
            message=(
                f"{event.session.practitioner.display_name} recorded a {grade.lower()} "
                f"adverse event ({event.get_kind_display().lower()}, "
                f"{event.get_severity_display().lower()}) "
                f"at {timezone.localtime(event.occurred_at):%Y-%m-%d %H:%M}.\n"
                f"Referred for medical care: {referred}.\n\n"
                f"Open the incident (sign-in required): {link}\n"
            ),
            from_email=None,
            recipient_list=admins,
        )
        event.admin_notified_at = timezone.now()
        event.save(update_fields=["admin_notified_at"])
        return True


# --- Signing --------------------------------------------------------------------------------


def credential_on(practitioner: Practitioner, day: dt.date) -> NeedlingCredential | None:
    return (
        NeedlingCredential.objects.filter(
            practitioner=practitioner, valid_from__lte=day, expires_on__gte=day
        )
        .order_by("-expires_on")
        .first()
    )


def _spacing_problem(session: TreatmentSession) -> str | None:
    """The IMS spacing rule for this date, the same rule as booking
    (clinic.selectors.scheduling.needlings): booked IMS visits and other signed sessions
    with needling sites, of any visit type, at least the minimum interval away, unless the
    visit carries an override."""
    appointment = session.appointment
    if appointment is not None and appointment.spacing_override_reason:
        return None
    gap = dt.timedelta(days=min_interval())
    exclude = appointment.pk if appointment else None
    days = needling_days(session.patient, exclude_pk=exclude)
    close = [day for day in days if abs(day - session.session_date) < gap]
    if not close:
        return None
    nearest = min(close, key=lambda d: abs(d - session.session_date))
    eligible = ims_next_eligible(
        session.patient, on_or_after=session.session_date, exclude_pk=exclude
    )
    return (
        f"IMS spacing: another IMS visit or needling on {nearest:%Y-%m-%d} is less than "
        f"{min_interval()} days from {session.session_date:%Y-%m-%d} (next eligible "
        f"{eligible:%Y-%m-%d}). A physiotherapist can record an override on the appointment."
    )


def _count(value: int | None) -> str:
    """A needle count for a message: 0 is a count; a blank is not counted yet ("—")."""
    return "—" if value is None else str(value)


UNREAD = object()  # a keyword left out: read it here


def sign_problems(
    session: TreatmentSession,
    *,
    readiness: NeedlingReadiness | None = None,
    credential: NeedlingCredential | None | object = UNREAD,
) -> list[str]:
    """Every reason this draft cannot be signed, each naming its precondition; empty when
    it can. Consent, screening, re-screen, credential, needles, spacing, content.

    A page that has just read the patient's `readiness` passes it in rather than reading
    consent and screening twice (and its `credential_on` the session's date, likewise);
    signing itself always reads them afresh under its lock."""
    problems: list[str] = []
    patient = session.patient
    if readiness is None:
        readiness = needling_readiness(patient)
    if not readiness.consent_ok:
        version = consent_version_current()
        problems.append(
            "Consent: no signature on the current consent"
            + (f" (version {version.version})." if version else ".")
        )
    screening = readiness.screening
    if screening.pending:
        problems.append("Screening: the safety screening (intake) is not complete.")
    for entry in screening.contraindications:
        if not entry.cleared:
            problems.append(f"Screening: contraindication not cleared: {entry.item.label}.")
    if not session.rescreen_answered or session.rescreen_acutely_unwell is None:
        problems.append("Re-screen: answer the re-screen questions for today.")
    elif session.rescreen_contraindication:
        problems.append("Re-screen: a new contraindication was reported today.")
    if session.rescreen_acutely_unwell:
        # An absolute contraindication (ASAP 2007/2013; sources in clinic migration 0014).
        problems.append(
            "Re-screen: acutely unwell / medical emergency today: an absolute "
            "contraindication, do not needle."
        )
    if credential is UNREAD:
        credential = credential_on(session.practitioner, session.session_date)
    if credential is None:
        latest = session.practitioner.needling_credentials.order_by("-expires_on").first()
        detail = f" (latest expired {latest.expires_on:%Y-%m-%d})" if latest else ""
        problems.append(
            f"Credential: no needling credential valid on {session.session_date:%Y-%m-%d}{detail}."
        )
    if not session.needles_reconcile:
        problems.append(
            "Needles: opened, removed and disposed must all be counted and equal "
            f"(now {_count(session.needles_opened)} / {_count(session.needles_removed)} / "
            f"{_count(session.needles_disposed)}), and every needle checked intact."
        )
    spacing = _spacing_problem(session)
    if spacing:
        problems.append(spacing)
    if session.nprs_before is None:
        problems.append("Pain: record the pain score before treatment.")
    if not session.sites.exists():
        problems.append("Sites: record at least one needling site.")
    if session.needled_both_sides_of_thorax and not session.bilateral_thorax_reason.strip():
        problems.append(BILATERAL_THORAX_PROBLEM)
    return problems


class SessionSigning(signing.SigningAction[TreatmentSession]):
    """Signing an IMS session note (clinic.signing): only the treating physiotherapist
    signs, and only when every precondition in `sign_problems` holds. Signing records the
    needling day, puts the physiotherapist on the patient's care team (an audited
    CARE_TEAM row) if not on it already, and asks for the patient's visit summary."""

    model = TreatmentSession
    related = ("practitioner", "patient", "appointment")
    Locked = SessionLocked
    NotAuthor = NotTheAuthor

    def preconditions(
        self,
        note: TreatmentSession,
        *,
        readiness: NeedlingReadiness | None = None,
        credential: NeedlingCredential | None | object = UNREAD,
    ) -> list[str]:
        return sign_problems(note, readiness=readiness, credential=credential)

    def lock(self) -> TreatmentSession:
        current = super().lock()
        # The patient row is locked too, so a consent or screening change cannot slip in.
        Patient.objects.select_for_update().get(pk=current.patient_id)
        return current

    def write(self, note: TreatmentSession, user: User) -> TreatmentSession:
        note.status = TreatmentSession.Status.SIGNED
        note.signed_at = timezone.now()
        note.signed_by = user
        note.save(update_fields=["status", "signed_at", "signed_by", "updated_at"])
        if note.sites.exists():  # IMS spacing counts this needling, whatever the visit type
            clinic_services.needling_day_record(
                patient=note.patient,
                day=note.session_date,
                session_id=note.pk,
                appointment=note.appointment,
            )
        clinic_services.care_team_add(
            patient=note.patient,
            practitioner=note.practitioner,
            by=user,
            source=CareTeamMember.Source.SIGNED_RECORD,
        )
        summaries.visit_summary_request(session=note, reason="Session signed")
        return note


def session_sign(*, session: TreatmentSession, by: User) -> TreatmentSession:
    """Sign and lock the note (SessionSigning). Refuses with SessionLocked, NotTheAuthor, or
    a ValidationError listing every problem."""
    return SessionSigning(session).execute(by)


@transaction.atomic
def session_addendum_add(*, session: TreatmentSession, by: User, text: str) -> SessionAddendum:
    current = TreatmentSession.objects.select_for_update().get(pk=session.pk)
    if not current.is_signed:
        raise ValidationError("Edit the draft directly; addenda are for signed notes.")
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write the correction or note."})
    addendum = SessionAddendum(session=current, author=by, text=text)
    addendum.full_clean()  # the text's length limit, keyed to "text"
    addendum.save()
    # The patient's copy must match the record: the addendum re-renders a new version.
    summaries.visit_summary_request(session=current, reason="Addendum added")
    return addendum


def reference_data_ensure(*_: Any, **__: Any) -> None:
    """post_migrate receiver: re-seed needle sizes and home-care advice if a flush emptied
    them (transactional tests, `manage.py flush`). Empty tables only: clinic edits stay."""
    models_seeded = ("NeedleSize", "HomeCareSnippet")
    if not all(global_apps.get_model("treatments", m).objects.exists() for m in models_seeded):
        import_module("treatments.migrations.0002_reference_data").forwards(global_apps, None)
