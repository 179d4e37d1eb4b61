"""Raw page archive: each fetched body gzip-compressed on disk with its headers, addressed by content hash."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
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
