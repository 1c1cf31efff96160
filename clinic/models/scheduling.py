"""Scheduling: locations, practitioners and their hours, appointment types, appointments.

The rules that span rows (no double booking, IMS spacing, working hours) live in
clinic.services.scheduling, the only code that creates or moves appointments; on
PostgreSQL exclusion constraints (migration 0005) make overlaps impossible even for code
that bypasses it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.models.patients import Patient
from clinic.validators import (
    NOTE_MAX,
    LimitedTextField,
    date_check,
    moment_check,
    validate_booking_date,
    validate_booking_moment,
    validate_time_off_moment,
)


class Location(models.Model):
    name = models.CharField(max_length=100, unique=True)
    address = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        app_label = "clinic"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=60)
    active = models.BooleanField(default=True)

    class Meta:
        app_label = "clinic"
        ordering = ["location__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["location", "name"], name="clinic_room_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.location})"


class Practitioner(models.Model):
    """A staff member who sees patients, with the locations where they work."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practitioner"
    )
    display_name = models.CharField(max_length=100, help_text="As patients see it.")
    locations = models.ManyToManyField(Location, related_name="practitioners")
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0, help_text="Column order on the day view.")

    class Meta:
        app_label = "clinic"
        ordering = ["order", "display_name"]

    def __str__(self) -> str:
        return self.display_name


class WorkingHours(models.Model):
    """A weekly block when a practitioner sees patients at a location (split shifts are
    two blocks)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="working_hours"
    )
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        app_label = "clinic"
        ordering = ["practitioner", "weekday", "start"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="clinic_hours_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.practitioner}: {self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"
        )


class TimeOff(models.Model):
    """A period a practitioner does not see patients (holiday, sick day, course)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "Holiday"
        SICK = "sick", "Sick"
        OTHER = "other", "Other"

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="time_off"
    )
    start = models.DateTimeField(validators=[validate_time_off_moment])
    end = models.DateTimeField(validators=[validate_time_off_moment])
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.HOLIDAY)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        app_label = "clinic"
        ordering = ["start"]
        verbose_name = "time off"
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="clinic_timeoff_end_after_start"
            ),
            moment_check("clinic_timeoff", "start"),
            moment_check("clinic_timeoff", "end"),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} off {self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}"


class AppointmentType(models.Model):
    name = models.CharField(max_length=60, unique=True)
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    is_ims = models.BooleanField(
        "is IMS", default=False, help_text="Counts for the once-a-week IMS spacing rule."
    )
    bookable_online = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        app_label = "clinic"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.duration_minutes)


