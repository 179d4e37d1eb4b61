"""Prefect task: extract one batch of archived pages, in worker processes when configured."""

from __future__ import annotations

import functools
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pyarrow as pa
from prefect import task
from prefect.logging import get_run_logger

from newsflow.progress import report
from newsflow.workers import WorkerPool
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


# Extraction has slack (it needs ~1/5 of the time NLP takes): at a lower priority it yields the CPU to NLP
# and the store whenever they want it, and still runs at full speed in between.
EXTRACTION_NICE = 10
_POOL = WorkerPool(nice=EXTRACTION_NICE)


def stop_extraction_workers() -> None:
    """End the worker processes once a run's last batch is extracted: an idle worker keeps ~200 MB (and the
    search-index rebuild that ends a run needs memory); the next run starts one again in about a second.
    Left running while another run in this process still uses them."""
    _POOL.stop()


def extract_page_batch(
    pages: list[dict[str, Any]], min_body_words: int, mode: str, workers: int = 0
) -> list[dict[str, Any]]:
    """One article record per page manifest row, in order. workers > 0: in that many worker processes,
    so extraction runs on another core while the NLP worker tags the previous batch."""
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
