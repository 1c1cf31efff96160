"""DocumentReference: each visit, course and discharge summary PDF that is ready.

The attachment points at the authorised download of the audience the export is for (a
physiotherapist's export links the staff downloads, the patient's the portal's), so
following the link goes through the same checks and access log as a click; with
``embed`` the PDF itself travels in the attachment (base64)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.urls import reverse

from interop.fhir.admin import practitioner_ref, user_ref
from interop.fhir.base import CS, Resource, coding, concept, day, instant, resource
from interop.fhir.people import patient_ref
from interop.fhir.visits import encounter_ref


@dataclass(frozen=True)
class Audience:
    """Who the export is for: where attachment links go, and whether PDFs are embedded."""

    base_url: str = ""  # "https://clinic.example" (no trailing slash); "" for relative links
    portal: bool = False
    embed: bool = False


def _attachment(document, url_name: str | None, audience: Audience, title: str) -> dict:
    attachment = {
        "contentType": "application/pdf",
        "language": "en",
        "title": title,
        "creation": instant(document.rendered_at or document.created_at),
    }
    if url_name:
        attachment["url"] = audience.base_url + reverse(url_name, args=[document.token])
    if audience.embed and document.file:
        with default_storage.open(document.file.name, "rb") as handle:
            content = handle.read()
        attachment["data"] = base64.b64encode(content).decode("ascii")
        attachment["size"] = len(content)
        attachment["hash"] = base64.b64encode(hashlib.sha1(content).digest()).decode("ascii")  # noqa: S324 (FHIR's hash is SHA-1)
    return attachment


def _reference(key, document, *, kind, display, patient_id, url_name, audience, **more):
    return resource(
        "DocumentReference",
        key,
        status="current",
        docStatus="final",
        type=concept(coding(CS["document-type"], kind, display), text=display),
        subject=patient_ref(patient_id),
        date=instant(document.rendered_at or document.created_at),
        description=document.filename,
        content=[{"attachment": _attachment(document, url_name, audience, document.filename)}],
        **more,
    )


def visit_summary(document, audience: Audience) -> Resource:
    session = document.session
    return _reference(
        f"visit-summary/{document.pk}",
        document,
        kind="visit-summary",
        display="Visit summary",
        patient_id=session.patient_id,
        url_name="treatments:portal_document_download"
        if audience.portal
        else "treatments:summary_download",
        audience=audience,
        author=[practitioner_ref(session.practitioner_id)],
        context={
            "encounter": [
                encounter_ref(appointment_id=session.appointment_id, session_id=session.pk)
            ],
            "period": {"start": day(session.session_date), "end": day(session.session_date)},
        },
    )


def course_summary(document, audience: Audience) -> Resource:
    """A course summary for a referring physician: the staff download (the portal has none,
    so a patient's export links nothing and embeds it with ?embed=1)."""
    return _reference(
        f"course-summary/{document.pk}",
        document,
        kind="course-summary",
        display="Course summary",
        patient_id=document.patient_id,
        url_name=None if audience.portal else "treatments:course_summary_download",
        audience=audience,
        author=[user_ref(document.requested_by)],
        context={"period": {"start": day(document.date_from), "end": day(document.date_to)}},
    )


def discharge_summary(document, audience: Audience) -> Resource:
    plan = document.care_plan
    return _reference(
        f"discharge-summary/{document.pk}",
        document,
        kind="discharge-summary",
        display="Discharge summary",
        patient_id=document.patient_id,
        url_name="treatments:portal_discharge_download"
        if audience.portal
        else "treatments:discharge_summary_download",
        audience=audience,
        author=[practitioner_ref(plan.practitioner_id)],
        context={
            "period": {"start": day(plan.started_on), "end": day(plan.discharged_on)},
            "related": [{"reference": f"Condition/{_plan_condition_id(plan)}"}],
        },
    )


def _plan_condition_id(plan) -> str:
    from interop.fhir.base import stable_id

    return stable_id(f"Condition/plan/{plan.pk}")
