"""Writes for Gunn assessments; re-exported here so callers write
`from assessments import services; services.assessment_sign(...)`."""

from assessments.services.assessments import (
    FINDING_MODELS,
    HEADER_FIELDS,
    AssessmentLocked,
    AssessmentSigning,
    NotTheAuthor,
    assessment_addendum_add,
    assessment_sign,
    assessment_start,
    assessment_update,
    finding_remove,
    finding_save,
    reference_data_ensure,
    sign_problems,
)

__all__ = [
    "FINDING_MODELS",
    "HEADER_FIELDS",
    "AssessmentLocked",
    "AssessmentSigning",
    "NotTheAuthor",
    "assessment_addendum_add",
    "assessment_sign",
    "assessment_start",
    "assessment_update",
    "finding_remove",
    "finding_save",
    "reference_data_ensure",
    "sign_problems",
]
