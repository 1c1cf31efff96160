"""Plain words for what a patient reads (the visit and discharge summaries).

`without_segment_codes` rewrites spinal segment codes that a physiotherapist may type in
free text (a plan's condition: "C6 radiculopathy", "L4-L5") as the part of the spine and
the level in words, since the patient's documents carry no segment codes (issue 20,
acceptance 6). The regions follow the vertebral column's divisions (cervical, thoracic,
lumbar, sacral; Standring, Gray's Anatomy, 42nd ed., 2021, ch. "Vertebral column").
"""

from __future__ import annotations

import re

from django import template

register = template.Library()

AREAS = {"C": "neck", "T": "upper back", "L": "lower back", "S": "pelvis (sacrum)"}
SEGMENT = re.compile(r"\b([CTLS])(\d{1,2})(?:\s*[-\u2013/]\s*(?:([CTLS])(\d{1,2})|(\d{1,2})))?\b")


def _words(match: re.Match) -> str:
    area, level, other_area, other_level, short_level = match.groups()
    end = other_level or short_level
    if end is None:
        return f"{AREAS[area]}, level {level}"
    if other_area and other_area != area:
        return f"{AREAS[area]} level {level} to {AREAS[other_area]} level {end}"
    return f"{AREAS[area]}, levels {level} to {end}"


@register.filter
def without_segment_codes(text: str) -> str:
    return SEGMENT.sub(_words, str(text or ""))
