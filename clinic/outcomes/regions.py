"""The body regions the intake offers, shared by every measure that serves them.

A region is offered once some registered measure names it; its label is what the patient
reads under "Which area is your main problem?". A measure for a new region defines its
:class:`Region` here (or in its own module) and names it in ``regions``.
"""

from __future__ import annotations

from clinic.outcomes.catalogue import Region

NECK = Region("neck", "Neck")
LOW_BACK = Region("low_back", "Low back")
UPPER_LIMB = Region("upper_limb", "Shoulder, arm or hand")
LOWER_LIMB = Region("lower_limb", "Hip, knee, ankle or foot")
