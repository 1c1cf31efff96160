"""Change from baseline and the minimal clinically important difference (MCID).

Worked examples for each measure at, just below and just above its MCID, improving and
worsening, through the one function that decides (clinic.outcomes.change_from_baseline).
Stored scores have one decimal place, so "just below/above" is 0.1 away where the measure
can take such values (NDI, ODI, QuickDASH, PSFS means) and 1 away where it is whole
(LEFS sums, NPRS).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clinic import outcomes
from clinic.models import OutcomeScore
from clinic.outcomes import MCIDS, change_from_baseline
from clinic.selectors import outcome_tracks

# (measure, baseline, later score, what the clinician reads)
WORKED = [
    # NDI (% of 0-100, lower is better), MCID 19 percentage points (Cleland et al. 2008)
    ("NDI", "50.0", "31.0", "better by 19 (reaches MCID)"),
    ("NDI", "50.0", "31.1", "better by 18.9 (below MCID)"),
    ("NDI", "50.0", "30.9", "better by 19.1 (reaches MCID)"),
    ("NDI", "30.0", "49.0", "worse by 19 (beyond MCID)"),
    ("NDI", "30.0", "48.9", "worse by 18.9 (below MCID)"),
    ("NDI", "30.0", "49.1", "worse by 19.1 (beyond MCID)"),
    # ODI (% of 0-100, lower is better), MCID 10 (Ostelo et al. 2008)
    ("ODI", "40.0", "30.0", "better by 10 (reaches MCID)"),
    ("ODI", "40.0", "30.1", "better by 9.9 (below MCID)"),
    ("ODI", "40.0", "29.9", "better by 10.1 (reaches MCID)"),
    ("ODI", "30.0", "40.0", "worse by 10 (beyond MCID)"),
    ("ODI", "30.0", "39.9", "worse by 9.9 (below MCID)"),
    ("ODI", "30.0", "40.1", "worse by 10.1 (beyond MCID)"),
    # QuickDASH (0-100, lower is better), MCID 15.9 (Franchignoni et al. 2014)
    ("QUICKDASH", "50.0", "34.1", "better by 15.9 (reaches MCID)"),
    ("QUICKDASH", "50.0", "34.2", "better by 15.8 (below MCID)"),
    ("QUICKDASH", "50.0", "34.0", "better by 16 (reaches MCID)"),
    ("QUICKDASH", "34.1", "50.0", "worse by 15.9 (beyond MCID)"),
    ("QUICKDASH", "34.2", "50.0", "worse by 15.8 (below MCID)"),
    ("QUICKDASH", "34.0", "50.0", "worse by 16 (beyond MCID)"),
    # LEFS (0-80 sum, higher is better), MCID 9 (Binkley et al. 1999)
    ("LEFS", "30", "39", "better by 9 (reaches MCID)"),
    ("LEFS", "30", "38", "better by 8 (below MCID)"),
    ("LEFS", "30", "40", "better by 10 (reaches MCID)"),
    ("LEFS", "39", "30", "worse by 9 (beyond MCID)"),
    ("LEFS", "38", "30", "worse by 8 (below MCID)"),
    ("LEFS", "40", "30", "worse by 10 (beyond MCID)"),
    # PSFS (mean 0-10, higher is better), MCID 2 for the average score
    ("PSFS", "3.0", "5.0", "better by 2 (reaches MCID)"),
    ("PSFS", "3.0", "4.9", "better by 1.9 (below MCID)"),
    ("PSFS", "3.0", "5.1", "better by 2.1 (reaches MCID)"),
    ("PSFS", "5.0", "3.0", "worse by 2 (beyond MCID)"),
    ("PSFS", "4.9", "3.0", "worse by 1.9 (below MCID)"),
    ("PSFS", "5.1", "3.0", "worse by 2.1 (beyond MCID)"),
    # NPRS (0-10 whole numbers, lower is better), MCID 2 (Ostelo 2008; Farrar 2001)
    ("NPRS", "7", "5", "better by 2 (reaches MCID)"),
    ("NPRS", "7", "6", "better by 1 (below MCID)"),
    ("NPRS", "7", "4", "better by 3 (reaches MCID)"),
    ("NPRS", "5", "7", "worse by 2 (beyond MCID)"),
    ("NPRS", "6", "7", "worse by 1 (below MCID)"),
    ("NPRS", "4", "7", "worse by 3 (beyond MCID)"),
]


@pytest.mark.parametrize(("code", "baseline", "later", "reads"), WORKED)
def test_worked_examples_at_just_below_and_just_above_each_mcid(code, baseline, later, reads):
    change = change_from_baseline(code, Decimal(baseline), Decimal(later))
    assert change.display() == reads
    assert str(change) == reads
    assert change.difference == Decimal(later) - Decimal(baseline)
    assert change.reaches_mcid is reads.endswith("(reaches MCID)")
    assert change.important is not reads.endswith("(below MCID)")
    assert change.direction == reads.split()[0]


@pytest.mark.parametrize("code", sorted(MCIDS))
def test_no_change_reads_plainly_and_is_not_important(code):
    change = change_from_baseline(code, Decimal("5.0"), Decimal("5.0"))
    assert change.direction == "same"
    assert change.words == "no change"
    assert not change.important
    assert not change.reaches_mcid


def test_every_measure_has_a_value_unit_and_cited_source():
    assert {code: mcid.value for code, mcid in MCIDS.items()} == {
        "NDI": Decimal("19"),
        "ODI": Decimal("10"),
        "QUICKDASH": Decimal("15.9"),
        "LEFS": Decimal("9"),
        "PSFS": Decimal("2"),
        "NPRS": Decimal("2"),
    }
    # NDI, ODI and QuickDASH are stored as 0-100 scores: their MCIDs are in those units.
    assert MCIDS["NDI"].unit == "percentage points"
    assert MCIDS["ODI"].unit == "percentage points"
    for mcid in MCIDS.values():
        assert any(str(year) in mcid.source for year in range(1990, 2026)), mcid.code
        assert mcid.note, f"{mcid.code}: say where sources disagree"
    assert "Cleland" in MCIDS["NDI"].source
    assert "Young" in MCIDS["NDI"].note
    assert "Mintken" in MCIDS["QUICKDASH"].note


def test_mcid_direction_matches_how_each_measure_is_scored():
    for code, instrument in outcomes.INSTRUMENTS.items():
        assert MCIDS[code].higher_is_worse is instrument.higher_is_worse, code
    assert MCIDS["NPRS"].higher_is_worse is outcomes.score_nprs(5).higher_is_worse
    assert MCIDS["PSFS"].higher_is_worse is outcomes.score_psfs([5]).higher_is_worse


def test_a_measure_without_a_published_mcid_is_refused():
    with pytest.raises(KeyError):
        change_from_baseline("SF36", Decimal(50), Decimal(60))


def _score(code, value, days, maximum="100"):
    return OutcomeScore(
        instrument=code,
        value=Decimal(value),
        maximum=Decimal(maximum),
        higher_is_worse=MCIDS[code].higher_is_worse,
        recorded_at=dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC) + dt.timedelta(days=days),
    )


def test_tracks_compare_every_later_score_with_the_first_of_its_measure():
    scores = [
        _score("NDI", "40.0", 0),
        _score("LEFS", "30", 1, maximum="80"),
        _score("NDI", "30.0", 7),
        _score("LEFS", "35", 8, maximum="80"),
        _score("NDI", "20.0", 14),
    ]
    ndi, lefs = outcome_tracks(scores)
    assert (ndi.code, lefs.code) == ("NDI", "LEFS")
    assert ndi.rows[0].is_baseline
    assert ndi.rows[0].change is None
    assert [row.change.display() for row in ndi.rows[1:]] == [
        "better by 10 (below MCID)",
        "better by 20 (reaches MCID)",
    ]
    assert ndi.latest.change.baseline == Decimal("40.0")
    assert lefs.latest.change.display() == "better by 5 (below MCID)"
    assert lefs.mcid is MCIDS["LEFS"]


def test_a_single_score_is_only_a_baseline():
    [track] = outcome_tracks([_score("ODI", "44.0", 0)])
    assert track.latest.is_baseline
    assert track.latest.change is None
