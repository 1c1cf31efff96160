"""Reads about intake, screening and outcome scores (clinical: physiotherapists only)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from clinic import outcomes
from clinic.models import Intake, OutcomeScore, Patient, ScreeningClearance, ScreeningItem
from clinic.selectors.consent import consent_current


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

    @property
    def pending(self) -> bool:
        return self.intake is None

    @property
    def blocked(self) -> bool:
        """Needling is blocked while screening is missing or a contraindication is uncleared."""
        return self.pending or any(not c.cleared for c in self.contraindications)

    @property
    def summary(self) -> str:
        if self.pending:
            return "Screening pending"
        if self.blocked:
            return "Needling blocked"
        if self.precautions or self.contraindications:
            return "Precautions"
        return "Clear"


def screening_for(patient: Patient) -> ScreeningResult:
    """Precautions and contraindications from the latest submitted intake, each
    contraindication with its clearance if a physiotherapist recorded one.

    The explicit anticoagulant question counts as the anticoagulant precaution when the
    answer is yes or unsure, whether or not the checklist box was ticked.
    """
    intake = intake_latest_submitted(patient)
    if intake is None:
        return ScreeningResult(intake=None)
    items = {item.pk: item for item in intake.screening_items.all()}
    if intake.anticoagulants in (Intake.Answer.YES, Intake.Answer.UNSURE):
        anticoagulant = ScreeningItem.objects.filter(code="anticoagulants").first()
        if anticoagulant:
            items.setdefault(anticoagulant.pk, anticoagulant)
    ordered = sorted(items.values(), key=lambda item: (item.order, item.label))
    clearances = {
        c.item_id: c
        for c in ScreeningClearance.objects.select_related("cleared_by").filter(intake=intake)
    }
    return ScreeningResult(
        intake=intake,
        precautions=[item for item in ordered if not item.is_contraindication],
        contraindications=[
            Contraindication(item, clearances.get(item.pk))
            for item in ordered
            if item.is_contraindication
        ],
        anticoagulants_unsure=intake.anticoagulants == Intake.Answer.UNSURE,
    )


@dataclass(frozen=True)
class NeedlingReadiness:
    consent_ok: bool
    screening: ScreeningResult

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
        return reasons


def needling_readiness(patient: Patient) -> NeedlingReadiness:
    """Whether IMS may be performed and signed for this patient now, with the reasons."""
    return NeedlingReadiness(
        consent_ok=consent_current(patient) is not None, screening=screening_for(patient)
    )


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
        mcid = outcomes.MCIDS.get(code)
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
                label=baseline.instrument_label,
                higher_is_worse=baseline.higher_is_worse,
                mcid=mcid,
                rows=rows,
            )
        )
    return tracks
