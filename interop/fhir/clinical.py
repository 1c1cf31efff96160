"""Condition, Observation (NPRS, range of motion, outcome totals), Procedure (one per
needling site), AdverseEvent and Provenance (signing and addenda)."""

from __future__ import annotations

from django.utils.text import slugify

from interop.fhir.admin import practitioner_ref, user_ref
from interop.fhir.base import (
    ADVERSE_SERIOUSNESS,
    ADVERSE_SEVERITY,
    CONDITION_CATEGORY,
    CONDITION_CLINICAL,
    CONDITION_VERIFICATION,
    CS,
    DATA_OPERATION,
    DOC_COMPLETION,
    LATERALITY,
    LOINC,
    NPRS_LOINC,
    OBSERVATION_CATEGORY,
    PROVENANCE_AGENT,
    UCUM,
    Resource,
    coding,
    concept,
    day,
    extension,
    instant,
    number,
    ref,
    resource,
)
from interop.fhir.people import patient_ref
from interop.fhir.visits import encounter_ref

NPRS_CODE = concept(
    coding(LOINC, NPRS_LOINC, "Pain severity - 0-10 verbal numeric rating [Score] - Reported"),
    text="Pain (NPRS 0-10)",
)
SURVEY = [concept(coding(OBSERVATION_CATEGORY, "survey", "Survey"))]
EXAM = [concept(coding(OBSERVATION_CATEGORY, "exam", "Exam"))]
SIDE_TEXT = {"L": "Left", "R": "Right", "B": "Both sides", "M": "Midline"}


def body_site(code: str, display: str, system: str, side: str) -> dict:
    """A body site with its laterality (SNOMED CT qualifier) as an extension; midline has
    none."""
    site = concept(coding(system, code, display), text=f"{SIDE_TEXT.get(side, '')} {display}")
    if side in LATERALITY:
        snomed, label = LATERALITY[side]
        site["extension"] = [
            extension("laterality", valueCoding=coding("http://snomed.info/sct", snomed, label))
        ]
    return site


def _session_encounter(session) -> dict:
    return encounter_ref(appointment_id=session.appointment_id, session_id=session.pk)


def _assessment_encounter(assessment) -> dict:
    return encounter_ref(appointment_id=assessment.appointment_id, assessment_id=assessment.pk)


# --- Condition ------------------------------------------------------------------------------


def condition_of_plan(plan) -> Resource:
    """The working diagnosis of a plan of care (a course of IMS)."""
    active = plan.status != "discharged"
    return resource(
        "Condition",
        f"plan/{plan.pk}",
        clinicalStatus=concept(
            coding(CONDITION_CLINICAL, "active" if active else "resolved")
        ),
        verificationStatus=concept(coding(CONDITION_VERIFICATION, "provisional")),
        category=[concept(coding(CONDITION_CATEGORY, "problem-list-item", "Problem List Item"))],
        code=concept(text=plan.condition),
        bodySite=[concept(coding(CS["care-plan-region"], plan.region, plan.region))]
        if plan.region
        else [],
        subject=patient_ref(plan.patient_id),
        onsetDateTime=day(plan.started_on),
        abatementDateTime=None if active else day(plan.discharged_on),
        recordedDate=instant(plan.created_at),
        asserter=practitioner_ref(plan.practitioner_id),
    )  # fmt: skip


def condition_of_assessment(assessment) -> Resource:
    """The working diagnosis of a signed assessment: the chief complaint, with the
    physiotherapist's impression as a note."""
    return resource(
        "Condition",
        f"assessment/{assessment.pk}",
        clinicalStatus=concept(coding(CONDITION_CLINICAL, "active")),
        verificationStatus=concept(coding(CONDITION_VERIFICATION, "provisional")),
        category=[
            concept(coding(CONDITION_CATEGORY, "encounter-diagnosis", "Encounter Diagnosis"))
        ],
        code=concept(text=assessment.chief_complaint or "Assessment finding"),
        subject=patient_ref(assessment.patient_id),
        encounter=_assessment_encounter(assessment),
        recordedDate=day(assessment.assessed_on),
        asserter=practitioner_ref(assessment.practitioner_id),
        note=[{"text": assessment.impression}] if assessment.impression else [],
    )


# --- Observation ----------------------------------------------------------------------------


def _nprs_quantity(value: int) -> dict:
    return {"value": value, "unit": "score", "system": UCUM, "code": "{score}"}


