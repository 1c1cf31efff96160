"""Golden comparison of HTML fragments: what a person and htmx see, not the whitespace.

`table_rows` reads the <tr> rows of an HTML fragment into plain data: per row its class and
cells, per cell its tag, the attributes that matter (class, rowspan, href, title, aria-,
data- and hx- attributes), its visible text (whitespace collapsed) and every link and badge
inside it. Two renderings that give the same data carry the same rows, values and links,
however the markup is indented. Ids in links go through `relabel` so that a fixture taken
on one database matches another whose sequences gave other numbers.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from django.urls import reverse

FIXTURES = Path(__file__).parent / "fixtures"

_KEPT = re.compile(r"^(class|rowspan|colspan|href|title|scope|aria-.*|data-.*|hx-.*)$")
_SPACE = re.compile(r"\s+")


def _text(parts: list[str]) -> str:
    return _SPACE.sub(" ", "".join(parts)).strip()


class _Rows(HTMLParser):
    def __init__(self, relabel: Callable[[str], str]) -> None:
        super().__init__(convert_charrefs=True)
        self.relabel = relabel
        self.rows: list[dict] = []
        self.cell: dict | None = None
        self.inner: list[dict] = []  # open elements inside the cell, innermost last

    def _attrs(self, attrs: list[tuple[str, str | None]]) -> dict:
        kept = {}
        for name, value in attrs:
            if _KEPT.match(name):
                value = value or ""
                if name == "href" or name.startswith("hx-"):
                    value = self.relabel(value)
                if name == "class":
                    value = " ".join(value.split())
                kept[name] = value
        return kept

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "tr":
            self.rows.append({"attrs": self._attrs(attrs), "cells": []})
        elif tag in ("td", "th") and self.rows:
            self.cell = {"tag": tag, "attrs": self._attrs(attrs), "text": [], "inside": []}
            self.rows[-1]["cells"].append(self.cell)
            self.inner = []
        elif self.cell is not None:
            element = {"tag": tag, "attrs": self._attrs(attrs), "text": []}
            self.cell["inside"].append(element)
            self.inner.append(element)

    def handle_endtag(self, tag) -> None:
        if tag in ("td", "th"):
            self.cell = None
        elif self.cell is not None and self.inner:
            # Close the innermost open element of that tag (the markup is well formed).
            for index in range(len(self.inner) - 1, -1, -1):
                if self.inner[index]["tag"] == tag:
                    del self.inner[index:]
                    break

    def handle_data(self, data) -> None:
        if self.cell is not None:
            self.cell["text"].append(data)
            for element in self.inner:
                element["text"].append(data)


def table_rows(html: str, relabel: Callable[[str], str] = lambda value: value) -> list[dict]:
    """The rows of `html` as plain, comparable data (see the module's docstring)."""
    parser = _Rows(relabel)
    parser.feed(html)
    parser.close()
    for row in parser.rows:
        for cell in row["cells"]:
            cell["text"] = _text(cell["text"])
            for element in cell["inside"]:
                element["text"] = _text(element["text"])
    return parser.rows


def tbody(html: str) -> str:
    """The first <tbody> of a page: the rows a view wrote, without the header row."""
    start = html.index("<tbody>")
    return html[start : html.index("</tbody>", start)]


def load(name: str) -> list[dict]:
    return json.loads((FIXTURES / name).read_text())


def save(name: str, rows: list[dict]) -> None:
    FIXTURES.mkdir(exist_ok=True)
    (FIXTURES / name).write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n")


NOTICES_LOADER = re.compile(
    r'<div id="desk-notices"\s+hx-get="([^"]+)"\s+hx-trigger="load"\s+hx-swap="outerHTML"></div>'
)


def desk_page(client, params: dict | None = None) -> str:
    """The day view as the desk sees it once htmx has loaded its alerts in place of the
    loader (clinic:desk_notices, hx-trigger="load", hx-swap="outerHTML")."""
    response = client.get(reverse("clinic:desk_today"), params or {})
    assert response.status_code == 200
    page = response.content.decode()
    loader = NOTICES_LOADER.search(page)
    assert loader is not None
    assert len(NOTICES_LOADER.findall(page)) == 1
    notices = client.get(html.unescape(loader[1]), HTTP_HX_REQUEST="true")
    assert notices.status_code == 200
    return page[: loader.start()] + notices.content.decode() + page[loader.end() :]
