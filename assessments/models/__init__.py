"""Assessment models: reference data (segments, muscles, signs) and charted assessments."""

from assessments.models.assessment import (
    JOINT_MOVEMENTS,
    Assessment,
    AssessmentAddendum,
    RangeOfMotion,
    Severity,
    SignFinding,
    TautBand,
)
from assessments.models.reference import (
    BodyRegion,
    Muscle,
    MuscleInnervation,
    Region,
    Segment,
    Side,
    Sign,
    SignTest,
)

__all__ = [
    "JOINT_MOVEMENTS",
    "Assessment",
    "AssessmentAddendum",
    "BodyRegion",
    "Muscle",
    "MuscleInnervation",
    "RangeOfMotion",
    "Region",
    "Segment",
    "Severity",
    "Side",
    "Sign",
    "SignFinding",
    "SignTest",
    "TautBand",
]
