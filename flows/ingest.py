"""The ingest flow: poll feeds, fetch new article pages, extract, tag and store them in batches."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from prefect import flow
from prefect.futures import PrefectFuture
from prefect.logging import get_run_logger
from prefect.runtime import flow_run

from flows.common import BatchPipeline, bounded_task_runner, chunked, mark_run_failed
from newsflow.demo import serve_newswire
from newsflow.progress import report
from newsflow.settings import DEMO_URL_PLACEHOLDER, FeedConfig, Settings, load_settings
from tasks.extract import extract_articles, stop_extraction_workers
from tasks.feeds import poll_feeds
from tasks.nlp.task import nlp_pipeline_version, stop_nlp_workers
from tasks.pages import fetch_pages
from tasks.persist import (
    count_rows,
    find_pending_pages,
    find_tagged_copies,
    finish_run,
    load_feed_sources,
    prepare_database,
    record_feed_polls,
    refresh_search_index,
    start_run,
)
from tasks.run_report import publish_run_report
from tasks.staging import stage_totals


@contextmanager
def resolved_feeds(settings: Settings, names: Sequence[str] | None) -> Iterator[list[FeedConfig]]:
    """The feeds to poll, with {demo} URLs pointing at the demo newswire served for the run's length."""
    feeds = settings.feeds
    if names:
        unknown = sorted(set(names) - {f.name for f in feeds})
        if unknown:
            raise ValueError(
                f"unknown feed name(s): {', '.join(unknown)}; configured: {', '.join(f.name for f in feeds)}"
            )
        feeds = [f for f in feeds if f.name in names]
    with ExitStack() as stack:
        if any(f.uses_demo for f in feeds):
            base = stack.enter_context(serve_newswire(settings.demo.site_dirs, settings.demo.host, settings.demo.port))
            feeds = [f.model_copy(update={"url": f.url.replace(DEMO_URL_PLACEHOLDER, base)}) for f in feeds]
        yield feeds


@flow(name="ingest", task_runner=bounded_task_runner())
def ingest(
    feeds: list[str] | None = None,
    page_batch_size: int | None = None,
    only_due: bool = False,
    poll_only: bool = False,
) -> dict[str, Any]:
    """Poll the configured feeds and store new articles with their entities in DuckDB.

    feeds: names of feeds to poll (default: all configured). only_due: skip feeds whose next poll time
    (interval, back-off, Retry-After) has not come yet; scheduled runs set it, manual runs poll everything.
    poll_only: store feed entries but fetch no article pages (a later run fetches them).
    page_batch_size: article pages per fetch/extract/tag/store batch (default from config).

    Safe to retry from the UI: a retried run (same flow run id) does not poll its feeds again, takes pages
    its earlier attempt fetched from the run's staging files, skips stored articles, and every write is an
    idempotent upsert or replace.
    """
    settings = load_settings()
    db = settings.database.path
    lock_s = settings.database.lock_timeout_s
    run_id = str(flow_run.id or uuid.uuid4())
    run_dir = settings.storage.staging_dir / run_id
    prepare_database(db, lock_s)
    start_run(db, run_id, flow_run.id, "ingest", lock_s)
    try:
        summary = _ingest(settings, run_id, run_dir, feeds, page_batch_size, only_due, poll_only)
    except Exception as exc:
        mark_run_failed(db, run_id, exc, lock_s)
        raise
    finish_run(db, run_id, "completed", summary, lock_s)
    publish_run_report(summary)
    get_run_logger().info("ingest finished: %s", summary)
    return summary


