"""Reads about intake, screening and outcome scores (clinical: physiotherapists only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.http import HttpRequest

from clinic import outcomes
from clinic.models import (
    Consent,
    Intake,
    OutcomeScore,
    Patient,
    ScreeningClearance,
    ScreeningItem,
)
from clinic.selectors.consent import consent_current


def intake_answers(intake: Intake, *, questionnaire: bool = False) -> list[tuple]:
    """The intake's answers step by step, as (step, [(question, answer in words)]): the
    review page shows what is about to be submitted; the patient's readable record
    (`questionnaire=True`) also spells out the area by name and each answer of the area's
    questionnaire by its question and chosen option, never by a stored code."""
    # Imported here: clinic.services.intake reads this module at import time.
    from clinic.services.intake import STEPS

    steps = []
    for step in STEPS:
        rows = []
        for name in step.fields:
            field = Intake._meta.get_field(name)
            if questionnaire and name == "region_answers":
                rows.extend(_questionnaire_rows(intake))
                continue
            answer = _answer(intake, field)
            if questionnaire and name == "region" and intake.region:
                answer = dict(outcomes.registry.region_choices()).get(intake.region, answer)
            rows.append((str(field.verbose_name).capitalize(), answer))
        steps.append((step, rows))
    return steps


def _questionnaire_rows(intake: Intake) -> list[tuple[str, str]]:
    instrument = outcomes.REGION_INSTRUMENT.get(intake.region)
    answers = intake.region_answers or {}
    if instrument is None or not answers:
        return []
    rows = [("Questionnaire", instrument.name)]
    for item in instrument.items:
        value = answers.get(item.key)
        chosen = next((o.label for o in item.options if o.value == value), "—")
        rows.append((item.label, chosen))
    return rows


def _answer(intake: Intake, field) -> str:
    value = getattr(intake, field.name)
    if field.many_to_many:
        labels = [str(item) for item in value.all()]
        return ", ".join(labels) if labels else "None"
    if field.name == "pain_marks":
        count = len(value or [])
        return f"{count} area{'s' if count != 1 else ''} marked on the body chart" if count else "—"
    if field.name == "region_answers":
        count = len(value or {})
        return f"{count} question{'s' if count != 1 else ''} answered" if count else "—"
    if field.name == "psfs":
        rows = [row for row in value or [] if isinstance(row, dict) and row.get("activity")]
        return "; ".join(f"{row['activity']} ({row.get('rating', '—')}/10)" for row in rows) or "—"
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field.choices:
        return str(getattr(intake, f"get_{field.name}_display")())
    return str(value)


def intake_latest(patient: Patient) -> Intake | None:
    return patient.intakes.order_by("-created_at").first()


def intake_latest_submitted(patient: Patient) -> Intake | None:
    return (
        patient.intakes.filter(status=Intake.Status.SUBMITTED)
        .prefetch_related("screening_items")
        .order_by("-submitted_at")
        .first()
    )


@dataclass(frozen=True)
class Contraindication:
    item: ScreeningItem
    clearance: ScreeningClearance | None

    @property
    def cleared(self) -> bool:
        return self.clearance is not None


@dataclass(frozen=True)
class ScreeningResult:
    """The safety screening of a patient's latest submitted intake."""

    intake: Intake | None
    precautions: list[ScreeningItem] = field(default_factory=list)
    contraindications: list[Contraindication] = field(default_factory=list)
    anticoagulants_unsure: bool = False
    # Active items added to the checklist after this intake was answered (never cleared
    # silently: they stay here until answered, clinic.services.screening_answer_outstanding).
    unanswered: list[ScreeningItem] = field(default_factory=list)
    # The whole active checklist, for the per-visit re-screen.
    checklist: list[ScreeningItem] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        return self.intake is None

    @property
    def unanswered_blocking(self) -> list[ScreeningItem]:
        """Unanswered contraindications block needling until answered, except one asked
        again by its own question at every visit's re-screen ("acutely unwell"), which the
        session note enforces. An unanswered precaution only asks: a precaution changes
        how to needle, not whether, and the physiotherapist asks it at the visit."""
        return [
            item
            for item in self.unanswered
            if item.is_contraindication and item.code != ScreeningItem.ACUTELY_UNWELL
        ]

    @property
    def unanswered_to_ask(self) -> list[ScreeningItem]:
        blocking = set(self.unanswered_blocking)
        return [item for item in self.unanswered if item not in blocking]

    @property
    def blocked(self) -> bool:
        """Needling is blocked while screening is missing, a contraindication is uncleared
        or an unanswered contraindication has not been asked."""
        return (
            self.pending
            or any(not c.cleared for c in self.contraindications)
            or bool(self.unanswered_blocking)
        )

    @property
    def rescreen_rows(self) -> list[tuple[ScreeningItem, str]]:
        """Each checklist item to ask again at the visit, with what the intake said:
        "applies", "unanswered" or "" (answered no). "Under 18" is listed only when it
        applies (it is worked out, not asked)."""
        applies = {item.pk for item in self.precautions}
        applies |= {entry.item.pk for entry in self.contraindications}
        unanswered = {item.pk for item in self.unanswered}
        rows = []
        for item in self.checklist:
            if item.pk in applies:
                rows.append((item, "applies"))
            elif item.pk in unanswered:
                rows.append((item, "unanswered"))
            elif item.code not in ScreeningItem.COMPUTED_CODES:
                rows.append((item, ""))
        return rows

    @property
    def summary(self) -> str:
        if self.pending:
            return "Screening pending"
        if self.blocked:
            return "Needling blocked"
        if self.precautions or self.contraindications or self.unanswered:
            return "Precautions"
        return "Clear"


