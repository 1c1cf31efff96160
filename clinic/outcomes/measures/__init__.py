"""One module per outcome measure, registered here in display order.

Each module carries its questionnaire (or scoring function), its MCID and, in its
docstring, the published sources. To add a measure: write its module (copy the nearest
one) and add it to ``MEASURES`` below; nothing else keeps a list of measures or labels.
"""

from __future__ import annotations

from clinic.outcomes.catalogue import registry
from clinic.outcomes.measures import lefs, ndi, nprs, odi, psfs, quickdash

MEASURES = (ndi, odi, quickdash, lefs, psfs, nprs)

for _module in MEASURES:
    registry.register(_module.MEASURE)
