"""Batch hand-off files between steps: a list of flat records as one Parquet file, passed by path."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq


def write_records(path: Path, records: Sequence[dict[str, Any]], schema: pa.Schema) -> Path:
    """Write records atomically (a killed run never leaves a half file that a retry would trust)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist(list(records), schema=schema)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)
    return path


def read_records(path: Path | str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
    return rows


TIMINGS_FILE = "stage-timings.jsonl"


@contextmanager
def timed_stage(batch_dir: Path, stage: str) -> Iterator[None]:
    """Append one stage's timing for one batch to the batch's timings file (summed in run reports): wall
    seconds, CPU seconds of the thread that ran it (below the wall when it waited for a core or for DuckDB's
    own threads), and when it ended (gaps between batches show in the end times)."""
    started, cpu_started = time.monotonic(), time.thread_time()
    try:
        yield
    finally:
        batch_dir.mkdir(parents=True, exist_ok=True)
        entry = {
            "stage": stage,
            "seconds": round(time.monotonic() - started, 4),
            "cpu_s": round(time.thread_time() - cpu_started, 4),
            "ended_at": round(time.time(), 3),
            "pid": os.getpid(),
        }
        with (batch_dir / TIMINGS_FILE).open("a") as out:
            out.write(json.dumps(entry) + "\n")


def stage_totals(run_dir: Path) -> dict[str, float]:
    """Seconds spent per stage over every batch of a run (stages overlap in time: these are busy times)."""
    totals: dict[str, float] = {}
    for path in sorted(run_dir.glob(f"**/{TIMINGS_FILE}")):
        for line in path.read_text().splitlines():
            if line.strip():
                entry = json.loads(line)
                totals[entry["stage"]] = totals.get(entry["stage"], 0.0) + entry["seconds"]
    return {stage: round(seconds, 2) for stage, seconds in totals.items()}


def prune_staging(staging_dir: Path, older_than_s: float, keep: Sequence[str] = (), now: float | None = None) -> int:
    """Delete per-run staging dirs last written more than older_than_s ago, except runs in keep."""
    import shutil

    cutoff = (now if now is not None else time.time()) - older_than_s
    removed = 0
    for run_dir in staging_dir.glob("*"):
        if run_dir.is_dir() and run_dir.name not in keep:
            newest = max((p.stat().st_mtime for p in run_dir.rglob("*")), default=run_dir.stat().st_mtime)
            if newest < cutoff:
                shutil.rmtree(run_dir, ignore_errors=True)
                removed += 1
    return removed
