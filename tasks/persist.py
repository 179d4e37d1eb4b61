"""Prefect task wrappers around storage: each opens the database, writes one batch, and closes it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
from prefect import Task, task
from prefect.client.schemas.objects import State, TaskRun
from prefect.logging import get_run_logger

from newsflow.progress import report
from newsflow.records import FeedPoll, FeedSource, PageToFetch
from newsflow.settings import PollingSettings
from tasks import storage
from tasks.staging import timed_stage, write_records

# Lock contention is the one transient failure here; the storage layer already waits for the lock.
STORE_RETRIES = 2


def only_when_busy(task: Task[..., Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Retry a write only when the database was held by another process: other errors won't go away."""
    try:
        state.result()
    except storage.DatabaseBusyError:
        return True
    except Exception:
        return False
    return False


@task(name="prepare-database")
def prepare_database(db_path: Path, lock_timeout_s: float) -> list[str]:
    """Apply pending migrations and refresh views."""
    applied = storage.migrate(db_path, lock_timeout_s)
    if applied:
        report(get_run_logger(), "applied migrations: %s", ", ".join(applied))
    return applied


@task(name="load-feed-sources")
def load_feed_sources(
    db_path: Path,
    feeds: Sequence[tuple[str, str, int]],
    lock_timeout_s: float,
    only_due: bool,
    run_id: str | None = None,
) -> tuple[list[FeedSource], list[str]]:
    """The feeds to poll now, and the names of those skipped (gone, not due, or already polled by this run)."""
    sources, skipped = storage.feed_sources(db_path, feeds, lock_timeout_s, only_due, run_id)
    if skipped:
        report(
            get_run_logger(),
            "skipping %d feed(s) (gone, not due, or polled by an earlier attempt of this run): %s",
            len(skipped),
            ", ".join(skipped),
        )
    return sources, skipped


@task(name="record-feed-polls", retries=STORE_RETRIES, retry_delay_seconds=2, retry_condition_fn=only_when_busy)
def record_feed_polls(
    db_path: Path, polls: Sequence[FeedPoll], polling: PollingSettings, lock_timeout_s: float, run_id: str
) -> dict[str, int]:
    counts = storage.record_polls(
        db_path,
        polls,
        lock_timeout_s,
        run_id,
        polling.max_backoff_s,
        polling.park_after_failures,
        polling.park_interval_s,
    )
    report(get_run_logger(), "stored feed state: %s", counts)
    return counts


@task(name="find-pending-pages")
def find_pending_pages(db_path: Path, feed_ids: Sequence[str], lock_timeout_s: float) -> list[PageToFetch]:
    pages = storage.pending_pages(db_path, feed_ids, lock_timeout_s)
    report(get_run_logger(), "%d article pages to fetch", len(pages))
    return pages


COPIES_SCHEMA = pa.schema([("article_id", pa.string()), ("source_article_id", pa.string())])


@task(name="find-tagged-copies")
def find_tagged_copies(db_path: Path, articles_path: Path, out_path: Path, lock_timeout_s: float) -> Path:
    """Articles of the batch whose exact body is already tagged in the database (NLP is not repeated)."""
    copies = storage.copies_of_tagged_articles(db_path, articles_path, lock_timeout_s)
    if copies:
        report(get_run_logger(), "%d exact copies of tagged articles: NLP skipped for them", len(copies))
    return write_records(out_path, copies, COPIES_SCHEMA)


@task(name="store-articles", retries=STORE_RETRIES, retry_delay_seconds=2, retry_condition_fn=only_when_busy)
def store_articles(
    db_path: Path,
    articles_path: Path,
    mentions_path: Path | None,
    manifest_path: Path | None,
    lock_timeout_s: float,
    run_id: str,
    copies_path: Path | None = None,
    nlp_only: bool = False,
    keep_nlp_path: Path | None = None,
) -> dict[str, int]:
    """Write one batch of articles, their NLP rows and the batch's request log in one transaction."""
    with timed_stage(articles_path.parent, "store"):
        counts = storage.store_articles(
            db_path,
            articles_path,
            mentions_path,
            lock_timeout_s,
            manifest_path,
            run_id,
            copies_path,
            nlp_only=nlp_only,
            keep_nlp_path=keep_nlp_path,
        )
    report(get_run_logger(), "stored batch: %s", counts)
    return counts


