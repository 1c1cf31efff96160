"""Fixtures for tests that write private files or start a real worker (every app's tests;
loaded by the root conftest.py as a plugin)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection


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


@pytest.fixture
def worker_env(private_storage) -> dict[str, str]:
    """The worker process must see this test's database and private storage."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL): the worker process "
            "shares the test database"
        )
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}"
        f":{db['PORT'] or 5432}/{db['NAME']}"
    )
    return {"DATABASE_URL": url, "PRIVATE_MEDIA_ROOT": str(private_storage), "CONN_MAX_AGE": "0"}
