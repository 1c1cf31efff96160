"""Outcome measures a patient fills in at intake, their exact scorers, and change from
baseline read against each measure's MCID.

Pure Python: no Django models, no database. The package is laid out as

``scoring.py``
    the machinery: :class:`Option`, :class:`Item`, :class:`Score`, :class:`Instrument`
    and the exact rounding;
``change.py``
    :class:`Mcid`, :class:`Change` and :func:`change_from_baseline`;
``catalogue.py``
    ``registry``, the single source of measure and body-region labels
    (:class:`Measure`, :class:`Region`);
``regions.py``
    the body regions the intake offers;
``measures/<code>.py``
    one module per measure (NPRS, PSFS, NDI, ODI, QuickDASH, LEFS): its items, scoring,
    MCID and published sources, registered in display order by ``measures/__init__.py``.

Callers use this package's names (``from clinic import outcomes``; ``outcomes.registry``).

Wording
    Every item label and answer description is the clinic's own plain-language
    summary of what a score means. None of it is the official questionnaire text,
    which is copyrighted; a clinic holding a licence can replace ``label`` strings
    with the licensed wording without touching the scoring.

Arithmetic
    Scores are computed exactly with :class:`fractions.Fraction` and rounded
    once, half-up, to one decimal place (so 6.25 becomes 6.3, never 6.2 as
    float ``round`` or banker's rounding would give).

Missing answers (each rule, with its source, is the docstring of the factory that
builds the instrument, e.g. ``_ndi`` in ``measures/ndi.py``, and is exposed as
``Instrument.rule``):

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
    clinically important difference (each measure's ``MCID``, with its source and the
    sources that disagree). It is the only place that decision is made.
"""

from __future__ import annotations

from clinic.outcomes import measures
from clinic.outcomes.catalogue import (
    INSTRUMENTS,
    MCIDS,
    REGION_INSTRUMENT,
    Measure,
    Region,
    Registry,
    registry,
)
from clinic.outcomes.change import Change, Mcid, change_from_baseline
from clinic.outcomes.measures.lefs import LEFS
from clinic.outcomes.measures.ndi import NDI
from clinic.outcomes.measures.nprs import NPRS_INSTRUCTIONS, NPRS_OPTIONS, score_nprs
from clinic.outcomes.measures.odi import ODI
from clinic.outcomes.measures.psfs import (
    PSFS_INSTRUCTIONS,
    PSFS_MAX_ACTIVITIES,
    PSFS_OPTIONS,
    score_psfs,
)
from clinic.outcomes.measures.quickdash import QUICKDASH
from clinic.outcomes.scoring import Instrument, Item, Option, Score

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
    "REGION_INSTRUMENT",
    "Change",
    "Instrument",
    "Item",
    "Mcid",
    "Measure",
    "Option",
    "Region",
    "Registry",
    "Score",
    "change_from_baseline",
    "measures",
    "registry",
    "score_nprs",
    "score_psfs",
]
