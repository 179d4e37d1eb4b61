"""Prefect task: extract one batch of archived pages, in worker processes when configured."""

from __future__ import annotations

import functools
import multiprocessing
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
from prefect import task
from prefect.logging import get_run_logger

from newsflow.memory import bound_malloc_growth
from newsflow.progress import report
from tasks.extraction import article_record, article_records
from tasks.staging import read_records, timed_stage, write_records

# One row per page of the batch, as tasks.extraction.article_record builds it. (The schema lives here, not
# beside article_record, so extraction worker processes need not import pyarrow.)
ARTICLE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("url", pa.string()),
        ("canonical_url", pa.string()),
        ("final_url", pa.string()),
        ("http_status", pa.int32()),
        ("fetched_at", pa.timestamp("us", tz="UTC")),
        ("archive_path", pa.string()),
        ("title", pa.string()),
        ("authors", pa.list_(pa.string())),
        ("published_at", pa.timestamp("us", tz="UTC")),
        ("published_at_source", pa.string()),
        ("modified_at", pa.timestamp("us", tz="UTC")),
        ("band_hashes", pa.list_(pa.uint64())),
        (
            "date_candidates",
            pa.list_(
                pa.struct([("source", pa.string()), ("kind", pa.string()), ("value", pa.timestamp("us", tz="UTC"))])
            ),
        ),
        ("language", pa.string()),
        ("site_name", pa.string()),
        ("description", pa.string()),
        ("body_text", pa.string()),
        ("content_hash", pa.string()),
        ("word_count", pa.int32()),
        ("extraction_status", pa.string()),  # ok | no_body | http_error | fetch_error | extract_error
        ("error", pa.string()),
        ("extractor_version", pa.string()),
    ]
)


class _ExtractionPool:
    """One worker pool per process, kept between batches (a worker's start-up imports cost about a second)."""

    def __init__(self) -> None:
        self.executor: ProcessPoolExecutor | None = None
        self.workers = 0
        self.in_use = 0  # batches mapping over the pool now (overlapping flow runs in one process share it)
        self.lock = threading.Lock()

    @contextmanager
    def use(self, workers: int) -> Iterator[ProcessPoolExecutor]:
        with self.lock:
            if self.executor is None or (self.workers != workers and self.in_use == 0):
                if self.executor is not None:
                    self.executor.shutdown(wait=False, cancel_futures=True)
                # spawn, not fork: the flow's process has threads (Prefect, HTTP) a fork would copy mid-state.
                self.executor = ProcessPoolExecutor(
                    max_workers=workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=bound_malloc_growth,
                )
                self.workers = workers
            executor = self.executor
            self.in_use += 1
        try:
            yield executor
        finally:
            with self.lock:
                self.in_use -= 1

    def discard(self, only_when_idle: bool = False) -> None:
        with self.lock:
            if self.executor is None or (only_when_idle and self.in_use):
                return
            self.executor.shutdown(wait=only_when_idle, cancel_futures=not only_when_idle)
            self.executor = None


_POOL = _ExtractionPool()


def stop_extraction_workers() -> None:
    """End the worker processes once a run's last batch is extracted: an idle worker keeps ~200 MB (and the
    search-index rebuild that ends a run needs memory); the next run starts one again in about a second.
    Left running while another run in this process still uses them."""
    _POOL.discard(only_when_idle=True)


def extract_page_batch(
    pages: list[dict[str, Any]], min_body_words: int, mode: str, workers: int = 0
) -> list[dict[str, Any]]:
    """One article record per page manifest row, in order. workers > 0: in that many worker processes,
    so extraction runs on another core while this process tags the previous batch."""
    if workers <= 0 or len(pages) < 2:
        return [article_record(page, min_body_words, mode) for page in pages]
    size = max(1, len(pages) // (4 * workers))
    chunks = [pages[start : start + size] for start in range(0, len(pages), size)]
    work = functools.partial(article_records, min_body_words=min_body_words, mode=mode)
    try:
        with _POOL.use(workers) as executor:
            return [record for chunk in executor.map(work, chunks) for record in chunk]
    except BrokenProcessPool:
        # A worker died (killed, out of memory): start afresh next batch, and do this one here.
        _POOL.discard()
        return [article_record(page, min_body_words, mode) for page in pages]


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
