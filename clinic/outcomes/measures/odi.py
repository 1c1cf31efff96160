"""Oswestry Disability Index (ODI) v2.1a: the intake questionnaire for the low back.

Scoring: Fairbank & Pynsent 2000 (Spine 25(22):2940-2952); the missing-section limit and
why it is conservative are in the docstring of :func:`_odi`.

MCID: 10 points on the 0-100 ODI, Ostelo et al. 2008 (Spine 33(1):90-94). Sources
disagree (Ostelo's 30% alternative; Fritz & Irrgang 2001; Abbott & Schmitt 2014): see
``MCID.note``.
"""

from __future__ import annotations

from decimal import Decimal

from clinic.outcomes.catalogue import Measure
from clinic.outcomes.change import Mcid
from clinic.outcomes.regions import LOW_BACK
from clinic.outcomes.scoring import (
    Instrument,
    docstring,
    make_items,
    make_options,
    percent_of_five_per_item,
)


def _odi() -> Instrument:
    """Oswestry Disability Index v2.1a (Fairbank & Pynsent 2000).

    Ten sections scored 0-5. Score % = total / (5 x sections answered) x 100, so
    each unanswered (or not applicable) section takes 5 off the denominator.
    Higher means more disability.

    Limit: the authors' published scoring instructions work only the case of one
    missed or not-applicable section (the total is then out of 45 instead of 50)
    and give no case with more missing; no published statement allowing two or
    more missing sections was found. We therefore score with at most 1 section
    missing (at least 9 of 10) and return None with 2 or more missing, the same
    limit the open-source Awell Score Oswestry calculator applies. This is the
    conservative reading: if the clinic adopts a looser local rule (e.g. allowing
    2 missing), lower ``min_answered`` to 8; the formula already handles it.
    """
    return Instrument(
        code="ODI",
        purpose=(
            "Ten questions about how your back or leg pain affects everyday life, such as "
            "sitting, walking, sleeping and lifting. Answering them again later shows your "
            "physiotherapist how things change."
        ),
        name="Oswestry Disability Index",
        instructions=(
            "These questions are about how your back or leg pain affects everyday life. "
            "For each topic, pick the one answer that fits you best today. Skip a topic "
            "only if it does not apply to you."
        ),
        items=make_items(
            "odi",
            (
                "Pain right now",
                make_options(
                    "No pain at the moment",
                    "Very mild pain",
                    "Moderate pain",
                    "Fairly bad pain",
                    "Very bad pain",
                    "The worst pain I can imagine",
                ),
            ),
            (
                "Looking after yourself (washing, dressing)",
                make_options(
                    "I manage normally and it doesn't add to the pain",
                    "I manage normally but it is very painful",
                    "It hurts, so I go slowly and carefully",
                    "I need a little help but do most of it myself",
                    "I need help with most of it every day",
                    "I can't dress myself and washing is very hard",
                ),
            ),
            (
                "Lifting",
                make_options(
                    "I can lift heavy things with no extra pain",
                    "I can lift heavy things but it adds to the pain",
                    "I can lift heavy things only if they are at table height",
                    "I can only lift light or medium things at table height",
                    "I can only lift very light things",
                    "I can't lift or carry anything",
                ),
            ),
            (
                "Walking",
                make_options(
                    "Pain doesn't limit how far I walk",
                    "Pain stops me walking more than about 1.5 km (1 mile)",
                    "Pain stops me walking more than about 800 m (half a mile)",
                    "Pain stops me walking more than about 100 m",
                    "I can only walk with a stick or crutches",
                    "I am in bed most of the time",
                ),
            ),
            (
                "Sitting",
                make_options(
                    "I can sit in any chair as long as I like",
                    "I can sit in my favourite chair as long as I like",
                    "Pain stops me sitting for more than an hour",
                    "Pain stops me sitting for more than half an hour",
                    "Pain stops me sitting for more than 10 minutes",
                    "Pain stops me sitting at all",
                ),
            ),
            (
                "Standing",
                make_options(
                    "I can stand as long as I like with no extra pain",
                    "I can stand as long as I like but it adds to the pain",
                    "Pain stops me standing for more than an hour",
                    "Pain stops me standing for more than half an hour",
                    "Pain stops me standing for more than 10 minutes",
                    "Pain stops me standing at all",
                ),
            ),
            (
                "Sleeping",
                make_options(
                    "Pain never wakes me",
                    "Pain wakes me now and then",
                    "Pain cuts my sleep to under 6 hours",
                    "Pain cuts my sleep to under 4 hours",
                    "Pain cuts my sleep to under 2 hours",
                    "Pain stops me sleeping at all",
                ),
            ),
            (
                "Sex life (skip if it doesn't apply)",
                make_options(
                    "Normal, and no extra pain",
                    "Normal, but it adds to the pain",
                    "Nearly normal, but very painful",
                    "Badly limited by pain",
                    "Almost none because of pain",
                    "None at all because of pain",
                ),
            ),
            (
                "Social life",
                make_options(
                    "Normal, and no extra pain",
                    "Normal, but it adds to the pain",
                    "Pain only limits the more energetic things I do",
                    "Pain limits it and I go out less often",
                    "Pain keeps my social life to home",
                    "I have no social life because of pain",
                ),
            ),
            (
                "Travelling",
                make_options(
                    "I can travel anywhere with no pain",
                    "I can travel anywhere but it adds to the pain",
                    "Pain is bad but I manage trips of over 2 hours",
                    "Pain limits me to trips of under an hour",
                    "Pain limits me to short necessary trips under 30 minutes",
                    "Pain stops me travelling except to get treatment",
                ),
            ),
        ),
        min_answered=9,
        maximum=Decimal(100),
        unit="%",
        higher_is_worse=True,
        formula=percent_of_five_per_item,
        source=(
            "Fairbank & Pynsent 2000, 'The Oswestry Disability Index' "
            "(Spine 25(22):2940-2952), version 2.1a."
        ),
        rule=docstring(_odi),
    )


ODI = _odi()


MCID = Mcid(
    code="ODI",
    value=Decimal("10"),
    unit="percentage points",
    higher_is_worse=True,
    source=(
        "Ostelo RWJG, Deyo RA, Stratford P, et al. Interpreting change scores for "
        "pain and functional status in low back pain: towards international "
        "consensus regarding minimal important change. Spine 2008;33(1):90-94 "
        "(10 points on the 0-100 ODI)."
    ),
    note=(
        "Sources disagree. Ostelo 2008 also proposes a 30% improvement from "
        "baseline as an alternative threshold (not applied here: we use the "
        "absolute 10 points); Fritz JM, Irrgang JJ. A comparison of a modified "
        "Oswestry Low Back Pain Disability Questionnaire and the Quebec Back Pain "
        "Disability Scale. Phys Ther 2001;81(2):776-788 is usually cited for 6 "
        "points on a modified ODI (figure not re-checked here); Abbott JH, Schmitt "
        "J. J Orthop Sports Phys Ther 2014;44(8):560-564 report 12."
    ),
)


MEASURE = Measure.of(ODI, short_label="ODI", regions=(LOW_BACK,), mcid=MCID, doc=__doc__)
