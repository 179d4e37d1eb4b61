"""Join the text-less quotes-dev-b / events-dev-b gold records with their extraction-dev text; write full files."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
DEFAULT_SHARED = PROJECT.parent / "shared" / "data"
DEFAULT_OUT = PROJECT / "build" / "gold"
SOURCE_FILE = Path("extraction-dev") / "ground-truth.jsonl"
TEXT_SOURCE = "extraction-dev"

Record = dict[str, Any]

# gold file -> the key order of the full records the dev sets' own checkers read
GOLD_FILES: dict[str, tuple[str, ...]] = {
    "quotes-dev-b.jsonl": ("id", "url", "domain", "text", "quotes"),
    "events-dev-b.jsonl": ("id", "url", "domain", "publish_date", "text", "events"),
}


class MaterializeError(Exception):
    """A gold record cannot be joined with its source text."""


def sha256_text(text: str) -> str:
    """Hex sha256 of a text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_jsonl(path: Path) -> list[Record]:
    """The non-empty lines of a JSON Lines file, parsed."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_source(shared: Path) -> dict[str, Record]:
    """The extraction-dev ground-truth records, by id."""
    path = shared / SOURCE_FILE
    if not path.is_file():
        raise MaterializeError(f"source file not found: {path}")
    return {str(r["id"]): r for r in read_jsonl(path)}


def join_record(rec: Record, source: dict[str, Record], keys: Iterable[str]) -> Record:
    """One gold record with `text` restored from its source; raises MaterializeError on a bad join."""
    rid = rec.get("id")
    if rec.get("text_source") != TEXT_SOURCE:
        raise MaterializeError(f"{rid}: text_source is {rec.get('text_source')!r}, expected {TEXT_SOURCE!r}")
    src = source.get(str(rid))
    if src is None:
        raise MaterializeError(f"{rid}: id not in {SOURCE_FILE}")
    text = src.get("main_content")
    if not isinstance(text, str):
        raise MaterializeError(f"{rid}: source record has no main_content")
    digest = sha256_text(text)
    if digest != rec.get("text_sha256"):
        raise MaterializeError(f"{rid}: sha256 mismatch (source {digest}, gold {rec.get('text_sha256')})")
    full = {k: v for k, v in rec.items() if k not in ("text_source", "text_sha256")}
    full["text"] = text
    missing = [k for k in keys if k not in full]
    if missing:
        raise MaterializeError(f"{rid}: missing keys {missing}")
    return {k: full[k] for k in keys}


def materialize_file(name: str, source: dict[str, Record], gold_dir: Path = HERE) -> list[Record]:
    """All records of one gold file, joined with their text."""
    keys = GOLD_FILES[name]
    return [join_record(r, source, keys) for r in read_jsonl(gold_dir / name)]


def write_jsonl(path: Path, records: Iterable[Record]) -> int:
    """Write records as JSON Lines; returns how many were written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    """Command line: materialize both gold files into --out."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="shared data dir (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output dir (default: %(default)s)")
    args = ap.parse_args(argv)
    try:
        source = load_source(args.shared)
        for name in GOLD_FILES:
            n = write_jsonl(args.out / name, materialize_file(name, source))
            print(f"{args.out / name}: {n} records, sha256 verified")
    except MaterializeError as exc:
        print(f"materialize: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
