"""Outcome-measure scorers against worked examples computed by hand.

Every expected value below is worked out in the comment beside it from the
published rule (see the docstrings in ``clinic/outcomes/measures/``), never taken from
the module, so a wrong formula, limit or rounding fails here. No database.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from clinic.outcomes import (
    INSTRUMENTS,
    LEFS,
    NDI,
    NPRS_OPTIONS,
    ODI,
    PSFS_OPTIONS,
    QUICKDASH,
    REGION_INSTRUMENT,
    Instrument,
    Score,
    registry,
    score_nprs,
    score_psfs,
)


def answers(instrument: Instrument, values: list[int | None]) -> dict[str, int | None]:
    """Map values onto the instrument's item keys in order (None = unanswered)."""
    assert len(values) == len(instrument.items)
    return {item.key: value for item, value in zip(instrument.items, values, strict=True)}


def leave_out(instrument: Instrument, value: int, missing: int) -> dict[str, int | None]:
    """Every item answered with ``value`` except the first ``missing`` (left out entirely)."""
    return {item.key: value for item in instrument.items[missing:]}


def score_of(instrument: Instrument, values: list[int | None]) -> Score:
    result = instrument.score(answers(instrument, values))
    assert result is not None
    return result


# ------------------------------------------------------------------ definitions


def test_instruments_are_indexed_by_code_and_region():
    assert set(INSTRUMENTS) == {"NDI", "ODI", "QUICKDASH", "LEFS"}
    assert INSTRUMENTS["NDI"] is NDI
    assert INSTRUMENTS["ODI"] is ODI
    assert INSTRUMENTS["QUICKDASH"] is QUICKDASH
    assert INSTRUMENTS["LEFS"] is LEFS
    assert REGION_INSTRUMENT == {
        "neck": NDI,
        "low_back": ODI,
        "upper_limb": QUICKDASH,
        "lower_limb": LEFS,
    }
    assert registry.region_choices() == [
        ("neck", "Neck"),
        ("low_back", "Low back"),
        ("upper_limb", "Shoulder, arm or hand"),
        ("lower_limb", "Hip, knee, ankle or foot"),
    ]
    assert NDI.name == "Neck Disability Index"


@pytest.mark.parametrize(
    ("instrument", "prefix", "count", "low", "high"),
    [
        (NDI, "ndi", 10, 0, 5),
        (ODI, "odi", 10, 0, 5),
        (QUICKDASH, "qd", 11, 1, 5),
        (LEFS, "lefs", 20, 0, 4),
    ],
)
def test_items_have_keys_labels_and_a_described_option_for_every_value(
    instrument, prefix, count, low, high
):
    assert [item.key for item in instrument.items] == [f"{prefix}_{n}" for n in range(1, count + 1)]
    assert instrument.instructions.strip()
    assert instrument.rule.strip()
    assert instrument.source.strip()
    for item in instrument.items:
        assert item.label.strip()
        assert [option.value for option in item.options] == list(range(low, high + 1))
        labels = [option.label.strip() for option in item.options]
        assert all(labels), item.key
        assert len(set(labels)) == len(labels), item.key


def test_single_scale_options_cover_zero_to_ten():
    for options in (NPRS_OPTIONS, PSFS_OPTIONS):
        assert [option.value for option in options] == list(range(11))
        assert all(option.label.strip() for option in options)


# ----------------------------------------------------------------------- NDI


def test_ndi_worked_example_all_answered():
    # NDI: 1+2+3+2+1+0+4+2+1+1 = 17 raw -> 17 x 2 = 34.0%
    result = score_of(NDI, [1, 2, 3, 2, 1, 0, 4, 2, 1, 1])
    assert result == Score(
        value=Decimal("34.0"),
        maximum=Decimal("100"),
        unit="%",
        answered=10,
        higher_is_worse=True,
    )
    assert result.display() == "34.0%"


