"""The one walk over the URLconf that every whole-site test uses (the access matrix, the
access declarations, the security headers, no-store): each route once, with its full
pattern, its namespaced name and its view, plus a sample URL for routes whose arguments
do not matter and a temporary URLconf for tests that add a view of their own."""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

from django.urls import URLPattern, URLResolver, get_resolver

from clinic.permissions import DELEGATED_NAMESPACES


class Route(NamedTuple):
    route: str  # the full pattern, e.g. "treatments/<int:pk>/sign/"
    name: str | None  # the URL name without its namespace
    callback: Callable
    namespace: str | None

    @property
    def full_name(self) -> str | None:
        """The name `reverse()` takes: "namespace:name", or the bare name."""
        if self.name is None:
            return None
        return f"{self.namespace}:{self.name}" if self.namespace else self.name

    @property
    def delegated(self) -> bool:
        """Served by a package that declares access itself (the Django admin)."""
        return self.namespace in DELEGATED_NAMESPACES


def walk(patterns: Iterable | None = None, prefix: str = "", namespace=None) -> Iterator[Route]:
    """Every route of `patterns` (the site's URLconf by default), depth first."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield Route(prefix + str(entry.pattern), entry.name, entry.callback, namespace)


def app_routes(patterns: Iterable | None = None) -> list[Route]:
    """The routes whose views declare their own access (all but the delegated ones)."""
    return [route for route in walk(patterns) if not route.delegated]


def sample_url(route: str) -> str:
    """A concrete URL for a route pattern, its converters filled with plausible values (for
    tests where the object need not exist: refusals, headers)."""
    url = re.sub(r"<(?:int:)?pk>|<int:[a-z_]+>", "1", route)
    url = re.sub(r"<uuid:[a-z_]+>", "00000000-0000-4000-8000-000000000000", url)
    url = re.sub(r"<[^>]+>", "x", url)
    url = url.replace("^", "").replace("$", "").replace("\\Z", "")
    return "/" + url


@contextmanager
def urlconf_with(settings, *extra, name: str = "temporary_urlconf") -> Iterator[str]:
    """Serve the site's URLconf plus the `extra` patterns for the duration (`settings` is
    pytest-django's fixture); yields the temporary URLconf's module name."""
    module = types.ModuleType(name)
    module.urlpatterns = [*get_resolver().url_patterns, *extra]
    sys.modules[name] = module
    try:
        settings.ROOT_URLCONF = name
        yield name
    finally:
        # pytest-django's `settings` puts ROOT_URLCONF back (and clears the URL caches).
        del sys.modules[name]
