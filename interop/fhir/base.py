"""What every FHIR builder shares: the clinic's canonical base URL, stable ids, references,
the local code systems and extensions, and the way dates are written.

Stable ids (issue 21, acceptance 2): a resource's ``id`` is a UUID version 5 over a fixed
namespace and a key naming the source row (``"Patient/123"``, ``"Encounter/session/9"``),
so the same row gives the same id in every export and a receiving system can re-import
without making duplicates. The namespace is derived from the canonical base, so two
clinics with different bases never collide.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

Resource = dict[str, Any]


def canonical_base() -> str:
    """The clinic's canonical base for its local code systems and extensions (one setting,
    FHIR_CANONICAL_BASE; it ends with a slash)."""
    base = settings.FHIR_CANONICAL_BASE
    return base if base.endswith("/") else base + "/"


def canonical(path: str) -> str:
    return canonical_base() + path


def _namespace() -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, canonical_base())


def stable_id(key: str) -> str:
    """The resource id for `key` ("Patient/123"): the same every time."""
    return str(uuid.uuid5(_namespace(), key))


def ref(resource_type: str, key: str, display: str = "") -> dict[str, str]:
    """A reference to the resource whose id is stable_id(f"{resource_type}/{key}")."""
    out = {"reference": f"{resource_type}/{stable_id(f'{resource_type}/{key}')}"}
    if display:
        out["display"] = display
    return out


def resource(resource_type: str, key: str, **fields: Any) -> Resource:
    """A resource dict with its type and stable id; empty fields (None, "", [], {}) left out,
    as FHIR forbids empty elements."""
    body: Resource = {
        "resourceType": resource_type,
        "id": stable_id(f"{resource_type}/{key}"),
    }
    body.update(prune(fields))
    return body


def prune(value: Any) -> Any:
    """Drop empty values recursively (FHIR: an element is either absent or has content)."""
    if isinstance(value, dict):
        out = {}
        for name, item in value.items():
            item = prune(item)
            if item is None or item == "" or item == [] or item == {}:
                continue
            out[name] = item
        return out
    if isinstance(value, list):
        items = [prune(item) for item in value]
        return [item for item in items if item is not None and item != "" and item != {}]
    return value


def instant(moment: dt.datetime | None) -> str | None:
    """A dateTime/instant with its offset, in the clinic's time zone."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def number(value: Decimal | int | float) -> int | float:
    """A JSON number for a decimal (FHIR decimals are JSON numbers)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def coding(system: str, code: str, display: str = "") -> dict[str, str]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(*codings: dict[str, str], text: str = "") -> dict[str, Any]:
    return prune({"coding": list(codings), "text": text})


def extension(name: str, **value: Any) -> dict[str, Any]:
    """A local extension: extension("needle-size", valueString="...")."""
    return {"url": EXT[name], **value}


def ids(rows: Iterable[Any]) -> list[int]:
    return [row.pk for row in rows]


# --- Terminology ---------------------------------------------------------------------------

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_POLICY = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ADVERSE_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
ADVERSE_SERIOUSNESS = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
PROVENANCE_AGENT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
DOC_COMPLETION = "http://terminology.hl7.org/CodeSystem/v3-DocumentCompletion"
DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
PRACTITIONER_ROLE = "http://terminology.hl7.org/CodeSystem/practitioner-role"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"

NPRS_LOINC = "72514-3"  # Pain severity - 0-10 verbal numeric rating [Score] - Reported

# SNOMED CT laterality qualifiers for a body site.
LATERALITY = {
    "L": ("7771000", "Left"),
    "R": ("24028007", "Right"),
    "B": ("51440002", "Right and left"),
}


def _local_code_systems() -> dict[str, str]:
    return {
        "identifier-patient": "identifier/patient",
        "identifier-health-number": "identifier/health-number",
        "identifier-insurer-policy": "identifier/insurer-policy",
        "identifier-practitioner": "identifier/practitioner",
        "identifier-location": "identifier/location",
        "procedure": "CodeSystem/procedure",
        "needling-technique": "CodeSystem/needling-technique",
        "muscle": "CodeSystem/muscle",
        "spinal-segment": "CodeSystem/spinal-segment",
        "range-of-motion": "CodeSystem/range-of-motion",
        "joint": "CodeSystem/joint",
        "outcome-measure": "CodeSystem/outcome-measure",
        "adverse-event": "CodeSystem/adverse-event",
        "consent-channel": "CodeSystem/consent-channel",
        "appointment-type": "CodeSystem/appointment-type",
        "document-type": "CodeSystem/document-type",
        "care-plan-region": "CodeSystem/care-plan-region",
    }


def _local_extensions() -> dict[str, str]:
    return {
        "needle-size": "StructureDefinition/needle-size",
        "needling-technique": "StructureDefinition/needling-technique",
        "spinal-segment": "StructureDefinition/spinal-segment",
        "laterality": "StructureDefinition/laterality",
        "consent-version": "StructureDefinition/consent-version",
        "consent-channel": "StructureDefinition/consent-channel",
        "addendum-text": "StructureDefinition/addendum-text",
        "outcome-maximum": "StructureDefinition/outcome-maximum",
        "adverse-event-action": "StructureDefinition/adverse-event-action",
        "adverse-event-follow-up": "StructureDefinition/adverse-event-follow-up",
        "adverse-event-referred-to": "StructureDefinition/adverse-event-referred-to",
    }


class _Lazy(dict):
    """Name -> canonical URL, read from the setting on each use (tests may change it)."""

    def __init__(self, paths) -> None:
        super().__init__()
        self._paths = paths

    def __getitem__(self, name: str) -> str:
        return canonical(self._paths()[name])

    def items(self):  # type: ignore[override]
        return [(name, canonical(path)) for name, path in self._paths().items()]


CS = _Lazy(_local_code_systems)
EXT = _Lazy(_local_extensions)
