"""Reference data for Gunn's examination: spinal segments, muscles and their innervation,
and the catalogue of signs with the tests that elicit them.

Seeded by data migrations (assessments/seed/) and edited by clinic admins in the Django
admin: DOMAIN.md asks that a clinician can correct any of it, so logic reads these tables
and never hard-codes a muscle or a segment.
"""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from clinic.validators import NOTE_MAX, LimitedTextField


class Side(models.TextChoices):
    LEFT = "L", "Left"
    RIGHT = "R", "Right"
    BOTH = "B", "Both sides"
    MIDLINE = "M", "Midline"


class Region(models.TextChoices):
    """Where a finding lies relative to the spine: Gunn examines both for every segment."""

    PARASPINAL = "paraspinal", "Paraspinal"
    PERIPHERAL = "peripheral", "Peripheral"


class BodyRegion(models.TextChoices):
    """Plain-language body regions; patient documents group treated areas by these."""

    HEAD_NECK = "head_neck", "Head and neck"
    SHOULDER = "shoulder", "Shoulder and shoulder blade"
    UPPER_ARM = "upper_arm", "Upper arm"
    FOREARM_HAND = "forearm_hand", "Forearm, wrist and hand"
    CHEST = "chest", "Chest and ribs"
    UPPER_BACK = "upper_back", "Upper and middle back"
    ABDOMEN = "abdomen", "Abdomen"
    LOW_BACK = "low_back", "Low back"
    HIP = "hip", "Hip and buttock"
    THIGH = "thigh", "Thigh"
    LOWER_LEG = "lower_leg", "Lower leg"
    FOOT = "foot", "Ankle and foot"


class Segment(models.Model):
    """A spinal segment (C1..S2), in cranio-caudal order."""

    class SpinalRegion(models.TextChoices):
        CERVICAL = "cervical", "Cervical"
        THORACIC = "thoracic", "Thoracic"
        LUMBAR = "lumbar", "Lumbar"
        SACRAL = "sacral", "Sacral"

    code = models.CharField(max_length=3, unique=True)
    position = models.PositiveSmallIntegerField(unique=True, help_text="1 = C1, 27 = S2.")
    spinal_region = models.CharField(max_length=10, choices=SpinalRegion.choices)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.code


class Muscle(models.Model):
    """A muscle that may be examined or needled, with the segments that supply it."""

    name = models.CharField(max_length=80, unique=True)
    lay_name = models.CharField(
        max_length=80, help_text="Plain words for patients' documents; no Latin, no codes."
    )
    body_region = models.CharField(max_length=20, choices=BodyRegion.choices)
    kind = models.CharField(
        max_length=10,
        choices=Region.choices,
        help_text="Paraspinal muscles are needled beside the spine at the involved level.",
    )
    chest_wall = models.BooleanField(
        "over the chest wall",
        default=False,
        help_text="Needling carries a pneumothorax risk; the session form asks for the "
        "precaution to be acknowledged.",
    )
    active = models.BooleanField(
        default=True, help_text="Retired muscles stay on old records but are not offered."
    )
    segments = models.ManyToManyField(Segment, through="MuscleInnervation", related_name="muscles")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_paraspinal(self) -> bool:
        return self.kind == Region.PARASPINAL

    def allowed_sides(self) -> tuple[str, ...]:
        """Limb and trunk muscles are paired (left, right or both); only the paraspinal
        groups, which meet at the spine, may be recorded at the midline."""
        if self.is_paraspinal:
            return (Side.LEFT, Side.RIGHT, Side.BOTH, Side.MIDLINE)
        return (Side.LEFT, Side.RIGHT, Side.BOTH)


class MuscleInnervation(models.Model):
    """One segment supplying one muscle; `primary` marks the main root(s)."""

    muscle = models.ForeignKey(Muscle, on_delete=models.CASCADE, related_name="innervations")
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="innervations")
    primary = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["muscle", "segment"], name="assess_innervation_once")
        ]
        ordering = ["segment__position"]

    def __str__(self) -> str:
        return f"{self.muscle} ← {self.segment}{' (primary)' if self.primary else ''}"


class SignTest(models.Model):
    """How a sign is elicited: palpation, the matchstick test, skin rolling, ..."""

    name = models.CharField(max_length=80, unique=True)
    description = LimitedTextField(blank=True, max_length=NOTE_MAX)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Sign(models.Model):
    """One of Gunn's signs of neuropathy, in its group, with the tests that elicit it."""

    class Group(models.TextChoices):
        SENSORY = "sensory", "Sensory"
        AUTONOMIC = "autonomic", "Autonomic"
        TROPHIC = "trophic", "Trophic"
        MOTOR = "motor", "Motor"

    name = models.CharField(max_length=80, unique=True)
    group = models.CharField(max_length=10, choices=Group.choices)
    description = LimitedTextField(blank=True, max_length=NOTE_MAX)
    tests = models.ManyToManyField(SignTest, related_name="signs")
    needs_muscle = models.BooleanField(
        default=False, help_text="A finding of this sign names the muscle it was found in."
    )
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    history = HistoricalRecords(m2m_fields=[tests])

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name