def screening_for(patient: Patient) -> ScreeningResult:
    """Precautions and contraindications from the latest submitted intake, each
    contraindication with its clearance if a physiotherapist recorded one.

    The explicit anticoagulant question counts as the anticoagulant precaution when the
    answer is yes or unsure, whether or not the checklist box was ticked. "Under 18" is
    worked out from the date of birth today, not asked: the desk records and checks the
    date of birth, a question could contradict it, and a patient can turn 18 mid-course.
    Items added to the checklist after the intake was answered are `unanswered`.
    """
    intake = (
        patient.intakes.filter(status=Intake.Status.SUBMITTED).order_by("-submitted_at").first()
    )
    if intake is None:
        return ScreeningResult(intake=None)
    # One read of the (small) checklist, each item marked ticked and asked on this intake.
    ticked = Intake.screening_items.through.objects.filter(
        intake=intake, screeningitem=OuterRef("pk")
    )
    asked = Intake.screening_asked.through.objects.filter(
        intake=intake, screeningitem=OuterRef("pk")
    )
    every = list(
        ScreeningItem.objects.annotate(ticked=Exists(ticked), asked=Exists(asked)).order_by(
            "order", "label"
        )
    )
    active = [item for item in every if item.active]
    items = {item.pk: item for item in every if item.ticked}
    wanted = []
    if intake.anticoagulants in (Intake.Answer.YES, Intake.Answer.UNSURE):
        wanted.append("anticoagulants")
    if patient.age < 18:
        wanted.append(ScreeningItem.UNDER_18)
    for item in active:
        if item.code in wanted:
            items.setdefault(item.pk, item)
    unanswered = [
        item
        for item in active
        if item.code not in ScreeningItem.COMPUTED_CODES and not item.asked and item.pk not in items
    ]
    ordered = sorted(items.values(), key=lambda item: (item.order, item.label))
    # Clearances matter only for a contraindication this intake reports (no query without).
    clearances = (
        {
            c.item_id: c
            for c in ScreeningClearance.objects.select_related("cleared_by").filter(intake=intake)
        }
        if any(item.is_contraindication for item in ordered)
        else {}
    )
    return ScreeningResult(
        intake=intake,
        precautions=[item for item in ordered if not item.is_contraindication],
        contraindications=[
            Contraindication(item, clearances.get(item.pk))
            for item in ordered
            if item.is_contraindication
        ],
        anticoagulants_unsure=intake.anticoagulants == Intake.Answer.UNSURE,
        unanswered=unanswered,
        checklist=active,
    )


