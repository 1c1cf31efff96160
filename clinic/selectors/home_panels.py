"""Panels on the clinic admin's home page contributed by the apps above clinic (custody's
backup age and overdue access requests, for example). The layers forbid clinic from
importing them, so each registers a provider in its AppConfig.ready.

A provider takes the request and returns None (nothing to show: the panel is left out) or a
`HomePanel`: a template to include and its context. Panels show in the order of their
`order`, then name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class HomePanel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


HomePanelProvider = Callable[[HttpRequest], "HomePanel | None"]

_providers: dict[str, HomePanelProvider] = {}


def admin_home_panel_register(name: str, provider: HomePanelProvider) -> None:
    """Registering the same name again replaces the provider (ready() may run more than
    once in tests)."""
    _providers[name] = provider


def admin_home_panels(request: HttpRequest) -> list[HomePanel]:
    shown = []
    for name, provider in _providers.items():
        panel = provider(request)
        if panel is not None:
            shown.append((panel.order, name, panel))
    return [panel for _order, _name, panel in sorted(shown, key=lambda row: row[:2])]
