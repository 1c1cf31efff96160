"""A per-process memo of small reference tables that every session form reads (needle
sizes, home-care advice, muscles, segments), keyed by the version token in
ReferenceVersion: a page reads the token in one query instead of the tables in four.

Only reference data goes in here, never patient data, and it stays in this process (no
shared cache). Apps name the models whose saves and deletes change the token
(`reference_watch`, from their AppConfig.ready); the token is written in the same
transaction as the change, so under a rolled-back test transaction the token and the data
roll back together, and a new token is random, so a rolled-back one is never reused for
different data.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

from django.db.models import Model, Subquery
from django.db.models.signals import post_delete, post_save

from clinic.models import ReferenceVersion

_lock = threading.Lock()
_memo: dict[str, tuple[str, Any]] = {}  # name -> (token, value)


def reference_token() -> str | None:
    """The current token (one query); None if there is no row yet (nothing is memoised)."""
    return ReferenceVersion.objects.values_list("token", flat=True).first()


def reference_token_subquery() -> Subquery:
    """The token as a subquery, for a page to read it with its own first query (annotate
    its main read with it, then `ReferenceData.settle`): one query fewer."""
    return Subquery(ReferenceVersion.objects.order_by("pk").values("token")[:1])


def reference_bump(**_kwargs) -> None:
    """A watched table changed: a new token, so every process reads the tables again."""
    token = uuid.uuid4().hex
    if not ReferenceVersion.objects.update(token=token):
        ReferenceVersion.objects.create(token=token)


def reference_watch(*models: type[Model]) -> None:
    """Saves and deletes of these models change the token (admin, services, fixtures)."""
    for model in models:
        uid = f"reference_cache:{model._meta.label}"
        post_save.connect(reference_bump, sender=model, dispatch_uid=uid + ":save")
        post_delete.connect(reference_bump, sender=model, dispatch_uid=uid + ":delete")


class ReferenceData:
    """One request's view of the reference memo: the token read once (lazily, at the first
    lookup), then each named value built at most once per token in this process. `build`
    must return reference data only, as plain values (lists, tuples), not querysets."""

    def __init__(self) -> None:
        self._token: str | None = None
        self._read = False

    def settle(self, token: str | None) -> None:
        """Take the token the page read itself (`reference_token_subquery`), unless this
        request has read it already."""
        if not self._read:
            self._token, self._read = token, True

    def get(self, name: str, build: Callable[[], Any]) -> Any:
        if not self._read:
            self._token, self._read = reference_token(), True
        if self._token is None:
            return build()
        held = _memo.get(name)
        if held is not None and held[0] == self._token:
            return held[1]
        value = build()
        with _lock:
            _memo[name] = (self._token, value)
        return value


def reference_memo_clear() -> None:
    """Forget every memoised table (tests)."""
    with _lock:
        _memo.clear()
