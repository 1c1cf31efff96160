"""custody models; each module is re-exported here."""

from custody.models.breaches import Breach
from custody.models.requests import AccessRequest
from custody.models.retention import CustodySettings, DestructionRecord, LegalHold

__all__ = [
    "AccessRequest",
    "Breach",
    "CustodySettings",
    "DestructionRecord",
    "LegalHold",
]
