"""Reads for sessions and the patient chart, each shaped for one page (or PDF)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, QuerySet, prefetch_related_objects
from django.urls import reverse
from django.utils.safestring import SafeString

from assessments.models import Assessment, Muscle
from assessments.selectors import suggested_muscles
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

SESSIONS_PER_PAGE = 10


_SITES = Prefetch(
    "sites", queryset=NeedlingSite.objects.select_related("muscle", "segment", "needle")
)


def _session(pk: int, *more: str | Prefetch) -> TreatmentSession:
    # Three joins, the visit and the signer prefetched (a query each only when the note has
    # one): on PostgreSQL, planning the six-table outer join took ~2 ms of every request,
    # ten times what running it took (EXPLAIN ANALYZE on the bench data, issue 18).
    return (
        TreatmentSession.objects.select_related("patient", "practitioner", "assessment")
        .prefetch_related("home_care", *more)
        .get(pk=pk)
    )


def session_detail(pk: int) -> TreatmentSession:
    """One session with everything its note shows, in a fixed number of queries."""
    return _session(
        pk,
        _SITES,
        "retests",
        Prefetch("appointment", queryset=Appointment.objects.select_related("type")),
        "signed_by",
        Prefetch("adverse_events", queryset=AdverseEvent.objects.select_related("recorded_by")),
        Prefetch("addenda", queryset=SessionAddendum.objects.select_related("author")),
    )


def session_for_edit(pk: int) -> TreatmentSession:
    """A draft as the session form shows it: its advice (not the events and addenda; nor
    its visit, which only the sign panel's spacing check reads, and the panel loads after
    the page: session_sign_sites; nor its sites and re-tests, which load after the page
    too: session_sites, views.sessions.session_retests)."""
    return _session(pk)


def session_sites(session: TreatmentSession) -> TreatmentSession:
    """The draft (as the author's guard read it) with its sites as the session form lists
    them: muscle, segment and needle of each."""
    prefetch_related_objects([session], _SITES)
    return session


def session_sign_sites(session: TreatmentSession) -> TreatmentSession:
    """The draft as read for its sign panel (views.sessions.sign_panel: the author's guard
    has read it with its practitioner, patient and visit), with what the checks read of
    its sites: whether it has one, and the chest-wall sides (needled_both_sides_of_thorax),
    in one query. Before (issue 18) the panel read the whole note again (session_detail:
    sites with needles and segments, re-tests, advice, events, addenda, signer): in
    process on the bench draft, median of 4x40, the panel 14.9 -> 13.0 ms (floor 4.2)."""
    prefetch_related_objects(
        [session],
        Prefetch(
            "sites",
            queryset=NeedlingSite.objects.select_related("muscle").only(
                "id", "session_id", "side", "muscle__id", "muscle__chest_wall"
            ),
        ),
    )
    return session


@dataclass(frozen=True, slots=True)
class ChartEvent:
    """An adverse event as its session's line on the chart shows it."""

    kind_label: str
    significant: bool
    referred_for_care: bool
    referred_to: str


@dataclass(slots=True)
class SessionLine:
    """One session's line on the chart: plain values (read with values_list), not a model
    instance: a note has some forty columns and the line shows six of them."""

    pk: int
    session_date: dt.date
    status: str
    nprs_before: int | None
    nprs_after: int | None
    practitioner_name: str
    n_addenda: int
    n_events: int
    events: list[ChartEvent] = field(default_factory=list)
    sites_line: str = ""

    @property
    def is_signed(self) -> bool:
        return self.status == TreatmentSession.Status.SIGNED


def _session_lines(patient: Patient) -> list[SessionLine]:
    """Every session of the patient, newest first, with what its chart line shows: one
    query serves the count, the page and the pain chart. Before (issue 18) the chart read
    the sessions twice, once for the count and pain chart and once for the page, as model
    instances with an addenda count (measured on the bench chart: see chart_for_patient)."""
    rows = (
        TreatmentSession.objects.filter(patient=patient)
        .annotate(
            n_addenda=Count("addenda", distinct=True),
            n_events=Count("adverse_events", distinct=True),
        )
        .order_by("-session_date", "-created_at")
        .values_list(
            "pk",
            "session_date",
            "status",
            "nprs_before",
            "nprs_after",
            "practitioner__display_name",
            "n_addenda",
            "n_events",
        )
    )
    return [SessionLine(*row) for row in rows]


def _add_details(lines: Sequence[SessionLine]) -> None:
    """The adverse events and the line of sites of each session on the page: one query of
    values each (none for the events when no session on the page has one, as most pages:
    0.5 ms, issue 18). A line of sites reads e.g. "Supinator R (C6), Infraspinatus L (C5; 15 mm
    deep, ...)" ('' without sites), in the sites' own order, built here rather than by model
    instances and a template loop of several lookups per site (a page of ten sessions holds
    eighty sites or more)."""
    by_pk = {line.pk: line for line in lines}
    if not by_pk:
        return
    kinds = dict(AdverseEvent.Kind.choices)
    with_events = [line.pk for line in lines if line.n_events]
    events = AdverseEvent.objects.filter(session__in=with_events).values_list(
        "session_id", "kind", "significant", "referred_for_care", "referred_to"
    )
    for session_id, kind, significant, referred, referred_to in events if with_events else ():
        by_pk[session_id].events.append(
            ChartEvent(kinds.get(kind, kind), significant, referred, referred_to)
        )
    sites: dict[int, list[str]] = {pk: [] for pk in by_pk}
    rows = NeedlingSite.objects.filter(session__in=list(by_pk)).values_list(
        "session_id", "muscle__name", "side", "segment__code", "needle_depth_mm", "needle_direction"
    )
    # What depth_direction_text gives, with the direction labels looked up once here rather
    # than once per site (it rebuilds Direction.choices each call: ~0.5 ms for the fifty
    # directions of a bench page; test_chart_golden compares the two).
    directions = {value: str(label).lower() for value, label in NeedlingSite.Direction.choices}
    for session_id, muscle, side, segment, depth, direction in rows:
        parts = [f"{depth} mm deep"] if depth is not None else []
        if direction:
            parts.append(directions.get(direction, str(direction).lower()))
        detail = ", ".join(parts)
        sites[session_id].append(
            f"{muscle} {side} ({segment}" + (f"; {detail})" if detail else ")")
        )
    for line in lines:
        line.sites_line = ", ".join(sites[line.pk])


@dataclass(frozen=True, slots=True)
class AssessmentLine:
    """One of the patient's latest assessments as the chart lists it (a link, the date,
    who and the status): five named values, not the full row with the finding counts of
    the assessments list (issue 18: see chart_for_patient)."""

    pk: int
    assessed_on: dt.date
    status: str
    practitioner_user_id: int
    practitioner_name: str

    @property
    def is_signed(self) -> bool:
        return self.status == Assessment.Status.SIGNED

    @property
    def status_label(self) -> str:
        return Assessment.Status(self.status).label


def _assessment_lines(patient: Patient, limit: int = 5) -> list[AssessmentLine]:
    rows = (
        Assessment.objects.filter(patient=patient)
        .order_by("-assessed_on", "-created_at")
        .values_list(
            "pk", "assessed_on", "status", "practitioner__user_id", "practitioner__display_name"
        )[:limit]
    )
    return [AssessmentLine(*row) for row in rows]


@dataclass
class Chart:
    patient: Patient
    sessions: Page  # of SessionLine
    pain_svg: SafeString


@dataclass
class ChartScores:
    """The chart's outcome scores (the tracks and the scores chart), latest assessments
    and notes still owed, which the chart loads right after it shows
    (treatments:chart_scores)."""

    assessments: list[AssessmentLine]
    scores: dict[str, list[OutcomeScore]]
    outcomes: list[OutcomeTrack]  # each score with its change from baseline and the MCID
    scores_svg: SafeString
    open_notes: list[OpenNote]


def chart_for_patient(patient: Patient, *, page: int | str = 1) -> Chart:
    """The patient chart: sessions newest first (paginated) and the pain chart (the
    scores, assessments and notes owed: chart_scores). A constant number of queries
    however long the history."""
    lines = _session_lines(patient)
    sessions = Paginator(lines, SESSIONS_PER_PAGE).get_page(page)
    _add_details(sessions.object_list)
    pain = [
        charts.PainPoint(line.session_date, line.nprs_before, line.nprs_after)
        for line in reversed(lines)
        if line.is_signed
    ]
    return Chart(
        patient=patient,
        sessions=sessions,
        pain_svg=charts.pain_chart(pain),
    )


def chart_scores(patient: Patient) -> ChartScores:
    """The chart's outcome scores, latest assessments and notes owed: three queries."""
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
    return ChartScores(
        assessments=_assessment_lines(patient),
        scores=scores,
        outcomes=outcome_tracks(fetched),
        scores_svg=charts.scores_chart(series),
        # Anyone's unsigned drafts and note-less IMS visits of this patient (one query).
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
