"""Importing the settings does no I/O (issue 18): the local directories the configuration
writes to are created when the apps start (ClinicConfig.ready), not at import."""

from __future__ import annotations

import os
import subprocess
import sys

from clinic.tests.test_settings import BASE_DIR, run_manage


def test_importing_settings_creates_no_directory_and_starting_the_apps_does(tmp_path):
    static_root = tmp_path / "static" / "collected"
    database = tmp_path / "db" / "clinic.sqlite3"
    env = {
        "DEBUG": "1",
        "STATIC_ROOT": str(static_root),
        "DATABASE_URL": f"sqlite:///{database}",
    }
    imported = subprocess.run(
        [sys.executable, "-c", "import clinic.settings"],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_ENV_FILE": "", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert imported.returncode == 0, imported.stderr
    assert not static_root.exists()
    assert not database.parent.exists()

    started = run_manage("check", **env)
    assert started.returncode == 0, started.stderr
    assert static_root.is_dir()
    assert database.parent.is_dir()
