"""The admin home's panels registry: apps above clinic add a panel without clinic importing
them; a provider that returns None shows nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic import selectors
from clinic.selectors import home_panels


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(home_panels, "_providers", {})
    return home_panels


@pytest.mark.django_db
def test_a_registered_panel_shows_on_the_admin_home_in_order(
    registry, clinic_admin, client_for, tmp_path, settings
):
    (tmp_path / "panel.html").write_text("<p class='test-panel'>{{ panel.word }}</p>")
    # Assigned, not changed in place, so the template engines are rebuilt with the new
    # folder even when an earlier test already rendered a page.
    first = {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], str(tmp_path)]}
    settings.TEMPLATES = [first, *settings.TEMPLATES[1:]]
    selectors.admin_home_panel_register(
        "second", lambda request: selectors.HomePanel("panel.html", {"word": "Later"}, order=2)
    )
    selectors.admin_home_panel_register(
        "first", lambda request: selectors.HomePanel("panel.html", {"word": "Sooner"}, order=1)
    )
    selectors.admin_home_panel_register("nothing", lambda request: None)

    html = client_for(clinic_admin).get(reverse("clinic:admin_home")).content.decode()

    assert html.count("class='test-panel'") == 2
    assert html.index("Sooner") < html.index("Later")
