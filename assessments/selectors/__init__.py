"""Reads for Gunn assessments, each shaped for one page; re-exported by area."""

from assessments.selectors.assessments import (
    DRAFT_ASSESSMENTS,
    OPEN_NOTES_PROVIDER,
    AssessmentRecord,
    FindingReference,
    SegmentInvolvement,
    assessment_detail,
    assessment_latest,
    assessment_record,
    finding_reference,
    muscle_choices,
    open_draft_assessments,
    patient_assessments,
    segmental_summary,
    signs_by_group,
    suggested_muscles,
)

__all__ = [
    "AssessmentRecord",
    "FindingReference",
    "SegmentInvolvement",
    "assessment_detail",
    "assessment_latest",
    "assessment_record",
    "finding_reference",
    "muscle_choices",
    "open_draft_assessments",
    "DRAFT_ASSESSMENTS",
    "OPEN_NOTES_PROVIDER",
    "patient_assessments",
    "segmental_summary",
    "signs_by_group",
    "suggested_muscles",
]