def observations_of_session(session) -> list[Resource]:
    """NPRS before and after needling, and each range-of-motion re-test (before and after as
    components, in degrees)."""
    out = []
    common = {
        "status": "final",
        "subject": patient_ref(session.patient_id),
        "encounter": _session_encounter(session),
        "effectiveDateTime": day(session.session_date),
        "performer": [practitioner_ref(session.practitioner_id)],
    }
    for when, value in (("before", session.nprs_before), ("after", session.nprs_after)):
        if value is None:
            continue
        out.append(
            resource(
                "Observation",
                f"nprs-{when}/session/{session.pk}",
                category=SURVEY,
                code=NPRS_CODE,
                valueQuantity=_nprs_quantity(value),
                note=[{"text": f"{when.capitalize()} needling"}],
                **common,
            )
        )
    for retest in session.retests.all():
        components = [
            {
                "code": concept(text="Before needling"),
                "valueQuantity": _degrees(retest.before_degrees),
            }
        ]
        if retest.after_degrees is not None:
            components.append(
                {
                    "code": concept(text="After needling"),
                    "valueQuantity": _degrees(retest.after_degrees),
                }
            )
        out.append(
            resource(
                "Observation",
                f"rom-retest/{retest.pk}",
                category=EXAM,
                code=_rom_code(retest),
                bodySite=_rom_site(retest),
                component=components,
                **common,
            )
        )
    return out


def _degrees(value: int) -> dict:
    return {"value": value, "unit": "degrees", "system": UCUM, "code": "deg"}


def _rom_code(row) -> dict:
    code = f"{row.joint}-{row.movement}"
    display = f"{row.get_joint_display()} {row.get_movement_display().lower()} range of motion"
    return concept(coding(CS["range-of-motion"], code, display), text=display)


def _rom_site(row) -> dict:
    return body_site(row.joint, row.get_joint_display(), CS["joint"], row.side)


def observation_of_range(row, assessment) -> Resource:
    """A range of motion measured at an assessment: degrees, or % of normal when that is
    what was measured."""
    components = []
    if row.percent_of_normal is not None:
        components.append(
            {
                "code": concept(text="Percent of normal"),
                "valueQuantity": {
                    "value": row.percent_of_normal,
                    "unit": "%",
                    "system": UCUM,
                    "code": "%",
                },
            }
        )
    if row.painful:
        components.append({"code": concept(text="Painful"), "valueBoolean": True})
    return resource(
        "Observation",
        f"rom/{row.pk}",
        status="final",
        category=EXAM,
        code=_rom_code(row),
        subject=patient_ref(assessment.patient_id),
        encounter=_assessment_encounter(assessment),
        effectiveDateTime=day(assessment.assessed_on),
        performer=[practitioner_ref(assessment.practitioner_id)],
        valueQuantity=_degrees(row.degrees) if row.degrees is not None else None,
        bodySite=_rom_site(row),
        component=components,
        note=[{"text": row.note}] if row.note else [],
    )


def observation_of_score(score, measure) -> Resource:
    """An outcome measure's total (NPRS, PSFS, NDI, ...), derived from its questionnaire
    response. NPRS carries its LOINC code; the others a local code (see
    docs/INTEROPERABILITY.md)."""
    if score.instrument == "NPRS":
        code = NPRS_CODE
        value = _nprs_quantity(number(score.value))
    else:
        label = measure.label if measure else score.instrument
        code = concept(coding(CS["outcome-measure"], score.instrument, label), text=label)
        unit = "%" if score.maximum == 100 else "score"
        value = {
            "value": number(score.value),
            "unit": unit,
            "system": UCUM,
            "code": "%" if unit == "%" else "{score}",
        }
    return resource(
        "Observation",
        f"score/{score.pk}",
        extension=[extension("outcome-maximum", valueDecimal=number(score.maximum))],
        status="final",
        category=SURVEY,
        code=code,
        subject=patient_ref(score.patient_id),
        effectiveDateTime=instant(score.recorded_at),
        valueQuantity=value,
        derivedFrom=[ref("QuestionnaireResponse", f"score/{score.pk}")],
    )


# --- Procedure -------------------------------------------------------------------------------


