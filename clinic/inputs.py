"""Reading untrusted request values that do not go through a form field: ids, `next`
targets and calendar dates. Every app's views and forms use these, so one rule holds
everywhere (a value that cannot be read means "not given", never a 500).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

# The largest primary key the databases store (a signed 64-bit integer); SQLite raises
# OverflowError on anything larger in an `IN (...)` list.
MAX_ID = 2**63 - 1

# Dates a clinical record or a schedule page can plausibly be about. Outside them, date
# arithmetic near year 1 or 9999 overflows and nothing real is there to show.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


def parse_id(value: object) -> int | None:
    """`value` as a database id (1 <= id <= MAX_ID), or None.

    Strings must be ASCII digits only: str.isdigit() also accepts "²" or "١٢٣", which
    int() refuses or reads as another number. Ints (an initial value, a foreign key)
    pass through when in range; bools and anything else are None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()) or len(value) > 19:
            return None
        value = int(value)
    if not isinstance(value, int):
        return None
    return value if 1 <= value <= MAX_ID else None


def safe_next(request: HttpRequest, default: str) -> str:
    """The request's `next` (POST, else query string) if it is a path on this site, else
    `default`.

    Only a path starting with a single "/" is taken: redirect() reads a value without "/"
    (such as "0") as a URL pattern name and raises NoReverseMatch, and "//host/" or
    "https://host/" would lead off the site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default


def parse_date(value: object) -> dt.date | None:
    """An ISO date (YYYY-MM-DD) between EARLIEST_DATE and LATEST_DATE, or None."""
    if not isinstance(value, str):
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if EARLIEST_DATE <= day <= LATEST_DATE else None
