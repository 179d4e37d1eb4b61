"""The maintenance flow: checkpoint the database, refresh derived objects, apply retention to raw files."""

from __future__ import annotations

import uuid
from typing import Any

from prefect import flow
from prefect.runtime import flow_run

from flows.common import bounded_task_runner, mark_run_failed
from newsflow.settings import load_settings
from tasks.housekeeping import prune_raw_pages, prune_staging_files
from tasks.persist import (
    checkpoint_database,
    finish_run,
    prepare_database,
    rebuild_derived_tables,
    refresh_search_index,
    start_run,
)


@flow(name="maintenance", task_runner=bounded_task_runner())
def maintenance(prune_raw: bool = True) -> dict[str, Any]:
    """Recreate views, derived tables and the search index, checkpoint the file, delete files past retention.

    prune_raw: apply storage.raw_retention_days to the raw page archive (staging files of old runs are
    always pruned after storage.staging_retention_days).
    """
    settings = load_settings()
    db = settings.database.path
    lock_s = settings.database.lock_timeout_s
    run_id = str(flow_run.id or uuid.uuid4())
    prepare_database(db, lock_s)  # also recreates every view from sql/views
    start_run(db, run_id, flow_run.id, "maintenance", lock_s)
    try:
        summary: dict[str, Any] = dict(rebuild_derived_tables(db, lock_s))
        refresh_search_index(db, lock_s)
        summary["database_bytes"] = checkpoint_database(db, lock_s)
        if prune_raw:
            summary.update(prune_raw_pages(settings.storage.archive_dir, settings.storage.raw_retention_days))
        summary.update(
            prune_staging_files(settings.storage.staging_dir, settings.storage.staging_retention_days, [run_id])
        )
    except Exception as exc:
        mark_run_failed(db, run_id, exc, lock_s)
        raise
    finish_run(db, run_id, "completed", summary, lock_s)
    return summary
