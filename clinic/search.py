"""Text normalisation for patient search: accent-, case- and punctuation-insensitive.

The same function builds the stored `Patient.search_text` and the terms of a query, so
"Helene" finds "Hélène", "oneil" finds "O'Neill" and "604 555 0187" finds "604-555-0187".
"""

from __future__ import annotations

import re
import unicodedata

_DROP = re.compile(r"['’`]")  # apostrophes vanish: O'Neill -> oneill
_SEPARATORS = re.compile(r"[^\w@.+-]+")  # keep what e-mail addresses and hyphenated names use
_PHONE_LIKE = re.compile(r"^[\d()+.\- ]{3,}$")


def normalize(text: str) -> str:
    """Lower-case, strip accents, drop apostrophes, collapse other punctuation to spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = _DROP.sub("", stripped.casefold())
    return " ".join(_SEPARATORS.sub(" ", stripped).split())


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def phone_digits(text: str) -> str:
    """The digits a phone number is searched by: a North American number (+1, or eleven
    digits starting with 1) without its country code, so "+1 604 555 0199", "1-604-555-0199"
    and "604 555 0199" are the same digits; other countries keep their code."""
    number = digits(text)
    if len(number) == 11 and number.startswith("1"):
        return number[1:]
    return number


def query_terms(query: str) -> list[str]:
    """Terms that must all appear in a patient's search text.

    A query that looks like a phone number (digits with spaces, dashes, dots or brackets)
    becomes one term of its digits, so the punctuation a person types never matters.
    """
    query = query.strip()
    if _PHONE_LIKE.match(query) and len(digits(query)) >= 3:
        return [phone_digits(query)]
    return [term for term in normalize(query).split() if term]
