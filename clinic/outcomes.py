"""Outcome measures a patient fills in at intake, and their exact scorers.

Pure Python: no Django models, no database. The views and forms import the
definitions below to render a questionnaire (one item per screen on a phone)
and call :meth:`Instrument.score` (or :func:`score_nprs` / :func:`score_psfs`)
to turn the answers into a :class:`Score`.

Wording
    Every item label and answer description here is the clinic's own plain-language
    summary of what a score means. None of it is the official questionnaire text,
    which is copyrighted; a clinic holding a licence can replace ``label`` strings
    with the licensed wording without touching the scoring.

Arithmetic
    Scores are computed exactly with :class:`fractions.Fraction` and rounded
    once, half-up, to one decimal place (so 6.25 becomes 6.3, never 6.2 as
    float ``round`` or banker's rounding would give).

Missing answers (each rule, with its source, is the docstring of the factory that
builds the instrument, e.g. ``_ndi``, and is exposed as ``Instrument.rule``):

========== ======================= ==========================================
Instrument Scored when              Missing answers handled by
========== ======================= ==========================================
NDI        at least 8 of 10        prorating over the answered items
ODI        at least 9 of 10        dividing by 5 x sections answered
QuickDASH  at least 10 of 11       mean of the answered items
LEFS       all 20                  no score (no authoritative rule exists)
========== ======================= ==========================================

Change from baseline
    :func:`change_from_baseline` compares a score with the patient's first score on the
    same measure and says whether the change reaches the measure's published minimal
    clinically important difference (:data:`MCIDS`, each with its source and the
    sources that disagree). It is the only place that decision is made.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

__all__ = [
    "INSTRUMENTS",
    "LEFS",
    "MCIDS",
    "NDI",
    "NPRS_INSTRUCTIONS",
    "NPRS_OPTIONS",
    "ODI",
    "PSFS_INSTRUCTIONS",
    "PSFS_MAX_ACTIVITIES",
    "PSFS_OPTIONS",
    "QUICKDASH",
    "REGION_CHOICES",
    "REGION_INSTRUMENT",
    "Change",
    "Instrument",
    "Item",
    "Mcid",
    "Option",
    "Score",
    "change_from_baseline",
    "score_nprs",
    "score_psfs",
]


# --------------------------------------------------------------------------- types


@dataclass(frozen=True)
class Option:
    """One answer a patient can pick: the stored ``value`` and what it means."""

    value: int
    label: str


@dataclass(frozen=True)
class Item:
    """One question: a stable ``key`` (e.g. ``"ndi_3"``), a short label, its answers."""

    key: str
    label: str
    options: tuple[Option, ...]

    @property
    def values(self) -> frozenset[int]:
        """The values this item accepts."""
        return frozenset(option.value for option in self.options)


@dataclass(frozen=True)
class Score:
    """A scored result, ready to store and display."""

    value: Decimal  # rounded half-up to 1 decimal place
    maximum: Decimal  # 100 for % scores, 80 for LEFS, 10 for NPRS/PSFS
    unit: str  # "%", "points", "/10"
    answered: int  # items (or PSFS activities) that contributed
    higher_is_worse: bool  # True for NDI/ODI/QuickDASH/NPRS, False for LEFS/PSFS

    def display(self) -> str:
        """Human-readable score: ``"34.0%"``, ``"52 / 80"``, ``"6.3 / 10"``.

        Percentages always show one decimal place. Scores out of a maximum show a
        whole number when the value is whole (``"6 / 10"``), else one decimal.
        """
        if self.unit == "%":
            return f"{self.value}%"
        return f"{_plain(self.value)} / {_plain(self.maximum)}"


Formula = Callable[[int, int], Fraction]  # (total of answered values, count answered)


@dataclass(frozen=True)
class Instrument:
    """A multi-item questionnaire and its published scoring rule.

    ``min_answered`` is the fewest answered items that still give a valid score
    under the instrument's published (or, where none exists, conservative) rule;
    ``formula`` maps (total, answered) to the exact unrounded score; ``rule``
    explains both in words, with sources (it is the docstring of the factory
    that builds the instrument, e.g. ``_ndi``).
    """

    code: str  # "NDI", "ODI", "QUICKDASH", "LEFS"
    name: str  # "Neck Disability Index"
    region: str  # "neck", "low_back", "upper_limb", "lower_limb"
    region_label: str  # "Neck", "Low back", "Shoulder, arm or hand", ...
    instructions: str
    items: tuple[Item, ...]
    min_answered: int
    maximum: Decimal
    unit: str
    higher_is_worse: bool
    formula: Formula = field(repr=False)
    source: str = ""  # citation of the instrument and its scoring rule
    rule: str = field(default="", repr=False)  # the scoring rule in words (for clinicians)

    @property
    def max_missing(self) -> int:
        """How many items may be left blank and still be scored."""
        return len(self.items) - self.min_answered

    def item(self, key: str) -> Item:
        """The item with this key; ``KeyError`` if there is none."""
        for item in self.items:
            if item.key == key:
                return item
        raise KeyError(key)

    def score(self, answers: Mapping[str, int | None]) -> Score | None:
        """Score a set of answers.

        ``answers`` maps item key to the chosen value; a key that is absent or
        maps to ``None`` is an unanswered item. Returns ``None`` when too many
        items are unanswered to score under the instrument's rule.

        Raises ``ValueError`` for a key that is not one of this instrument's
        items, or a value that is not one of the item's option values.
        """
        by_key = {item.key: item for item in self.items}
        answered: list[int] = []
        for key, value in answers.items():
            item = by_key.get(key)
            if item is None:
                raise ValueError(f"{self.code}: unknown item key {key!r}")
            if value is None:
                continue
            if not _is_int(value) or value not in item.values:
                allowed = f"{min(item.values)}-{max(item.values)}"
                raise ValueError(
                    f"{self.code}: {key} must be a whole number {allowed}, got {value!r}"
                )
            answered.append(value)
        if len(answered) < self.min_answered:
            return None
        return Score(
            value=_round_half_up(self.formula(sum(answered), len(answered))),
            maximum=self.maximum,
            unit=self.unit,
            answered=len(answered),
            higher_is_worse=self.higher_is_worse,
        )


# ------------------------------------------------------------------------ helpers


def _is_int(value: object) -> bool:
    # bool is an int subclass; True must not sneak in as a score of 1.
    return isinstance(value, int) and not isinstance(value, bool)


def _round_half_up(exact: Fraction) -> Decimal:
    """Round an exact value to one decimal place, ties away from zero."""
    tenths = int(abs(exact) * 10 + Fraction(1, 2))  # floor of a non-negative value
    if exact < 0:
        tenths = -tenths
    return Decimal(tenths).scaleb(-1)


def _plain(value: Decimal) -> str:
    """``Decimal("52.0")`` -> ``"52"``; ``Decimal("6.3")`` -> ``"6.3"``."""
    if value == value.to_integral_value():
        return str(int(value))
    return str(value)


def _docstring(factory: Callable[[], object]) -> str:
    return inspect.cleandoc(factory.__doc__ or "")


def _options(*labels: str, start: int = 0) -> tuple[Option, ...]:
    return tuple(Option(value, label) for value, label in enumerate(labels, start=start))


def _items(prefix: str, *rows: tuple[str, tuple[Option, ...]]) -> tuple[Item, ...]:
    return tuple(
        Item(key=f"{prefix}_{number}", label=label, options=options)
        for number, (label, options) in enumerate(rows, start=1)
    )


def _percent_of_five_per_item(total: int, answered: int) -> Fraction:
    # NDI and ODI: total / (5 x items answered) x 100.
    return Fraction(total * 100, 5 * answered)


def _quickdash_formula(total: int, answered: int) -> Fraction:
    # QuickDASH: ((sum of n answered / n) - 1) x 25.
    return (Fraction(total, answered) - 1) * 25


def _sum_formula(total: int, answered: int) -> Fraction:
    # LEFS: plain sum of the 20 item scores (0-80).
    return Fraction(total)


# ---------------------------------------------------------------------- NPRS, PSFS

NPRS_INSTRUCTIONS = (
    "Pick the number that best matches how strong your pain is right now, "
    "where 0 is no pain at all and 10 is the worst pain you can imagine."
)

NPRS_OPTIONS: tuple[Option, ...] = _options(
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

PSFS_MAX_ACTIVITIES = 5

PSFS_INSTRUCTIONS = (
    "Name up to five everyday activities you are finding hard, or can't do, because of "
    "this problem. For each one, pick a number from 0 to 10 for how well you can do it "
    "today: 0 means you can't do it at all, 10 means you can do it as well as you could "
    "before the problem started."
)

PSFS_OPTIONS: tuple[Option, ...] = _options(
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


def score_nprs(value: int) -> Score:
    """Numeric Pain Rating Scale: one whole number from 0 (no pain) to 10 (worst imaginable).

    A single item, so there is no missing-answer rule: the value is the score.
    Raises ``ValueError`` for anything that is not a whole number 0-10.
    """
    if not _is_int(value) or not 0 <= value <= 10:
        raise ValueError(f"NPRS must be a whole number 0-10, got {value!r}")
    return Score(
        value=_round_half_up(Fraction(value)),
        maximum=Decimal(10),
        unit="/10",
        answered=1,
        higher_is_worse=True,
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
        if not _is_int(rating) or not 0 <= rating <= 10:
            raise ValueError(f"PSFS ratings must be whole numbers 0-10, got {rating!r}")
    return Score(
        value=_round_half_up(Fraction(sum(ratings), len(ratings))),
        maximum=Decimal(10),
        unit="/10",
        answered=len(ratings),
        higher_is_worse=False,
    )


# ---------------------------------------------------------------------------- NDI


def _ndi() -> Instrument:
    """Neck Disability Index (Vernon & Mior 1991).

    Ten items scored 0-5, raw total 0-50; with all ten answered the percentage is
    raw x 2. Higher means more disability.

    Missing items: Vernon's own scoring note for the NDI says that when a respondent
    leaves an item out, the average of the answered items is used in its place. That
    is proration, and it gives exactly total / (5 x items answered) x 100, which is
    what the formula computes (e.g. 18 over 8 items: mean 2.25, x10 = 22.5 raw,
    x2 = 45.0%; and 18 / 40 x 100 = 45.0%).

    Limit: the form is scored with up to 2 items missing (at least 8 of 10) and
    returns None with 3 or more missing, the "only a small number missing" limit
    usually attributed to Vernon 2008 (state-of-the-art review). The published
    sources available when this was written confirm the proration but did not show
    the limit word for word; change ``min_answered`` if the clinic's licensed
    manual says otherwise.
    """
    return Instrument(
        code="NDI",
        name="Neck Disability Index",
        region="neck",
        region_label="Neck",
        instructions=(
            "These questions are about how your neck pain affects everyday life. For each "
            "topic, pick the one answer that fits you best today. If two seem to fit, pick "
            "the one closer to the bottom of the list."
        ),
        items=_items(
            "ndi",
            (
                "Pain right now",
                _options(
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
                _options(
                    "I manage normally and it doesn't add to the pain",
                    "I manage normally but it adds to the pain",
                    "It hurts, so I go slowly and carefully",
                    "I need a little help but do most of it myself",
                    "I need help with most of it every day",
                    "I can't dress myself and washing is very hard",
                ),
            ),
            (
                "Lifting",
                _options(
                    "I can lift heavy things with no extra pain",
                    "I can lift heavy things but it adds to the pain",
                    "I can lift heavy things only if they are at table height",
                    "I can only lift light or medium things at table height",
                    "I can only lift very light things",
                    "I can't lift or carry anything",
                ),
            ),
            (
                "Reading",
                _options(
                    "I can read as much as I like with no neck pain",
                    "I can read as much as I like with slight neck pain",
                    "I can read as much as I like with moderate neck pain",
                    "Moderate neck pain limits how much I read",
                    "Bad neck pain stops me reading for long",
                    "I can't read at all",
                ),
            ),
            (
                "Headaches",
                _options(
                    "No headaches",
                    "Slight headaches now and then",
                    "Moderate headaches now and then",
                    "Moderate headaches often",
                    "Bad headaches often",
                    "Headaches nearly all the time",
                ),
            ),
            (
                "Concentrating",
                _options(
                    "I can concentrate fully with no trouble",
                    "I can concentrate fully with a little trouble",
                    "I have some trouble concentrating",
                    "I have a lot of trouble concentrating",
                    "I have a great deal of trouble concentrating",
                    "I can't concentrate at all",
                ),
            ),
            (
                "Work (paid, home or study)",
                _options(
                    "I can do as much as I want",
                    "I can do my usual work but no more",
                    "I can do most of my usual work but no more",
                    "I can't do my usual work",
                    "I can hardly do any work",
                    "I can't do any work",
                ),
            ),
            (
                "Driving",
                _options(
                    "I can drive with no neck pain",
                    "I can drive as long as I want with slight neck pain",
                    "I can drive as long as I want with moderate neck pain",
                    "Moderate neck pain limits how long I can drive",
                    "I can hardly drive because of bad neck pain",
                    "I can't drive at all",
                ),
            ),
            (
                "Sleeping",
                _options(
                    "I sleep normally",
                    "I lose less than an hour's sleep",
                    "I lose 1 to 2 hours' sleep",
                    "I lose 2 to 3 hours' sleep",
                    "I lose 3 to 5 hours' sleep",
                    "I lose 5 to 7 hours' sleep",
                ),
            ),
            (
                "Leisure and hobbies",
                _options(
                    "I can do all of them with no neck pain",
                    "I can do all of them with some neck pain",
                    "Neck pain stops some of them",
                    "Neck pain stops most of them",
                    "I can hardly do any because of neck pain",
                    "I can't do any at all",
                ),
            ),
        ),
        min_answered=8,
        maximum=Decimal(100),
        unit="%",
        higher_is_worse=True,
        formula=_percent_of_five_per_item,
        source=(
            "Vernon & Mior 1991 (J Manipulative Physiol Ther 14:409-415); "
            "Vernon, NDI scoring note (chiro.org/forms/NDI_Explain); "
            "Vernon 2008, 'The Neck Disability Index: state-of-the-art, 1991-2008' "
            "(J Manipulative Physiol Ther 31:491-502)."
        ),
        rule=_docstring(_ndi),
    )


NDI = _ndi()


# ---------------------------------------------------------------------------- ODI


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
        name="Oswestry Disability Index",
        region="low_back",
        region_label="Low back",
        instructions=(
            "These questions are about how your back or leg pain affects everyday life. "
            "For each topic, pick the one answer that fits you best today. Skip a topic "
            "only if it does not apply to you."
        ),
        items=_items(
            "odi",
            (
                "Pain right now",
                _options(
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
                _options(
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
                _options(
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
                _options(
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
                _options(
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
                _options(
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
                _options(
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
                _options(
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
                _options(
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
                _options(
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
        formula=_percent_of_five_per_item,
        source=(
            "Fairbank & Pynsent 2000, 'The Oswestry Disability Index' "
            "(Spine 25(22):2940-2952), version 2.1a."
        ),
        rule=_docstring(_odi),
    )


ODI = _odi()


# ---------------------------------------------------------------------- QuickDASH

_QD_DIFFICULTY = _options(
    "No trouble at all",
    "A little trouble",
    "Some trouble",
    "A lot of trouble",
    "I can't do it",
    start=1,
)

_QD_SEVERITY = _options(
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
        name="QuickDASH (shortened Disabilities of the Arm, Shoulder and Hand)",
        region="upper_limb",
        region_label="Shoulder, arm or hand",
        instructions=(
            "These questions are about your arm, shoulder or hand over the last week. "
            "Answer every question as best you can, based on how you managed, whichever "
            "hand or arm you used. If you didn't do something last week, pick the answer "
            "that best guesses how hard it would have been."
        ),
        items=_items(
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
                _options(
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
                _options(
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
                _options(
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
        rule=_docstring(_quickdash),
    )


QUICKDASH = _quickdash()


# --------------------------------------------------------------------------- LEFS

_LEFS_DIFFICULTY = _options(
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
        name="Lower Extremity Functional Scale",
        region="lower_limb",
        region_label="Hip, knee, ankle or foot",
        instructions=(
            "These questions are about your hip, knee, ankle or foot problem. For each "
            "activity, pick how hard it is for you today, or would be if you tried it. "
            "Please answer every one."
        ),
        items=_items(
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
        rule=_docstring(_lefs),
    )


LEFS = _lefs()


# ------------------------------------------------------------------------ indexes

INSTRUMENTS: dict[str, Instrument] = {
    instrument.code: instrument for instrument in (NDI, ODI, QUICKDASH, LEFS)
}

REGION_INSTRUMENT: dict[str, Instrument] = {
    instrument.region: instrument for instrument in INSTRUMENTS.values()
}

REGION_CHOICES: list[tuple[str, str]] = [
    (instrument.region, instrument.region_label) for instrument in INSTRUMENTS.values()
]


# ------------------------------------------------------- change and clinical importance


@dataclass(frozen=True)
class Mcid:
    """A measure's minimal clinically important difference (MCID), in the app's units.

    ``value`` is in the unit the app stores the score in (``unit``): NDI, ODI and
    QuickDASH are stored as 0-100 percentages, so their MCIDs are percentage points
    (a raw NDI point out of 50 is 2 percentage points). ``higher_is_worse`` gives the
    direction of improvement. ``source`` is the citation the value comes from and
    ``note`` says where other published sources disagree.
    """

    code: str
    label: str
    value: Decimal
    unit: str  # "percentage points" or "points"
    higher_is_worse: bool
    source: str
    note: str = ""

    def display(self) -> str:
        """``"19 percentage points"``, ``"2 points"``."""
        return f"{_plain(self.value)} {self.unit}"


MCIDS: dict[str, Mcid] = {
    mcid.code: mcid
    for mcid in (
        # NDI: the app scores 0-100% (raw 0-50 x 2), so the threshold is in percentage points.
        Mcid(
            code="NDI",
            label="NDI",
            value=Decimal("19"),
            unit="percentage points",
            higher_is_worse=True,
            source=(
                "Cleland JA, Childs JD, Whitman JM. Psychometric properties of the Neck "
                "Disability Index and Numeric Pain Rating Scale in patients with mechanical "
                "neck pain. Arch Phys Med Rehabil 2008;89(1):69-74 (MCID 19 percentage "
                "points, 137 physiotherapy outpatients with neck pain)."
            ),
            note=(
                "Sources disagree. Young BA, Walker MJ, Strunce JB, et al. Responsiveness of "
                "the Neck Disability Index in patients with mechanical neck disorders. "
                "Spine J 2009;9(10):802-808 report an MCID of 7.5 points (the raw 0-50 "
                "scale as usually quoted, i.e. 15%; the scale is not confirmed here) and "
                "advise using their MDC of 10.2 points instead because 7.5 lies within "
                "measurement error; Stratford et al. 1999 (Physiother Can) is often cited "
                "for 5 raw points (10%). We use Cleland 2008 because its unit is stated "
                "unambiguously as percentage points and its population (mechanical neck "
                "pain in outpatient physiotherapy) matches this clinic's. A clinic that "
                "prefers the smaller value changes ``value`` here; the tests follow it."
            ),
        ),
        Mcid(
            code="ODI",
            label="ODI",
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
        ),
        Mcid(
            code="QUICKDASH",
            label="QuickDASH",
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
        ),
        Mcid(
            code="LEFS",
            label="LEFS",
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
        ),
        Mcid(
            code="PSFS",
            label="PSFS",
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
        ),
        Mcid(
            code="NPRS",
            label="NPRS",
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
        ),
    )
}


@dataclass(frozen=True)
class Change:
    """How a score compares with the patient's baseline on the same measure.

    ``difference`` is ``current - baseline`` as stored (signed); ``direction`` reads it
    the measure's way round ("better", "worse" or "same"), and ``amount`` is its size.
    ``important`` is True when the size is at least the MCID (a change exactly equal
    to the MCID counts), whichever the direction; ``reaches_mcid`` is True only for an
    important improvement.
    """

    code: str
    baseline: Decimal
    current: Decimal
    difference: Decimal
    direction: str  # "better", "worse", "same"
    mcid: Mcid

    @property
    def amount(self) -> Decimal:
        return abs(self.difference)

    @property
    def important(self) -> bool:
        return self.direction != "same" and self.amount >= self.mcid.value

    @property
    def reaches_mcid(self) -> bool:
        return self.direction == "better" and self.important

    @property
    def words(self) -> str:
        """``"better by 12"``, ``"worse by 3"``, ``"no change"``."""
        if self.direction == "same":
            return "no change"
        return f"{self.direction} by {_plain(self.amount)}"

    @property
    def mcid_words(self) -> str:
        """``"reaches MCID"``, ``"below MCID"``, ``"beyond MCID"`` (an important worsening)."""
        if self.reaches_mcid:
            return "reaches MCID"
        if self.direction == "worse" and self.important:
            return "beyond MCID"
        return "below MCID"

    def display(self) -> str:
        """``"better by 12 (reaches MCID)"``, ``"worse by 10 (beyond MCID)"``."""
        if self.direction == "same":
            return "no change (below MCID)"
        return f"{self.words} ({self.mcid_words})"

    __str__ = display


def change_from_baseline(code: str, baseline: Decimal, current: Decimal) -> Change:
    """The change of ``current`` from ``baseline`` on measure ``code``, read against its MCID.

    This is the one place the app decides whether a change is clinically important.

    Baseline: the app has no plan of care or course record yet, so the baseline is the
    patient's **first score on that measure** (the caller passes it); every later score
    is compared with it. Direction: lower is better for NDI, ODI, QuickDASH and NPRS,
    higher is better for LEFS and PSFS (``MCIDS[code].higher_is_worse``). Threshold: a
    change whose size is at least the MCID (equal counts) is important; an important
    improvement "reaches MCID", an important worsening is "beyond MCID". Values are
    the stored one-decimal scores, compared exactly as ``Decimal``.

    Raises ``KeyError`` for a measure without a published MCID here.
    """
    mcid = MCIDS[code]
    baseline = Decimal(baseline)
    current = Decimal(current)
    difference = current - baseline
    if difference == 0:
        direction = "same"
    elif (difference < 0) == mcid.higher_is_worse:
        direction = "better"
    else:
        direction = "worse"
    return Change(
        code=code,
        baseline=baseline,
        current=current,
        difference=difference,
        direction=direction,
        mcid=mcid,
    )
