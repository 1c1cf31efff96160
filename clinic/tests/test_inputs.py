"""clinic.inputs: reading ids, `next` targets and dates from requests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory

from clinic.inputs import MAX_ID, parse_date, parse_id, safe_next


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7),
        (7, 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("9" * 5000, None),  # int() would refuse it anyway (the digit limit)
        ("0", None),
        ("-1", None),
        (" 7 ", None),
        ("+7", None),
        ("²", None),  # isdigit() is True, int() raises
        ("١٢٣", None),  # int() reads it as 123
        ("1.5", None),
        ("", None),
        (None, None),
        (True, None),
        ([7], None),
    ],
)
def test_parse_id(value, expected):
    assert parse_id(value) == expected


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/desk/?date=2026-01-05", "/desk/?date=2026-01-05"),
        ("0", "/default/"),  # redirect() would take it for a URL pattern name
        ("desk", "/default/"),
        (" ", "/default/"),
        ("//evil.example/", "/default/"),
        ("/\\evil.example/", "/default/"),
        ("https://evil.example/", "/default/"),
        ("http://testserver/desk/", "/default/"),  # a path, not a URL
        ("javascript:alert(1)", "/default/"),
        ("", "/default/"),
    ],
)
def test_safe_next(target, expected):
    post = RequestFactory().post("/x/", {"next": target})
    get = RequestFactory().get("/x/", {"next": target})
    assert safe_next(post, "/default/") == expected
    assert safe_next(get, "/default/") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-08", dt.date(2026, 3, 8)),
        ("1900-01-01", dt.date(1900, 1, 1)),
        ("2100-12-31", dt.date(2100, 12, 31)),
        ("1899-12-31", None),
        ("0001-01-01", None),
        ("9999-12-31", None),
        ("2025-02-30", None),
        ("yesterday", None),
        (None, None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected
