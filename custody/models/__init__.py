"""custody models; each module is re-exported here."""

from custody.models.backups import BackupRun
from custody.models.breaches import Breach
from custody.models.requests import AccessRequest
from custody.models.retention import CustodySettings, DestructionRecord, LegalHold

__all__ = [
    "AccessRequest",
    "BackupRun",
    "Breach",
    "CustodySettings",
    "DestructionRecord",
    "LegalHold",
]
