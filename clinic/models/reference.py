"""The version of the clinic-edited reference tables (needle sizes, home-care advice,
muscles, segments), for the per-process memo of them in clinic/reference_cache.py."""

from __future__ import annotations

from django.db import models


class ReferenceVersion(models.Model):
    """One row whose `token` changes (a new random value, never a count that a rolled-back
    transaction could hand out twice) whenever a watched reference row is saved or deleted.
    It is written in the same transaction as the change, so a rollback restores the token
    that matches the rolled-back data."""

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token
