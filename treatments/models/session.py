"""One IMS treatment session: the procedure note, its needling sites, needle count, adverse
events and addenda.

A session is a draft while it is charted and immutable once signed: treatments.services
refuses every change to a signed session, and on PostgreSQL a trigger (migration 0003)
rejects UPDATE/DELETE of a signed session and of its sites and re-tests. Corrections are
addenda. Adverse events may still be *added* after signing (a pneumothorax can show hours
later) but never edited or removed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from assessments.models import Muscle, RangeOfMotion, Region, Segment, Side
from clinic.validators import (
    NARRATIVE_MAX,
    NOTE_MAX,
    LimitedTextField,
    date_check,
    moment_check,
    validate_booking_date,
    validate_past_date,
    validate_past_moment,
)
from treatments.models.reference import HomeCareSnippet, NeedleSize

NPRS = [MinValueValidator(0), MaxValueValidator(10)]
DEPTH_MM_MAX = 100
BILATERAL_THORAX_REASON_MAX = 300


class TreatmentSession(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"

    patient = models.ForeignKey(
        "clinic.Patient", on_delete=models.PROTECT, related_name="treatment_sessions"
    )
    practitioner = models.ForeignKey(
        "clinic.Practitioner", on_delete=models.PROTECT, related_name="treatment_sessions"
    )
    appointment = models.OneToOneField(
        "clinic.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="treatment_session",
    )
    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="treatment_sessions",
        help_text="The assessment whose segmental summary guided this session.",
    )
    # Named care_plan: `plan` is the note's own Plan text (the P of the note, below).
    care_plan = models.ForeignKey(
        "clinic.CarePlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="treatment_sessions",
        verbose_name="care plan",
        help_text="The course of care: its visit's plan when started from a visit.",
    )
    session_date = models.DateField(
        "date", default=timezone.localdate, validators=[validate_past_date]
    )

    # Re-screen since the last visit (None: not asked yet).
    rescreen_medication = models.BooleanField(
        "changes in medication (e.g. blood thinners)", null=True, blank=True
    )
    rescreen_pregnancy = models.BooleanField("pregnant or may be pregnant", null=True, blank=True)
    rescreen_conditions = models.BooleanField(
        "new conditions, surgery or injuries", null=True, blank=True
    )
    rescreen_contraindication = models.BooleanField(
        "any of these is a contraindication to needling today", null=True, blank=True
    )
    # Absolute contraindication (ASAP 2007/2013; sources in clinic migration 0014): a yes
    # blocks signing. Not part of rescreen_answered, so notes signed before it existed
    # still read as answered; sign_problems asks for it on every draft.
    rescreen_acutely_unwell = models.BooleanField(
        "acutely unwell or a medical emergency today", null=True, blank=True
    )
    rescreen_notes = models.CharField("re-screen notes", max_length=300, blank=True)

    # The S and O of a SOAP note in the physio's own words; the structured parts (sites,
    # responses, re-tests, pain scores) stay in their own fields and tables.
    subjective = LimitedTextField(
        "subjective",
        blank=True,
        max_length=NARRATIVE_MAX,
        help_text="What the patient reports since the last visit: pain, function, sleep, work.",
    )
    objective = LimitedTextField(
        "objective",
        blank=True,
        max_length=NARRATIVE_MAX,
        help_text="What you observed and measured today, beyond the sites and re-tests below.",
    )

    nprs_before = models.PositiveSmallIntegerField(
        "pain before (0-10)", null=True, blank=True, validators=NPRS
    )
    nprs_after = models.PositiveSmallIntegerField(
        "pain after (0-10)", null=True, blank=True, validators=NPRS
    )

    needles_opened = models.PositiveSmallIntegerField(null=True, blank=True)
    needles_removed = models.PositiveSmallIntegerField(null=True, blank=True)
    needles_disposed = models.PositiveSmallIntegerField(
        "needles disposed to sharps", null=True, blank=True
    )
    needle_integrity_checked = models.BooleanField(
        "every needle checked intact on removal", default=False
    )

    home_care = models.ManyToManyField(HomeCareSnippet, blank=True, related_name="+")
    home_care_text = LimitedTextField("other home-care advice", blank=True, max_length=NOTE_MAX)
    plan = LimitedTextField(blank=True, max_length=NARRATIVE_MAX)
    next_visit_on = models.DateField(
        "recommended next visit", null=True, blank=True, validators=[validate_booking_date]
    )
    # Why both sides of the thorax were needled in this one session (see
    # treatments.services.bilateral_thorax for the caution and its sources).
    bilateral_thorax_reason = LimitedTextField(
        "reason for needling both sides of the thorax",
        blank=True,
        max_length=BILATERAL_THORAX_REASON_MAX,
    )

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(m2m_fields=[home_care])

    class Meta:
        ordering = ["-session_date", "-created_at"]
        indexes = [models.Index(fields=["patient", "-session_date"], name="treat_patient_date")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(signed_at__isnull=False, signed_by__isnull=False),
                name="treat_signed_has_signer",
            ),
            models.CheckConstraint(
                condition=models.Q(nprs_before__isnull=True) | models.Q(nprs_before__lte=10),
                name="treat_nprs_before_range",
            ),
            models.CheckConstraint(
                condition=models.Q(nprs_after__isnull=True) | models.Q(nprs_after__lte=10),
                name="treat_nprs_after_range",
            ),
            date_check("treat_session", "session_date"),
            date_check("treat_session", "next_visit_on", nullable=True),
        ]

    def __str__(self) -> str:
        return f"IMS session for {self.patient} on {self.session_date:%Y-%m-%d}"

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED

    @property
    def needles_reconcile(self) -> bool:
        counts = (self.needles_opened, self.needles_removed, self.needles_disposed)
        return (
            None not in counts
            and self.needles_opened == self.needles_removed == self.needles_disposed
            and self.needle_integrity_checked
        )

    @property
    def rescreen_answered(self) -> bool:
        return None not in (
            self.rescreen_medication,
            self.rescreen_pregnancy,
            self.rescreen_conditions,
            self.rescreen_contraindication,
        )

    @property
    def needled_both_sides_of_thorax(self) -> bool:
        """Chest-wall muscles needled on the left and the right in this session (or a
        chest-wall site recorded as "both sides"); a midline site counts for neither side.

        A needling pneumothorax may show only hours later, and one on each side at once is
        life-threatening; so thorax safety guidance advises against needling both sides of
        the thorax in one session. Sources: Allied Health Professions Council of South
        Africa, Board Notice 121, "Safety Guidelines: Chiropractic and Osteopathy: Dry
        Needling", section 5.1 Thorax ("avoid DN on both sides of the thorax to prevent a
        bilateral pneumothorax"; year of the notice not confirmed here); McCutcheon L,
        Yelland M, Physical Therapy Reviews 2011;16(2):126-132 (a pneumothorax can present
        late, after the patient has left). The app warns and asks for a reason; it does not
        forbid it: the guidance is advice, and the clinician may have one (e.g. a
        bilateral segmental presentation with the patient briefed and observed).

        Uses the prefetched sites (with their muscles) when the page has them."""
        cache = getattr(self, "_prefetched_objects_cache", {})
        if "sites" in cache:
            sides = {site.side for site in cache["sites"] if site.muscle.chest_wall}
        else:
            sides = set(self.sites.filter(muscle__chest_wall=True).values_list("side", flat=True))
        return Side.BOTH in sides or {Side.LEFT, Side.RIGHT} <= sides

    def clean(self) -> None:
        if self.next_visit_on and self.session_date and self.next_visit_on <= self.session_date:
            raise ValidationError(
                {"next_visit_on": "The next visit comes after this session's date."}
            )


class NeedlingSite(models.Model):
    """One muscle needled: where, with what, how, and how it responded.

    On a chest-wall muscle (Muscle.chest_wall) the note also records how deep the needle
    went (mm) and which way it pointed: the pleura can lie within 10-20 mm of the skin in a
    thin patient, and the published thorax safety guidance rests on exactly these two
    choices (needle length and depth for the patient's build; a direction away from the
    lung: onto a rib or the scapula as a backstop, or tangential into a muscle held in a
    pincer grip or bracketed between two fingers in the intercostal spaces). Sources:
    - McCutcheon L, Yelland M. Iatrogenic pneumothorax: safety concerns when using
      acupuncture or dry needling in the thoracic region. Physical Therapy Reviews
      2011;16(2):126-132 (technique modifications that keep the needle off the pleura).
    - Allied Health Professions Council of South Africa, Board Notice 121, "Safety
      Guidelines: Chiropractic and Osteopathy: Dry Needling", section 5.1 Thorax: choose
      needle length, angle and place of insertion beforehand, always direct the needle away
      from the lung, use pincer palpation and needle tangentially where possible, bracket
      the rib (year of the notice not confirmed here).
    - Cummings M, Ross-Marrs R, Gerwin R. Pneumothorax complication of deep dry needling
      demonstration. Acupuncture in Medicine 2014;32(6):517-519 (a pneumothorax from an
      iliocostalis needle that went deeper than intended, by a very experienced needler).
    The 1-100 mm range is the longest acupuncture-type needle in use (100 mm); over the
    chest wall a depth near the top of it is itself a warning sign the clinician sees.
    """

    class Direction(models.TextChoices):
        ONTO_BONE = "onto_bone", "Perpendicular onto rib or scapula (bone as backstop)"
        TANGENTIAL = "tangential", "Tangential / oblique to the chest wall (pincer grip)"
        CRANIAL = "cranial", "Cranial"
        CAUDAL = "caudal", "Caudal"
        MEDIAL = "medial", "Medial"
        LATERAL = "lateral", "Lateral"

    class Technique(models.TextChoices):
        IN_OUT = "in_out", "In-and-out"
        RETAINED = "retained", "Retained"
        ELECTRICAL = "electrical", "Electrical stimulation"

    class Twitch(models.TextChoices):
        NONE = "none", "None"
        SMALL = "small", "Small"
        LARGE = "large", "Large"

    session = models.ForeignKey(TreatmentSession, on_delete=models.CASCADE, related_name="sites")
    muscle = models.ForeignKey(Muscle, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=1, choices=Side.choices)
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="+")
    region = models.CharField(max_length=10, choices=Region.choices)
    needle = models.ForeignKey(NeedleSize, on_delete=models.PROTECT, related_name="+")
    technique = models.CharField(max_length=12, choices=Technique.choices)
    retained_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    estim_frequency_hz = models.DecimalField(
        "frequency (Hz)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.1), MaxValueValidator(200)],
    )
    estim_intensity = models.CharField(
        "intensity", max_length=40, blank=True, help_text="e.g. 'to comfortable tapping'."
    )
    insertions = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    twitch = models.CharField(max_length=5, choices=Twitch.choices)
    response_ache = models.BooleanField("deep ache", default=False)
    response_cramp = models.BooleanField("cramp", default=False)
    response_referred = models.BooleanField("referred sensation", default=False)
    released = models.BooleanField(default=False)
    pneumothorax_acknowledged = models.BooleanField(
        "pneumothorax precaution acknowledged", default=False
    )
    needle_depth_mm = models.PositiveSmallIntegerField(
        "needle depth (mm)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(DEPTH_MM_MAX)],
        help_text="Deepest point reached, in millimetres (required over the chest wall).",
    )
    needle_direction = models.CharField(
        "needle direction",
        max_length=12,
        choices=Direction.choices,
        blank=True,
        help_text="Which way the needle pointed (required over the chest wall).",
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(insertions__gte=1), name="treat_site_insertions"
            ),
            models.CheckConstraint(
                condition=models.Q(technique="retained", retained_minutes__isnull=False)
                | models.Q(technique="electrical")
                | models.Q(technique="in_out", retained_minutes__isnull=True),
                name="treat_site_minutes_match_technique",
            ),
            models.CheckConstraint(
                condition=models.Q(needle_depth_mm__isnull=True)
                | models.Q(needle_depth_mm__gte=1, needle_depth_mm__lte=DEPTH_MM_MAX),
                name="treat_site_depth_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.muscle} ({self.get_side_display().lower()})"

    @property
    def depth_direction(self) -> str:
        """'18 mm deep, tangential / oblique ...' for the note, the chart and the course
        summary (clinical readers); '' when not recorded."""
        return depth_direction_text(self.needle_depth_mm, self.needle_direction)

    @property
    def responses(self) -> list[str]:
        return [
            label
            for flag, label in (
                (self.response_ache, "ache"),
                (self.response_cramp, "cramp"),
                (self.response_referred, "referred"),
            )
            if flag
        ]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        muscle = self.muscle if self.muscle_id else None
        if self.technique == self.Technique.IN_OUT and self.retained_minutes is not None:
            errors["retained_minutes"] = "In-and-out needling is not retained: leave minutes empty."
        if self.technique == self.Technique.RETAINED and self.retained_minutes is None:
            errors["retained_minutes"] = "Give the minutes the needle was retained."
        if self.technique == self.Technique.ELECTRICAL:
            if self.estim_frequency_hz is None:
                errors["estim_frequency_hz"] = "Give the stimulation frequency."
            if self.retained_minutes is None:
                errors["retained_minutes"] = "Give the minutes of stimulation."
        elif self.estim_frequency_hz is not None or self.estim_intensity:
            errors["estim_frequency_hz"] = "Stimulation settings only apply to electrical."
        if muscle is not None:
            if self.side and self.side not in muscle.allowed_sides():
                errors["side"] = f"{muscle.name} is paired: choose left, right or both."
            if self.region and muscle.kind != self.region:
                errors["region"] = (
                    f"{muscle.name} is {muscle.get_kind_display().lower()}, "
                    f"not {self.get_region_display().lower()}."
                )
            if (
                self.segment_id
                and not muscle.innervations.filter(segment_id=self.segment_id).exists()
            ):
                codes = ", ".join(i.segment.code for i in muscle.innervations.all())
                errors["segment"] = f"{muscle.name} is supplied by {codes}."
            if muscle.chest_wall and not self.pneumothorax_acknowledged:
                errors["pneumothorax_acknowledged"] = (
                    f"{muscle.name} lies over the chest wall: acknowledge the pneumothorax "
                    "precaution (needle angle and depth, patient told the symptoms)."
                )
            if muscle.chest_wall and self.needle_depth_mm is None:
                errors["needle_depth_mm"] = (
                    f"{muscle.name} lies over the chest wall: give the needle depth in mm "
                    f"(1-{DEPTH_MM_MAX})."
                )
            if muscle.chest_wall and not self.needle_direction:
                errors["needle_direction"] = (
                    f"{muscle.name} lies over the chest wall: give the needle direction."
                )
        if errors:
            raise ValidationError(errors)


def depth_direction_text(depth_mm: int | None, direction: str) -> str:
    """NeedlingSite.depth_direction from the two values (for reads without the model)."""
    parts = []
    if depth_mm is not None:
        parts.append(f"{depth_mm} mm deep")
    if direction:
        label = dict(NeedlingSite.Direction.choices).get(direction, direction)
        parts.append(str(label).lower())
    return ", ".join(parts)


class RomRetest(models.Model):
    """A range of motion measured before and after needling."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.CASCADE, related_name="retests")
    joint = models.CharField(max_length=12, choices=RangeOfMotion.Joint.choices)
    movement = models.CharField(max_length=20, choices=RangeOfMotion.Movement.choices)
    side = models.CharField(max_length=1, choices=Side.choices)
    before_degrees = models.PositiveSmallIntegerField(validators=[MaxValueValidator(360)])
    after_degrees = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(360)]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_joint_display()} {self.get_movement_display().lower()}"


