"""Front-office data: accounts, the patient record and the access log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.permissions import Role


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


class Patient(models.Model):
    """A person the clinic treats. Demographics only: clinical content lives in
    the assessments and treatments apps, which front desk never reads."""

    legal_first_name = models.CharField(max_length=100)
    legal_last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(
        max_length=100, blank=True, help_text="What the patient likes to be called."
    )
    date_of_birth = models.DateField()
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patient",
        help_text="The portal account of this patient, once invited.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["legal_last_name", "legal_first_name", "date_of_birth"]
        indexes = [
            models.Index(fields=["legal_last_name", "legal_first_name"]),
            models.Index(fields=["date_of_birth"]),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def first_name(self) -> str:
        """The name to address the patient by."""
        return self.preferred_name or self.legal_first_name

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.legal_last_name}"


class AccessLog(models.Model):
    """One read of a patient's records: who, which patient, what, when, from where.

    Rows are written by clinic.services.access_log_record, called by every view that shows
    or hands out clinical content (chart, session notes, PDFs). They are never edited.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        DOWNLOAD = "download", "Downloaded"
        SEARCH = "search", "Searched"
        EMAIL = "email", "Emailed"
        EMERGENCY = "emergency", "Emergency access"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_logs"
    )
    patient = models.ForeignKey(
        Patient,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_logs",
    )
    action = models.CharField(max_length=20, choices=Action.choices, default=Action.VIEW)
    what = models.CharField(max_length=200, help_text="What was read, e.g. 'chart'.")
    path = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["patient", "-at"]),
            models.Index(fields=["user", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()} {self.what}"