def procedure_of_site(site, session) -> Resource:
    """One muscle needled: IMS (local code), the technique and needle size as extensions,
    the muscle as the body site with its laterality, the spinal segment it was chosen for."""
    muscle = site.muscle
    responses = [
        label
        for flag, label in (
            (site.response_ache, "deep ache"),
            (site.response_cramp, "cramp"),
            (site.response_referred, "referred sensation"),
            (site.released, "released"),
        )
        if flag
    ]
    outcome = f"Twitch: {site.get_twitch_display().lower()}"
    if responses:
        outcome += "; " + ", ".join(responses)
    needle = site.needle
    notes = []
    if site.retained_minutes:
        notes.append(f"Retained {site.retained_minutes} min")
    if site.estim_frequency_hz:
        notes.append(f"Electrical stimulation {site.estim_frequency_hz} Hz {site.estim_intensity}")
    if site.insertions:
        notes.append(f"{site.insertions} insertions")
    if site.needle_depth_mm or site.needle_direction:
        notes.append(site.depth_direction)
    return resource(
        "Procedure",
        f"site/{site.pk}",
        extension=[
            extension(
                "needling-technique",
                valueCoding=coding(
                    CS["needling-technique"], site.technique, site.get_technique_display()
                ),
            ),
            extension(
                "needle-size",
                extension=[
                    {"url": "diameter", "valueQuantity": _mm(needle.diameter_mm)},
                    {"url": "length", "valueQuantity": _mm(needle.length_mm)},
                ],
            ),
            extension(
                "spinal-segment",
                valueCoding=coding(CS["spinal-segment"], site.segment.code, site.segment.code),
            ),
        ],
        status="completed",
        category=concept(text=site.get_region_display()),
        code=concept(
            coding(CS["procedure"], "ims", "Intramuscular stimulation (Gunn IMS) dry needling"),
            text="IMS needling",
        ),
        subject=patient_ref(session.patient_id),
        encounter=_session_encounter(session),
        performedDateTime=day(session.session_date),
        performer=[{"actor": practitioner_ref(session.practitioner_id)}],
        bodySite=[body_site(_muscle_code(muscle), muscle.name, CS["muscle"], site.side)],
        outcome=concept(text=outcome),
        note=[{"text": "; ".join(notes)}] if notes else [],
    )


def _muscle_code(muscle) -> str:
    """The muscle's name as a code ("Infraspinatus" -> "infraspinatus"): stable across
    installations, unlike its row id."""
    return slugify(muscle.name)


def _mm(value) -> dict:
    return {"value": number(value), "unit": "mm", "system": UCUM, "code": "mm"}


# --- AdverseEvent ----------------------------------------------------------------------------


def adverse_event(row, session) -> Resource:
    serious = row.significant or row.kind in row.ALWAYS_SERIOUS
    return resource(
        "AdverseEvent",
        str(row.pk),
        extension=[
            extension("adverse-event-action", valueString=row.action_taken),
            extension("adverse-event-follow-up", valueString=row.follow_up)
            if row.follow_up
            else None,
            extension("adverse-event-referred-to", valueString=row.referred_to)
            if row.referred_for_care and row.referred_to
            else None,
        ],
        actuality="actual",
        event=concept(
            coding(CS["adverse-event"], row.kind, row.get_kind_display()),
            text=row.description or row.get_kind_display(),
        ),
        subject=patient_ref(session.patient_id),
        encounter=_session_encounter(session),
        date=instant(row.occurred_at),
        recordedDate=instant(row.recorded_at),
        seriousness=concept(
            coding(ADVERSE_SERIOUSNESS, "serious" if serious else "non-serious",
                   "Serious" if serious else "Non-serious")
        ),
        severity=concept(coding(ADVERSE_SEVERITY, row.severity, row.get_severity_display())),
        recorder=user_ref(row.recorded_by),
    )  # fmt: skip


# --- Provenance ------------------------------------------------------------------------------


def _agent(user, role: str) -> dict:
    return {
        "type": concept(coding(PROVENANCE_AGENT, role, role.capitalize())),
        "who": user_ref(user),
    }


def provenance_of_signing(note, *, kind: str, targets: list[dict]) -> Resource:
    """A signed note: who signed and locked it, and when (legally authenticated)."""
    encounter = _session_encounter(note) if kind == "session" else _assessment_encounter(note)
    return resource(
        "Provenance",
        f"sign/{kind}/{note.pk}",
        target=[encounter, *targets],
        recorded=instant(note.signed_at),
        activity=concept(coding(DOC_COMPLETION, "LA", "legally authenticated")),
        agent=[_agent(note.signed_by, "verifier"), _agent(note.signed_by, "author")],
        reason=[concept(text=f"{'Treatment session' if kind == 'session' else 'Assessment'} "
                              "signed and locked")],
    )  # fmt: skip


def provenance_of_addendum(addendum, note, *, kind: str, targets: list[dict]) -> Resource:
    """An addendum to a signed note (signed notes are never changed): its text, author and
    time."""
    encounter = _session_encounter(note) if kind == "session" else _assessment_encounter(note)
    return resource(
        "Provenance",
        f"addendum/{kind}/{addendum.pk}",
        extension=[extension("addendum-text", valueString=addendum.text)],
        target=[encounter, *targets],
        recorded=instant(addendum.created_at),
        activity=concept(coding(DATA_OPERATION, "APPEND", "append")),
        agent=[_agent(addendum.author, "author")],
        reason=[concept(text="Addendum")],
    )
