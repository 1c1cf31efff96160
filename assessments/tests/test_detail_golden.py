"""Golden test of the assessment page (issue 18): the signed assessment a colleague reads,
and the draft its author reviews before signing, must carry the same content after the
speed work as before it.

`golden/assessment_detail.json` was written from the rendering of the code before that work
(commit a6c18a2) for the deterministic world built below, with

    GOLDEN_UPDATE=1 .venv/bin/pytest assessments/tests/test_detail_golden.py

The comparison is of the parsed document, not bytes: every element in order with all its
attributes, and the visible text (whitespace collapsed); only the whitespace between tags
does not count. Database ids are written as what they name (<assessment>, <patient>,
<sign C6 Supinator>, ...), dates made from today as tokens, the CSRF token and the CSP
nonce as placeholders, so the fixture does not depend on the database or the day.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.tests.factories import add_band, add_range, add_sign, practitioner_for
from clinic.models import AppointmentType
from clinic.permissions import Role
from clinic.tests.factories import join_care_team, make_patient, write_appointment

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden" / "assessment_detail.json"
MARKS = [
    {"view": "back", "x": 0.5, "y": 0.3, "kind": "pain", "note": "Worse <sitting> & bending"},
    {"view": "front", "x": 0.4, "y": 0.6, "kind": "skin_sign", "note": ""},
]


# --- The world --------------------------------------------------------------------------


def _world(make_user):
    author = make_user(Role.PHYSIO, username="golden-author", first_name="Maya", last_name="Gold")
    colleague = make_user(
        Role.PHYSIO, username="golden-colleague", first_name="", last_name=""
    )  # no full name: the username is shown
    patient = make_patient(legal_first_name="Robin", legal_last_name="O'Hara", preferred_name="Rob")
    join_care_team(author, patient)
    join_care_team(colleague, patient)
    practitioner = practitioner_for(author)
    kind = AppointmentType.objects.get(name="Initial assessment")
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=1)
    visit = write_appointment(patient, practitioner, start, kind, by=author)
    signed = services.assessment_start(
        patient=patient, practitioner=practitioner, appointment=visit
    )
    signed = services.assessment_update(
        assessment=signed,
        by=author,
        chief_complaint="Neck & arm pain,\nworse at <night>.",
        posture="Forward head.",
        movement="",
        visceral_note='Reflux "mild".',
        impression="C5-C7 picture; needle the paraspinals.",
        body_marks=MARKS,
    )
    add_sign(
        signed,
        author,
        segment="C6",
        region="peripheral",
        muscle="Supinator",
        sign="Motor point tenderness",
        side="L",
        severity=3,
        note="Sharp <3>",
    )
    add_sign(signed, author, segment="C5", region="paraspinal", side="B", severity=2)
    add_sign(signed, author, segment="C7", region="paraspinal", side="M", severity=0)
    add_sign(
        signed,
        author,
        segment="L5",
        region="peripheral",
        muscle="Gluteus medius",
        sign="Motor point tenderness",
        side="R",
        severity=1,
    )
    add_band(signed, author, muscle="Infraspinatus", side="L", tenderness=3, twitch=True)
    add_band(signed, author, muscle="Supinator", side="R", tenderness=1, twitch=False)
    add_range(signed, author, joint="cervical", movement="rotation", side="L", degrees=50)
    add_range(signed, author, joint="wrist", movement="flexion", side="R", degrees=60)
    services.assessment_sign(assessment=signed, by=author)
    services.assessment_addendum_add(assessment=signed, by=author, text="Line one\nline <two>")
    services.assessment_addendum_add(assessment=signed, by=colleague, text="Seen & agreed.")

    draft = services.assessment_start(patient=patient, practitioner=practitioner)
    add_sign(draft, author, segment="L4", region="paraspinal", side="R", severity=2)
    empty = services.assessment_start(patient=patient, practitioner=practitioner)
    return author, colleague, patient, signed, draft, empty  # noqa: RET504  # fmt: skip


# --- Normalising ------------------------------------------------------------------------


class _Tokens(HTMLParser):
    """The document as a list: start tags with their attributes, end tags, text."""

    def __init__(self, names) -> None:
        super().__init__(convert_charrefs=True)
        self.names = names
        self.tokens: list = []

    def handle_starttag(self, tag, attrs) -> None:
        kept = []
        for name, value in attrs:
            value = "" if value is None else value
            if name == "nonce":
                value = "<nonce>"
            elif name == "value" and ("name", "csrfmiddlewaretoken") in attrs:
                value = "<csrf>"
            kept.append([name, self.names(value)])
        self.tokens.append([tag, kept])

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag) -> None:
        self.tokens.append(f"/{tag}")

    def handle_data(self, data) -> None:
        words = " ".join(data.split())
        if words:
            self.tokens.append(self.names(words))


def _namer(patient, notes, author, colleague):
    """Ids and dates as tokens."""
    pairs = [
        (rf"(?<=/patients/){patient.pk}(?=/)", "<patient>"),
        (r'(?<="X-CSRFToken": ")[^"]+', "<csrf>"),
    ]
    for label, note in notes.items():
        pairs.append((rf"(?<=/assessments/){note.pk}(?=/)", f"<{label}>"))
        for kind, rows in (
            ("sign", note.sign_findings.all()),
            ("band", note.taut_bands.all()),
            ("range", note.range_findings.all()),
        ):
            for row in rows:
                pairs.append((rf"(?<={kind}-row-){row.pk}\b", f"<{kind} {row}>"))
                pairs.append((rf"(?<=/{kind}/){row.pk}(?=/)", f"<{kind} {row}>"))
    today = timezone.localdate()
    pairs += [
        (re.escape(f"{today:%Y-%m-%d}") + r"( \d\d:\d\d)?", "<today>"),
        (re.escape(f"{today.day} {today:%B %Y}"), "<today>"),
    ]
    compiled = [(re.compile(pattern), token) for pattern, token in pairs]

    def names(value: str) -> str:
        for pattern, token in compiled:
            value = pattern.sub(token, value)
        return value

    return names


def _render(client, pk) -> str:
    response = client.get(reverse("assessments:detail", args=[pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- The test ---------------------------------------------------------------------------


def test_assessment_page_carries_what_it_carried_before(make_user, client_for):
    author, colleague, patient, signed, draft, empty = _world(make_user)
    notes = {"signed": signed, "draft": draft, "empty": empty}
    names = _namer(patient, notes, author, colleague)
    pages = {
        # A colleague on the care team reads the signed one (addenda, no sign panel).
        "signed, colleague": _render(client_for(colleague), signed.pk),
        # Its author reviews their drafts (the sign panel with what still stops it).
        "draft, author": _render(client_for(author), draft.pk),
        "empty draft, author": _render(client_for(author), empty.pk),
    }
    content = {}
    for page, html in pages.items():
        parsed = _Tokens(names)
        parsed.feed(html)
        content[page] = parsed.tokens
    if os.environ.get("GOLDEN_UPDATE"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(content, indent=0, ensure_ascii=False) + "\n")
    golden = json.loads(GOLDEN.read_text())
    assert content.keys() == golden.keys()
    for page, tokens in golden.items():
        assert content[page] == tokens, page