class AdverseEvent(models.Model):
    """An adverse event after (or during) needling, graded twice, as the prospective surveys
    grade them:

    - **severity** (mild / moderate / severe): how intense it was;
    - **significant**: the surveys' second tier. White A, Hayhoe S, Hart A, Ernst E.
      "Adverse events following acupuncture: prospective survey of 32 000 consultations
      with doctors and physiotherapists." BMJ 2001;323:485-6 (doi:10.1136/bmj.323.7311.485)
      defined a minor adverse event as "any ill-effect, no matter how small, that is
      unintended and non-therapeutic, even if not unexpected", and reported separately the
      minor or serious events that were *significant*: "unusual, novel, dangerous,
      significantly inconvenient, or requiring further information". MacPherson H, Thomas
      K, Walters S, Fitter M. "The York acupuncture safety study: prospective survey of
      34 000 treatments by traditional acupuncturists." BMJ 2001;323:486-7
      (doi:10.1136/bmj.323.7311.486) used the same "significant" wording and called
      *serious* an event requiring hospital admission, leading to permanent disability or
      resulting in death. Brady S, McEvoy J, Dommerholt J, Doody C. "Adverse events
      following trigger point dry needling: a prospective survey of chartered
      physiotherapists." J Man Manip Ther 2014;22(3):134-40
      (doi:10.1179/2042618613Y.0000000044) recorded dry needling's events on two forms,
      mild and significant, with White's questionnaire (modified, with his permission);
      its mild events are the types below (bruising, bleeding, pain during treatment, pain
      after treatment = post-needling soreness, aggravation of symptoms, drowsiness,
      headache, nausea). Physiotherapy Alberta's "Dry needling adverse events FAQ"
      (physiotherapyalberta.ca) summarises White's tiers operationally: mild = short,
      reversible, does not inconvenience the patient; significant = requires medical
      intervention or interferes with the patient's activities; serious = hospital
      admission, persistent or significant disability, or death.

    The sources agree that serious events are a subset of significant ones and that an
    event needing medical care is significant; White's wording is wider (any event that is
    unusual or significantly inconvenient), so the physiotherapist decides the rest.
    Neither survey sets a duration threshold (no "lasting more than N hours" rule is
    confirmed in them), so none is coded. Hence `significant` is stored, chosen by the
    physiotherapist, and forced on (by `clean` and a CHECK constraint) when the event is
    serious here (severe, a suspected pneumothorax or a broken needle) or the patient was
    referred for medical care. Rows from before the flag: the serious ones were marked
    significant by migration (they were already e-mailed as serious); the others stay
    not significant, as nothing recorded says otherwise. Significant events (serious ones
    included) e-mail the clinic admins.
    """

    class Kind(models.TextChoices):
        BRUISING = "bruising", "Bruising"
        BLEEDING = "bleeding", "Bleeding"
        PAIN_DURING = "pain_during", "Pain during treatment"
        SORENESS = "soreness", "Post-needling soreness"
        AGGRAVATION = "aggravation", "Aggravation of symptoms"
        HEADACHE = "headache", "Headache"
        NAUSEA = "nausea", "Nausea"
        VASOVAGAL = "vasovagal", "Vasovagal / fainting"
        DROWSINESS = "drowsiness", "Drowsiness"
        PNEUMOTHORAX = "pneumothorax", "Suspected pneumothorax"
        BROKEN_NEEDLE = "broken_needle", "Broken needle"
        OTHER = "other", "Other"

    class Severity(models.TextChoices):
        MILD = "mild", "Mild"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe"

    ALWAYS_SERIOUS = frozenset({Kind.PNEUMOTHORAX, Kind.BROKEN_NEEDLE})
    # "Where / to whom": a place or a person (e.g. "Emergency department, City Hospital").
    REFERRED_TO_MAX = 300

    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="adverse_events"
    )
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    significant = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Unusual, dangerous, significantly inconvenient (e.g. interfered with daily "
        "activities) or needing medical care. Always so when severe or referred; the clinic "
        "admins are e-mailed.",
    )
    occurred_at = models.DateTimeField(
        "time", default=timezone.now, validators=[validate_past_moment]
    )
    description = models.CharField(max_length=300, blank=True)
    action_taken = LimitedTextField(max_length=NARRATIVE_MAX)
    follow_up = LimitedTextField(blank=True, max_length=NARRATIVE_MAX)
    referred_for_care = models.BooleanField(
        "referred for medical care", default=False, db_default=False
    )
    referred_to = LimitedTextField(
        "where / to whom",
        blank=True,
        default="",
        db_default="",
        max_length=REFERRED_TO_MAX,
        help_text="E.g. emergency department, family physician.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    admin_notified_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["occurred_at", "pk"]
        constraints = [
            moment_check("treat_adverse", "occurred_at"),
            # Serious or referred events are significant (see the class docstring).
            models.CheckConstraint(
                condition=models.Q(significant=True)
                | (
                    models.Q(referred_for_care=False)
                    & ~models.Q(severity="severe")
                    & ~models.Q(kind__in=["pneumothorax", "broken_needle"])
                ),
                name="treat_adverse_significant_floor",
            ),
            # A referral says where; no "where" without a referral.
            models.CheckConstraint(
                condition=(models.Q(referred_for_care=True) & ~models.Q(referred_to=""))
                | models.Q(referred_for_care=False, referred_to=""),
                name="treat_adverse_referral_where",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_severity_display().lower()})"

    @property
    def is_serious(self) -> bool:
        return self.severity == self.Severity.SEVERE or self.kind in self.ALWAYS_SERIOUS

    @property
    def must_be_significant(self) -> bool:
        return self.is_serious or bool(self.referred_for_care)

    def clean(self) -> None:
        if self.must_be_significant:
            self.significant = True
        errors = {}
        if self.kind == self.Kind.OTHER and not self.description.strip():
            errors["description"] = "Describe what happened."
        self.referred_to = (self.referred_to or "").strip()
        if self.referred_for_care and not self.referred_to:
            errors["referred_to"] = "Say where or to whom the patient was referred."
        elif self.referred_to and not self.referred_for_care:
            errors["referred_for_care"] = (
                "Tick this if the patient was referred, or clear where / to whom."
            )
        if errors:
            raise ValidationError(errors)


class SessionAddendum(models.Model):
    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    text = LimitedTextField(max_length=NARRATIVE_MAX)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "session addenda"

    def __str__(self) -> str:
        return f"Addendum to {self.session} by {self.author}"
