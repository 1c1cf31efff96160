"""The FHIR R4 export: builders of plain resource dicts (one module per family), the list of
sources they read (``sources``), one patient's Bundle (``bundle``). Validated in the test
suite with the ``fhir.resources`` R4B models; nothing here needs them at runtime."""

from interop.fhir.bundle import CONTENT_TYPE, dumps, patient_bundle
from interop.fhir.documents import Audience
from interop.fhir.sources import RESOURCE_TYPES, SOURCES, Source, source_resources, sources_of

__all__ = [
    "CONTENT_TYPE",
    "RESOURCE_TYPES",
    "SOURCES",
    "Audience",
    "Source",
    "dumps",
    "patient_bundle",
    "source_resources",
    "sources_of",
]
