"""Batch hand-off files between steps: a list of flat records as one Parquet file, passed by path."""

from __future__ import annotations

import os
from collections.abc import Sequence
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
