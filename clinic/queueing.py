"""Sending Celery tasks from services, after the caller's transaction commits.

The rule for services and tasks (issue 18): a service module imports its `*_task` at the top
and enqueues it after commit with ids (`send_after_commit`, or `task.delay_on_commit` where a
broker error must surface); a task imports its service inside its body and owns only retry.
This module imports neither, so services and tasks never import each other at load time in
both directions.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def send_after_commit(task: Task, *args: Any) -> None:
    """Send `task` once the current transaction commits, like `task.delay_on_commit`, but a
    broker that cannot be reached does not turn the committed request into an error page.

    Use it for work a database row tracks (e.g. a summary left `pending`): the row is the
    record that the work is owed, and a beat sweeper sends it again later.
    """

    def send() -> None:
        try:
            task.delay(*args)
        except Exception:  # noqa: BLE001 (kombu raises many kinds when the broker is down)
            logger.warning(
                "Could not send %s%r to the broker; the sweeper will send it later",
                task.name,
                args,
                exc_info=True,
            )

    transaction.on_commit(send)