def _ingest(
    settings: Settings,
    run_id: str,
    run_dir: Path,
    feeds: list[str] | None,
    page_batch_size: int | None,
    only_due: bool,
    poll_only: bool,
) -> dict[str, Any]:
    logger = get_run_logger()
    db = settings.database.path
    lock_s = settings.database.lock_timeout_s
    # Each attempt of a flow run (a UI retry keeps the run id) stages its batches apart from earlier ones.
    attempt_dir = run_dir / f"attempt-{flow_run.run_count or 1}"
    batch_size = page_batch_size or settings.ingest.page_batch_size
    timings: dict[str, float] = {}
    started = time.monotonic()
    rows_before = count_rows(db, lock_s)
    # Loads the spaCy model in the NLP worker while the feeds are polled (it stays loaded for the tag tasks).
    warm_nlp = None if poll_only else nlp_pipeline_version.submit(settings.nlp)
    with resolved_feeds(settings, feeds) as feed_configs:
        sources, skipped = load_feed_sources(
            db, [(f.name, f.url, f.poll_interval_s) for f in feed_configs], lock_s, only_due, run_id
        )
        groups = chunked(sources, settings.ingest.feeds_per_poll_task)
        polls = [p for future in [poll_feeds.submit(g, settings.fetch) for g in groups] for p in future.result()]
        entry_counts = record_feed_polls(db, polls, settings.polling, lock_s, run_id)
        timings["poll_s"] = time.monotonic() - started
        # Pages of every selected feed, polled now or not: entries an earlier run (or attempt) left unfetched.
        pages = [] if poll_only else find_pending_pages(db, [f.name for f in feed_configs], lock_s)
        report(
            logger,
            "polled %d feeds, %d new entries, %d pages to fetch",
            len(polls),
            entry_counts["new_entries"],
            len(pages),
        )
        # Batches are pipelined: each stage handles one batch at a time, in order, so fetch and extraction of
        # batch i+1 overlap NLP of batch i (and all batches never compete for the CPU at once).
        pipeline = BatchPipeline()
        stored: list[PrefectFuture[dict[str, int]]] = []
        for index, batch in enumerate(chunked(pages, batch_size)):
            batch_dir = attempt_dir / f"batch-{index:05d}"
            manifest = pipeline.submit(
                "fetch",
                fetch_pages,
                batch,
                settings.fetch,
                settings.storage.archive_dir,
                batch_dir / "pages.parquet",
                run_dir,
            )
            articles = pipeline.submit(
                "extract",
                extract_articles,
                manifest,
                batch_dir / "articles.parquet",
                settings.ingest.min_body_words,
                settings.ingest.extraction_mode,
                settings.ingest.extract_workers,
            )
            # Copies are looked up once the previous batch is stored, so a copy in the next batch is seen too.
            # (Looking them up in the previous batch's file instead, so NLP need not wait for that store, was
            # measured twice, with NLP in the flow's process and in its own: the store then ran beside NLP on
            # the 2 cores, and NLP time, peak memory (1.54 GB) and wall time got worse.)
            copies = find_tagged_copies.submit(  # type: ignore[call-overload]
                db, articles, batch_dir / "copies.parquet", lock_s, wait_for=pipeline.after("store")
            )
            stored.append(
                pipeline.tag_and_store(settings, articles, batch_dir, run_id, manifest=manifest, copies=copies)
            )
        batch_counts = [future.result() for future in stored]
        stop_extraction_workers()
        if warm_nlp is not None:
            warm_nlp.wait()
        stop_nlp_workers()
    if batch_counts:
        refresh_search_index(db, lock_s)
    timings["total_s"] = time.monotonic() - started
    rows_after = count_rows(db, lock_s)
    summary = summarize(polls, entry_counts, len(pages), batch_counts, rows_before, rows_after, timings)
    summary["stage_busy_s"] = stage_totals(attempt_dir)
    summary["feeds_skipped"] = skipped
    return summary


def summarize(
    polls: Sequence[Any],
    entry_counts: dict[str, int],
    pages_to_fetch: int,
    batch_counts: Sequence[dict[str, int]],
    rows_before: dict[str, int],
    rows_after: dict[str, int],
    timings: dict[str, float],
) -> dict[str, Any]:
    feed_status: dict[str, int] = {}
    for poll in polls:
        feed_status[poll.status] = feed_status.get(poll.status, 0) + 1
    totals: dict[str, int] = {}
    for counts in batch_counts:
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
    return {
        "feeds": feed_status,
        "feed_errors": {p.feed_id: p.error for p in polls if p.error},
        "new_entries": entry_counts["new_entries"],
        "pages_fetched": pages_to_fetch,
        "articles": {k.removeprefix("status_"): v for k, v in totals.items() if k.startswith("status_")},
        "new_articles": totals.get("articles_stored_ok", 0),
        "mentions_written": totals.get("mentions_written", 0),
        "rows_before": rows_before,
        "rows_after": rows_after,
        "timings_s": {k: round(v, 2) for k, v in timings.items()},
    }
