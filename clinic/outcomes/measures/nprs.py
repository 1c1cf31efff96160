"""Numeric Pain Rating Scale (NPRS), 0-10: asked at every intake, whatever the region.

Scoring: a single whole number 0-10 is the score (:func:`score_nprs`).

MCID: 2 points, Ostelo et al. 2008 (Spine 33(1):90-94) and Farrar et al. 2001 (Pain
94(2):149-158). Sources disagree (30% relative thresholds; Cleland et al. 2008 and
Mintken et al. 2009 report smaller values in single cohorts): see ``MCID.note``.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from clinic.outcomes.catalogue import Measure
from clinic.outcomes.change import Mcid
from clinic.outcomes.scoring import Option, Score, is_whole, make_options, round_half_up

NPRS_INSTRUCTIONS = (
    "Pick the number that best matches how strong your pain is right now, "
    "where 0 is no pain at all and 10 is the worst pain you can imagine."
)

NPRS_OPTIONS: tuple[Option, ...] = make_options(
    "0 - No pain",
    "1 - Very mild pain",
    "2 - Mild pain",
    "3 - Mild pain, noticeable",
    "4 - Moderate pain",
    "5 - Moderate pain, hard to ignore",
    "6 - Moderate pain, gets in the way",
    "7 - Severe pain",
    "8 - Severe pain, hard to think of anything else",
    "9 - Very severe pain",
    "10 - Worst pain imaginable",
)


def score_nprs(value: int) -> Score:
    """Numeric Pain Rating Scale: one whole number from 0 (no pain) to 10 (worst imaginable).

    A single item, so there is no missing-answer rule: the value is the score.
    Raises ``ValueError`` for anything that is not a whole number 0-10.
    """
    if not is_whole(value) or not 0 <= value <= 10:
        raise ValueError(f"NPRS must be a whole number 0-10, got {value!r}")
    return Score(
        value=round_half_up(Fraction(value)),
        maximum=Decimal(10),
        unit="/10",
        answered=1,
        higher_is_worse=True,
    )


MCID = Mcid(
    code="NPRS",
    value=Decimal("2"),
    unit="points",
    higher_is_worse=True,
    source=(
        "Ostelo et al. 2008, Spine 33(1):90-94 (2 points on the 0-10 numerical "
        "rating scale); Farrar JT, Young JP Jr, LaMoreaux L, Werth JL, Poole RM. "
        "Clinical importance of changes in chronic pain intensity measured on an "
        "11-point numerical pain rating scale. Pain 2001;94(2):149-158 (about 2 "
        "points or 30%)."
    ),
    note=(
        "Sources disagree. Both sources also give a relative threshold of 30% "
        "from baseline (not applied: we use the absolute 2 points, so a small "
        "baseline, e.g. 3/10 to 1/10, still needs 2 points); smaller values come "
        "from single cohorts: 1.3 in neck pain (Cleland et al. 2008, Arch Phys Med "
        "Rehabil 89:69-74) and 1.1 in shoulder pain (Mintken et al. 2009, J "
        "Shoulder Elbow Surg 18:920-926)."
    ),
)


MEASURE = Measure(
    code="NPRS", label="Numeric Pain Rating Scale", short_label="NPRS", mcid=MCID, doc=__doc__
)
