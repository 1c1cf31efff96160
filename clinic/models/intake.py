"""Intake questionnaire, safety screening and outcome scores."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic import outcomes
from clinic.models.patients import Patient
from clinic.validators import (
    NARRATIVE_MAX,
    NOTE_MAX,
    LimitedTextField,
    moment_check,
    validate_past_moment,
)

NPRS_VALIDATORS = [MinValueValidator(0), MaxValueValidator(10)]


class ScreeningItem(models.Model):
    """One entry of the pre-needling safety checklist (reference data, clinic-admin edited).

    A contraindication blocks needling until a physiotherapist records a clearance; a
    precaution allows needling and is shown prominently.
    """

    class Severity(models.TextChoices):
        CONTRAINDICATION = "contraindication", "Contraindication"
        PRECAUTION = "precaution", "Precaution"

    # Items with a code the software knows (seeded by migration 0015 screening_v2; sources
    # there). "Acutely unwell" is a state of the day: asked at intake and again by its own
    # question in every visit's re-screen. "Under 18" is worked out from the date of birth
    # (already recorded and checked by the desk, and it changes with time), never asked.
    ACUTELY_UNWELL = "acutely-unwell"
    UNDER_18 = "under-18"
    COMPUTED_CODES = (UNDER_18,)

    code = models.SlugField(max_length=50, unique=True)
    label = models.CharField(
        max_length=200, help_text="As the patient reads it in the intake checklist."
    )
    severity = models.CharField(max_length=20, choices=Severity.choices)
    clinical_note = LimitedTextField(
        blank=True, max_length=NOTE_MAX, help_text="Guidance shown to physiotherapists."
    )
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True, help_text="Inactive items are no longer asked.")

    history = HistoricalRecords()

    class Meta:
        app_label = "clinic"
        ordering = ["order", "label"]

    def __str__(self) -> str:
        return self.label

    @property
    def is_contraindication(self) -> bool:
        return self.severity == self.Severity.CONTRAINDICATION


class Intake(models.Model):
    """A patient's intake questionnaire for one episode of care.

    Saved step by step as a draft (blank answers allowed) and submitted once complete;
    submission computes the outcome scores. Staff read it; front desk only sees its status.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "In progress"
        SUBMITTED = "submitted", "Complete"

    class Channel(models.TextChoices):
        PORTAL = "portal", "Patient portal"
        CLINIC = "clinic", "In clinic"

    class Onset(models.TextChoices):
        SUDDEN = "sudden", "Suddenly, for no clear reason"
        GRADUAL = "gradual", "Gradually, over time"
        INJURY = "injury", "After an injury or accident"
        SURGERY = "surgery", "After surgery"
        UNSURE = "unsure", "I'm not sure"

    class Duration(models.TextChoices):
        UNDER_6_WEEKS = "lt6w", "Less than 6 weeks"
        WEEKS_6_TO_12 = "6w-3m", "6 to 12 weeks"
        MONTHS_3_TO_6 = "3-6m", "3 to 6 months"
        MONTHS_6_TO_12 = "6-12m", "6 to 12 months"
        OVER_A_YEAR = "gt1y", "More than a year"

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        UNSURE = "unsure", "I'm not sure"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="intakes")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # About the pain
    presenting_complaint = LimitedTextField(
        "what brings you in", blank=True, max_length=NARRATIVE_MAX
    )
    pain_marks = models.JSONField("where it hurts", default=list, blank=True)
    onset = models.CharField("how it started", max_length=10, choices=Onset.choices, blank=True)
    onset_notes = LimitedTextField(
        "anything else about how it started", blank=True, max_length=NOTE_MAX
    )
    duration = models.CharField(
        "how long you have had it", max_length=10, choices=Duration.choices, blank=True
    )
    nprs_now = models.PositiveSmallIntegerField(
        "pain right now", null=True, blank=True, validators=NPRS_VALIDATORS
    )
    nprs_best = models.PositiveSmallIntegerField(
        "pain at its best (last week)", null=True, blank=True, validators=NPRS_VALIDATORS
    )
    nprs_worst = models.PositiveSmallIntegerField(
        "pain at its worst (last week)", null=True, blank=True, validators=NPRS_VALIDATORS
    )
    aggravating_factors = LimitedTextField("what makes it worse", blank=True, max_length=NOTE_MAX)
    easing_factors = LimitedTextField("what makes it better", blank=True, max_length=NOTE_MAX)

    # Health history
    past_treatments = LimitedTextField(
        "treatments you have tried", blank=True, max_length=NARRATIVE_MAX
    )
    medical_history = LimitedTextField("medical history", blank=True, max_length=NARRATIVE_MAX)
    medications = LimitedTextField(
        "medications and supplements", blank=True, max_length=NARRATIVE_MAX
    )
    anticoagulants = models.CharField(
        "do you take blood thinners (anticoagulants)?",
        max_length=10,
        choices=Answer.choices,
        blank=True,
    )
    anticoagulant_details = models.CharField("which ones", max_length=200, blank=True)

    # Safety screening
    screening_items = models.ManyToManyField(
        ScreeningItem, blank=True, related_name="intakes", verbose_name="items that apply"
    )
    screening_asked = models.ManyToManyField(
        ScreeningItem,
        blank=True,
        related_name="+",
        verbose_name="items on the list when it was answered",
        help_text="An active item not here was added later and is still unanswered.",
    )
    screening_reviewed = models.BooleanField("I have read the whole list", default=False)
    screening_notes = LimitedTextField("details", blank=True, max_length=NOTE_MAX)

    # Function
    region = models.CharField("main area of the problem", max_length=20, blank=True)
    region_answers = models.JSONField(default=dict, blank=True)
    psfs = models.JSONField("activities", default=list, blank=True)

    history = HistoricalRecords(m2m_fields=[screening_items, screening_asked])

    class Meta:
        app_label = "clinic"
        ordering = ["-created_at"]
        indexes = [
            # "The patient's latest intake's status", asked per row by the desk's day grid
            # and the patient list: one index entry, no sort and no table read.
            models.Index(
                fields=["patient", "-created_at"],
                include=["status"],
                name="clinic_intake_patient_latest",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(nprs_now__lte=10)
                & models.Q(nprs_best__lte=10)
                & models.Q(nprs_worst__lte=10),
                name="clinic_intake_nprs_0_10",
            ),
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(status="draft"),
                name="clinic_intake_one_draft_per_patient",
            ),
        ]

    def __str__(self) -> str:
        return f"Intake of {self.patient} ({self.get_status_display()})"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class ScreeningClearance(models.Model):
    """A physiotherapist's recorded decision that a contraindication does not block needling
    for this episode, with the reason. Audited through its history table."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="clearances")
    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="clearances")
    item = models.ForeignKey(ScreeningItem, on_delete=models.PROTECT, related_name="+")
    reason = LimitedTextField(max_length=NOTE_MAX)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cleared_at = models.DateTimeField(default=timezone.now, validators=[validate_past_moment])

    history = HistoricalRecords()

    class Meta:
        app_label = "clinic"
        ordering = ["-cleared_at"]
        constraints = [
            models.UniqueConstraint(fields=["intake", "item"], name="clinic_clearance_once"),
            moment_check("clinic_clearance", "cleared_at"),
        ]

    def __str__(self) -> str:
        return f"{self.item} cleared for {self.patient}"


class OutcomeScore(models.Model):
    """One computed outcome-measure score (clinic.outcomes), tracked over time. ``instrument``
    is a registered measure's code (clinic.outcomes.registry); no choices on the field, so a
    new measure needs no migration."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="outcome_scores")
    instrument = models.CharField(max_length=20)  # a measure code: NPRS, PSFS, NDI, ...
    value = models.DecimalField(max_digits=5, decimal_places=1)
    maximum = models.DecimalField(max_digits=5, decimal_places=1)
    higher_is_worse = models.BooleanField()
    recorded_at = models.DateTimeField(default=timezone.now)
    intake = models.ForeignKey(
        Intake, on_delete=models.PROTECT, null=True, blank=True, related_name="scores"
    )
    # A re-measure the patient filled in the portal before visit `plan_visit` of a plan of
    # care (clinic.services.remeasure); both empty for intake scores.
    care_plan = models.ForeignKey(
        "clinic.CarePlan", on_delete=models.PROTECT, null=True, blank=True, related_name="scores"
    )
    plan_visit = models.PositiveSmallIntegerField(null=True, blank=True)
    appointment = models.ForeignKey(
        "clinic.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="remeasures",
    )

    class Meta:
        app_label = "clinic"
        ordering = ["recorded_at"]
        indexes = [models.Index(fields=["patient", "instrument", "recorded_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["care_plan", "plan_visit"],
                condition=models.Q(care_plan__isnull=False),
                name="outcome_one_remeasure_per_plan_visit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.value} ({self.recorded_at:%Y-%m-%d})"

    @property
    def instrument_label(self) -> str:
        """The measure's short label from the outcome registry ("QuickDASH", "NDI")."""
        return outcomes.registry.label(self.instrument)

    @property
    def display(self) -> str:
        """As the published scales report it: '40.0%', '52 / 80', '6 / 10', '5.5 / 10'."""
        if self.maximum == 100:
            return f"{self.value}%"
        value = f"{self.value:f}".rstrip("0").rstrip(".")
        return f"{value} / {self.maximum:.0f}"
