"""Issue 18, acceptance 3: the layers are enforced. `make lint` runs import-linter with the
contracts in pyproject.toml ([tool.importlinter]): the apps are layered (devtools > custody >
interop > treatments > assessments > clinic), models import no services, services import no views or
forms. These tests prove the contracts catch a violation (on a tiny fake project checked
with the real configuration), that the project keeps them, and that no app has an import
cycle between modules at import time (which import-linter cannot tell from a lazy import
inside a function, the accepted way to break one)."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
CONFIG = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["tool"]["importlinter"]
CONTRACTS = {contract["name"]: contract for contract in CONFIG["contracts"]}
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def contract_named(kind: str, forbidden: str | None = None) -> str:
    """The name of the contract of type `kind` (forbidding `forbidden`), so renaming one in
    pyproject.toml does not break these tests."""
    for name, contract in CONTRACTS.items():
        if contract["type"] == kind and (
            forbidden is None or forbidden in contract.get("forbidden_modules", [])
        ):
            return name
    raise AssertionError(f"no {kind} contract forbidding {forbidden} in pyproject.toml")


LAYERS = contract_named("layers")
MODELS_NO_SERVICES = contract_named("forbidden", "*.services")
SERVICES_NO_VIEWS = contract_named("forbidden", "*.views")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# A fake project with the real apps' names: each has models, services, forms and views
# that import only downwards, and a tests package.
CLEAN = {
    "clinic/__init__.py": "",
    "clinic/models.py": "",
    "clinic/services.py": "from clinic import models\n",
    "clinic/forms.py": "from clinic import models\n",
    "clinic/views.py": "from clinic import forms, services\n",
    "clinic/tests/__init__.py": "",
    "assessments/__init__.py": "",
    "assessments/models.py": "from clinic import models\n",
    "assessments/services.py": "from assessments import models\nfrom clinic import services\n",
    "assessments/views.py": "from assessments import services\nfrom clinic import views\n",
    "treatments/__init__.py": "",
    "treatments/models.py": "from assessments import models\n",
    "treatments/services.py": "from assessments import services\nfrom treatments import models\n",
    "treatments/forms.py": "from treatments import models\n",
    "treatments/views.py": "from treatments import forms, services\n",
    "interop/__init__.py": "",
    "interop/services.py": "from treatments import services\nfrom clinic import models\n",
    "custody/__init__.py": "",
    "custody/services.py": "from interop import services\nfrom treatments import models\n",
    "devtools/__init__.py": "",
    "devtools/demo.py": "from treatments import services\nfrom clinic import models\n",
}


@pytest.fixture
def fake_project(tmp_path):
    """Write the fake project and the real pyproject.toml into a temporary directory;
    `write(path, source)` then changes one file."""
    shutil.copy(BASE_DIR / "pyproject.toml", tmp_path / "pyproject.toml")

    def write(path: str, source: str) -> None:
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source)

    for path, source in CLEAN.items():
        write(path, source)
    return tmp_path, write


def broken_contracts(result: subprocess.CompletedProcess) -> set[str]:
    return {name for name in CONTRACTS if f"{name} BROKEN" in result.stdout}


def test_the_project_keeps_every_contract():
    result = lint_imports(BASE_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in CONTRACTS:
        assert f"{name} KEPT" in result.stdout


def test_the_fake_project_keeps_every_contract(fake_project):
    root, _write = fake_project
    result = lint_imports(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert broken_contracts(result) == set()


@pytest.mark.parametrize(
    ("path", "source", "broken"),
    [
        pytest.param(
            "clinic/services.py",
            "from clinic import models\nfrom treatments import services\n",
            {LAYERS},
            id="clinic imports treatments",
        ),
        pytest.param(
            "assessments/models.py",
            "from clinic import models\n\n\ndef later():\n    from treatments import models\n",
            {LAYERS},
            id="assessments imports treatments inside a function",
        ),
        pytest.param(
            "clinic/services.py",
            "from clinic import models, views\n",
            {SERVICES_NO_VIEWS},
            id="services import views",
        ),
        pytest.param(
            "treatments/services.py",
            "from treatments import forms\n",
            {SERVICES_NO_VIEWS},
            id="services import forms",
        ),
        pytest.param(
            "assessments/models.py",
            "from clinic import models\nfrom assessments import services\n",
            {MODELS_NO_SERVICES},
            id="models import services",
        ),
        pytest.param(
            "clinic/models.py",
            "from clinic import permissions\n",
            {MODELS_NO_SERVICES},
            id="models import services through another module",
        ),
    ],
)
def test_a_violation_breaks_its_contract(fake_project, path, source, broken):
    root, write = fake_project
    write("clinic/permissions.py", "def gate():\n    from clinic import services\n")
    write(path, source)
    result = lint_imports(root)
    assert result.returncode != 0
    assert broken_contracts(result) == broken, result.stdout


def test_tests_may_import_any_layer(fake_project):
    root, write = fake_project
    write("clinic/tests/test_journey.py", "from treatments import services, views\n")
    result = lint_imports(root)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_project_app_is_checked():
    """An app of this project missing from root_packages would not be checked at all (its
    layer, if optional, silently skipped): e.g. devtools, once it is installed."""
    ours = {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        # a top-level folder of this checkout (not a package installed in its .venv)
        if Path(config.path).resolve().parent == BASE_DIR.resolve()
    }
    assert ours <= set(CONFIG["root_packages"])


# --- Import-time cycles -----------------------------------------------------------------


def _modules(package: str) -> dict[str, Path]:
    """Module name -> file, for a package's modules outside its tests and migrations."""
    found = {}
    for path in sorted((BASE_DIR / package).rglob("*.py")):
        parts = path.relative_to(BASE_DIR).with_suffix("").parts
        if "tests" in parts or "migrations" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_time_statements(body: list[ast.stmt]):
    """Statements run when the module is imported: the module body and class bodies, and
    the blocks of if/try/with among them, but not function bodies or TYPE_CHECKING."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _import_time_statements(node.orelse)
            continue
        yield node
        for field in ("body", "orelse", "finalbody"):
            yield from _import_time_statements(getattr(node, field, []) or [])
        for handler in getattr(node, "handlers", []) or []:
            yield from _import_time_statements(handler.body)


def import_time_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Which of `modules` each one imports while it is being imported. `from pkg import
    name` depends on pkg.name when that is a module, else on pkg itself."""
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        package = module if is_package else module.rpartition(".")[0]
        targets: set[str] = set()
        for node in _import_time_statements(ast.parse(path.read_text()).body):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    targets.add(submodule if submodule in modules else base)
        graph[module] = {target for target in targets if target in modules} - {module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize("package", CONFIG["root_packages"])
def test_no_import_time_cycle_inside_an_app(package):
    assert cycles(import_time_graph(_modules(package))) == []


def test_the_cycle_finder_sees_a_cycle_and_ignores_lazy_imports(tmp_path):
    files = {
        "app/__init__.py": "",
        "app/a.py": "from app import b\n",
        "app/b.py": "import app.c\n",
        "app/c.py": "from . import a\n",
        "app/d.py": "def later():\n    from app import e\n",
        "app/e.py": "from app.d import later\n",
        "app/f.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app import g\n",
        "app/g.py": "from app import f\n",
    }
    modules = {}
    for path, source in files.items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source)
        name = path.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
        modules[name] = target
    assert cycles(import_time_graph(modules)) == [["app.a", "app.b", "app.c"]]
