"""One patient's record as a FHIR R4 Bundle of type collection."""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone

from interop.fhir.base import canonical, instant, stable_id
from interop.fhir.documents import Audience
from interop.fhir.sources import patient_resources

CONTENT_TYPE = "application/fhir+json"


def full_url(resource: dict[str, Any]) -> str:
    """The entry's fullUrl: the canonical base plus Type/id, so relative references in the
    Bundle resolve to entries of the Bundle."""
    return canonical(f"{resource['resourceType']}/{resource['id']}")


def patient_bundle(patient_id: int, audience: Audience) -> dict[str, Any]:
    entries = [
        {"fullUrl": full_url(resource), "resource": resource}
        for resource in patient_resources(patient_id, audience)
    ]
    return {
        "resourceType": "Bundle",
        "id": stable_id(f"Bundle/patient/{patient_id}"),
        "meta": {"lastUpdated": instant(timezone.now())},
        "type": "collection",
        "timestamp": instant(timezone.now()),
        "entry": entries,
    }


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
