"""Reads for Gunn assessments, each shaped for one page; re-exported by area."""

from assessments.selectors.assessments import (
    DRAFT_ASSESSMENTS,
    OPEN_NOTES_PROVIDER,
    FindingReference,
    SegmentInvolvement,
    assessment_detail,
    assessment_latest,
    finding_reference,
    muscle_choices,
    open_draft_assessments,
    patient_assessments,
    segmental_summary,
    signs_by_group,
    suggested_muscles,
)

__all__ = [
    "FindingReference",
    "SegmentInvolvement",
    "assessment_detail",
    "assessment_latest",
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