class ClinicPolicy(models.Model):
    """The clinic's booking settings (one row, edited by the clinic admin)."""

    online_booking_enabled = models.BooleanField(
        default=True, help_text="Patients may book follow-up and IMS visits in the portal."
    )
    cancellation_notice_hours = models.PositiveSmallIntegerField(
        default=24, help_text="Patients may cancel online up to this many hours before."
    )
    # 48 by default, earlier than the 24-hour notice: a reminder sent inside the notice
    # period could only say "phone us", and its "I can't come" link would never work
    # (clinic.services.reminder_links). Clinics that change one should keep them apart.
    reminder_hours_before = models.PositiveSmallIntegerField(
        default=48,
        help_text="Reminders go out this many hours before the visit. Keep it above the "
        "cancellation notice, so patients can still cancel from the reminder's link.",
    )
    online_booking_days_ahead = models.PositiveSmallIntegerField(default=28)
    desk_notice_email = models.EmailField(
        "e-mail the desk at",
        blank=True,
        help_text="When patients book, confirm or cancel online, also e-mail this address "
        "(the desk's shared inbox). Blank: the notices show on the day view only.",
    )
    # The waitlist's automatic offers (clinic.services.waitlist): off until the clinic
    # turns them on; the desk can always offer a freed slot by hand.
    waitlist_auto_offer = models.BooleanField(
        "offer freed slots automatically",
        default=False,
        help_text="When a visit is cancelled, e-mail the best waitlist matches a link to take it.",
    )
    waitlist_offer_count = models.PositiveSmallIntegerField(
        "waitlist matches offered at once",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )

    class Meta:
        app_label = "clinic"
        verbose_name = verbose_name_plural = "clinic booking policy"

    def __str__(self) -> str:
        return "Booking policy"

    @classmethod
    def current(cls) -> ClinicPolicy:
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CHECKED_IN = "checked_in", "Checked in"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"

    class Via(models.TextChoices):
        DESK = "desk", "Front desk"
        PORTAL = "portal", "Online (portal)"

    class ConfirmedVia(models.TextChoices):
        LINK = "link", "Link in the reminder e-mail"
        DESK = "desk", "At the front desk"
        PHONE = "phone", "By phone"

    # Statuses that still hold the time slot; and those that count as a visit for spacing.
    HOLDS_SLOT = (Status.BOOKED, Status.CHECKED_IN, Status.COMPLETED, Status.NO_SHOW)
    COUNTS_FOR_SPACING = (Status.BOOKED, Status.CHECKED_IN, Status.COMPLETED)

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="appointments"
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="appointments")
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments"
    )
    type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField(validators=[validate_booking_moment])
    end = models.DateTimeField(validators=[validate_booking_moment])
    # Copied from the type when booked, so a later change of the type does not rewrite
    # history; `local_date` is the clinic-local calendar date that IMS spacing counts.
    is_ims = models.BooleanField(default=False)
    local_date = models.DateField(db_index=True, validators=[validate_booking_date])
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.BOOKED)
    booked_via = models.CharField(max_length=10, choices=Via.choices, default=Via.DESK)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True)
    spacing_override_reason = LimitedTextField(blank=True, max_length=NOTE_MAX)
    spacing_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The course of care this visit belongs to (clinic.models.care.CarePlan): a booking
    # for a patient with an active plan defaults to it; its frequency can allow IMS visits
    # closer than the interval early in the course (services.scheduling._check_spacing).
    plan = models.ForeignKey(
        "clinic.CarePlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name="care plan",
    )
    # Visits booked together as one weekly series (clinic.services.series) share this id,
    # so "this and later ones" can find the rest of the series when one is moved or
    # cancelled. Empty for a visit booked on its own.
    series = models.UUIDField(null=True, blank=True, db_index=True, editable=False)
    # The patient's first completed visit at the clinic, ever (the dashboard's "new
    # patient"), kept by clinic.services.dashboard_facts whenever a visit is completed, so
    # the dashboard counts it (DashboardDay.new_patients) instead of looking back per visit.
    first_visit = models.BooleanField(default=False, editable=False)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(max_length=200, blank=True)
    online_booking_seen_at = models.DateTimeField(
        null=True, blank=True, help_text="When the front desk acknowledged an online booking."
    )
    reminder_claimed_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # The patient said they will come (the reminder's link, or told the desk); cleared when
    # the visit moves, since they confirmed the old time.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_via = models.CharField(max_length=10, choices=ConfirmedVia.choices, blank=True)

    history = HistoricalRecords(
        excluded_fields=["reminder_claimed_at", "reminder_sent_at", "online_booking_seen_at"]
    )

    class Meta:
        app_label = "clinic"
        ordering = ["start"]
        indexes = [
            models.Index(fields=["practitioner", "start"], name="clinic_appt_practitioner_start"),
            models.Index(fields=["patient", "start"], name="clinic_appt_patient_start"),
            # With the patient: the dashboard's "seen lately or booked ahead" reads the
            # patients of a few weeks of visits from the index alone.
            models.Index(
                fields=["start", "status"], name="clinic_appt_start_status", include=["patient"]
            ),
            # The desk's day view reads one location's day: by (start, status) PostgreSQL
            # fetched every location's visits that day and threw most away.
            models.Index(fields=["location", "start"], name="clinic_appt_location_start"),
            # The desk's "new online bookings" list reads only these few rows on every day
            # view; without it PostgreSQL walks every future booking to find them.
            # The clinic dashboard (clinic.selectors.dashboard): a plan's first visit and
            # its attended visits read from the index alone, and "is this the patient's
            # first completed visit" probes only completed visits.
            # The clinic dashboard's late cancellations of a range: the cancelled visits
            # only, read from the index alone (clinic.selectors.dashboard).
            models.Index(
                fields=["local_date"],
                name="clinic_appt_day_cancelled",
                # status too: the late-cancellation rule names it in the count's FILTER,
                # which PostgreSQL does not drop as implied by the index's condition.
                include=["practitioner", "location", "start", "cancelled_at", "status"],
                condition=models.Q(status="cancelled"),
            ),
            models.Index(
                fields=["plan", "start"],
                name="clinic_appt_plan_start",
                include=["location", "status"],
            ),
            models.Index(
                fields=["patient", "start"],
                name="clinic_appt_patient_completed",
                condition=models.Q(status="completed"),
            ),
            models.Index(
                fields=["start"],
                name="clinic_appt_online_unseen",
                condition=models.Q(
                    booked_via="portal", online_booking_seen_at__isnull=True, status="booked"
                ),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="clinic_appt_end_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(spacing_override_reason="")
                | models.Q(spacing_override_by__isnull=False),
                name="clinic_appt_override_has_author",
            ),
            moment_check("clinic_appt", "start"),
            moment_check("clinic_appt", "end"),
            date_check("clinic_appt", "local_date"),
            models.CheckConstraint(
                condition=models.Q(confirmed_at__isnull=True, confirmed_via="")
                | models.Q(confirmed_at__isnull=False) & ~models.Q(confirmed_via=""),
                name="clinic_appt_confirmed_has_via",
            ),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.start)
        return f"{self.patient} with {self.practitioner}, {local:%Y-%m-%d %H:%M}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.BOOKED, self.Status.CHECKED_IN)

    @property
    def is_cancellable(self) -> bool:
        return self.status == self.Status.BOOKED

    @property
    def flagged_online(self) -> bool:
        return self.booked_via == self.Via.PORTAL and self.online_booking_seen_at is None