@task(name="refresh-search-index", retries=STORE_RETRIES, retry_delay_seconds=2, retry_condition_fn=only_when_busy)
def refresh_search_index(db_path: Path, lock_timeout_s: float) -> None:
    """Rebuild the full-text index so `newsflow search` sees this run's articles."""
    storage.refresh_search_index(db_path, lock_timeout_s)


@task(name="start-run")
def start_run(db_path: Path, run_id: str, flow_run_id: str | None, flow_name: str, lock_timeout_s: float) -> None:
    """Record the run; runs of this host whose process was killed are marked interrupted on the way."""
    interrupted = storage.start_run(db_path, run_id, flow_run_id, flow_name, lock_timeout_s)
    if interrupted:
        get_run_logger().warning("%d earlier run(s) had been killed before finishing: marked interrupted", interrupted)


@task(name="finish-run")
def finish_run(db_path: Path, run_id: str, status: str, stats: dict[str, Any], lock_timeout_s: float) -> None:
    storage.finish_run(db_path, run_id, status, stats, lock_timeout_s)


@task(name="count-rows")
def count_rows(db_path: Path, lock_timeout_s: float) -> dict[str, int]:
    return storage.table_counts(db_path, lock_timeout_s=lock_timeout_s)


@task(name="select-for-reprocess")
def select_for_reprocess(
    db_path: Path,
    stage: str,
    extractor_version: str,
    pipeline_version: str,
    since: date | None,
    until: date | None,
    feed_ids: Sequence[str],
    article_ids: Sequence[str],
    force: bool,
    lock_timeout_s: float,
) -> storage.ReprocessSelection:
    selection = storage.reprocess_candidates(
        db_path, stage, extractor_version, pipeline_version, since, until, feed_ids, article_ids, force, lock_timeout_s
    )
    report(
        get_run_logger(),
        "reprocess (%s): %d articles to redo, %d already current, %d not eligible, %d without a raw page",
        stage,
        len(selection.article_ids),
        selection.up_to_date,
        selection.not_eligible,
        len(selection.raw_page_missing),
    )
    return selection


@task(name="stage-stored-pages")
def stage_stored_pages(db_path: Path, article_ids: Sequence[str], out_path: Path, lock_timeout_s: float) -> Path:
    """Archived raw pages of stored articles as a page manifest: re-extraction without refetching."""
    return storage.write_stored_pages(db_path, article_ids, out_path, lock_timeout_s)


@task(name="stage-stored-articles")
def stage_stored_articles(db_path: Path, article_ids: Sequence[str], out_path: Path, lock_timeout_s: float) -> Path:
    """Stored article bodies as an article batch: NLP again without re-extraction."""
    return storage.write_stored_articles(db_path, article_ids, out_path, lock_timeout_s)


@task(name="find-unchanged-bodies")
def find_unchanged_bodies(db_path: Path, articles_path: Path, out_path: Path, lock_timeout_s: float) -> Path:
    """Re-extracted articles whose body did not change: their NLP rows stay."""
    return storage.write_unchanged_bodies(db_path, articles_path, out_path, lock_timeout_s)


@task(name="checkpoint-database", retries=STORE_RETRIES, retry_delay_seconds=2, retry_condition_fn=only_when_busy)
def checkpoint_database(db_path: Path, lock_timeout_s: float) -> int:
    size = storage.checkpoint(db_path, lock_timeout_s)
    report(get_run_logger(), "checkpointed %s (%.1f MB)", db_path, size / 1e6)
    return size


@task(name="rebuild-derived-tables", retries=STORE_RETRIES, retry_delay_seconds=2, retry_condition_fn=only_when_busy)
def rebuild_derived_tables(db_path: Path, lock_timeout_s: float) -> dict[str, int]:
    counts = storage.rebuild_derived_tables(db_path, lock_timeout_s)
    report(get_run_logger(), "rebuilt derived tables: %s", counts)
    return counts
