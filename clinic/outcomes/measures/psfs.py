"""Patient-Specific Functional Scale (PSFS): asked at every intake, whatever the region.

Scoring: Stratford, Gill, Westaway & Binkley 1995 (Physiother Can 47(4):258-263); the
score is the mean of the rated activities (:func:`score_psfs`).

MCID: 2 points on the average score, Stratford et al. 1995, consistent with Rysstad et
al. 2020 (BMC Musculoskelet Disord 21:328). Abbott & Schmitt 2014 report other values:
see ``MCID.note``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from clinic.outcomes.catalogue import Measure
from clinic.outcomes.change import Mcid
from clinic.outcomes.scoring import Option, Score, is_whole, make_options, round_half_up

PSFS_MAX_ACTIVITIES = 5

PSFS_INSTRUCTIONS = (
    "Name up to five everyday activities you are finding hard, or can't do, because of "
    "this problem. For each one, pick a number from 0 to 10 for how well you can do it "
    "today: 0 means you can't do it at all, 10 means you can do it as well as you could "
    "before the problem started."
)

PSFS_OPTIONS: tuple[Option, ...] = make_options(
    "0 - Can't do it at all",
    "1 - Can barely start it",
    "2 - Can do very little of it",
    "3 - Can do a little, with great difficulty",
    "4 - Can do some of it, with a lot of difficulty",
    "5 - Can do about half as well as before",
    "6 - Can do most of it, with some difficulty",
    "7 - Can do it, with some difficulty",
    "8 - Can do it, with a little difficulty",
    "9 - Nearly as well as before",
    "10 - As well as before the problem",
)


def score_psfs(ratings: Sequence[int]) -> Score:
    """Patient-Specific Functional Scale (Stratford et al., Physiotherapy Canada 1995).

    The patient names 1 to 5 activities they find hard and rates each 0-10
    (0 = unable to perform, 10 = able to perform at the pre-injury level).
    The score is the mean of the ratings, 0-10, higher meaning better function.

    Raises ``ValueError`` when there are no ratings (there is nothing to score:
    the patient must name at least one activity), more than five, or a rating
    that is not a whole number 0-10.
    """
    ratings = list(ratings)
    if not ratings:
        raise ValueError("PSFS needs at least one activity with a rating; none were given")
    if len(ratings) > PSFS_MAX_ACTIVITIES:
        raise ValueError(f"PSFS takes at most {PSFS_MAX_ACTIVITIES} activities, got {len(ratings)}")
    for rating in ratings:
        if not is_whole(rating) or not 0 <= rating <= 10:
            raise ValueError(f"PSFS ratings must be whole numbers 0-10, got {rating!r}")
    return Score(
        value=round_half_up(Fraction(sum(ratings), len(ratings))),
        maximum=Decimal(10),
        unit="/10",
        answered=len(ratings),
        higher_is_worse=False,
    )


MCID = Mcid(
    code="PSFS",
    value=Decimal("2"),
    unit="points",
    higher_is_worse=False,
    source=(
        "Stratford P, Gill C, Westaway M, Binkley J. Assessing disability and "
        "change on individual patients: a report of a patient specific measure. "
        "Physiother Can 1995;47(4):258-263 (usually quoted as 2 points for the "
        "average score, 3 points for a single activity); consistent with Rysstad "
        "T, Grotle M, Klokk LP, Tveter AT. Responsiveness and minimal important "
        "change of the QuickDASH and PSFS when used among patients with shoulder "
        "pain. BMC Musculoskelet Disord 2020;21:328 (1.9 to 2.0)."
    ),
    note=(
        "The app stores the mean of the rated activities, so the average-score "
        "threshold (2) applies, not the single-activity one (3). Abbott & Schmitt "
        "2014 (J Orthop Sports Phys Ther 44(8):560-564) report 1.3 (small), 2.3 "
        "(medium) and 2.7 (large change). Whether Stratford 1995 labels 2/3 an "
        "MCID or a minimal detectable change was not confirmed from its full text."
    ),
)


MEASURE = Measure(
    code="PSFS",
    label="Patient-Specific Functional Scale",
    short_label="PSFS",
    mcid=MCID,
    doc=__doc__,
)
