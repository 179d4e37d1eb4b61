"""Progress lines: run-logger records marked for the CLI to show (they reach the Prefect UI as well)."""

from __future__ import annotations

import logging
from typing import Any

PROGRESS_ATTR = "newsflow_progress"


def report(logger: logging.Logger | logging.LoggerAdapter[Any], message: str, *args: object) -> None:
    logger.info(message, *args, extra={PROGRESS_ATTR: True})


def is_progress(record: logging.LogRecord) -> bool:
    return bool(getattr(record, PROGRESS_ATTR, False))
