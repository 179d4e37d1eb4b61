"""Article page fetching: a batch of URLs through the one HTTP client into the raw archive."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from prefect import task
from prefect.logging import get_run_logger

from newsflow.progress import report
from newsflow.records import PageToFetch
from newsflow.settings import FetchSettings
from tasks.archive import store_page
from tasks.http import FetchResult, HttpClient
from tasks.staging import read_records, timed_stage, write_records

PAGE_MANIFEST_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("url", pa.string()),
        ("canonical_url", pa.string()),
        ("final_url", pa.string()),
        ("http_status", pa.int32()),
        ("fetch_status", pa.string()),  # ok | http_error | fetch_error
        ("error", pa.string()),
        ("error_class", pa.string()),
        ("attempts", pa.int32()),
        ("archive_path", pa.string()),
        ("content_type", pa.string()),
        ("content_language", pa.string()),
        ("fetched_at", pa.timestamp("us", tz="UTC")),
        ("duration_ms", pa.int32()),
        ("bytes", pa.int64()),
        ("feed_published_at", pa.timestamp("us", tz="UTC")),
        ("feed_title", pa.string()),
    ]
)


def page_record(page: PageToFetch, result: FetchResult, archive_dir: Path, fetched_at: datetime) -> dict[str, Any]:
    """Archive a fetched body (successful or not, so the failure can be inspected) and describe it."""
    archive_path: str | None = None
    if result.body:
        meta = {
            "url": page.url,
            "final_url": result.final_url,
            "status": result.status,
            "headers": result.headers,
            "fetched_at": fetched_at.isoformat(),
        }
        archive_path = str(store_page(archive_dir, result.body, meta))
    if result.error_class:
        fetch_status, error = "fetch_error", f"{result.error_class}: {result.error}"
    elif not result.ok:
        fetch_status, error = "http_error", f"HTTP {result.status}"
    else:
        fetch_status, error = "ok", None
    return {
        "article_id": page.article_id,
        "url": page.url,
        "canonical_url": page.canonical_url,
        "final_url": result.final_url,
        "http_status": result.status,
        "fetch_status": fetch_status,
        "error": error,
        "error_class": result.error_class,
        "attempts": result.attempts,
        "archive_path": archive_path,
        "content_type": result.headers.get("content-type"),
        "content_language": result.headers.get("content-language"),
        "fetched_at": fetched_at,
        "duration_ms": result.duration_ms,
        "bytes": len(result.body),
        "feed_published_at": page.feed_published_at,
        "feed_title": page.feed_title,
    }


def is_final(record: dict[str, Any]) -> bool:
    """A fetch whose outcome a retry would not change: archived bytes, or a 4xx other than 429."""
    if record["fetch_status"] == "ok":
        return bool(record["archive_path"]) and Path(record["archive_path"]).exists()
    status = record["http_status"] or 0
    return record["fetch_status"] == "http_error" and 400 <= status < 500 and status != 429


def fetched_earlier(run_staging_dir: Path) -> dict[str, dict[str, Any]]:
    """Final page records already written by this flow run (a UI retry re-runs the flow on the same run id)."""
    found: dict[str, dict[str, Any]] = {}
    for manifest in sorted(run_staging_dir.glob("**/pages.parquet")):
        for record in read_records(manifest):
            if is_final(record):
                found[record["article_id"]] = record
    return found


def fetch_page_batch(
    pages: list[PageToFetch],
    fetch_settings: FetchSettings,
    archive_dir: Path,
    earlier: dict[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Fetch pages concurrently (I/O bound) and archive their bodies; one record per page, in order.

    Pages with a final record in `earlier` are not fetched again; that record is reused.
    """
    earlier = earlier or {}
    with HttpClient(fetch_settings) as client:

        def one(page: PageToFetch) -> dict[str, Any]:
            if page.article_id in earlier:
                return earlier[page.article_id]
            fetched_at = datetime.now(UTC)
            return page_record(page, client.fetch(page.url, check_robots=True), archive_dir, fetched_at)

        with ThreadPoolExecutor(max_workers=fetch_settings.concurrency) as pool:
            return list(pool.map(one, pages))


@task(name="fetch-pages")
def fetch_pages(
    pages: list[PageToFetch],
    fetch_settings: FetchSettings,
    archive_dir: Path,
    manifest_path: Path,
    reuse_dir: Path | None = None,
) -> Path:
    """Fetch one batch of article pages; returns the batch manifest path.

    reuse_dir: the flow run's staging dir. Pages an earlier attempt of the same flow run already fetched
    (a retry from the UI re-runs the flow body on the same run id) are taken from there, not the network.
    """
    earlier = fetched_earlier(reuse_dir) if reuse_dir else {}
    with timed_stage(manifest_path.parent, "fetch"):
        records = fetch_page_batch(pages, fetch_settings, archive_dir, earlier)
    failed = [r for r in records if r["fetch_status"] != "ok"]
    reused = sum(1 for page in pages if page.article_id in earlier)
    report(
        get_run_logger(),
        "fetched %d pages (%d failed%s)",
        len(records),
        len(failed),
        f", {reused} reused from this run's earlier attempt" if reused else "",
    )
    for record in failed:
        get_run_logger().warning("page %s: %s", record["url"], record["error"])
    return write_records(manifest_path, records, PAGE_MANIFEST_SCHEMA)
