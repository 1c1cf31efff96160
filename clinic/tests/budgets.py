"""Query budgets: a page's query count must not grow with the data it shows.

Each budget test renders a page over a small data set, grows the data about tenfold, renders
it again and asserts the same number of queries, and no more than a ceiling (so a new query
per page, even a constant one, is a decision someone makes on purpose). On failure the
message lists the statements whose count changed, which names the N+1 at once.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

_NUMBERS = re.compile(r"\d+")
_STRINGS = re.compile(r"'(?:[^']|'')*'")


def _shape(sql: str) -> str:
    """The statement with its literal values blanked, so one N+1 reads as one shape."""
    return _NUMBERS.sub("N", _STRINGS.sub("'?'", sql))


@dataclass
class Rendered:
    html: str
    queries: list[str]

    @property
    def count(self) -> int:
        return len(self.queries)


def render_counted(client: Client, url: str, data: dict | None = None) -> Rendered:
    """GET `url` and capture every query it ran (the response must be a 200)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data or {})
    assert response.status_code == 200, (url, response.status_code)
    return Rendered(response.content.decode(), [q["sql"] for q in captured.captured_queries])


def assert_constant(small: Rendered, large: Rendered, *, ceiling: int) -> None:
    """The same number of queries at both sizes, and at most `ceiling`."""
    print(f"queries: {small.count} small, {large.count} large (budget {ceiling})")  # with -s
    if small.count != large.count:
        before, after = Counter(map(_shape, small.queries)), Counter(map(_shape, large.queries))
        grown = {
            sql: (before[sql], after[sql]) for sql in before | after if before[sql] != after[sql]
        }
        lines = "\n".join(f"  {n0} -> {n1}: {sql[:300]}" for sql, (n0, n1) in grown.items())
        raise AssertionError(f"{small.count} queries grew to {large.count}:\n{lines}")
    assert large.count <= ceiling, f"{large.count} queries, over the budget of {ceiling}"
