"""`make test` runs most tests in parallel (pytest-xdist) and the rest one at a time: the
root conftest.py marks `serial` every browser, end-to-end, real-worker or live-server test."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

import conftest


class FakeItem:
    def __init__(self, file: str, markers=(), fixtures=()):
        self.path = Path(file)
        self.markers = set(markers)
        self.fixturenames = list(fixtures)

    def get_closest_marker(self, name):
        return SimpleNamespace(name=name) if name in self.markers else None

    def add_marker(self, marker):
        self.markers.add(marker.name)


@pytest.mark.parametrize(
    ("item", "serial"),
    [
        (FakeItem("clinic/tests/test_views.py", fixtures=["client", "db"]), False),
        (FakeItem("clinic/tests/test_views.py", markers=["postgres"]), False),
        (FakeItem("clinic/tests/test_browser_x.py"), True),
        (FakeItem("clinic/tests/test_bodychart.py", markers=["browser"]), True),
        (FakeItem("tests/test_journeys.py", markers=["e2e"]), True),
        (FakeItem("clinic/tests/test_celery.py", markers=["worker"]), True),
        (FakeItem("x/tests/test_a.py", fixtures=["db", "live_server"]), True),
        (FakeItem("x/tests/test_b.py", fixtures=["worker_env"]), True),
        (FakeItem("x/tests/test_c.py", markers=["serial"]), True),
    ],
    ids=lambda value: getattr(value, "path", value),
)
def test_browser_worker_and_live_server_tests_are_serial(item, serial):
    conftest.pytest_collection_modifyitems(config=None, items=[item])
    assert ("serial" in item.markers) is serial
