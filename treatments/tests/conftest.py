"""Fixtures for the treatments tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def private_storage(settings, tmp_path) -> Path:
    """Private storage in a temporary directory (the default storage backend)."""
    root = tmp_path / "private"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "clinic.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root
