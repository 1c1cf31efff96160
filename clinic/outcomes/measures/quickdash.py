"""QuickDASH: the intake questionnaire for the shoulder, arm or hand.

Scoring: Institute for Work & Health scoring instructions; Beaton, Wright & Katz 2005
(J Bone Joint Surg Am 87:1038-1046); the rule in words is the docstring of
:func:`_quickdash`.

MCID: 15.9 points, Franchignoni et al. 2014 (J Orthop Sports Phys Ther 44(1):30-39).
Sources disagree (Mintken et al. 2009; Sorensen et al. 2013): see ``MCID.note``.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from clinic.outcomes.catalogue import Measure
from clinic.outcomes.change import Mcid
from clinic.outcomes.regions import UPPER_LIMB
from clinic.outcomes.scoring import Instrument, docstring, make_items, make_options


def _quickdash_formula(total: int, answered: int) -> Fraction:
    # QuickDASH: ((sum of n answered / n) - 1) x 25.
    return (Fraction(total, answered) - 1) * 25


_QD_DIFFICULTY = make_options(
    "No trouble at all",
    "A little trouble",
    "Some trouble",
    "A lot of trouble",
    "I can't do it",
    start=1,
)

_QD_SEVERITY = make_options(
    "None",
    "Mild",
    "Moderate",
    "Bad",
    "Extremely bad",
    start=1,
)


def _quickdash() -> Instrument:
    """QuickDASH (Institute for Work & Health; Beaton et al. 2005).

    Eleven items scored 1-5. Score = ((sum of the n answered / n) - 1) x 25,
    0-100, higher meaning more disability. Per the Institute for Work & Health
    scoring instructions the score cannot be calculated if more than 1 item is
    missing, so it needs at least 10 of 11 answered (returns None otherwise).
    The optional work and sports/performing-arts modules are not included.
    """
    return Instrument(
        code="QUICKDASH",
        purpose=(
            "Eleven questions about how a problem in your shoulder, arm or hand affects everyday "
            "tasks. Answering them again later shows your physiotherapist how things change."
        ),
        name="QuickDASH (shortened Disabilities of the Arm, Shoulder and Hand)",
        instructions=(
            "These questions are about your arm, shoulder or hand over the last week. "
            "Answer every question as best you can, based on how you managed, whichever "
            "hand or arm you used. If you didn't do something last week, pick the answer "
            "that best guesses how hard it would have been."
        ),
        items=make_items(
            "qd",
            ("Opening a tight or new jar", _QD_DIFFICULTY),
            ("Heavy housework (e.g. scrubbing floors or walls)", _QD_DIFFICULTY),
            ("Carrying a shopping bag or a briefcase", _QD_DIFFICULTY),
            ("Washing your back", _QD_DIFFICULTY),
            ("Cutting food with a knife", _QD_DIFFICULTY),
            (
                "Leisure that puts force or jolts through your arm, shoulder or hand "
                "(e.g. golf, hammering, tennis)",
                _QD_DIFFICULTY,
            ),
            (
                "How much your arm, shoulder or hand problem got in the way of seeing family, "
                "friends or groups",
                make_options(
                    "Not at all",
                    "A little",
                    "Somewhat",
                    "Quite a lot",
                    "Completely",
                    start=1,
                ),
            ),
            (
                "How much your arm, shoulder or hand problem limited your work or daily jobs",
                make_options(
                    "Not limited",
                    "A little limited",
                    "Somewhat limited",
                    "Very limited",
                    "Unable to do them",
                    start=1,
                ),
            ),
            ("Pain in your arm, shoulder or hand", _QD_SEVERITY),
            ("Tingling (pins and needles) in your arm, shoulder or hand", _QD_SEVERITY),
            (
                "Trouble sleeping because of pain in your arm, shoulder or hand",
                make_options(
                    "No trouble sleeping",
                    "A little trouble",
                    "Some trouble",
                    "A lot of trouble",
                    "So much trouble that I can't sleep",
                    start=1,
                ),
            ),
        ),
        min_answered=10,
        maximum=Decimal(100),
        unit="%",
        higher_is_worse=True,
        formula=_quickdash_formula,
        source=(
            "Institute for Work & Health, QuickDASH scoring instructions; "
            "Beaton, Wright & Katz 2005 (J Bone Joint Surg Am 87:1038-1046)."
        ),
        rule=docstring(_quickdash),
    )


QUICKDASH = _quickdash()


MCID = Mcid(
    code="QUICKDASH",
    value=Decimal("15.9"),
    unit="points",
    higher_is_worse=True,
    source=(
        "Franchignoni F, Vercelli S, Giordano A, Sartorio F, Bravini E, Ferriero G. "
        "Minimal clinically important difference of the Disabilities of the Arm, "
        "Shoulder and Hand outcome measure (DASH) and its shortened version "
        "(QuickDASH). J Orthop Sports Phys Ther 2014;44(1):30-39 (15.91 points, "
        "255 patients with upper-limb musculoskeletal disorders before and after "
        "physiotherapy; rounded to the app's one decimal place)."
    ),
    note=(
        "Sources disagree. Mintken PE, Glynn P, Cleland JA. Psychometric properties "
        "of the shortened Disabilities of the Arm, Shoulder, and Hand Questionnaire "
        "(QuickDASH) and Numeric Pain Rating Scale in patients with shoulder pain. "
        "J Shoulder Elbow Surg 2009;18(6):920-926 report 8.0 points in shoulder "
        "pain only; Sorensen AA et al. J Hand Surg Am 2013;38(4):641-649 report 14 "
        "for hand, wrist and forearm conditions. The app's QuickDASH covers the "
        "whole upper limb (shoulder, arm or hand), so we use the mixed upper-limb "
        "value of Franchignoni 2014, which its authors call a lower boundary."
    ),
)


MEASURE = Measure.of(
    QUICKDASH, short_label="QuickDASH", regions=(UPPER_LIMB,), mcid=MCID, doc=__doc__
)
