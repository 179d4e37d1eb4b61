"""Prefect task wrappers around storage: each opens the database, writes one batch, and closes it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prefect import task
from prefect.logging import get_run_logger

from newsflow.progress import report
from newsflow.records import FeedPoll, FeedSource, PageToFetch
from tasks import storage

# Lock contention is the one transient failure here; the storage layer already waits for the lock.
STORE_RETRIES = 2


@task(name="prepare-database")
def prepare_database(db_path: Path, lock_timeout_s: float) -> list[str]:
    """Apply pending migrations and refresh views."""
    applied = storage.migrate(db_path, lock_timeout_s)
    if applied:
        report(get_run_logger(), "applied migrations: %s", ", ".join(applied))
    return applied


@task(name="load-feed-sources")
def load_feed_sources(db_path: Path, feeds: Sequence[tuple[str, str]], lock_timeout_s: float) -> list[FeedSource]:
    return storage.feed_sources(db_path, feeds, lock_timeout_s)


@task(name="record-feed-polls", retries=STORE_RETRIES, retry_delay_seconds=2)
def record_feed_polls(db_path: Path, polls: Sequence[FeedPoll], lock_timeout_s: float) -> dict[str, int]:
    counts = storage.record_polls(db_path, polls, lock_timeout_s)
    report(get_run_logger(), "stored feed state: %s", counts)
    return counts


@task(name="find-pending-pages")
def find_pending_pages(db_path: Path, feed_ids: Sequence[str], lock_timeout_s: float) -> list[PageToFetch]:
    pages = storage.pending_pages(db_path, feed_ids, lock_timeout_s)
    report(get_run_logger(), "%d article pages to fetch", len(pages))
    return pages


@task(name="store-articles", retries=STORE_RETRIES, retry_delay_seconds=2)
def store_articles(
    db_path: Path, articles_path: Path, mentions_path: Path | None, lock_timeout_s: float
) -> dict[str, int]:
    """Write one batch of articles and mentions in one transaction."""
    counts = storage.store_articles(db_path, articles_path, mentions_path, lock_timeout_s)
    report(get_run_logger(), "stored batch: %s", counts)
    return counts


@task(name="start-run")
def start_run(db_path: Path, run_id: str, flow_run_id: str | None, flow_name: str, lock_timeout_s: float) -> None:
    storage.start_run(db_path, run_id, flow_run_id, flow_name, lock_timeout_s)


@task(name="finish-run")
def finish_run(db_path: Path, run_id: str, status: str, stats: dict[str, Any], lock_timeout_s: float) -> None:
    storage.finish_run(db_path, run_id, status, stats, lock_timeout_s)


@task(name="count-rows")
def count_rows(db_path: Path, lock_timeout_s: float) -> dict[str, int]:
    return storage.table_counts(db_path, lock_timeout_s=lock_timeout_s)
