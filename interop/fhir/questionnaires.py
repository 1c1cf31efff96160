"""Questionnaire (one per outcome measure in clinic.outcomes.registry) and
QuestionnaireResponse (one per recorded score, with the item answers the intake kept).

Codes: NPRS has a LOINC code (72514-3). For the other measures this module uses the
clinic's local code system and canonical URLs (docs/INTEROPERABILITY.md): their LOINC
panel and answer codes could not be confirmed against the LOINC release when this was
written, and a wrong LOINC code is worse than a local one. Add a verified code to
MEASURE_LOINC and both the Questionnaire and the score Observation carry it.
"""

from __future__ import annotations

import re

from interop.fhir.base import (
    CS,
    LOINC,
    NPRS_LOINC,
    Resource,
    canonical,
    coding,
    instant,
    number,
    resource,
)
from interop.fhir.people import patient_ref

MEASURE_LOINC: dict[str, tuple[str, str]] = {
    "NPRS": (NPRS_LOINC, "Pain severity - 0-10 verbal numeric rating [Score] - Reported"),
}
ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
SCORE_LINK = "score"


def questionnaire_url(code: str) -> str:
    return canonical(f"Questionnaire/{code.lower()}")


def _code(measure) -> list[dict]:
    codings = [coding(CS["outcome-measure"], measure.code, measure.label)]
    if measure.code in MEASURE_LOINC:
        loinc, display = MEASURE_LOINC[measure.code]
        codings.insert(0, coding(LOINC, loinc, display))
    return codings


def _options(options) -> list[dict]:
    return [
        {
            "valueCoding": {
                "extension": [{"url": ORDINAL, "valueDecimal": option.value}],
                "code": str(option.value),
                "display": option.label,
            }
        }
        for option in options
    ]


def questionnaire(measure) -> Resource:
    """The measure's items and answers (the clinic's own wording, see clinic.outcomes), and
    a read-only total score item."""
    from clinic import outcomes

    instrument = measure.instrument
    if measure.code == "NPRS":
        items = [
            {
                "linkId": "nprs",
                "code": [coding(LOINC, NPRS_LOINC)],
                "text": outcomes.NPRS_INSTRUCTIONS,
                "type": "choice",
                "answerOption": _options(outcomes.NPRS_OPTIONS),
            }
        ]
    elif measure.code == "PSFS":
        items = [
            {
                "linkId": "activity",
                "text": outcomes.PSFS_INSTRUCTIONS,
                "type": "group",
                "repeats": True,
                "item": [
                    {"linkId": "activity.name", "text": "Activity", "type": "string"},
                    {
                        "linkId": "activity.rating",
                        "text": "How well you can do it today",
                        "type": "choice",
                        "answerOption": _options(outcomes.PSFS_OPTIONS),
                    },
                ],
            }
        ]
    elif instrument is not None:
        items = [
            {
                "linkId": item.key,
                "text": item.label,
                "type": "choice",
                "answerOption": _options(item.options),
            }
            for item in instrument.items
        ]
    else:
        items = []
    items.append({"linkId": SCORE_LINK, "text": "Total score", "type": "decimal", "readOnly": True})
    return resource(
        "Questionnaire",
        measure.code.lower(),
        url=questionnaire_url(measure.code),
        name=re.sub(r"[^A-Za-z0-9]", "", measure.label) or measure.code,
        title=measure.label,
        status="active",
        subjectType=["Patient"],
        description=(instrument.instructions if instrument else "") or measure.label,
        code=_code(measure),
        item=items,
    )


def _answer(options, value) -> dict | None:
    for option in options:
        if option.value == value:
            return {
                "valueCoding": {
                    "extension": [{"url": ORDINAL, "valueDecimal": option.value}],
                    "code": str(option.value),
                    "display": option.label,
                }
            }
    return None


def questionnaire_response(score, measure) -> Resource:
    """A recorded score as the patient's response: the item answers when the intake kept
    them (the region questionnaire, PSFS activities, NPRS now), and always the total."""
    from clinic import outcomes

    items: list[dict] = []
    intake = score.intake if score.intake_id else None
    if intake is not None:
        if score.instrument == "NPRS" and intake.nprs_now is not None:
            answer = _answer(outcomes.NPRS_OPTIONS, intake.nprs_now)
            items.append({"linkId": "nprs", "answer": [answer] if answer else []})
        elif score.instrument == "PSFS":
            for row in intake.psfs or []:
                rating = _answer(outcomes.PSFS_OPTIONS, row.get("rating"))
                items.append(
                    {
                        "linkId": "activity",
                        "item": [
                            {
                                "linkId": "activity.name",
                                "answer": [{"valueString": row.get("activity")}]
                                if row.get("activity")
                                else [],
                            },
                            {"linkId": "activity.rating", "answer": [rating] if rating else []},
                        ],
                    }
                )
        elif measure is not None and measure.instrument is not None:
            answers = intake.region_answers or {}
            for item in measure.instrument.items:
                answer = _answer(item.options, answers.get(item.key))
                if answer:
                    items.append({"linkId": item.key, "answer": [answer]})
    items = [item for item in items if item.get("answer") or item.get("item")]
    items.append({"linkId": SCORE_LINK, "answer": [{"valueDecimal": number(score.value)}]})
    return resource(
        "QuestionnaireResponse",
        f"score/{score.pk}",
        questionnaire=questionnaire_url(score.instrument),
        status="completed",
        subject=patient_ref(score.patient_id),
        authored=instant(score.recorded_at),
        author=patient_ref(score.patient_id),
        source=patient_ref(score.patient_id),
        item=items,
    )
