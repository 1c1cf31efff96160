"""Segment codes typed in free text become plain words on the patient's documents."""

import pytest

from treatments.templatetags.plain_words import SEGMENT, without_segment_codes


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("C6 radiculopathy", "neck, level 6 radiculopathy"),
        ("L4-L5 disc", "lower back, levels 4 to 5 disc"),
        ("C5\u20136", "neck, levels 5 to 6"),
        ("L5/S1", "lower back level 5 to pelvis (sacrum) level 1"),
        ("Class C, CT scan", "Class C, CT scan"),  # not segment codes: left alone
        ("", ""),
    ],
)
def test_segment_codes_become_words(typed, shown):
    assert without_segment_codes(typed) == shown
    assert not SEGMENT.search(without_segment_codes(typed))
