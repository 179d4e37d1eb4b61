"""Orchestration helpers shared by the flows: batching, run bookkeeping."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from prefect.logging import get_run_logger

from tasks.persist import finish_run

T = TypeVar("T")


def chunked(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def mark_run_failed(db: Path, run_id: str, exc: Exception, lock_timeout_s: float) -> None:
    """Record why a run failed; never mask the original error if even that write fails."""
    try:
        finish_run(db, run_id, "failed", {"error": f"{type(exc).__name__}: {exc}"[:2000]}, lock_timeout_s)
    except Exception as write_error:  # the database itself may be why the run failed
        get_run_logger().warning("could not record the failed run: %s", write_error)