def test_ndi_one_missing_is_prorated():
    # NDI: driving left blank, 9 answered, total 15 -> 15 / 45 x 100 = 33.33 -> 33.3
    # (mean imputation agrees: 15 / 9 = 1.667 per item x 10 = 16.67 raw x 2 = 33.3)
    result = score_of(NDI, [1, 2, 3, 2, 1, 0, 4, None, 1, 1])
    assert result.value == Decimal("33.3")
    assert result.answered == 9


def test_ndi_two_missing_still_scores():
    # NDI boundary: 8 answered, total 2+3+2+4+2+3+2+0 = 18 -> 18 / 40 x 100 = 45.0
    # (mean 2.25 x 10 = 22.5 raw x 2 = 45.0)
    result = score_of(NDI, [2, 3, None, 2, 4, 2, None, 3, 2, 0])
    assert result.value == Decimal("45.0")
    assert result.answered == 8


def test_ndi_three_missing_is_not_scored():
    # NDI boundary: 7 answered -> more than 2 missing -> no score
    assert NDI.score(answers(NDI, [2, 3, None, 2, 4, None, None, 3, 2, 0])) is None
    assert NDI.score(leave_out(NDI, 3, missing=3)) is None
    assert NDI.score(leave_out(NDI, 3, missing=2)) is not None


def test_ndi_minimum_and_maximum():
    assert score_of(NDI, [0] * 10).value == Decimal("0.0")  # 0 / 50 x 100
    assert score_of(NDI, [5] * 10).value == Decimal("100.0")  # 50 / 50 x 100
    # prorating keeps the ends at the ends: 40 / 40 x 100 with two blank
    assert NDI.score(leave_out(NDI, 5, missing=2)).value == Decimal("100.0")


def test_ndi_rounds_half_up_at_the_second_decimal():
    # NDI: 9 answered, total 4 -> 4 / 45 x 100 = 8.888... -> 8.9
    assert score_of(NDI, [None, 1, 1, 1, 1, 0, 0, 0, 0, 0]).value == Decimal("8.9")


# ----------------------------------------------------------------------- ODI


def test_odi_worked_example_one_section_missing():
    # ODI: 9 sections answered (sex life skipped), total 18 -> 18 / 45 x 100 = 40.0
    result = score_of(ODI, [2, 2, 3, 2, 2, 2, 1, None, 2, 2])
    assert result == Score(
        value=Decimal("40.0"),
        maximum=Decimal("100"),
        unit="%",
        answered=9,
        higher_is_worse=True,
    )
    assert result.display() == "40.0%"


def test_odi_all_sections_answered():
    # ODI: total 16 over 10 sections -> 16 / 50 x 100 = 32.0
    assert score_of(ODI, [2, 1, 3, 2, 1, 2, 1, 0, 2, 2]).value == Decimal("32.0")


def test_odi_authors_example_rounds_half_up():
    # ODI: same 16 with one section missed -> 16 / 45 x 100 = 35.555... -> 35.6
    # (the published scoring sheet prints this as 35.5 by truncating)
    assert score_of(ODI, [2, 1, 3, 2, 1, 2, 1, None, 2, 2]).value == Decimal("35.6")


def test_odi_two_sections_missing_is_not_scored():
    # ODI boundary: 9 answered scores (above); 8 answered -> no score
    assert ODI.score(answers(ODI, [2, 2, 3, 2, 2, 2, 1, None, None, 2])) is None
    assert ODI.score(leave_out(ODI, 1, missing=2)) is None
    assert ODI.score(leave_out(ODI, 1, missing=1)) is not None


def test_odi_minimum_and_maximum():
    assert score_of(ODI, [0] * 10).value == Decimal("0.0")
    assert score_of(ODI, [5] * 10).value == Decimal("100.0")


# ------------------------------------------------------------------ QuickDASH


def test_quickdash_worked_example_all_answered():
    # QuickDASH: sum 2+3+1+4+2+5+3+2+3+2+3 = 30 over 11
    #   -> (30 / 11 - 1) x 25 = 19 / 11 x 25 = 43.18 -> 43.2
    result = score_of(QUICKDASH, [2, 3, 1, 4, 2, 5, 3, 2, 3, 2, 3])
    assert result == Score(
        value=Decimal("43.2"),
        maximum=Decimal("100"),
        unit="%",
        answered=11,
        higher_is_worse=True,
    )
    assert result.display() == "43.2%"


