"""Prefect tasks for NLP: tag one batch in the NLP worker process, report the configured pipeline version."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

from prefect import task
from prefect.exceptions import MissingContextError
from prefect.logging import get_run_logger

from newsflow.progress import report
from newsflow.settings import NlpSettings
from newsflow.workers import WorkerPool
from tasks.nlp.batch import configured_pipeline_version, tag_batch

T = TypeVar("T")

# One NLP process beside the flow's: spaCy there shares no GIL with Prefect's threads, page fetching and the
# store, and the flow's process does not hold the model. Measured: its CPU time is 99 % of its busy time
# (benchmarks/README.md, end to end).
_POOL = WorkerPool()


def run_in_nlp_worker(nlp_settings: NlpSettings, work: Callable[..., T], *args: Any) -> T:
    """work(*args) in the NLP worker process (started on first use, model loaded once there), or here when
    nlp.worker_process is off. A worker that dies (killed, out of memory) is replaced once for the batch."""
    if not nlp_settings.worker_process:
        return work(*args)
    for attempt in (1, 2):
        try:
            with _POOL.use(1) as executor:
                return executor.submit(work, *args).result()
        except BrokenProcessPool as exc:
            _POOL.discard()
            if attempt == 2:
                raise RuntimeError(
                    "the NLP worker process died twice on this batch (killed, or out of memory?)"
                ) from exc
            _logger().warning("the NLP worker process died; starting a new one for this batch")
    raise AssertionError("unreachable")


def _logger() -> logging.Logger | logging.LoggerAdapter[Any]:
    try:
        return get_run_logger()
    except MissingContextError:  # called outside a flow or task run (a library caller, a test)
        return logging.getLogger(__name__)


def nlp_worker_pids() -> list[int]:
    return _POOL.worker_pids()


def stop_nlp_workers() -> None:
    """End the NLP worker once a run is done with it: an idle worker holds the model and spaCy's heap
    (~0.5 GB). Left running while another run in this process still uses it."""
    _POOL.stop()


@task(name="nlp-pipeline-version")
def nlp_pipeline_version(nlp_settings: NlpSettings) -> str:
    """The version string the configured pipeline stamps on its rows (loads the model where NLP runs)."""
    return run_in_nlp_worker(nlp_settings, configured_pipeline_version, nlp_settings)


@task(name="tag-articles")
def tag_articles(
    articles_path: Path, out_path: Path, nlp_settings: NlpSettings, copies_path: Path | None = None
) -> Path:
    """Tag one batch of articles with batched nlp.pipe; returns the mentions batch path (quotes, events and
    the tagged list are written beside it). Exact copies are tagged once (see tasks.nlp.batch.tag_batch)."""
    counts = run_in_nlp_worker(nlp_settings, tag_batch, articles_path, out_path, nlp_settings, copies_path)
    report(
        get_run_logger(),
        "tagged %d articles: %d entity mentions, %d quotes, %d events (+%d below the confidence threshold) (%s)",
        counts["articles"],
        counts["mentions"],
        counts["quotes"],
        counts["events"],
        counts["event_candidates"],
        counts["pipeline_version"],
    )
    if counts["unsupported_languages"]:
        languages = ", ".join(f"{n} in {lang!r}" for lang, n in sorted(counts["unsupported_languages"].items()))
        report(get_run_logger(), "not tagged, no model for their language (nlp.models): %s", languages)
    return out_path
