"""Change from baseline, read against the measure's minimal clinically important difference.

:func:`change_from_baseline` is the one place the app decides whether a change is
clinically important. Each measure's :class:`Mcid` (value, unit, source and where sources
disagree) lives in that measure's own module under ``clinic/outcomes/measures/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from clinic.outcomes.catalogue import registry
from clinic.outcomes.scoring import plain


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
    value: Decimal
    unit: str  # "percentage points" or "points"
    higher_is_worse: bool
    source: str
    note: str = ""

    def display(self) -> str:
        """``"19 percentage points"``, ``"2 points"``."""
        return f"{plain(self.value)} {self.unit}"


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
        return f"{self.direction} by {plain(self.amount)}"

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
    higher is better for LEFS and PSFS (the measure's ``Mcid.higher_is_worse``). Threshold: a
    change whose size is at least the MCID (equal counts) is important; an important
    improvement "reaches MCID", an important worsening is "beyond MCID". Values are
    the stored one-decimal scores, compared exactly as ``Decimal``.

    Raises ``KeyError`` for a measure without a published MCID here.
    """
    mcid = registry.mcid(code)
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