def test_quickdash_one_missing_still_scores():
    # QuickDASH boundary: 10 answered, sum 3+3+2+4+2+5+3+2+1+2 = 27
    #   -> (27 / 10 - 1) x 25 = 1.7 x 25 = 42.5
    result = score_of(QUICKDASH, [3, 3, 2, 4, 2, 5, 3, 2, 1, None, 2])
    assert result.value == Decimal("42.5")
    assert result.answered == 10


def test_quickdash_two_missing_is_not_scored():
    # QuickDASH boundary: 9 answered -> more than 1 missing -> no score
    assert QUICKDASH.score(answers(QUICKDASH, [3, 3, None, 4, 2, 5, 3, 2, 1, None, 2])) is None
    assert QUICKDASH.score(leave_out(QUICKDASH, 2, missing=2)) is None
    assert QUICKDASH.score(leave_out(QUICKDASH, 2, missing=1)) is not None


def test_quickdash_minimum_and_maximum():
    assert score_of(QUICKDASH, [1] * 11).value == Decimal("0.0")  # (11/11 - 1) x 25
    assert score_of(QUICKDASH, [5] * 11).value == Decimal("100.0")  # (55/11 - 1) x 25


def test_quickdash_rounding_half_up():
    # QuickDASH's 25 x (sum - n) / n never lands exactly on x.x5 (n = 10 gives
    # one decimal, n = 11 never terminates), so check both sides of the cut:
    # six 1s and five 2s = 16 -> (16 / 11 - 1) x 25 = 125 / 11 = 11.3636 -> 11.4
    assert score_of(QUICKDASH, [1] * 6 + [2] * 5).value == Decimal("11.4")
    # nine 1s and two 2s = 13 -> (13 / 11 - 1) x 25 = 50 / 11 = 4.5454 -> 4.5
    assert score_of(QUICKDASH, [1] * 9 + [2] * 2).value == Decimal("4.5")


# ----------------------------------------------------------------------- LEFS


LEFS_EXAMPLE = [3, 2, 4, 4, 3, 2, 3, 4, 2, 3, 4, 2, 3, 3, 4, 1, 1, 0, 1, 3]


def test_lefs_worked_example():
    # LEFS: 3+2+4+4+3 = 16, +2+3+4+2+3 = 30, +4+2+3+3+4 = 46, +1+1+0+1+3 = 52 -> 52 / 80
    result = score_of(LEFS, LEFS_EXAMPLE)
    assert result == Score(
        value=Decimal("52.0"),
        maximum=Decimal("80"),
        unit="points",
        answered=20,
        higher_is_worse=False,
    )
    assert result.display() == "52 / 80"


def test_lefs_any_missing_item_is_not_scored():
    # LEFS boundary (conservative rule): 20 answered scores (above), 19 -> no score
    assert LEFS.score(answers(LEFS, [*LEFS_EXAMPLE[:-1], None])) is None
    assert LEFS.score(leave_out(LEFS, 4, missing=1)) is None
    assert LEFS.score(leave_out(LEFS, 4, missing=0)) is not None


def test_lefs_minimum_and_maximum():
    low = score_of(LEFS, [0] * 20)
    assert low.value == Decimal("0.0")
    assert low.display() == "0 / 80"
    high = score_of(LEFS, [4] * 20)
    assert high.value == Decimal("80.0")
    assert high.display() == "80 / 80"


# ------------------------------------------------------- shared answer checks


@pytest.mark.parametrize("instrument", [NDI, ODI, QUICKDASH, LEFS], ids=lambda i: i.code)
def test_no_answers_at_all_is_not_scored(instrument):
    assert instrument.score({}) is None
    assert instrument.score({item.key: None for item in instrument.items}) is None


