"""Prefect task: extract one batch of archived pages, in worker processes when configured."""

from __future__ import annotations

import functools
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from prefect import task
from prefect.logging import get_run_logger

from newsflow.progress import report
from tasks.extraction import ARTICLE_SCHEMA, article_record
from tasks.staging import read_records, timed_stage, write_records


class _ExtractionPool:
    """One worker pool per process, kept between batches (a worker's start-up imports cost about a second)."""

    def __init__(self) -> None:
        self.executor: ProcessPoolExecutor | None = None
        self.workers = 0
        self.lock = threading.Lock()

    def get(self, workers: int) -> ProcessPoolExecutor:
        with self.lock:
            if self.executor is None or self.workers != workers:
                if self.executor is not None:
                    self.executor.shutdown(wait=False, cancel_futures=True)
                # spawn, not fork: the flow's process has threads (Prefect, HTTP) a fork would copy mid-state.
                self.executor = ProcessPoolExecutor(
                    max_workers=workers, mp_context=multiprocessing.get_context("spawn")
                )
                self.workers = workers
            return self.executor

    def discard(self) -> None:
        with self.lock:
            if self.executor is not None:
                self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None


_POOL = _ExtractionPool()


def extract_page_batch(
    pages: list[dict[str, Any]], min_body_words: int, mode: str, workers: int = 0
) -> list[dict[str, Any]]:
    """One article record per page manifest row, in order. workers > 0: in that many worker processes,
    so extraction runs on another core while this process tags the previous batch."""
    one = functools.partial(article_record, min_body_words=min_body_words, mode=mode)
    if workers <= 0 or len(pages) < 2:
        return [one(page) for page in pages]
    try:
        return list(_POOL.get(workers).map(one, pages, chunksize=max(1, len(pages) // (4 * workers))))
    except BrokenProcessPool:
        # A worker died (killed, out of memory): start afresh next batch, and do this one here.
        _POOL.discard()
        return [one(page) for page in pages]


@task(name="extract-articles")
def extract_articles(
    manifest_path: Path, out_path: Path, min_body_words: int, mode: str = "longest", workers: int = 0
) -> Path:
    """Extract one batch of archived pages; returns the article batch path."""
    pages = read_records(manifest_path)
    with timed_stage(out_path.parent, "extract"):
        records = extract_page_batch(pages, min_body_words, mode, workers)
    by_status: dict[str, int] = {}
    for record in records:
        by_status[record["extraction_status"]] = by_status.get(record["extraction_status"], 0) + 1
    report(get_run_logger(), "extracted %d pages: %s", len(records), by_status)
    return write_records(out_path, records, ARTICLE_SCHEMA)
