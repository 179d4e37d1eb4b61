"""Prefect tasks that delete what retention settings say is no longer needed: raw pages, staging files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from prefect import task
from prefect.logging import get_run_logger

from newsflow.progress import report
from tasks.archive import prune_archive
from tasks.staging import prune_staging

DAY_S = 86_400


@task(name="prune-raw-pages")
def prune_raw_pages(archive_dir: Path, retention_days: int | None) -> dict[str, int]:
    if retention_days is None:
        report(get_run_logger(), "raw pages kept (storage.raw_retention_days is not set)")
        return {"raw_pages_deleted": 0, "raw_bytes_freed": 0}
    pages, freed = prune_archive(archive_dir, retention_days * DAY_S)
    report(get_run_logger(), "deleted %d raw pages older than %d days (%.1f MB)", pages, retention_days, freed / 1e6)
    return {"raw_pages_deleted": pages, "raw_bytes_freed": freed}


@task(name="prune-staging")
def prune_staging_files(staging_dir: Path, retention_days: int, keep_runs: Sequence[str]) -> dict[str, int]:
    removed = prune_staging(staging_dir, retention_days * DAY_S, keep_runs)
    report(get_run_logger(), "deleted staging files of %d old runs", removed)
    return {"staging_runs_deleted": removed}