@pytest.mark.parametrize("instrument", [NDI, ODI, QUICKDASH, LEFS], ids=lambda i: i.code)
def test_absent_key_and_none_both_mean_unanswered(instrument):
    full = {item.key: 2 for item in instrument.items}
    first = instrument.items[0].key
    with_none = {**full, first: None}
    without = {key: value for key, value in full.items() if key != first}
    assert instrument.score(with_none) == instrument.score(without)


@pytest.mark.parametrize("instrument", [NDI, ODI, QUICKDASH, LEFS], ids=lambda i: i.code)
def test_unknown_key_raises(instrument):
    good = {item.key: 2 for item in instrument.items}
    with pytest.raises(ValueError, match="unknown item key"):
        instrument.score({**good, "ndi_11": 2})
    with pytest.raises(ValueError, match="unknown item key"):
        instrument.score({"not_an_item": None})


@pytest.mark.parametrize(
    ("instrument", "bad"),
    [
        (NDI, -1),
        (NDI, 6),
        (ODI, -1),
        (ODI, 6),
        (QUICKDASH, 0),
        (QUICKDASH, 6),
        (LEFS, -1),
        (LEFS, 5),
        (NDI, True),
        (NDI, 2.0),
        (QUICKDASH, "3"),
    ],
)
def test_out_of_range_or_non_integer_value_raises(instrument, bad):
    values = {item.key: 2 for item in instrument.items}
    values[instrument.items[3].key] = bad
    with pytest.raises(ValueError, match="must be a whole number"):
        instrument.score(values)


# ----------------------------------------------------------------------- NPRS


def test_nprs_scores_the_rating():
    result = score_nprs(6)
    assert result == Score(
        value=Decimal("6.0"),
        maximum=Decimal("10"),
        unit="/10",
        answered=1,
        higher_is_worse=True,
    )
    assert result.display() == "6 / 10"


def test_nprs_minimum_and_maximum():
    assert score_nprs(0).value == Decimal("0.0")
    assert score_nprs(10).value == Decimal("10.0")


@pytest.mark.parametrize("bad", [-1, 11, True, 6.5, "6", None])
def test_nprs_out_of_range_or_non_integer_raises(bad):
    with pytest.raises(ValueError, match="NPRS"):
        score_nprs(bad)


# ----------------------------------------------------------------------- PSFS


def test_psfs_worked_example():
    # PSFS: three activities rated 2, 4, 7 -> 13 / 3 = 4.333... -> 4.3
    result = score_psfs([2, 4, 7])
    assert result == Score(
        value=Decimal("4.3"),
        maximum=Decimal("10"),
        unit="/10",
        answered=3,
        higher_is_worse=False,
    )
    assert result.display() == "4.3 / 10"


def test_psfs_rounds_half_up():
    # PSFS: 6+6+6+7 = 25 / 4 = 6.25 exactly -> 6.3 (half-even or float round() gives 6.2)
    assert score_psfs([6, 6, 6, 7]).value == Decimal("6.3")
    assert score_psfs([6, 6, 6, 7]).display() == "6.3 / 10"
    # 0+0+0+1 = 1 / 4 = 0.25 exactly -> 0.3
    assert score_psfs([0, 0, 0, 1]).value == Decimal("0.3")


def test_psfs_one_and_five_activities():
    assert score_psfs([7]).value == Decimal("7.0")  # 7 / 1
    assert score_psfs([1, 2, 3, 4, 5]).value == Decimal("3.0")  # 15 / 5
    assert score_psfs([0] * 5).value == Decimal("0.0")
    assert score_psfs([10] * 5).value == Decimal("10.0")


def test_psfs_zero_activities_raises():
    with pytest.raises(ValueError, match="at least one activity"):
        score_psfs([])


def test_psfs_six_activities_raises():
    with pytest.raises(ValueError, match="at most 5"):
        score_psfs([5, 5, 5, 5, 5, 5])


@pytest.mark.parametrize("bad", [-1, 11, True, 4.5, None])
def test_psfs_out_of_range_rating_raises(bad):
    with pytest.raises(ValueError, match="whole numbers 0-10"):
        score_psfs([5, bad])
