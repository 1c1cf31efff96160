"""Seed reference data for Gunn assessment: segments, the tests, and the catalogue of signs.

Plain Python with no Django imports, read by data migration 0002 (and by
assessments.services.reference_data_ensure after a database flush). Treat a released
version as frozen: the clinic edits its copy in the admin, and a correction for every clinic
belongs in a new data migration. The muscle catalogue is in seed/muscles.py.
"""

from __future__ import annotations

from typing import NamedTuple

SEGMENTS: tuple[tuple[str, str], ...] = (
    *((f"C{n}", "cervical") for n in range(1, 9)),
    *((f"T{n}", "thoracic") for n in range(1, 13)),
    *((f"L{n}", "lumbar") for n in range(1, 6)),
    ("S1", "sacral"),
    ("S2", "sacral"),
)

# name -> what the examiner does
SIGN_TESTS: tuple[tuple[str, str], ...] = (
    ("Palpation", "Firm pressure over the muscle, motor point or spinous process."),
    (
        "Matchstick test",
        "The blunt end of a matchstick pressed into the skin: trophedema "
        "leaves a deep, slow-to-fade indentation.",
    ),  # fmt: skip
    (
        "Skin rolling",
        "A fold of skin and subcutis rolled between fingers and thumb; "
        "tender, thick and hard to lift over an involved segment.",
    ),  # fmt: skip
    ("Observation", "Looking at the skin, hair, nails and posture in good light."),
    ("Touch (temperature)", "The back of the examiner's hand compares both sides."),
    (
        "Scratch or cold stimulus",
        "A light scratch or cold air provokes goose bumps on the affected side.",
    ),  # fmt: skip
    ("Muscle length test", "Passive stretch to the muscle's full length."),
    ("Goniometry", "Joint range measured with a goniometer or inclinometer."),
    ("Needle response", "The response of the band to a needle: a twitch or cramp."),
)


class SignSeed(NamedTuple):
    name: str
    group: str  # sensory | autonomic | trophic | motor
    description: str
    tests: tuple[str, ...]
    needs_muscle: bool = False


SIGNS: tuple[SignSeed, ...] = (
    SignSeed(
        "Paraspinal tenderness",
        "sensory",
        "Tenderness beside the spinous process at the segment.",
        ("Palpation", "Skin rolling"),
    ),
    SignSeed(
        "Motor point tenderness",
        "sensory",
        "Tenderness, maximal where the nerve enters the muscle.",
        ("Palpation",),
        needs_muscle=True,
    ),
    SignSeed(
        "Tender points",
        "sensory",
        "Tender points across several muscles of the segment.",
        ("Palpation",),
        needs_muscle=True,
    ),
    SignSeed(
        "Hyperalgesia",
        "sensory",
        "Skin over the segment more sensitive to a pinch or a pin.",
        ("Skin rolling", "Palpation"),
    ),
    SignSeed(
        "Trophedema",
        "autonomic",
        "Subcutaneous swelling: deep matchstick indentation, tender skin rolling, "
        "orange-peel skin with visible pores.",
        ("Matchstick test", "Skin rolling", "Observation"),
    ),
    SignSeed(
        "Vasomotor change",
        "autonomic",
        "The area is cooler than the other side.",
        ("Touch (temperature)", "Observation"),
    ),
    SignSeed(
        "Sudomotor change",
        "autonomic",
        "Increased sweating over the area.",
        ("Observation", "Touch (temperature)"),
    ),
    SignSeed(
        "Pilomotor reflex",
        "autonomic",
        "Goose bumps come easily over the area.",
        ("Scratch or cold stimulus", "Observation"),
    ),
    SignSeed(
        "Localised hair loss",
        "trophic",
        "Less hair over the affected segment or limb.",
        ("Observation",),
    ),
    SignSeed(
        "Brittle or ridged nails",
        "trophic",
        "Nail changes in the affected limb.",
        ("Observation",),
    ),
    SignSeed(
        "Skin changes",
        "trophic",
        "Thin, smooth or shiny skin; orange-peel texture.",
        ("Observation", "Skin rolling"),
    ),
    SignSeed(
        "Shortened muscle",
        "motor",
        "A muscle that will not reach its full length.",
        ("Muscle length test", "Palpation"),
        needs_muscle=True,
    ),
    SignSeed(
        "Taut band",
        "motor",
        "A palpable, tender band in the muscle; a needle provokes a local twitch.",
        ("Palpation", "Needle response"),
        needs_muscle=True,
    ),
    SignSeed(
        "Restricted joint range",
        "motor",
        "Range reduced by shortened muscles (record the measure under range of motion).",
        ("Goniometry", "Observation"),
    ),
    SignSeed(
        "Weakness",
        "motor",
        "Reduced strength in the segment's muscles.",
        ("Palpation", "Observation"),
        needs_muscle=True,
    ),
)
