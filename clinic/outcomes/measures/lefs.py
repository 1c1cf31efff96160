"""Lower Extremity Functional Scale (LEFS): the intake questionnaire for the hip, knee,
ankle or foot.

Scoring: Binkley, Stratford, Lott & Riddle 1999 (Phys Ther 79(4):371-383); why a blank
item means no score is in the docstring of :func:`_lefs`.

MCID: 9 points, Binkley et al. 1999 (equal to the MDC at 90% confidence); Abbott &
Schmitt 2014 agree for a small change: see ``MCID.note``.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from clinic.outcomes.catalogue import Measure
from clinic.outcomes.change import Mcid
from clinic.outcomes.regions import LOWER_LIMB
from clinic.outcomes.scoring import Instrument, docstring, make_items, make_options


def _sum_formula(total: int, answered: int) -> Fraction:
    # LEFS: plain sum of the 20 item scores (0-80).
    return Fraction(total)


_LEFS_DIFFICULTY = make_options(
    "Extremely hard, or I can't do it",
    "Very hard",
    "Moderately hard",
    "A little hard",
    "Not hard at all",
)


def _lefs() -> Instrument:
    """Lower Extremity Functional Scale (Binkley et al. 1999).

    Twenty items scored 0-4 (0 = extreme difficulty or unable, 4 = no difficulty);
    the score is their sum, 0-80, higher meaning better function.

    Missing items: Binkley et al. 1999 and the published form ask for an answer to
    every activity and give the score as the plain sum; no authoritative
    missing-item or proration rule could be found (only unsourced calculator
    habits). Because a plain sum with a blank silently reads as worse function, we
    take the conservative rule: no score (None) if any item is unanswered. The
    form should therefore require all 20 answers.
    """
    return Instrument(
        code="LEFS",
        purpose=(
            "Twenty questions about how a problem in your hip, leg, knee, ankle or foot makes "
            "everyday activities harder. Answering them again later shows your physiotherapist "
            "how things change."
        ),
        name="Lower Extremity Functional Scale",
        instructions=(
            "These questions are about your hip, knee, ankle or foot problem. For each "
            "activity, pick how hard it is for you today, or would be if you tried it. "
            "Please answer every one."
        ),
        items=make_items(
            "lefs",
            ("Your usual work, housework or study", _LEFS_DIFFICULTY),
            ("Your usual hobbies, leisure or sport", _LEFS_DIFFICULTY),
            ("Getting in or out of the bath", _LEFS_DIFFICULTY),
            ("Walking from one room to another", _LEFS_DIFFICULTY),
            ("Putting on shoes or socks", _LEFS_DIFFICULTY),
            ("Squatting down", _LEFS_DIFFICULTY),
            ("Lifting something like a bag of shopping off the floor", _LEFS_DIFFICULTY),
            ("Light jobs around the home", _LEFS_DIFFICULTY),
            ("Heavy jobs around the home", _LEFS_DIFFICULTY),
            ("Getting in or out of a car", _LEFS_DIFFICULTY),
            ("Walking 2 blocks (a few hundred metres)", _LEFS_DIFFICULTY),
            ("Walking a mile (about 1.6 km)", _LEFS_DIFFICULTY),
            ("Going up or down a flight of stairs (about 10 steps)", _LEFS_DIFFICULTY),
            ("Standing for an hour", _LEFS_DIFFICULTY),
            ("Sitting for an hour", _LEFS_DIFFICULTY),
            ("Running on flat ground", _LEFS_DIFFICULTY),
            ("Running on rough or uneven ground", _LEFS_DIFFICULTY),
            ("Changing direction sharply while running fast", _LEFS_DIFFICULTY),
            ("Hopping", _LEFS_DIFFICULTY),
            ("Rolling over in bed", _LEFS_DIFFICULTY),
        ),
        min_answered=20,
        maximum=Decimal(80),
        unit="points",
        higher_is_worse=False,
        formula=_sum_formula,
        source=(
            "Binkley, Stratford, Lott & Riddle 1999, 'The Lower Extremity Functional Scale "
            "(LEFS)' (Phys Ther 79(4):371-383)."
        ),
        rule=docstring(_lefs),
    )


LEFS = _lefs()


MCID = Mcid(
    code="LEFS",
    value=Decimal("9"),
    unit="points",
    higher_is_worse=False,
    source=(
        "Binkley JM, Stratford PW, Lott SA, Riddle DL. The Lower Extremity "
        "Functional Scale (LEFS): scale development, measurement properties, and "
        "clinical application. Phys Ther 1999;79(4):371-383 (MCID 9 scale points, "
        "equal to the MDC at 90% confidence)."
    ),
    note=(
        "Abbott & Schmitt 2014 (J Orthop Sports Phys Ther 44(8):560-564) report 9 "
        "for a small and up to 16 for a large patient-perceived change; 9 agrees "
        "with Binkley 1999."
    ),
)


MEASURE = Measure.of(LEFS, short_label="LEFS", regions=(LOWER_LIMB,), mcid=MCID, doc=__doc__)
