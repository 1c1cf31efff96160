"""Checks the FHIR tests share: validation with the independent `fhir.resources` R4B models,
the required bindings and invariants those models do not check, and the references of a
Bundle."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

# Codes of required bindings the R4B models accept as any string (FHIR R4 value sets).
REQUIRED_CODES: dict[tuple[str, str], set[str]] = {
    ("Patient", "gender"): {"male", "female", "other", "unknown"},
    ("Appointment", "status"): {
        "proposed", "pending", "booked", "arrived", "fulfilled", "cancelled", "noshow",
        "entered-in-error", "checked-in", "waitlist",
    },
    ("Encounter", "status"): {
        "planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled",
        "entered-in-error", "unknown",
    },
    ("Observation", "status"): {
        "registered", "preliminary", "final", "amended", "corrected", "cancelled",
        "entered-in-error", "unknown",
    },
    ("Procedure", "status"): {
        "preparation", "in-progress", "not-done", "on-hold", "stopped", "completed",
        "entered-in-error", "unknown",
    },
    ("Consent", "status"): {
        "draft", "proposed", "active", "rejected", "inactive", "entered-in-error",
    },
    ("AdverseEvent", "actuality"): {"actual", "potential"},
    ("DocumentReference", "status"): {"current", "superseded", "entered-in-error"},
    ("QuestionnaireResponse", "status"): {
        "in-progress", "completed", "amended", "entered-in-error", "stopped",
    },
    ("Questionnaire", "status"): {"draft", "active", "retired", "unknown"},
    ("Location", "status"): {"active", "suspended", "inactive"},
}  # fmt: skip
SHARED = {"Organization", "Location", "Practitioner", "PractitionerRole", "Questionnaire"}


def model_of(resource_type: str):
    module = importlib.import_module(f"fhir.resources.R4B.{resource_type.lower()}")
    return getattr(module, resource_type)


def problems(resource: dict[str, Any]) -> list[str]:
    """Everything wrong with one resource: the validator's errors, then ours."""
    kind = resource["resourceType"]
    found = []
    try:
        model_of(kind).model_validate(resource)
    except Exception as error:  # noqa: BLE001 (pydantic's ValidationError and friends)
        found.append(f"{kind}/{resource.get('id')}: {error}")
    for (rtype, field), allowed in REQUIRED_CODES.items():
        if rtype == kind and field in resource and resource[field] not in allowed:
            found.append(f"{kind}.{field} = {resource[field]!r} is not in its value set")
    if kind == "Condition" and "abatementDateTime" in resource:  # con-4
        status = resource["clinicalStatus"]["coding"][0]["code"]
        if status not in {"inactive", "resolved", "remission"}:
            found.append(f"Condition/{resource['id']}: abatement with status {status}")
    for path, value in walk(resource):
        if value in ("", [], {}, None):  # ele-1: no empty elements
            found.append(f"{kind}/{resource['id']}: empty element at {path}")
        if path.endswith("attachment") and "data" in value and "contentType" not in value:
            found.append(f"{kind}/{resource['id']}: att-1, data without contentType")
    return found


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}", item
            yield from walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield f"{path}[{index}]", item
            yield from walk(item, f"{path}[{index}]")


def references(resource: dict[str, Any]) -> list[str]:
    """Every relative reference ("Type/id") the resource makes."""
    return [
        item["reference"]
        for _path, item in walk(resource)
        if isinstance(item, dict) and isinstance(item.get("reference"), str)
    ]


def dangling(bundle: dict[str, Any]) -> list[str]:
    """References of a Bundle's resources that no entry of the Bundle answers."""
    present = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in bundle["entry"]}
    return sorted(
        {ref for e in bundle["entry"] for ref in references(e["resource"]) if ref not in present}
    )
