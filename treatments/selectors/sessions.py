"""Reads for sessions and the patient chart, each shaped for one page (or PDF)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.urls import reverse
from django.utils.safestring import SafeString

from assessments.models import Muscle
from assessments.selectors import patient_assessments, suggested_muscles
from clinic.models import Appointment, OutcomeScore, Patient, Practitioner
from clinic.reference_cache import ReferenceData
from clinic.selectors import (
    OpenNote,
    OpenNotesProvider,
    open_notes,
    open_notes_rows,
    outcome_tracks,
)
from clinic.selectors.intake import OutcomeTrack
from treatments import charts
from treatments.models import (
    AdverseEvent,
    CourseSummary,
    NeedlingSite,
    SessionAddendum,
    TreatmentSession,
    VisitSummary,
)
from treatments.models.session import depth_direction_text

SESSIONS_PER_PAGE = 10


def _session(pk: int, *more: str | Prefetch) -> TreatmentSession:
    # Three joins, the visit and the signer prefetched (a query each only when the note has
    # one): on PostgreSQL, planning the six-table outer join took ~2 ms of every request,
    # ten times what running it took (EXPLAIN ANALYZE on the bench data, issue 18).
    return (
        TreatmentSession.objects.select_related("patient", "practitioner", "assessment")
        .prefetch_related(
            Prefetch("appointment", queryset=Appointment.objects.select_related("type")),
            Prefetch(
                "sites",
                queryset=NeedlingSite.objects.select_related("muscle", "segment", "needle"),
            ),
            "retests",
            "home_care",
            *more,
        )
        .get(pk=pk)
    )


def session_detail(pk: int) -> TreatmentSession:
    """One session with everything its note shows, in a fixed number of queries."""
    return _session(
        pk,
        "signed_by",
        Prefetch("adverse_events", queryset=AdverseEvent.objects.select_related("recorded_by")),
        Prefetch("addenda", queryset=SessionAddendum.objects.select_related("author")),
    )


def session_for_edit(pk: int) -> TreatmentSession:
    """A draft as the session form shows it: its sites, re-tests and advice (not the
    events and addenda of the note's own page)."""
    return _session(pk)


def _sessions(patient: Patient) -> QuerySet[TreatmentSession]:
    # Only the columns a chart line shows (a note has some forty): fewer values to read and
    # turn into instances, and a smaller GROUP BY for the addenda count.
    return (
        TreatmentSession.objects.filter(patient=patient)
        .select_related("practitioner")
        .only(
            "session_date",
            "status",
            "nprs_before",
            "nprs_after",
            "practitioner__display_name",
        )
        .prefetch_related(
            Prefetch(
                "adverse_events",
                queryset=AdverseEvent.objects.only(
                    "session_id", "kind", "significant", "referred_for_care", "referred_to"
                ),
            )
        )
        .annotate(n_addenda=Count("addenda"))
        .order_by("-session_date", "-created_at")
    )


def _add_sites_lines(sessions: Page) -> None:
    """Each session's line of sites on the chart, e.g. "Supinator R (C6), Infraspinatus L
    (C5; 15 mm deep, ...)" ('' without sites), in the sites' own order: one query of values
    for the page, built here rather than by model instances and a template loop of several
    lookups per site (a page of ten sessions holds eighty sites or more)."""
    lines: dict[int, list[str]] = {session.pk: [] for session in sessions}
    rows = NeedlingSite.objects.filter(session__in=list(lines)).values_list(
        "session_id", "muscle__name", "side", "segment__code", "needle_depth_mm", "needle_direction"
    )
    for session_id, muscle, side, segment, depth, direction in rows:
        detail = depth_direction_text(depth, direction)
        lines[session_id].append(
            f"{muscle} {side} ({segment}" + (f"; {detail})" if detail else ")")
        )
    for session in sessions:
        session.sites_line = ", ".join(lines[session.pk])


@dataclass
class Chart:
    patient: Patient
    sessions: Page
    assessments: list
    scores: dict[str, list[OutcomeScore]]
    outcomes: list[OutcomeTrack]  # each score with its change from baseline and the MCID
    pain_svg: SafeString
    scores_svg: SafeString
    open_notes: list[OpenNote]


def chart_for_patient(patient: Patient, *, page: int | str = 1) -> Chart:
    """The patient chart: notes still owed, sessions newest first (paginated),
    assessments, outcome scores and the progress charts. A constant number of queries
    however long the history."""
    paginator = Paginator(_sessions(patient), SESSIONS_PER_PAGE)
    # One short read of every session serves the count (without the addenda annotation,
    # which would make it a grouped subquery) and the pain chart (the signed ones).
    rows = list(
        TreatmentSession.objects.filter(patient=patient)
        .order_by("session_date", "created_at")
        .values_list("status", "session_date", "nprs_before", "nprs_after")
    )
    paginator.count = len(rows)
    sessions = paginator.get_page(page)
    _add_sites_lines(sessions)
    pain = [row[1:] for row in rows if row[0] == TreatmentSession.Status.SIGNED]
    fetched = list(OutcomeScore.objects.filter(patient=patient).order_by("recorded_at", "pk"))
    scores: dict[str, list[OutcomeScore]] = {}
    for score in fetched:
        scores.setdefault(score.instrument, []).append(score)
    series = [
        charts.ScoreSeries(
            label=entries[0].instrument_label,
            points=[
                (s.recorded_at.date(), float(s.value) * 100 / float(s.maximum or 1))
                for s in entries
            ],
            higher_is_worse=entries[0].higher_is_worse,
        )
        for instrument, entries in scores.items()
        if instrument != "NPRS"
    ]
    return Chart(
        patient=patient,
        sessions=sessions,
        assessments=list(patient_assessments(patient)[:5]),
        scores=scores,
        outcomes=outcome_tracks(fetched),
        pain_svg=charts.pain_chart([charts.PainPoint(*row) for row in pain]),
        scores_svg=charts.scores_chart(series),
        # Anyone's unsigned drafts and note-less IMS visits of this patient (one query each).
        open_notes=open_notes(patient=patient),
    )


class MuscleChoice(NamedTuple):
    """A muscle as the picker offers it (no model instance: it lists every muscle)."""

    pk: int
    name: str


def _active_muscles() -> list[MuscleChoice]:
    return [
        MuscleChoice(pk, name)
        for pk, name in Muscle.objects.filter(active=True).values_list("pk", "name")
    ]


def muscles_for_session(
    session: TreatmentSession, reference: ReferenceData | None = None
) -> tuple[list[Muscle], list[MuscleChoice]]:
    """The muscle picker: the latest assessment's suggestions first, then every other
    active muscle (from the page's reference memo when it has one)."""
    suggested = suggested_muscles(session.patient)
    seen = {m.pk for m in suggested}
    muscles = (
        _active_muscles()
        if reference is None
        else reference.get("assessments.active_muscles", _active_muscles)
    )
    return suggested, [m for m in muscles if m.pk not in seen]


def session_history(session: TreatmentSession) -> list:
    """The note's recorded versions, oldest first, with who saved each (for the audit
    trail under the note; the sites' own histories are in the admin's audit pages)."""
    return list(
        session.history.select_related("history_user").order_by("history_date", "history_id")
    )


# --- Patient documents ----------------------------------------------------------------------


@dataclass
class PortalDocument:
    """One visit as the patient's Documents page lists it: the newest ready version to
    download, and whether a newer one is still being prepared."""

    session: TreatmentSession
    ready: VisitSummary | None
    newest: VisitSummary

    @property
    def updating(self) -> bool:
        return self.newest is not self.ready and not self.newest.is_ready


def portal_documents(patient: Patient) -> list[PortalDocument]:
    """The patient's visit summaries, one row per visit, newest visit first (one query)."""
    rows: dict[int, PortalDocument] = {}
    summaries = (
        VisitSummary.objects.filter(session__patient=patient)
        .select_related("session__practitioner")
        .order_by("-session__session_date", "-session__created_at", "-version")
    )
    for summary in summaries:
        row = rows.get(summary.session_id)
        if row is None:
            row = rows[summary.session_id] = PortalDocument(summary.session, None, summary)
        if row.ready is None and summary.is_ready:
            row.ready = summary
    return list(rows.values())


def patient_documents(patient: Patient) -> tuple[list[VisitSummary], list[CourseSummary]]:
    """Every version of every summary of the patient, for staff (two queries)."""
    visits = list(
        VisitSummary.objects.filter(session__patient=patient)
        .select_related("session__practitioner")
        .order_by("-session__session_date", "-session__created_at", "-version")
    )
    courses = list(
        CourseSummary.objects.filter(patient=patient)
        .select_related("requested_by")
        .order_by("-created_at")
    )
    return visits, courses


def session_summaries(session: TreatmentSession) -> list[VisitSummary]:
    return list(session.summaries.order_by("-version"))


# --- Notes still owed (My day and the chart) -----------------------------------------------


def open_draft_sessions(practitioner: Practitioner | None, patient: Patient | None) -> QuerySet:
    """Unsigned IMS session notes of the practitioner and/or the patient, as rows of clinic's
    `open_notes` (registered in TreatmentsConfig.ready, read with the other providers' in
    one query)."""
    drafts = TreatmentSession.objects.filter(status=TreatmentSession.Status.DRAFT)
    return open_notes_rows(
        DRAFT_SESSIONS,
        drafts,
        practitioner,
        patient,
        on="session_date",
        since="created_at",
        appointment="appointment_id",
    )


def ims_visits_without_note(practitioner: Practitioner | None, patient: Patient | None) -> QuerySet:
    """Completed IMS visits (the appointment's own `is_ims`, copied from its type when
    booked) with no session note at all, of the practitioner and/or the patient, as rows of
    clinic's `open_notes`. A visit whose note is still a draft is listed once, as that
    draft; cancelled, no-show, booked and checked-in visits are not owed a note."""
    visits = Appointment.objects.filter(
        is_ims=True, status=Appointment.Status.COMPLETED, treatment_session__isnull=True
    )
    return open_notes_rows(
        IMS_VISITS, visits, practitioner, patient, on="local_date", since="start", appointment="pk"
    )


DRAFT_SESSIONS = "treatments.draft_sessions"
IMS_VISITS = "treatments.ims_visits_without_note"
OPEN_NOTES_PROVIDERS = {
    DRAFT_SESSIONS: OpenNotesProvider(
        kind="IMS session note",
        rows=open_draft_sessions,
        url=lambda pk, patient_id: reverse("treatments:session_edit", args=[pk]),
    ),
    IMS_VISITS: OpenNotesProvider(
        kind="IMS visit",
        rows=ims_visits_without_note,
        url=lambda pk, patient_id: reverse("treatments:session_start", args=[patient_id]),
        missing=True,
    ),
}
