"""Logging that never writes patient information.

Log messages in this code base carry ids, never names; but an exception's message can
quote data (a database error repeating a value, a validation error naming a patient). The
filter below keeps the traceback's frames (file, line, function) and the exception's type,
and withholds its message, on every record that carries an exception.
"""

from __future__ import annotations

import logging
import os
import traceback

WITHHELD = "[message withheld: it may hold patient data]"


class WithholdExceptionMessages(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        from django.conf import settings

        # A developer chasing a bug on their own machine (DEBUG on, no real patients) may
        # ask for the messages: LOG_EXCEPTION_MESSAGES=1.
        if settings.DEBUG and os.environ.get("LOG_EXCEPTION_MESSAGES") == "1":
            return True
        if record.exc_info and record.exc_info[1] is not None:
            kind, _error, trace = record.exc_info
            frames = "".join(traceback.format_tb(trace))
            record.exc_text = (
                "Traceback (most recent call last):\n"
                f"{frames}{kind.__module__}.{kind.__qualname__}: {WITHHELD}"
            )
        return True
