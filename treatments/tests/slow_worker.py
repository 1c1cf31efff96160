"""A Celery app for the kill test: the first PDF render in this worker pauses, having
recorded its process id, so the test can SIGKILL the process mid-render. Later renders
(after the kill, in the replacement process) run normally.

Loaded with `celery -A treatments.tests.slow_worker worker`; production never imports it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from clinic.celery import app  # the worker's app
from treatments import pdf

__all__ = ["app"]

_real_html_to_pdf = pdf.html_to_pdf


def _first_render_pauses(html: str) -> bytes:
    marker = Path(os.environ["SLOW_RENDER_MARKER"])
    if not marker.exists():
        marker.write_text(str(os.getpid()))
        time.sleep(120)
    return _real_html_to_pdf(html)


pdf.html_to_pdf = _first_render_pauses
