"""Contact details written one way: phone numbers with the `phonenumbers` library (Google's
libphonenumber metadata), Canadian postal codes in Canada Post's form.

Numbers are parsed with the clinic's country as the default region, so "604 555 0199",
"(604) 555-0199" and "+1 604 555 0199" are one number, and stored in international format
("+1 604-555-0199"): the desk reads it at a glance, a foreign number keeps its country code,
and the patient search (clinic.search) finds it by any of those spellings.
"""

from __future__ import annotations

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError

PHONE_HELP = "E.g. 604-555-0199, or +44 20 7946 0958 for a number outside Canada."
# Canada Post: letter digit letter, digit letter digit; D, F, I, O, Q, U never used, and W
# and Z not as the first letter.
_CANADIAN_POSTAL = re.compile(
    r"^([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z])\s*-?\s*(\d[ABCEGHJ-NPRSTV-Z]\d)$"
)


def phone_normalize(value: str) -> str:
    """`value` as "+<country> <national>" ('' stays ''); ValidationError if it is not a
    possible number for its region."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, settings.CLINIC_COUNTRY)
    except phonenumbers.NumberParseException:
        raise ValidationError(f"Enter a phone number. {PHONE_HELP}", code="phone") from None
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(
            f"That number has too few or too many digits. {PHONE_HELP}", code="phone"
        )
    # INTERNATIONAL keeps an extension (" ext. 123").
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def postal_code_normalize(value: str) -> str:
    """A Canadian postal code as "V6K 1A1" (upper case, one space); anything else (a US ZIP,
    a UK postcode) trimmed and upper-cased, as written."""
    value = " ".join((value or "").split()).upper()
    match = _CANADIAN_POSTAL.match(value)
    return f"{match.group(1)} {match.group(2)}" if match else value
