"""Raw page archive: each fetched body gzip-compressed on disk with its headers, addressed by content hash."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any


def body_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def archive_path(archive_dir: Path, sha256: str) -> Path:
    return archive_dir / sha256[:2] / f"{sha256}.html.gz"


def store_page(archive_dir: Path, body: bytes, meta: dict[str, Any]) -> Path:
    """Write body (and meta as a .json sidecar) once per distinct content; atomic via rename."""
    sha = body_sha256(body)
    path = archive_path(archive_dir, sha)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        # mtime=0 keeps the file byte-identical for identical content.
        tmp.write_bytes(gzip.compress(body, compresslevel=6, mtime=0))
        tmp.replace(path)
    meta_path = path.with_name(f"{sha}.json")
    if not meta_path.exists():
        meta_path.write_text(json.dumps(meta, default=str, sort_keys=True))
    return path


def load_page(path: Path | str) -> bytes:
    return gzip.decompress(Path(path).read_bytes())


def load_meta(path: Path | str) -> dict[str, Any]:
    meta_path = Path(path).with_name(Path(path).name.replace(".html.gz", ".json"))
    result: dict[str, Any] = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    return result


def prune_archive(archive_dir: Path, older_than_s: float, now: float | None = None) -> tuple[int, int]:
    """Delete raw pages (and their header sidecars) written more than older_than_s ago: (pages, bytes)."""
    cutoff = (now if now is not None else time.time()) - older_than_s
    pages = freed = 0
    for path in archive_dir.glob("*/*.html.gz"):
        stat = path.stat()
        if stat.st_mtime < cutoff:
            freed += stat.st_size
            path.unlink()
            path.with_name(path.name.replace(".html.gz", ".json")).unlink(missing_ok=True)
            pages += 1
    return pages, freed
