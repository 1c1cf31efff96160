"""A physiotherapist's Gunn assessment of one patient and its structured findings.

An assessment is a draft while it is being charted and is locked when signed: every write
goes through assessments.services, which refuses to touch a signed assessment; on
PostgreSQL a trigger (migration 0003) refuses it too. Corrections are addenda.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from assessments.models.reference import Muscle, Region, Segment, Side, Sign, SignTest
from clinic.validators import NARRATIVE_MAX, LimitedTextField, date_check, validate_past_date


class Severity(models.IntegerChoices):
    ABSENT = 0, "0 · absent"
    MILD = 1, "1 · mild"
    MODERATE = 2, "2 · moderate"
    MARKED = 3, "3 · marked"


SEVERITY_VALIDATORS = [MinValueValidator(0), MaxValueValidator(3)]


class Assessment(models.Model):
    """A Gunn-style examination of one patient by one physiotherapist on one date."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"

    patient = models.ForeignKey(
        "clinic.Patient", on_delete=models.PROTECT, related_name="assessments"
    )
    practitioner = models.ForeignKey(
        "clinic.Practitioner", on_delete=models.PROTECT, related_name="assessments"
    )
    appointment = models.ForeignKey(
        "clinic.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
    )
    intake = models.ForeignKey(
        "clinic.Intake",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        help_text="The intake whose presenting complaint this assessment answers.",
    )
    assessed_on = models.DateField(
        "date", default=timezone.localdate, validators=[validate_past_date]
    )
    chief_complaint = LimitedTextField(blank=True, max_length=NARRATIVE_MAX)
    posture = LimitedTextField("posture observations", blank=True, max_length=NARRATIVE_MAX)
    movement = LimitedTextField("movement observations", blank=True, max_length=NARRATIVE_MAX)
    visceral_note = LimitedTextField("visceral note", blank=True, max_length=NARRATIVE_MAX)
    impression = LimitedTextField("impression and plan", blank=True, max_length=NARRATIVE_MAX)
    body_marks = models.JSONField("body chart", default=list, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_on", "-created_at"]
        indexes = [models.Index(fields=["patient", "-assessed_on"], name="assess_patient_date")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(signed_at__isnull=False, signed_by__isnull=False),
                name="assess_signed_has_signer",
            ),
            date_check("assess_assessment", "assessed_on"),
        ]

    def __str__(self) -> str:
        return f"Assessment of {self.patient} on {self.assessed_on:%Y-%m-%d}"

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED


class _Finding(models.Model):
    """Common to every finding row: its assessment, an order and a note."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]


def _check_side(muscle: Muscle | None, side: str, errors: dict[str, str]) -> None:
    if muscle is not None and side and side not in muscle.allowed_sides():
        errors["side"] = (
            f"{muscle.name} is a paired muscle: choose left, right or both sides, not midline."
        )


class SignFinding(_Finding):
    """One of Gunn's signs found (or looked for: severity 0) at a segment."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="sign_findings"
    )
    sign = models.ForeignKey(Sign, on_delete=models.PROTECT, related_name="+")
    test = models.ForeignKey(SignTest, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=1, choices=Side.choices)
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="+")
    region = models.CharField(max_length=10, choices=Region.choices)
    muscle = models.ForeignKey(
        Muscle, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    severity = models.PositiveSmallIntegerField(
        choices=Severity.choices, validators=SEVERITY_VALIDATORS
    )
    history = HistoricalRecords()

    class Meta(_Finding.Meta):
        constraints = [
            models.CheckConstraint(
                condition=models.Q(severity__gte=0, severity__lte=3), name="assess_sign_severity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sign} at {self.segment} ({self.get_side_display().lower()})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        sign = self.sign if self.sign_id else None
        test = self.test if self.test_id else None
        muscle = self.muscle if self.muscle_id else None
        if sign and test and not sign.tests.filter(pk=test.pk).exists():
            names = ", ".join(t.name.lower() for t in sign.tests.all()) or "none configured"
            errors["test"] = f"{sign.name} is not tested by {test.name.lower()} (use: {names})."
        if sign and sign.needs_muscle and muscle is None:
            errors["muscle"] = f"Name the muscle where {sign.name.lower()} was found."
        if muscle is not None and self.region and muscle.kind != self.region:
            errors["muscle"] = (
                f"{muscle.name} is a {muscle.get_kind_display().lower()} muscle; "
                f"this finding is {self.get_region_display().lower()}."
            )
        if self.side == Side.MIDLINE and self.region == Region.PERIPHERAL:
            errors["side"] = "A peripheral finding is on the left, the right or both sides."
        _check_side(muscle, self.side, errors)
        if errors:
            raise ValidationError(errors)


class TautBand(_Finding):
    """A palpable taut band or tender point in a muscle."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="taut_bands")
    muscle = models.ForeignKey(Muscle, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=1, choices=Side.choices)
    tenderness = models.PositiveSmallIntegerField(
        choices=Severity.choices, validators=SEVERITY_VALIDATORS
    )
    twitch = models.BooleanField("local twitch on palpation", default=False)
    history = HistoricalRecords()

    class Meta(_Finding.Meta):
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tenderness__gte=0, tenderness__lte=3),
                name="assess_band_tenderness",
            )
        ]

    def __str__(self) -> str:
        return f"Taut band in {self.muscle} ({self.get_side_display().lower()})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _check_side(self.muscle if self.muscle_id else None, self.side, errors)
        if errors:
            raise ValidationError(errors)


# Joints and the movements measured at each; spinal "joints" are midline, limbs are sided.
JOINT_MOVEMENTS: dict[str, tuple[str, ...]] = {
    "cervical": ("flexion", "extension", "side_flexion", "rotation"),
    "thoracic": ("flexion", "extension", "side_flexion", "rotation"),
    "lumbar": ("flexion", "extension", "side_flexion", "rotation", "slr"),
    "tmj": ("opening", "protrusion", "lateral_deviation"),
    "shoulder": (
        "flexion", "extension", "abduction", "adduction", "internal_rotation",
        "external_rotation", "hand_behind_back",
    ),
    "elbow": ("flexion", "extension"),
    "forearm": ("pronation", "supination"),
    "wrist": ("flexion", "extension", "radial_deviation", "ulnar_deviation"),
    "hip": (
        "flexion", "extension", "abduction", "adduction", "internal_rotation",
        "external_rotation", "slr",
    ),
    "knee": ("flexion", "extension"),
    "ankle": ("dorsiflexion", "plantarflexion", "inversion", "eversion"),
    "big_toe": ("flexion", "extension"),
}  # fmt: skip
SPINAL_JOINTS = frozenset({"cervical", "thoracic", "lumbar"})


# Extension deficit: an elbow or knee that cannot straighten to the zero position. Recording
# conventions disagree. The AAOS zero-starting-position method (American Academy of
# Orthopaedic Surgeons, "Joint Motion: Method of Measuring and Recording", 1965) writes the
# missing extension as a negative extension, e.g. knee extension -10 degrees; Norkin CC,
# White DJ, "Measurement of Joint Motion: A Guide to Goniometry" (5th ed., 2016) instead
# records the arc of flexion from where it starts (knee 10-120 degrees) and keeps every
# number positive. The note keeps the AAOS sign, which one field can hold, only where a
# deficit is clinically meant: extension of the elbow and the knee (contracture after
# injury, surgery or in osteoarthritis); anywhere else a negative range is a slip.
EXTENSION_DEFICIT_JOINTS = frozenset({"elbow", "knee"})
DEGREES_MIN = -90  # a 90-degree extension deficit: a joint fixed at a right angle
DEGREES_MAX = 360


def range_degrees_problem(joint: str, movement: str, degrees: int | None) -> str | None:
    """Why `degrees` cannot be this joint's movement's range, or None."""
    if degrees is None or degrees >= 0:
        return None
    if movement == "extension" and joint in EXTENSION_DEFICIT_JOINTS:
        if degrees < DEGREES_MIN:
            return f"An extension deficit is at most {-DEGREES_MIN} degrees."
        return None
    return (
        "Only elbow and knee extension can be negative (a deficit: the joint does not "
        "straighten fully); give this range as 0 or more."
    )


def range_text(degrees: int) -> str:
    """'-15° (lacks 15° of extension)' for a deficit, else '120°'."""
    if degrees < 0:
        return f"{degrees}° (lacks {-degrees}° of extension)"
    return f"{degrees}°"


class RangeOfMotion(_Finding):
    """A measured range: joint, movement, side, degrees and/or % of normal, painful."""

    class Joint(models.TextChoices):
        CERVICAL = "cervical", "Cervical spine"
        THORACIC = "thoracic", "Thoracic spine"
        LUMBAR = "lumbar", "Lumbar spine"
        TMJ = "tmj", "Jaw (TMJ)"
        SHOULDER = "shoulder", "Shoulder"
        ELBOW = "elbow", "Elbow"
        FOREARM = "forearm", "Forearm"
        WRIST = "wrist", "Wrist"
        HIP = "hip", "Hip"
        KNEE = "knee", "Knee"
        ANKLE = "ankle", "Ankle"
        BIG_TOE = "big_toe", "Big toe"

    class Movement(models.TextChoices):
        FLEXION = "flexion", "Flexion"
        EXTENSION = "extension", "Extension"
        SIDE_FLEXION = "side_flexion", "Side flexion"
        ROTATION = "rotation", "Rotation"
        ABDUCTION = "abduction", "Abduction"
        ADDUCTION = "adduction", "Adduction"
        INTERNAL_ROTATION = "internal_rotation", "Internal rotation"
        EXTERNAL_ROTATION = "external_rotation", "External rotation"
        HAND_BEHIND_BACK = "hand_behind_back", "Hand behind back"
        PRONATION = "pronation", "Pronation"
        SUPINATION = "supination", "Supination"
        RADIAL_DEVIATION = "radial_deviation", "Radial deviation"
        ULNAR_DEVIATION = "ulnar_deviation", "Ulnar deviation"
        DORSIFLEXION = "dorsiflexion", "Dorsiflexion"
        PLANTARFLEXION = "plantarflexion", "Plantarflexion"
        INVERSION = "inversion", "Inversion"
        EVERSION = "eversion", "Eversion"
        OPENING = "opening", "Opening"
        PROTRUSION = "protrusion", "Protrusion"
        LATERAL_DEVIATION = "lateral_deviation", "Lateral deviation"
        SLR = "slr", "Straight leg raise"

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="range_findings"
    )
    joint = models.CharField(max_length=12, choices=Joint.choices)
    movement = models.CharField(max_length=20, choices=Movement.choices)
    side = models.CharField(max_length=1, choices=Side.choices)
    degrees = models.SmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(DEGREES_MIN), MaxValueValidator(DEGREES_MAX)],
        help_text="Negative for an elbow or knee extension deficit (e.g. -10).",
    )
    percent_of_normal = models.PositiveSmallIntegerField(
        "% of normal", null=True, blank=True, validators=[MaxValueValidator(200)]
    )
    painful = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta(_Finding.Meta):
        verbose_name = "range of motion"
        verbose_name_plural = "ranges of motion"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(degrees__isnull=False)
                | models.Q(percent_of_normal__isnull=False),
                name="assess_rom_measured",
            ),
            models.CheckConstraint(
                condition=models.Q(degrees__isnull=True)
                | models.Q(degrees__gte=0, degrees__lte=DEGREES_MAX)
                | models.Q(
                    degrees__gte=DEGREES_MIN,
                    degrees__lt=0,
                    movement="extension",
                    joint__in=sorted(EXTENSION_DEFICIT_JOINTS),
                ),
                name="assess_rom_degrees",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_joint_display()} {self.get_movement_display().lower()}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.joint and self.movement and self.movement not in JOINT_MOVEMENTS[self.joint]:
            choices = ", ".join(self.Movement(m).label.lower() for m in JOINT_MOVEMENTS[self.joint])
            errors["movement"] = f"{self.get_joint_display()} movements are: {choices}."
        if self.joint in SPINAL_JOINTS and self.side == Side.BOTH:
            errors["side"] = "Record a spinal movement as left, right or midline."
        if self.joint and self.joint not in SPINAL_JOINTS and self.side == Side.MIDLINE:
            errors["side"] = f"The {self.get_joint_display().lower()} is left or right."
        if problem := range_degrees_problem(self.joint, self.movement, self.degrees):
            errors["degrees"] = problem
        if self.degrees is None and self.percent_of_normal is None:
            errors["degrees"] = "Give the range in degrees, as % of normal, or both."
        if errors:
            raise ValidationError(errors)

    @property
    def measured(self) -> str:
        parts = []
        if self.degrees is not None:
            parts.append(range_text(self.degrees))
        if self.percent_of_normal is not None:
            parts.append(f"{self.percent_of_normal}% of normal")
        return " · ".join(parts)


class AssessmentAddendum(models.Model):
    """A correction or later note on a signed assessment; the original stays as it was."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    text = LimitedTextField(max_length=NARRATIVE_MAX)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "assessment addenda"

    def __str__(self) -> str:
        return f"Addendum to {self.assessment} by {self.author}"