class DeskNotice(models.Model):
    """Something a patient did online that the front desk should see: confirmed or cancelled
    a visit from the reminder's links, or cancelled in the portal. Listed on the day view
    (clinic.selectors.desk_notices) until someone marks it seen. Bookings made online have
    their own flag on the appointment (online_booking_seen_at)."""

    class Kind(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled"

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="desk_notices"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(null=True, blank=True)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        app_label = "clinic"
        ordering = ["-created_at"]
        indexes = [
            # The day view reads only the unseen few on every load.
            models.Index(
                fields=["created_at"],
                name="clinic_desknotice_unseen",
                condition=models.Q(seen_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.appointment}"


class DashboardDay(models.Model):
    """One clinic-local day's completed visits, no-shows and new patients (first completed
    visits, Appointment.first_visit) of a practitioner at a location: the clinic
    dashboard's visit counts read from these few rows (about 20 a day) instead of every
    appointment of the range. Kept by clinic.services.dashboard_facts whenever a visit's
    status becomes or stops being completed or a no-show, or it is cancelled; the whole
    table can be rebuilt from the appointments (dashboard_days_refresh()), as migration
    0024 and the seed commands do. Late cancellations are counted with the clinic's
    notice policy (ClinicPolicy.cancellation_notice_hours) when the day is counted; a
    change of the policy counts every day again (ClinicPolicyAdmin.save_model)."""

    day = models.DateField()
    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    visits = models.PositiveIntegerField(default=0)
    no_shows = models.PositiveIntegerField(default=0)
    new_patients = models.PositiveIntegerField(default=0)
    late_cancels = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "clinic"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "practitioner", "location"], name="clinic_dashboard_day_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.practitioner_id}@{self.location_id}"


class NeedlingDay(models.Model):
    """A day the patient was needled: one row per signed treatment session with at least
    one needling site, whatever the appointment's type was (or with no appointment).

    The clinic-level fact that IMS spacing counts alongside booked IMS visits (see
    clinic.selectors.scheduling.needling_days). treatments.services.session_sign writes it
    in the signing transaction, after locking the patient row, so a booking (which locks
    the same row first) either sees it or is seen by the signing's own spacing check. A
    signed session never changes (on PostgreSQL a trigger refuses it), so neither does
    this row. `session_id` names the treatments session without a foreign key: clinic
    does not depend on treatments (DESIGN.md layers)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="needling_days")
    day = models.DateField(help_text="The session's date (clinic-local).")
    session_id = models.PositiveBigIntegerField(unique=True)
    appointment = models.ForeignKey(
        "clinic.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "clinic"
        ordering = ["patient", "day"]
        indexes = [models.Index(fields=["patient", "day"], name="clinic_needling_patient_day")]
        constraints = [date_check("clinic_needling", "day")]

    def __str__(self) -> str:
        return f"{self.patient} needled on {self.day:%Y-%m-%d}"


class SpacingAlert(models.Model):
    """Two needlings of one patient (booked IMS visits or signed sessions with needling
    sites, whatever the visit type) closer than the minimum interval without an override,
    found by the nightly audit (e.g. made in the admin, imported, or after the interval
    setting changed). Shown to the front desk until someone resolves it.

    Each side is an appointment, or, for a session with no appointment, its NeedlingDay;
    `pair` names both ("a12-n7") so the audit records each pair once."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="spacing_alerts")
    first = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    second = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    first_needling = models.ForeignKey(
        NeedlingDay, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    second_needling = models.ForeignKey(
        NeedlingDay, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    first_date = models.DateField()
    second_date = models.DateField()
    pair = models.CharField(max_length=50, unique=True)
    days_apart = models.SmallIntegerField()
    detected_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(max_length=200, blank=True)

    class Meta:
        app_label = "clinic"
        ordering = ["-detected_at"]

    def __str__(self) -> str:
        return f"Needling {self.days_apart} days apart for {self.patient}"


class RecallPlan(models.Model):
    """A patient on an active IMS plan: when eligible again with nothing booked, the clinic
    invites them to book (once per eligibility)."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="recall_plan")
    active = models.BooleanField(default=True)
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        app_label = "clinic"

    def __str__(self) -> str:
        return f"Recall plan for {self.patient}"


class RecallInvitation(models.Model):
    """One invitation to book, for one eligibility date: a rerun of the daily job finds it
    and sends nothing."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="recalls")
    eligible_from = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "clinic"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "eligible_from"], name="clinic_recall_once_per_eligibility"
            ),
            date_check("clinic_recall", "eligible_from"),
        ]

    def __str__(self) -> str:
        return f"Recall {self.patient} from {self.eligible_from}"
