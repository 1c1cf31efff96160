"""Accounts: everyone who signs in, staff or patient."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from simple_history.models import HistoricalRecords

from clinic.roles import Role


class User(AbstractUser):
    """A person who signs in: staff of any role, or a patient using the portal.

    What a user may do follows from their role groups (see clinic.permissions), never
    from flags on this row; `is_staff` only opens the Django admin for clinic admins.
    """

    # Change history of accounts (who granted a role, who deactivated whom); the
    # password hash and login timestamps are no one's business in a history table.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        app_label = "clinic"

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def roles(self) -> frozenset[Role]:
        """The roles this user holds, from group membership (cached per instance)."""
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            if not self.is_authenticated or not self.is_active:
                cached = frozenset()
            else:
                # .all() so that a prefetch_related("groups") is used when present.
                names = {group.name for group in self.groups.all()}
                cached = frozenset(role for role in Role if role.group_name in names)
            self._roles_cache = cached
        return cached

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def primary_role(self) -> Role | None:
        """The role whose home page the user lands on, when they hold several."""
        for role in Role.by_precedence():
            if role in self.roles:
                return role
        return None
