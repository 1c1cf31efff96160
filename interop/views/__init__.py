from interop.views import fhir

__all__ = ["fhir"]
