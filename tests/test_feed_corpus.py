"""Every file of feedparser's own test corpus goes through newsflow's feed stage: no crash, no hang,
entries kept wherever the file's own assertion reads one."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from newsflow.records import FeedPoll, FeedSource
from newsflow.settings import FetchSettings
from tasks.feeds import poll
from tasks.http import HttpClient, reset_politeness_state

from .conftest import SHARED_DIR
from .corpus_server import corpus_files, serve_corpus

CORPUS = SHARED_DIR / "data" / "feeds"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared feed corpus not present")


def test_every_corpus_file_survives_the_feed_stage_and_keeps_expected_entries() -> None:
    files = corpus_files(CORPUS)
    assert len(files) >= 1100
    reset_politeness_state()
    settings = FetchSettings(allow_private=["127.0.0.1"], retries=0, per_host_min_delay_s=0, total_deadline_s=10)
    with serve_corpus(CORPUS) as server, HttpClient(settings) as client:

        def one(index: int) -> FeedPoll:
            file = files[index]
            return poll(client, FeedSource(f"c{index}", f"c{index}", f"{server.base_url}/{file.relative}"))

        with ThreadPoolExecutor(max_workers=8) as pool:
            polls = list(pool.map(one, range(len(files))))
    crashed = [(f.relative, p.error) for f, p in zip(files, polls, strict=True) if p.status == "fetch_error"]
    lost = [f.relative for f, p in zip(files, polls, strict=True) if f.expects_entries and not p.entries]
    assert crashed == []
    assert lost == []
    assert sum(1 for p in polls if p.is_bozo) > 100  # the ill-formed and entity files really are flagged
    assert sum(len(p.entries) for p in polls) > 550
