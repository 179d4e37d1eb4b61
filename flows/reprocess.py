"""The reprocess flow: re-run extraction and/or NLP on stored articles from the raw archive (no refetch)."""

from __future__ import annotations

import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any, Literal

from prefect import flow
from prefect.futures import PrefectFuture
from prefect.logging import get_run_logger
from prefect.runtime import flow_run

from flows.common import BatchPipeline, bounded_task_runner, chunked, mark_run_failed
from newsflow.progress import report
from newsflow.settings import load_settings
from tasks.extract import extract_articles, stop_extraction_workers
from tasks.extraction import EXTRACTOR_VERSION
from tasks.nlp.task import nlp_pipeline_version, stop_nlp_workers
from tasks.persist import (
    count_rows,
    find_unchanged_bodies,
    finish_run,
    prepare_database,
    refresh_search_index,
    select_for_reprocess,
    stage_stored_articles,
    stage_stored_pages,
    start_run,
)
from tasks.run_report import publish_reprocess_report
from tasks.staging import stage_totals


@flow(name="reprocess", task_runner=bounded_task_runner())
def reprocess(
    since: date | None = None,
    until: date | None = None,
    feeds: list[str] | None = None,
    article_ids: list[str] | None = None,
    stages: Literal["extract", "nlp", "all"] = "all",
    force: bool = False,
    batch_size: int | None = None,
) -> dict[str, Any]:
    """Re-run extraction and/or NLP over stored articles from the raw page archive; nothing is refetched.

    since/until: publication day range, inclusive (first-seen day when the date is unknown).
    feeds: only articles of these feeds. article_ids: only these articles.
    stages: extract (re-extract; NLP again only where the body changed), nlp (re-tag stored bodies), all.
    force: redo articles already made by the current extractor / NLP pipeline version (skipped otherwise).
    Each batch's outputs replace the old ones in one transaction and carry the new pipeline version.
    """
    settings = load_settings()
    db = settings.database.path
    lock_s = settings.database.lock_timeout_s
    run_id = str(flow_run.id or uuid.uuid4())
    attempt_dir = settings.storage.staging_dir / run_id / f"attempt-{flow_run.run_count or 1}"
    size = batch_size or settings.ingest.page_batch_size
    started = time.monotonic()
    prepare_database(db, lock_s)
    start_run(db, run_id, flow_run.id, "reprocess", lock_s)
    try:
        version = nlp_pipeline_version(settings.nlp)
        selection = select_for_reprocess(
            db, stages, EXTRACTOR_VERSION, version, since, until, feeds or [], article_ids or [], force, lock_s
        )
        rows_before = count_rows(db, lock_s)
        pipeline = BatchPipeline()
        stored: list[PrefectFuture[dict[str, int]]] = []
        for index, batch in enumerate(chunked(selection.article_ids, size)):
            batch_dir = attempt_dir / f"batch-{index:05d}"
            keep: PrefectFuture[Path] | None = None
            if stages == "nlp":
                articles = pipeline.submit(
                    "extract", stage_stored_articles, db, batch, batch_dir / "articles.parquet", lock_s
                )
            else:
                manifest = stage_stored_pages.submit(db, batch, batch_dir / "pages.parquet", lock_s)
                articles = pipeline.submit(
                    "extract",
                    extract_articles,
                    manifest,
                    batch_dir / "articles.parquet",
                    settings.ingest.min_body_words,
                    settings.ingest.extraction_mode,
                    settings.ingest.extract_workers,
                )
                if stages == "extract":
                    keep = find_unchanged_bodies.submit(  # type: ignore[call-overload]
                        db, articles, batch_dir / "keep.parquet", lock_s
                    )
            stored.append(
                pipeline.tag_and_store(settings, articles, batch_dir, run_id, keep_nlp=keep, nlp_only=stages == "nlp")
            )
        batch_counts = [future.result() for future in stored]
        stop_extraction_workers()
        stop_nlp_workers()
        if batch_counts and stages != "nlp":
            refresh_search_index(db, lock_s)
        rows_after = count_rows(db, lock_s)
    except Exception as exc:
        mark_run_failed(db, run_id, exc, lock_s)
        raise
    summary: dict[str, Any] = {
        "stages": stages,
        "pipeline_version": version,
        "extractor_version": EXTRACTOR_VERSION,
        "reprocessed": len(selection.article_ids),
        "already_current": selection.up_to_date,
        "not_eligible": selection.not_eligible,
        "raw_page_missing": len(selection.raw_page_missing),
        "rows_before": rows_before,
        "rows_after": rows_after,
        "timings_s": {"total_s": round(time.monotonic() - started, 2)},
        "stage_busy_s": stage_totals(attempt_dir),
    }
    finish_run(db, run_id, "completed", summary, lock_s)
    publish_reprocess_report(summary)
    report(get_run_logger(), "reprocess finished: %d articles redone at %s", len(selection.article_ids), version)
    return summary