@dataclass(frozen=True)
class NeedlingReadiness:
    consent_ok: bool
    screening: ScreeningResult
    consent: Consent | None = None  # the signature on the current version, when read

    @property
    def ready(self) -> bool:
        return self.consent_ok and not self.screening.blocked

    @property
    def reasons(self) -> list[str]:
        reasons = []
        if not self.consent_ok:
            reasons.append("No current consent to IMS on file.")
        if self.screening.pending:
            reasons.append("Safety screening (intake) not completed.")
        reasons.extend(
            f"Contraindication not cleared: {c.item.label}."
            for c in self.screening.contraindications
            if not c.cleared
        )
        reasons.extend(
            f"Contraindication not yet answered: {item.label}."
            for item in self.screening.unanswered_blocking
        )
        return reasons

    @property
    def questions(self) -> list[str]:
        """Items to ask before needling that do not block by themselves."""
        return [
            f"Not yet answered (ask today): {item.label}."
            for item in self.screening.unanswered_to_ask
        ]


# Per-request memo of needling_readiness(request=...): {patient id: NeedlingReadiness}.
_READINESS_ATTR = "_clinic_needling_readiness"


def needling_readiness(
    patient: Patient, *, request: HttpRequest | None = None
) -> NeedlingReadiness:
    """Whether IMS may be performed and signed for this patient now, with the reasons.

    Given the request, the answer is kept on it: the parts of one page that ask (the banner,
    the re-screen list, the sign panel, the consent badge) share one read. Signing itself
    reads afresh (treatments.services.sign_problems without `readiness`)."""
    memo = getattr(request, _READINESS_ATTR, None) if request is not None else None
    if memo is not None and patient.pk in memo:
        return memo[patient.pk]
    consent = consent_current(patient)
    readiness = NeedlingReadiness(
        consent_ok=consent is not None, screening=screening_for(patient), consent=consent
    )
    if request is not None:
        if memo is None:
            memo = {}
            setattr(request, _READINESS_ATTR, memo)
        memo[patient.pk] = readiness
    return readiness


def outcome_history(patient: Patient) -> dict[str, list[OutcomeScore]]:
    """Scores by instrument, oldest first, for the progress table."""
    history: dict[str, list[OutcomeScore]] = {}
    for score in OutcomeScore.objects.filter(patient=patient).order_by("recorded_at"):
        history.setdefault(score.instrument, []).append(score)
    return history


@dataclass(frozen=True)
class OutcomeRow:
    """One score and its change from the baseline (None on the baseline row itself, or for
    a measure without a published MCID here)."""

    score: OutcomeScore
    change: outcomes.Change | None
    is_baseline: bool = False


@dataclass(frozen=True)
class OutcomeTrack:
    """One measure's scores, oldest first, each read against the first (the baseline)."""

    code: str
    label: str
    higher_is_worse: bool
    mcid: outcomes.Mcid | None
    rows: list[OutcomeRow]

    @property
    def baseline(self) -> OutcomeScore:
        return self.rows[0].score

    @property
    def latest(self) -> OutcomeRow:
        return self.rows[-1]


def outcome_tracks(scores: Iterable[OutcomeScore]) -> list[OutcomeTrack]:
    """Group scores (already fetched, oldest first) by measure and give each later score its
    change from the baseline, the patient's first score on that measure
    (:func:`clinic.outcomes.change_from_baseline`). No queries: the caller fetches."""
    by_code: dict[str, list[OutcomeScore]] = {}
    for score in scores:
        by_code.setdefault(score.instrument, []).append(score)
    tracks = []
    for code, entries in by_code.items():
        measure = outcomes.registry.find(code)
        mcid = measure.mcid if measure else None
        baseline = entries[0]
        rows = [OutcomeRow(baseline, None, is_baseline=True)]
        rows.extend(
            OutcomeRow(
                score,
                outcomes.change_from_baseline(code, baseline.value, score.value) if mcid else None,
            )
            for score in entries[1:]
        )
        tracks.append(
            OutcomeTrack(
                code=code,
                label=outcomes.registry.label(code),
                higher_is_worse=baseline.higher_is_worse,
                mcid=mcid,
                rows=rows,
            )
        )
    return tracks
