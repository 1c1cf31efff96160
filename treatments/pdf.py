"""HTML to PDF with WeasyPrint, offline and accessible.

- Templates live in templates/pdf/ with their own small print stylesheet (no Bootstrap:
  WeasyPrint's cascade cost grows with the size of the CSS).
- Fonts ship with the app (static/vendor/source-sans-3) and are the only files a document
  may load: `StaticOnlyFetcher` serves files under the static directory and refuses every
  other URL (http, https, ftp, data and files elsewhere), so a document can never make the
  worker fetch from the network or read the disk.
- One FontConfiguration per worker process: building it parses the @font-face rules and
  loads the fonts, which is most of the fixed cost of a small document.
- Output is tagged PDF/UA-1 (structure tags, language, title) for screen readers.
"""

from __future__ import annotations

import atexit
import mimetypes
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string

STATIC_DIR = Path(settings.BASE_DIR, "static").resolve()
PAGE_SIZES = {"A4": "A4", "LETTER": "Letter"}


class BlockedURL(ValueError):
    """A document asked for something other than one of our static files."""


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves files under static/ and nothing else."""

        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise BlockedURL(f"blocked: {parts.scheme or 'relative'} URL in a PDF")
            path = Path(unquote(parts.path)).resolve()
            if not path.is_relative_to(STATIC_DIR) or not path.is_file():
                raise BlockedURL("blocked: a file outside static/ in a PDF")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), path.read_bytes(), {"Content-Type": content_type}
            )

    return StaticOnlyFetcher


@cache
def _fetcher():
    return _fetcher_class()()


@cache
def _font_config():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


# Drop the cached configuration before the interpreter tears modules down, or its
# finaliser runs too late and prints a harmless but alarming TypeError at exit.
atexit.register(_font_config.cache_clear)


@cache
def _stylesheet():
    """The print stylesheet, parsed once per process (its @font-face rules included)."""
    from weasyprint import CSS

    css = render_to_string("pdf/print.css", {"page_size": page_size()})
    return CSS(
        string=css,
        base_url=STATIC_DIR.as_uri() + "/",
        url_fetcher=_fetcher(),
        font_config=_font_config(),
    )


def page_size() -> str:
    """SUMMARY_PAGE_SIZE: "A4" or "Letter" (the clinic's paper)."""
    return PAGE_SIZES.get(str(settings.SUMMARY_PAGE_SIZE).upper(), "Letter")


def html_to_pdf(html: str) -> bytes:
    """Render one document. A resource the fetcher refuses is skipped (WeasyPrint logs
    it), never fetched."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=_fetcher())
    return document.write_pdf(
        stylesheets=[_stylesheet()],
        font_config=_font_config(),
        pdf_variant="pdf/ua-1",
        uncompressed_pdf=False,
    )


def render_pdf(template: str, context: dict) -> tuple[str, bytes]:
    """Render `template` (under templates/pdf/) with `context` and return (html, pdf)."""
    html = render_to_string(template, context)
    return html, html_to_pdf(html)
