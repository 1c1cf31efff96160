"""The machinery every measure uses: answers, items, scores, questionnaires, exact rounding.

Pure Python: no Django. Scores are computed exactly with :class:`fractions.Fraction` and
rounded once, half-up, to one decimal place (:func:`round_half_up`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction


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
        return f"{plain(self.value)} / {plain(self.maximum)}"


Formula = Callable[[int, int], Fraction]  # (total of answered values, count answered)


@dataclass(frozen=True)
class Instrument:
    """A multi-item questionnaire and its published scoring rule.

    ``min_answered`` is the fewest answered items that still give a valid score
    under the instrument's published (or, where none exists, conservative) rule;
    ``formula`` maps (total, answered) to the exact unrounded score; ``rule``
    explains both in words, with sources (it is the docstring of the factory
    that builds the instrument, e.g. ``_ndi`` in ``measures/ndi.py``). The body
    regions an instrument serves are its :class:`~clinic.outcomes.catalogue.Measure`'s.
    """

    code: str  # "NDI", "ODI", "QUICKDASH", "LEFS"
    name: str  # "Neck Disability Index"
    instructions: str
    items: tuple[Item, ...]
    min_answered: int
    maximum: Decimal
    unit: str
    higher_is_worse: bool
    formula: Formula = field(repr=False)
    source: str = ""  # citation of the instrument and its scoring rule
    rule: str = field(default="", repr=False)  # the scoring rule in words (for clinicians)
    # What the questionnaire is for, in plain words, shown to the patient above its
    # questions (issue 19: no bare acronym or instrument name for patients).
    purpose: str = ""

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
            if not is_whole(value) or value not in item.values:
                allowed = f"{min(item.values)}-{max(item.values)}"
                raise ValueError(
                    f"{self.code}: {key} must be a whole number {allowed}, got {value!r}"
                )
            answered.append(value)
        if len(answered) < self.min_answered:
            return None
        return Score(
            value=round_half_up(self.formula(sum(answered), len(answered))),
            maximum=self.maximum,
            unit=self.unit,
            answered=len(answered),
            higher_is_worse=self.higher_is_worse,
        )


# ------------------------------------------------------------------------ helpers


def is_whole(value: object) -> bool:
    # bool is an int subclass; True must not sneak in as a score of 1.
    return isinstance(value, int) and not isinstance(value, bool)


def round_half_up(exact: Fraction) -> Decimal:
    """Round an exact value to one decimal place, ties away from zero."""
    tenths = int(abs(exact) * 10 + Fraction(1, 2))  # floor of a non-negative value
    if exact < 0:
        tenths = -tenths
    return Decimal(tenths).scaleb(-1)


def plain(value: Decimal) -> str:
    """``Decimal("52.0")`` -> ``"52"``; ``Decimal("6.3")`` -> ``"6.3"``."""
    if value == value.to_integral_value():
        return str(int(value))
    return str(value)


def docstring(factory: Callable[[], object]) -> str:
    return inspect.cleandoc(factory.__doc__ or "")


def make_options(*labels: str, start: int = 0) -> tuple[Option, ...]:
    return tuple(Option(value, label) for value, label in enumerate(labels, start=start))


def make_items(prefix: str, *rows: tuple[str, tuple[Option, ...]]) -> tuple[Item, ...]:
    return tuple(
        Item(key=f"{prefix}_{number}", label=label, options=options)
        for number, (label, options) in enumerate(rows, start=1)
    )


def percent_of_five_per_item(total: int, answered: int) -> Fraction:
    # NDI and ODI: total / (5 x items answered) x 100.
    return Fraction(total * 100, 5 * answered)


def _quickdash_formula(total: int, answered: int) -> Fraction:
    # QuickDASH: ((sum of n answered / n) - 1) x 25.
    return (Fraction(total, answered) - 1) * 25


def _sum_formula(total: int, answered: int) -> Fraction:
    # LEFS: plain sum of the 20 item scores (0-80).
    return Fraction(total)
