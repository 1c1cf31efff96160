"""What the patient documents say: the contexts of the visit summary (for the patient, in
plain words) and the course summary (for a referring physician), read for one PDF each.
Every query is filtered by the document's own session or patient."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch

from assessments.models import Assessment, Side
from assessments.selectors import segmental_summary
from clinic.models import Appointment, OutcomeScore, Patient
from clinic.selectors.intake import outcome_tracks
from clinic.selectors.scheduling import ims_next_eligible, min_interval
from treatments import charts
from treatments.models import (
    AdverseEvent,
    CourseSummary,
    NeedlingSite,
    TreatmentSession,
    VisitSummary,
)

SIDE_WORDS = {Side.LEFT: "left", Side.RIGHT: "right", Side.BOTH: "both sides", Side.MIDLINE: ""}


@dataclass
class TreatedArea:
    region: str
    muscles: list[str] = field(default_factory=list)


def _side_phrase(sides: set[str]) -> str:
    if Side.BOTH in sides or {Side.LEFT, Side.RIGHT} <= sides:
        return "both sides"
    words = [SIDE_WORDS[s] for s in (Side.LEFT, Side.RIGHT) if s in sides]
    return " and ".join(words)


def treated_areas(sites: list[NeedlingSite]) -> list[TreatedArea]:
    """Sites in plain words, grouped by body region in the order they were needled: each
    muscle once, with the sides treated ("Forearm, wrist and hand: muscles that lift the
    wrist (right)"). No anatomical names, segment codes or techniques."""
    by_region: OrderedDict[str, OrderedDict[str, set[str]]] = OrderedDict()
    for site in sites:
        region = site.muscle.get_body_region_display()
        by_region.setdefault(region, OrderedDict()).setdefault(site.muscle.lay_name, set()).add(
            site.side
        )
    areas = []
    for region, muscles in by_region.items():
        area = TreatedArea(region=region)
        for lay_name, sides in muscles.items():
            phrase = _side_phrase(sides)
            area.muscles.append(f"{lay_name} ({phrase})" if phrase else lay_name)
        areas.append(area)
    return areas


def visit_summary_with_relations(pk: int) -> VisitSummary:
    return VisitSummary.objects.select_related(
        "session__patient", "session__practitioner", "session__signed_by"
    ).get(pk=pk)


def _pain_points(patient: Patient, *, until: dt.date, since: dt.date | None = None):
    sessions = TreatmentSession.objects.filter(
        patient=patient, status=TreatmentSession.Status.SIGNED, session_date__lte=until
    )
    if since:
        sessions = sessions.filter(session_date__gte=since)
    rows = sessions.order_by("session_date", "created_at").values_list(
        "session_date", "nprs_before", "nprs_after"
    )
    return [charts.PainPoint(*row) for row in rows]


def clinic_details() -> dict[str, str]:
    return {
        "name": settings.CLINIC_NAME,
        "phone": settings.CLINIC_PHONE,
        "email": settings.CLINIC_EMAIL,
        "address": settings.CLINIC_ADDRESS,
    }


def visit_summary_context(summary: VisitSummary) -> dict:
    """Everything the patient's visit summary shows, and nothing about anyone else: every
    query below is filtered by this session or this patient."""
    session = summary.session
    patient = session.patient
    sites = list(
        NeedlingSite.objects.filter(session=session)
        .select_related("muscle")
        .order_by("created_at", "pk")
    )
    points = _pain_points(patient, until=session.session_date)
    next_appointment = (
        Appointment.objects.filter(
            patient=patient,
            status=Appointment.Status.BOOKED,
            local_date__gt=session.session_date,
        )
        .select_related("practitioner", "location", "type")
        .order_by("start")
        .first()
    )
    return {
        "summary": summary,
        "session": session,
        "patient": patient,
        "clinic": clinic_details(),
        "areas": treated_areas(sites),
        "home_care": list(session.home_care.all()),
        "addenda": list(session.addenda.order_by("created_at")),
        "chest_wall": any(site.muscle.chest_wall for site in sites),
        "pain_chart": charts.pain_chart(points) if len(points) > 1 else "",
        "sessions_so_far": len(points),
        # The booking rule itself, counting needling up to this visit (a later booking
        # is shown as `next_appointment`, not as a reason to wait longer).
        "earliest_next_ims": ims_next_eligible(
            patient,
            on_or_after=session.session_date + dt.timedelta(days=1),
            counted_until=session.session_date,
        ),
        "min_interval": min_interval(),
        "next_appointment": next_appointment,
        "title": f"Visit summary, {session.session_date:%B} {session.session_date.day}, "
        f"{session.session_date:%Y}",
    }


@dataclass
class CourseSessionRow:
    session: TreatmentSession
    levels: list[str]
    muscles: list[str]
    events: list[AdverseEvent]


def _course_site(site: NeedlingSite) -> str:
    """'Rhomboid major (R)', with depth and direction for a chest-wall site:
    'Rhomboid major (R; 15 mm deep, tangential / oblique ...)'."""
    detail = "; ".join(filter(None, [site.side, site.depth_direction]))
    return f"{site.muscle.name} ({detail})"


def course_summary_context(summary: CourseSummary) -> dict:
    """The course summary for a referring physician: clinical terms are fine here (segment
    levels, muscle names), but only this patient's sessions in the chosen range."""
    patient = summary.patient
    sessions = list(
        TreatmentSession.objects.filter(
            patient=patient,
            status=TreatmentSession.Status.SIGNED,
            session_date__range=(summary.date_from, summary.date_to),
        )
        .select_related("practitioner")
        .prefetch_related(
            Prefetch("sites", queryset=NeedlingSite.objects.select_related("muscle", "segment")),
            "adverse_events",
        )
        .order_by("session_date", "created_at")
    )
    rows = []
    for session in sessions:
        sites = list(session.sites.all())
        levels = sorted({s.segment for s in sites}, key=lambda seg: seg.position)
        rows.append(
            CourseSessionRow(
                session=session,
                levels=[seg.code for seg in levels],
                muscles=list(dict.fromkeys(_course_site(s) for s in sites)),
                events=list(session.adverse_events.all()),
            )
        )
    points = [charts.PainPoint(s.session_date, s.nprs_before, s.nprs_after) for s in sessions]
    assessment = (
        Assessment.objects.filter(
            patient=patient, status=Assessment.Status.SIGNED, assessed_on__lte=summary.date_to
        )
        .prefetch_related("sign_findings__segment", "sign_findings__sign")
        .order_by("-assessed_on", "-created_at")
        .first()
    )
    # Baseline: the patient's first score on each measure (no lower date bound), so the
    # change shown is from the start of care, up to the end of the summary's period.
    tracks = outcome_tracks(
        OutcomeScore.objects.filter(
            patient=patient,
            recorded_at__date__lte=summary.date_to,
        ).order_by("recorded_at", "pk")
    )
    first_pain = next((p.before for p in points if p.before is not None), None)
    last_pain = next((p.after for p in reversed(points) if p.after is not None), None)
    return {
        "summary": summary,
        "patient": patient,
        "clinic": clinic_details(),
        "rows": rows,
        "practitioners": sorted({s.practitioner.display_name for s in sessions}),
        "pain_chart": charts.pain_chart(points) if points else "",
        "first_pain": first_pain,
        "last_pain": last_pain,
        "assessment": assessment,
        "segments": segmental_summary(assessment) if assessment else [],
        "scores": tracks,
        "adverse_events": [e for row in rows for e in row.events],
        # The latest signed note's own words (S, O and plan): where the course stands now
        # for the referring physician; earlier sessions' narratives stay in the chart.
        "latest": sessions[-1] if sessions else None,
        "plan": sessions[-1].plan if sessions else "",
        "title": f"Course summary, {summary.date_from:%Y-%m-%d} to {summary.date_to:%Y-%m-%d}",
    }


# --- Discharge summary (the patient's, at the end of a course) ------------------------------

REASON_WORDS = {
    "goals_met": "you reached the goals you set with your physiotherapist",
    "plateau": (
        "your progress had levelled off, so more of the same treatment was unlikely to help further"
    ),
    "patient_choice": "you chose to finish the course",
    "referred_on": "you were referred on for other care",
    "other": "your physiotherapist and you agreed to finish the course",
}


def _score_words(value, maximum) -> str:
    value = f"{value:f}".rstrip("0").rstrip(".")
    return f"{value} out of {maximum:.0f}"


def measure_in_words(plan, scores: list[OutcomeScore]) -> dict | None:
    """The plan's measure, first and latest score, in plain words for the patient: no
    abbreviation without its meaning, no "MCID" (said as "a change large enough to make a
    real difference"; the MCIDs and their sources are in clinic.outcomes.measures)."""
    from clinic import outcomes

    track = [s for s in scores if s.instrument == plan.measure]
    if not track:
        return None
    measure = outcomes.registry.find(plan.measure)
    first, latest = track[0], track[-1]
    better = "Lower" if first.higher_is_worse else "Higher"
    words = {
        "name": measure.label if measure else plan.measure,
        "first": _score_words(first.value, first.maximum),
        "first_on": first.recorded_at,
        "latest": _score_words(latest.value, latest.maximum) if len(track) > 1 else None,
        "latest_on": latest.recorded_at,
        "better_is": f"{better} scores mean you are doing better.",
        "change": "",
    }
    if len(track) > 1 and measure and measure.mcid:
        change = outcomes.change_from_baseline(plan.measure, first.value, latest.value)
        if change.reaches_mcid:
            words["change"] = (
                "Your score improved by enough to make a real difference in everyday life."
            )
        elif change.direction == "better":
            words["change"] = "Your score improved a little."
        elif change.direction == "same":
            words["change"] = "Your score stayed about the same."
        else:
            words["change"] = "Your score was worse at the end than at the start."
    return words


def discharge_summary_context(summary) -> dict:
    """Everything the patient's discharge summary shows, from this plan and this patient
    only: the problem and area in plain words, the dates, the visits, the measure's first
    and latest score in words, the home advice of the last signed visit, the reason for
    finishing and what to do if the pain comes back. No segment codes or muscle lists."""
    plan = summary.care_plan
    patient = summary.patient
    sessions = TreatmentSession.objects.filter(
        care_plan=plan, status=TreatmentSession.Status.SIGNED
    ).order_by("session_date", "pk")
    visits = sessions.count()
    last = sessions.select_related("practitioner").prefetch_related("home_care").last()
    scores = list(
        OutcomeScore.objects.filter(patient=patient, instrument=plan.measure).order_by(
            "recorded_at", "pk"
        )
    )
    return {
        "summary": summary,
        "plan": plan,
        "patient": patient,
        "clinic": clinic_details(),
        "visits": visits,
        "last_session": last,
        "home_care": list(last.home_care.all()) if last else [],
        "measure": measure_in_words(plan, scores),
        "reason_words": REASON_WORDS.get(plan.discharge_reason, REASON_WORDS["other"]),
        "title": "Your discharge summary",
    }
