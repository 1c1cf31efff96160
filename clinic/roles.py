"""The clinic's roles. A module of its own, below everything: models, services and the view
decorators in clinic.permissions all import it, and it imports nothing from the project."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """The clinic's four roles; each is a Django group of the same label."""

    PHYSIO = "physiotherapist"
    FRONT_DESK = "front_desk"
    CLINIC_ADMIN = "clinic_admin"
    PATIENT = "patient"

    @property
    def group_name(self) -> str:
        return _GROUP_NAMES[self]

    @property
    def label(self) -> str:
        return _GROUP_NAMES[self]

    @classmethod
    def by_precedence(cls) -> list[Role]:
        """Order in which a user holding several roles gets a home page: a physiotherapist
        who also runs the clinic starts the day with their patients."""
        return [cls.PHYSIO, cls.FRONT_DESK, cls.CLINIC_ADMIN, cls.PATIENT]

    @classmethod
    def staff_roles(cls) -> frozenset[Role]:
        return frozenset({cls.PHYSIO, cls.FRONT_DESK, cls.CLINIC_ADMIN})


_GROUP_NAMES = {
    Role.PHYSIO: "Physiotherapist",
    Role.FRONT_DESK: "Front desk",
    Role.CLINIC_ADMIN: "Clinic admin",
    Role.PATIENT: "Patient",
}
