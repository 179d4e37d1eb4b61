"""Report how feedparser's own 1,110-file test corpus fares in newsflow's feed stage (served over HTTP).

Usage: uv run python -m benchmarks.feed_corpus [path/to/shared/data/feeds]
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from newsflow.records import FeedPoll, FeedSource
from newsflow.settings import PROJECT_ROOT, FetchSettings
from tasks.feeds import poll
from tasks.http import HttpClient
from tests.corpus_server import corpus_files, serve_corpus


def main(root: Path) -> None:
    files = corpus_files(root)
    settings = FetchSettings(allow_private=["127.0.0.1"], retries=0, per_host_min_delay_s=0, total_deadline_s=10)
    started = time.monotonic()
    with serve_corpus(root) as server, HttpClient(settings) as client:

        def one(index: int) -> FeedPoll:
            url = f"{server.base_url}/{files[index].relative}"
            return poll(client, FeedSource(f"c{index}", f"c{index}", url))

        with ThreadPoolExecutor(max_workers=8) as pool:
            polls = list(pool.map(one, range(len(files))))
    elapsed = time.monotonic() - started
    statuses = Counter(p.status for p in polls)
    expected = [f for f in files if f.expects_entries]
    kept = sum(1 for f, p in zip(files, polls, strict=True) if f.expects_entries and p.entries)
    print(f"files: {len(files)} in {elapsed:.1f} s")
    print(f"statuses: {dict(statuses)}")
    print(f"bozo: {sum(1 for p in polls if p.is_bozo)}")
    print(f"entries: {sum(len(p.entries) for p in polls)}")
    print(f"files whose Expect reads an entry: {len(expected)}; entry kept: {kept}")
    for file, result in zip(files, polls, strict=True):
        if result.status in ("fetch_error", "parse_error"):
            print(f"  {result.status}: {file.relative}: {result.error}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT_ROOT.parent / "shared" / "data" / "feeds")
