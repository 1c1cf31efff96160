"""The care team (who may open a patient's clinical record without breaking the glass)
and the plan of care (a course of IMS)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.validators import (
    NOTE_MAX,
    LimitedTextField,
    date_check,
    validate_booking_date,
    validate_past_date,
)

# More than a course: a typing slip (Gunn's trial averaged about eight treatments).
SESSIONS_PLANNED_MAX = 40


class CareTeamMember(models.Model):
    """One practitioner on one patient's care team, from `added_at` until `removed_at`.

    A practitioner joins only explicitly: the front desk or a clinic admin assigns them
    (ASSIGNED), or they sign an assessment or session note for the patient (SIGNED_RECORD).
    Booking an appointment, starting a draft or writing an addendum grants nothing. Rows
    are never deleted: a removal fills `removed_at`/`removed_by`, and joining again is a
    new row, so the table is the team's history. Every change also writes an AccessLog
    row (action CARE_TEAM) that the audit page lists. At most one open row per pair.
    """

    class Source(models.TextChoices):
        ASSIGNED = "assigned", "Assigned by the clinic"
        SIGNED_RECORD = "signed_record", "Signed a record"

    patient = models.ForeignKey(
        "clinic.Patient", on_delete=models.PROTECT, related_name="care_team"
    )
    practitioner = models.ForeignKey(
        "clinic.Practitioner", on_delete=models.PROTECT, related_name="care_teams"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        app_label = "clinic"
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "practitioner"],
                condition=models.Q(removed_at__isnull=True),
                name="care_team_one_open_membership",
            ),
            models.CheckConstraint(
                condition=models.Q(removed_at__isnull=True) | models.Q(removed_by__isnull=False),
                name="care_team_removal_has_remover",
            ),
        ]
        indexes = [
            models.Index(
                fields=["practitioner", "patient"],
                condition=models.Q(removed_at__isnull=True),
                name="care_team_open_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} on the care team of patient {self.patient_id}"

    @property
    def is_active(self) -> bool:
        return self.removed_at is None


class CarePlan(models.Model):
    """A physiotherapist's plan for one course of IMS: the condition and region treated,
    goals with an outcome measure (baseline and target), how many sessions, how often,
    how often to re-measure, and where the course stands (active, on hold, discharged
    with a reason).

    It lives in clinic, not treatments, because the booking service
    (clinic.services.scheduling) reads its frequency for the IMS interval and clinic
    imports neither assessments nor treatments; appointments (clinic) and treatment
    sessions (treatments) point at it. Rules about one row are database constraints:
      * "twice weekly for the first two weeks" needs the reason, given once here;
      * a discharged plan has its reason, its date (and a note when the reason is
        "other"); a plan that is not discharged has neither;
      * at most one ACTIVE plan per patient (not per region): the IMS interval is counted
        per patient, whatever region was needled (clinic.selectors.scheduling.needlings),
        so two active plans of one patient with different frequencies would make the
        early twice-weekly allowance and a new booking's default plan ambiguous. A
        second problem either joins the plan (its condition text names both) or one
        plan waits on hold. Plans on hold and discharged ones are unlimited.
    Writes go through clinic.services.care_plans; history records every change.
    """

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        TWICE_WEEKLY_START = (
            "twice_weekly_start",
            "Twice weekly for the first two weeks, then weekly",
        )

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ON_HOLD = "on_hold", "On hold"
        DISCHARGED = "discharged", "Discharged"

    class DischargeReason(models.TextChoices):
        GOALS_MET = "goals_met", "Goals met"
        PLATEAU = "plateau", "Plateau"
        PATIENT_CHOICE = "patient_choice", "Patient's choice"
        REFERRED_ON = "referred_on", "Referred on"
        OTHER = "other", "Other"

    patient = models.ForeignKey(
        "clinic.Patient", on_delete=models.PROTECT, related_name="care_plans"
    )
    practitioner = models.ForeignKey(
        "clinic.Practitioner",
        on_delete=models.PROTECT,
        related_name="care_plans",
        help_text="The physiotherapist responsible for the course.",
    )
    condition = models.CharField(max_length=200, help_text="E.g. right lateral elbow pain.")
    region = models.CharField(
        "body region", max_length=20, help_text="A region of the outcome-measure registry."
    )
    goals = LimitedTextField(max_length=NOTE_MAX)
    measure = models.CharField(
        "outcome measure", max_length=20, help_text="A code of clinic.outcomes.registry."
    )
    baseline_score = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    target_score = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    sessions_planned = models.PositiveSmallIntegerField(
        "planned IMS sessions",
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(SESSIONS_PLANNED_MAX)],
    )
    frequency = models.CharField(max_length=20, choices=Frequency.choices, default=Frequency.WEEKLY)
    frequency_reason = LimitedTextField(
        "reason for twice weekly",
        blank=True,
        max_length=NOTE_MAX,
        help_text="Required for twice weekly; recorded on each visit booked closer than weekly.",
    )
    remeasure_every = models.PositiveSmallIntegerField(
        "re-measure every (sessions)",
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(SESSIONS_PLANNED_MAX)],
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    discharge_reason = models.CharField(max_length=20, choices=DischargeReason.choices, blank=True)
    discharge_note = LimitedTextField(blank=True, max_length=NOTE_MAX)
    discharged_on = models.DateField(null=True, blank=True, validators=[validate_past_date])
    started_on = models.DateField(default=timezone.localdate, validators=[validate_booking_date])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Where the course's first appointment is (by start, any status), empty before one is
    # booked, and how many of its visits were completed: the dashboard's location and
    # sessions of a course, kept by clinic.services.dashboard_facts when a visit of the
    # plan is booked, moved or completed.
    first_location = models.ForeignKey(
        "clinic.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    completed_visits = models.PositiveIntegerField(default=0, editable=False)
    # Whether the discharged course's latest score on its measure (recorded between its
    # start and its discharge) improved on the baseline by at least the measure's MCID;
    # empty while active, and when it cannot be judged (no baseline, no score in the
    # course, or no published MCID). The dashboard's "Reached MCID", kept by
    # clinic.services.dashboard_facts at discharge and when a score is recorded.
    reached_mcid = models.BooleanField(null=True, blank=True, editable=False)
    # The patient's latest completed visit, and the latest start of any visit of theirs
    # that is booked, checked in or completed (any plan's or none): whether the course
    # "went quiet" (the dashboard's dropped courses: no visit for 21 days and nothing
    # booked) is then two comparisons on this row, not a look through the appointments.
    # Kept by clinic.services.dashboard_facts.plan_activity_refresh whenever one of the
    # patient's visits is booked, moved or changes status.
    patient_last_visit = models.DateTimeField(null=True, blank=True, editable=False)
    patient_last_booking = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        app_label = "clinic"
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(frequency="twice_weekly_start")
                | ~models.Q(frequency_reason=""),
                name="care_plan_twice_weekly_has_reason",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(status="discharged")
                    & ~models.Q(discharge_reason="")
                    & models.Q(discharged_on__isnull=False)
                )
                | (
                    ~models.Q(status="discharged")
                    & models.Q(discharge_reason="")
                    & models.Q(discharged_on__isnull=True)
                ),
                name="care_plan_discharge_has_reason_and_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(discharge_reason="other") | ~models.Q(discharge_note=""),
                name="care_plan_other_reason_has_note",
            ),
            models.CheckConstraint(
                condition=models.Q(sessions_planned__gte=1)
                & models.Q(sessions_planned__lte=SESSIONS_PLANNED_MAX)
                & models.Q(remeasure_every__gte=1)
                & models.Q(remeasure_every__lte=SESSIONS_PLANNED_MAX),
                name="care_plan_counts_in_range",
            ),
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(status="active"),
                name="care_plan_one_active_per_patient",
            ),
            date_check("care_plan", "started_on"),
            date_check("care_plan", "discharged_on", nullable=True),
        ]
        indexes = [
            # The clinic dashboard's "went quiet" count reads the active plans old enough
            # to have dropped from this index alone.
            models.Index(
                fields=["started_on"],
                name="care_plan_active_started",
                include=[
                    "practitioner",
                    "first_location",
                    "patient_last_visit",
                    "patient_last_booking",
                ],
                condition=models.Q(status="active"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.condition} ({self.get_status_display().lower()})"

    def clean(self) -> None:
        """The rules a form can show next to their fields (the database checks them too)."""
        from clinic import outcomes

        errors: dict[str, str] = {}
        if self.measure and self.measure not in outcomes.registry:
            errors["measure"] = "Choose an outcome measure from the list."
        if self.region and self.region not in dict(outcomes.registry.region_choices()):
            errors["region"] = "Choose a body region from the list."
        if self.twice_weekly and not (self.frequency_reason or "").strip():
            errors["frequency_reason"] = (
                "Give the clinical reason for twice weekly; it is recorded on each visit "
                "booked closer than a week."
            )
        if (
            self.remeasure_every
            and self.sessions_planned
            and self.remeasure_every > self.sessions_planned
        ):
            errors["remeasure_every"] = "Re-measure within the planned number of sessions."
        if self.status == self.Status.DISCHARGED:
            if not self.discharge_reason:
                errors["discharge_reason"] = "Choose the reason for discharge."
            elif (
                self.discharge_reason == self.DischargeReason.OTHER
                and not (self.discharge_note or "").strip()
            ):
                errors["discharge_note"] = "Say why, for a reason of 'Other'."
            if self.discharged_on is None:
                errors["discharged_on"] = "Give the date of discharge."
            elif self.discharged_on < self.started_on:
                errors["discharged_on"] = "Discharge on or after the day the plan started."
        if errors:
            raise ValidationError(errors)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def twice_weekly(self) -> bool:
        return self.frequency == self.Frequency.TWICE_WEEKLY_START

    @property
    def measure_label(self) -> str:
        from clinic import outcomes

        return outcomes.registry.label(self.measure)

    @property
    def region_label(self) -> str:
        from clinic import outcomes

        return dict(outcomes.registry.region_choices()).get(self.region, self.region)


class RemeasureReminder(models.Model):
    """The e-mail asking a patient to fill in their plan's outcome measure before visit
    `visit` of the course (the appointment): one row per re-measure visit, written when the
    e-mail is queued, so the daily sweep asks once (clinic.services.remeasure)."""

    plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="+")
    appointment = models.OneToOneField(
        "clinic.Appointment", on_delete=models.PROTECT, related_name="remeasure_reminder"
    )
    visit = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "clinic"

    def __str__(self) -> str:
        return f"Re-measure reminder for visit {self.visit} of plan {self.plan_id}"


class CourseDay(models.Model):
    """One clinic-local day's courses (plans of care) of a practitioner, counted at the
    location of each course's first visit (empty: no visit yet): started that day, and
    discharged that day as completed (any reason but the patient's choice, with their
    completed visits) or dropped at the patient's choice, and those judged against their
    measure's MCID. The clinic dashboard sums these few rows for a range instead of reading
    every plan (issue 20). Kept by clinic.services.dashboard_facts.course_days_refresh
    whenever a plan's dates, status, first location, completed visits or verdict change;
    rebuilt whole nightly. Courses that went quiet are not here: that depends on the day
    the dashboard looks back from."""

    day = models.DateField()
    practitioner = models.ForeignKey(
        "clinic.Practitioner", on_delete=models.CASCADE, related_name="+"
    )
    location = models.ForeignKey(
        "clinic.Location", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    started = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    dropped = models.PositiveIntegerField(default=0)
    completed_sessions = models.PositiveIntegerField(default=0)
    measured = models.PositiveIntegerField(default=0)
    reached_mcid = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "clinic"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "practitioner", "location"],
                name="clinic_course_day_unique",
                condition=models.Q(location__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["day", "practitioner"],
                name="clinic_course_day_unique_no_visit",
                condition=models.Q(location__isnull=True),
            ),
        ]
        indexes = [models.Index(fields=["day"], name="clinic_course_day_day")]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.practitioner_id}@{self.location_id}"
