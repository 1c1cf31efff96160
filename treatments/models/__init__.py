"""Treatment models: IMS sessions and their parts, and the reference data they use."""

from treatments.models.incident import IncidentReview
from treatments.models.reference import HomeCareSnippet, NeedleSize, NeedlingCredential
from treatments.models.session import (
    AdverseEvent,
    NeedlingSite,
    RomRetest,
    SessionAddendum,
    TreatmentSession,
)
from treatments.models.summary import (
    CourseSummary,
    DischargeSummary,
    DocumentStatus,
    RecordCopy,
    VisitSummary,
)

__all__ = [
    "AdverseEvent",
    "CourseSummary",
    "DischargeSummary",
    "DocumentStatus",
    "RecordCopy",
    "HomeCareSnippet",
    "IncidentReview",
    "NeedleSize",
    "NeedlingCredential",
    "NeedlingSite",
    "RomRetest",
    "SessionAddendum",
    "TreatmentSession",
    "VisitSummary",
]
