"""Where the demo and benchmark tools exist: installed in development (DEBUG on) or with
CLINIC_DEVTOOLS=1, absent from a production site; and none of the product apps holds or
imports them.

The settings are read at start-up, so each case runs `manage.py` in a fresh process with its
own environment (the local `.env` file ignored)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

DEVTOOLS_COMMANDS = {
    "seed_demo",
    "seed_bench",
    "bench",
    "bench_patient_search",
    "bench_summaries",
    "totp_code",
}
PRODUCT_APPS = ("clinic", "assessments", "treatments")
ROOT = Path(settings.BASE_DIR)


def _environment(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "CLINIC_DEVTOOLS"}}
    env.update(
        DJANGO_ENV_FILE="",
        SECRET_KEY="test-only-" + "x" * 60,
        ALLOWED_HOSTS="clinic.example.org",
        **values,
    )
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    completed = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout


def _commands(env: dict[str, str]) -> set[str]:
    """Every command `manage.py help` lists (indented names under their app's heading)."""
    return {
        line.strip()
        for line in _manage(env, "help").splitlines()
        if line.startswith("    ") and line.strip()
    }


def _installed_apps(env: dict[str, str]) -> list[str]:
    script = (
        "import json; from django.conf import settings; print(json.dumps(settings.INSTALLED_APPS))"
    )
    return json.loads(_manage(env, "shell", "--no-imports", "-c", script).strip().splitlines()[-1])


PRODUCTION = {"DEBUG": "0"}
CASES = [
    pytest.param(PRODUCTION, False, id="production"),
    pytest.param({"DEBUG": "0", "CLINIC_DEVTOOLS": "1"}, True, id="production+CLINIC_DEVTOOLS"),
    pytest.param({"DEBUG": "1"}, True, id="development"),
]


@pytest.mark.parametrize(("values", "expected"), CASES)
def test_devtools_commands_exist_only_where_asked_for(values, expected):
    env = _environment(**values)
    apps = _installed_apps(env)
    assert ("devtools.apps.DevtoolsConfig" in apps) is expected
    listed = _commands(env)
    assert "migrate" in listed  # the listing itself was read
    if expected:
        assert listed >= DEVTOOLS_COMMANDS
    else:
        assert not listed & DEVTOOLS_COMMANDS


def test_a_production_site_refuses_a_devtools_command():
    completed = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "seed_demo"],
        cwd=ROOT,
        env=_environment(**PRODUCTION),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode != 0
    assert "Unknown command: 'seed_demo'" in completed.stderr


def _product_modules():
    for app in PRODUCT_APPS:
        yield from sorted((ROOT / app).rglob("*.py"))


def test_no_product_app_holds_demo_or_benchmark_code():
    misplaced = [
        str(path.relative_to(ROOT))
        for app in PRODUCT_APPS
        for path in (ROOT / app).rglob("*")
        if path.name.startswith(("bench", "demo", "seed_demo", "seed_bench", "totp_code"))
        and "__pycache__" not in path.parts
    ]
    assert misplaced == []


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_product_app_imports_devtools():
    """Product code must run where devtools is not installed. (Their tests run with DEBUG on,
    where it is, and some use the demo clinic or the synthetic patients as fixtures.)"""
    importing = [
        str(path.relative_to(ROOT))
        for path in _product_modules()
        if "tests" not in path.relative_to(ROOT).parts
        and any(name == "devtools" or name.startswith("devtools.") for name in _imports(path))
    ]
    assert importing == []
    # The check itself sees imports (it would have caught one).
    assert "devtools.demo" in _imports(
        ROOT / "devtools" / "management" / "commands" / "seed_demo.py"
    )
