"""The one registry of outcome measures, ``registry``: code -> :class:`Measure`.

(The module is called ``catalogue`` so that ``clinic.outcomes.registry`` always means the
instance, never a module.)

Every label the app shows for a measure or a body region is read from here: the intake's
"which area" choices (:meth:`Registry.region_choices`), the questionnaire a region asks
(:meth:`Registry.intake_instrument`), the short label on score tables, charts and course
summaries (:meth:`Registry.label`, used by ``OutcomeScore.instrument_label``) and the
MCID a change is read against (:meth:`Registry.mcid`). Nothing else keeps a list.

Each measure lives in its own module under ``clinic/outcomes/measures/`` and is registered,
in display order, by ``clinic/outcomes/measures/__init__.py``. A body region may have
several measures; the intake asks the first registered one that has a questionnaire for
that region.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from clinic.outcomes.change import Mcid
    from clinic.outcomes.scoring import Instrument

V = TypeVar("V")


@dataclass(frozen=True)
class Region:
    """A body region the intake asks about: the stored ``code`` and what the patient reads."""

    code: str  # stored in Intake.region: "neck", "low_back", ...
    label: str  # "Neck", "Low back", "Shoulder, arm or hand", ...


@dataclass(frozen=True)
class Measure:
    """One outcome measure, as the rest of the app sees it.

    ``code`` is what ``OutcomeScore.instrument`` stores; ``label`` is the full name
    ("Neck Disability Index"), ``short_label`` the one tables and charts use ("NDI",
    "QuickDASH"). ``regions`` are the body regions whose intake may ask it (empty for a
    measure every intake asks, like NPRS and PSFS). ``instrument`` is its questionnaire
    (None for single-scale measures scored by their own function), ``mcid`` its minimal
    clinically important difference (None if the app has no published value). ``doc`` is
    the measure module's docstring, which cites its published sources.
    """

    code: str
    label: str
    short_label: str
    regions: tuple[Region, ...] = ()
    instrument: Instrument | None = None
    mcid: Mcid | None = None
    doc: str = ""

    @classmethod
    def of(
        cls,
        instrument: Instrument,
        *,
        short_label: str,
        regions: tuple[Region, ...],
        mcid: Mcid | None,
        doc: str | None,
    ) -> Measure:
        """A questionnaire-based measure: its code and full name are the instrument's."""
        return cls(
            code=instrument.code,
            label=instrument.name,
            short_label=short_label,
            regions=regions,
            instrument=instrument,
            mcid=mcid,
            doc=doc or "",
        )


class Registry:
    """The measures by code, in registration order (which is display order)."""

    def __init__(self) -> None:
        self._measures: dict[str, Measure] = {}

    # -- changing it ------------------------------------------------------------------

    def register(self, measure: Measure) -> Measure:
        """Add a measure; ``ValueError`` if it contradicts itself or what is registered."""
        code = measure.code
        if code in self._measures:
            raise ValueError(f"Outcome measure {code!r} is already registered")
        if len(code) > 20:  # OutcomeScore.instrument is a CharField(max_length=20)
            raise ValueError(f"Outcome measure code {code!r} is longer than 20 characters")
        if measure.instrument is not None and measure.instrument.code != code:
            raise ValueError(f"{code}: its instrument is coded {measure.instrument.code!r}")
        if measure.mcid is not None:
            if measure.mcid.code != code:
                raise ValueError(f"{code}: its MCID is coded {measure.mcid.code!r}")
            instrument = measure.instrument
            if (
                instrument is not None
                and instrument.higher_is_worse != measure.mcid.higher_is_worse
            ):
                raise ValueError(f"{code}: the MCID and the scoring disagree on direction")
        known = {region.code: region for region in self.regions()}
        for region in measure.regions:
            if region.code in known and known[region.code] != region:
                raise ValueError(
                    f"{code}: region {region.code!r} is already labelled "
                    f"{known[region.code].label!r}, not {region.label!r}"
                )
        self._measures[code] = measure
        return measure

    def unregister(self, code: str) -> Measure:
        """Remove a measure (tests, a clinic without a licence); ``KeyError`` if absent."""
        return self._measures.pop(code)

    # -- reading it -------------------------------------------------------------------

    def __iter__(self) -> Iterator[Measure]:
        return iter(list(self._measures.values()))

    def __contains__(self, code: object) -> bool:
        return code in self._measures

    def get(self, code: str) -> Measure:
        """The measure with this code; ``KeyError`` if none is registered."""
        return self._measures[code]

    def find(self, code: str) -> Measure | None:
        return self._measures.get(code)

    def label(self, code: str) -> str:
        """The short label to show for a stored code ("QUICKDASH" -> "QuickDASH"); an
        unregistered code (e.g. a score kept after its measure was withdrawn) shows as is."""
        measure = self._measures.get(code)
        return measure.short_label if measure else code

    def mcid(self, code: str) -> Mcid:
        """The measure's MCID; ``KeyError`` if it is unknown or has no published MCID here."""
        mcid = self.get(code).mcid
        if mcid is None:
            raise KeyError(code)
        return mcid

    def regions(self) -> list[Region]:
        """Every body region some measure serves, in registration order, once each."""
        seen: dict[str, Region] = {}
        for measure in self._measures.values():
            for region in measure.regions:
                seen.setdefault(region.code, region)
        return list(seen.values())

    def region_choices(self) -> list[tuple[str, str]]:
        """``[(code, label), ...]`` for a form's choices."""
        return [(region.code, region.label) for region in self.regions()]

    def measures_for_region(self, region: str) -> list[Measure]:
        """The measures serving this body region, in registration order."""
        return [m for m in self._measures.values() if region in {r.code for r in m.regions}]

    def intake_instrument(self, region: str) -> Instrument | None:
        """The questionnaire the intake asks for this region: the first registered measure
        for the region that has one. None for an unknown (or blank) region."""
        for measure in self.measures_for_region(region):
            if measure.instrument is not None:
                return measure.instrument
        return None


class _LiveView(Mapping[str, V]):
    """A read-only mapping computed from the registry each time it is read, so a measure
    registered later (or in a test) is seen, and no second copy of the list exists."""

    def __init__(self, build) -> None:
        self._build = build

    def __getitem__(self, key: str) -> V:
        return self._build()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._build())

    def __len__(self) -> int:
        return len(self._build())

    def __repr__(self) -> str:
        return repr(self._build())


registry = Registry()

#: code -> Instrument, for every registered measure that has a questionnaire.
INSTRUMENTS: Mapping[str, Instrument] = _LiveView(
    lambda: {m.code: m.instrument for m in registry if m.instrument is not None}
)
#: region code -> the questionnaire the intake asks for it (:meth:`Registry.intake_instrument`).
REGION_INSTRUMENT: Mapping[str, Instrument] = _LiveView(
    lambda: {
        r.code: instrument
        for r in registry.regions()
        if (instrument := registry.intake_instrument(r.code)) is not None
    }
)
#: code -> Mcid, for every registered measure with a published MCID.
MCIDS: Mapping[str, Mcid] = _LiveView(
    lambda: {m.code: m.mcid for m in registry if m.mcid is not None}
)
