"""Poll N locally served feeds (default 500, 100 items each): all changed, then all answering 304.

Measures the real ingest flow (one Prefect task per feed) in poll-only mode, and the feed stage alone
(HTTP + parse + one bulk store) without Prefect, so the orchestration share is visible.

Usage: uv run python -m benchmarks.poll_feeds [--feeds 500] [--items 100]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from newsflow.prefect_env import apply_prefect_defaults


def render_feed(feed: int, items: int) -> bytes:
    entries = "".join(
        f"<item><title>Feed {feed} story {i}</title><link>http://127.0.0.1/f{feed}/s{i}.html</link>"
        f"<guid>f{feed}-s{i}</guid><pubDate>{formatdate(1_763_000_000 + i * 60, usegmt=True)}</pubDate>"
        f"<description>Summary of story {i} in feed {feed}, long enough to look like a real one.</description></item>"
        for i in range(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {feed}</title>{entries}</channel></rss>'.encode()
    )


class FeedFarm(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, feeds: int, items: int) -> None:
        self.bodies = {f"/feed{n}.xml": render_feed(n, items) for n in range(feeds)}
        super().__init__(("127.0.0.1", 0), FarmHandler)


class FarmHandler(BaseHTTPRequestHandler):
    server: FeedFarm
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        return

    def do_GET(self) -> None:
        body = self.server.bodies.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        etag = '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def farm(feeds: int, items: int) -> Iterator[str]:
    server = FeedFarm(feeds, items)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def stage_only(base: str, feeds: int, db: Path) -> list[tuple[str, float, float, float]]:
    from newsflow.settings import FetchSettings
    from tasks import storage
    from tasks.feeds import poll
    from tasks.http import HttpClient

    settings = FetchSettings(allow_private=["127.0.0.1"], per_host_min_delay_s=0, per_host_concurrency=8)
    storage.migrate(db)
    results = []
    for label in ("all changed", "all 304"):
        t0 = time.monotonic()
        sources, _ = storage.feed_sources(db, [(f"f{n}", f"{base}/feed{n}.xml", 900) for n in range(feeds)])
        with HttpClient(settings) as client, ThreadPoolExecutor(max_workers=8) as pool:
            t1 = time.monotonic()
            polls = list(pool.map(lambda s: poll(client, s), sources))
        t2 = time.monotonic()
        storage.record_polls(db, polls)
        t3 = time.monotonic()
        results.append((label, t1 - t0 + (t3 - t2), t2 - t1, t3 - t0))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--skip-stage", action="store_true", help="only measure the flow")
    args = parser.parse_args()
    apply_prefect_defaults(quiet_console=True)
    workdir = Path(tempfile.mkdtemp(prefix="newsflow-poll-bench-"))
    with farm(args.feeds, args.items) as base:
        print(f"{args.feeds} feeds x {args.items} items on {base}; work dir {workdir}")
        if not args.skip_stage:
            print("\nfeed stage alone (8 threads, one bulk store):")
            print(f"  {'case':<12} {'store+state s':>13} {'HTTP+parse s':>13} {'total s':>8}")
            for label, store_s, fetch_s, total_s in stage_only(base, args.feeds, workdir / "stage.duckdb"):
                print(f"  {label:<12} {store_s:>13.2f} {fetch_s:>13.2f} {total_s:>8.2f}")

        config = workdir / "bench.toml"
        lines = ["[fetch]", 'allow_private = ["127.0.0.1"]', "per_host_min_delay_s = 0", "per_host_concurrency = 8", ""]
        for n in range(args.feeds):
            lines += ["[[feeds]]", f'name = "f{n}"', f'url = "{base}/feed{n}.xml"', ""]
        config.write_text("\n".join(lines))
        os.environ["NEWSFLOW_CONFIG"] = str(config)
        os.environ["NEWSFLOW_DATABASE__PATH"] = str(workdir / "flow.duckdb")
        os.environ["NEWSFLOW_STORAGE__DATA_DIR"] = str(workdir / "data")
        from newsflow.prefect_server import temporary_api_server, wait_until_healthy

        with temporary_api_server(log_path=workdir / "prefect-server.log") as api_url:
            from flows.ingest import ingest

            wait_until_healthy(api_url)
            print("\ningest flow, poll only (one Prefect task per feed):")
            for label in ("all changed", "all 304"):
                t0 = time.monotonic()
                summary = ingest(poll_only=True)
                wall = time.monotonic() - t0
                print(
                    f"  {label:<12} wall {wall:6.2f} s  feeds {summary['feeds']}  new entries {summary['new_entries']}"
                    f"  poll stage {summary['timings_s'].get('poll_s')} s"
                )


if __name__ == "__main__":
    main()
