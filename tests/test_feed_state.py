"""Per-feed polling state through real HTTP and a real DuckDB file: moves, gone, back-off, the request log."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from newsflow.records import FeedSource
from newsflow.settings import FetchSettings
from tasks import storage
from tasks.feeds import parse_feed, poll
from tasks.http import HttpClient, reset_politeness_state

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>One</title><link>http://example.com/one</link><guid>one</guid></item>
<item><title>Two</title><link>http://example.com/two</link><guid>two</guid></item></channel></rss>"""


@pytest.fixture
def client() -> HttpClient:
    reset_politeness_state()
    return HttpClient(FetchSettings(allow_private=["127.0.0.1"], retries=0, per_host_min_delay_s=0))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "s.duckdb"
    storage.migrate(path)
    return path


def poll_and_store(db: Path, client: HttpClient, name: str, config_url: str, **kwargs: object) -> FeedSource | None:
    sources, _ = storage.feed_sources(db, [(name, config_url, 900)])
    [source] = sources
    storage.record_polls(db, [poll(client, source)], run_id="r", **kwargs)  # type: ignore[arg-type]
    sources, _ = storage.feed_sources(db, [(name, config_url, 900)])
    return sources[0] if sources else None


def feed_row(db: Path, name: str) -> dict[str, object]:
    columns, rows = storage.run_sql(db, "select * from feeds where feed_id = $f", {"f": name})
    return dict(zip(columns, rows[0], strict=True))


def test_301_moves_the_stored_feed_url_and_it_stays_moved(db: Path, client: HttpClient, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old.xml").respond_with_data("", status=301, headers={"Location": "/new.xml"})
    httpserver.expect_request("/new.xml").respond_with_data(RSS, content_type="application/rss+xml")
    old = httpserver.url_for("/old.xml")
    after = poll_and_store(db, client, "f", old)
    assert after is not None and after.url == httpserver.url_for("/new.xml")
    assert feed_row(db, "f")["moved_from"] == old
    again = poll_and_store(db, client, "f", old)  # the same config does not undo the move
    assert again is not None and again.url == httpserver.url_for("/new.xml")
    paths = [r.path for r, _ in httpserver.log]
    assert paths.count("/old.xml") == 1


def test_410_deactivates_the_feed(db: Path, client: HttpClient, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/gone.xml").respond_with_data("gone", status=410)
    assert poll_and_store(db, client, "g", httpserver.url_for("/gone.xml")) is None  # no longer offered for polling
    row = feed_row(db, "g")
    assert row["is_active"] is False and row["last_status"] == "gone"


def test_failing_feed_backs_off_then_is_parked(db: Path, client: HttpClient, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/err.xml").respond_with_data("boom", status=500)
    url = httpserver.url_for("/err.xml")
    gaps = []
    for _ in range(4):
        poll_and_store(db, client, "e", url, park_after_failures=4, max_backoff_s=3600, park_interval_s=86400)
        row = feed_row(db, "e")
        gap = row["next_fetch_at"] - row["last_polled_at"]  # type: ignore[operator]
        gaps.append(gap.total_seconds())
    assert gaps[:3] == [900, 1800, 3600]  # doubling, capped at max_backoff_s
    assert gaps[3] == 86400 and feed_row(db, "e")["is_parked"] is True
    assert feed_row(db, "e")["consecutive_failures"] == 4


def test_recovery_resets_failures_and_schedules_by_interval(
    db: Path, client: HttpClient, httpserver: HTTPServer
) -> None:
    httpserver.expect_ordered_request("/flaky.xml").respond_with_data("boom", status=503)
    httpserver.expect_ordered_request("/flaky.xml").respond_with_data(RSS, content_type="application/rss+xml")
    url = httpserver.url_for("/flaky.xml")
    poll_and_store(db, client, "r", url)
    poll_and_store(db, client, "r", url)
    row = feed_row(db, "r")
    assert row["consecutive_failures"] == 0 and row["is_parked"] is False
    assert (row["next_fetch_at"] - row["last_polled_at"]).total_seconds() == 900  # type: ignore[operator]


def test_only_due_feeds_are_offered_when_asked(db: Path, client: HttpClient, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/d.xml").respond_with_data(RSS, content_type="application/rss+xml")
    poll_and_store(db, client, "d", httpserver.url_for("/d.xml"))
    due, skipped = storage.feed_sources(db, [("d", httpserver.url_for("/d.xml"), 900)], only_due=True)
    assert due == [] and skipped == ["d"]
    everything, _ = storage.feed_sources(db, [("d", httpserver.url_for("/d.xml"), 900)], only_due=False)
    assert [s.feed_id for s in everything] == ["d"]


def test_changing_the_url_in_config_wins_over_a_stored_move(
    db: Path, client: HttpClient, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/a.xml").respond_with_data("", status=301, headers={"Location": "/b.xml"})
    httpserver.expect_request("/b.xml").respond_with_data(RSS, content_type="application/rss+xml")
    poll_and_store(db, client, "m", httpserver.url_for("/a.xml"))
    sources, _ = storage.feed_sources(db, [("m", "http://example.com/c.xml", 900)])
    assert sources[0].url == "http://example.com/c.xml" and sources[0].etag is None


def test_every_request_is_logged_and_feed_health_summarises_it(
    db: Path, client: HttpClient, httpserver: HTTPServer
) -> None:
    httpserver.expect_ordered_request("/h.xml").respond_with_data(RSS, content_type="application/rss+xml")
    httpserver.expect_ordered_request("/h.xml").respond_with_data("x", status=500)
    httpserver.expect_ordered_request("/h.xml").respond_with_data(RSS, content_type="application/rss+xml")
    for _ in range(3):
        poll_and_store(db, client, "h", httpserver.url_for("/h.xml"))
    _, log = storage.run_sql(db, "select kind, status, run_id from fetch_log where feed_id = 'h' order by fetched_at")
    assert [(k, s) for k, s, _ in log] == [("feed", 200), ("feed", 500), ("feed", 200)]
    columns, rows = storage.run_sql(db, "select * from feed_health where feed_id = 'h'")
    health = dict(zip(columns, rows[0], strict=True))
    assert health["count_requests"] == 3 and health["success_rate"] == pytest.approx(0.667, abs=0.001)
    assert health["errors_by_class"] == {"http_500": 1}
    assert health["last_success_at"] is not None and health["median_latency_ms"] is not None


def test_retry_after_beyond_our_patience_pushes_the_next_poll(
    db: Path, client: HttpClient, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/ra.xml").respond_with_data("busy", status=429, headers={"Retry-After": "7200"})
    client.settings = client.settings.model_copy(update={"retries": 1})
    poll_and_store(db, client, "ra", httpserver.url_for("/ra.xml"))
    row = feed_row(db, "ra")
    assert (row["next_fetch_at"] - row["last_polled_at"]).total_seconds() >= 7200  # type: ignore[operator]
    assert len(httpserver.log) == 1


JSON_FEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "JSON Wire",
    "home_page_url": "https://json.example/",
    "items": [
        {
            "id": "1",
            "url": "https://json.example/a?utm_source=x",
            "title": "Talks <b>open</b>",
            "content_text": "Body",
            "date_published": "2026-11-20T10:00:00Z",
            "authors": [{"name": "Ann Lee"}],
        },
        {"id": "2", "external_url": "/b", "content_html": "<p>No title</p>", "date_published": "2999-01-01T00:00:00Z"},
        {"id": "1", "url": "https://json.example/dup", "title": "duplicate id"},
    ],
}


def test_json_feed_is_read_with_ids_links_dates_and_authors() -> None:
    info, entries = parse_feed(
        json.dumps(JSON_FEED).encode(), {"content-type": "application/feed+json"}, "https://json.example/feed.json"
    )
    assert info["title"] == "JSON Wire" and info["version"] == "json11"
    assert [e.entry_key for e in entries] == ["1", "2"]
    first, second = entries
    assert first.canonical_url == "https://json.example/a" and first.title == "Talks open"
    assert first.published_at == datetime(2026, 11, 20, 10, tzinfo=UTC) and first.author == "Ann Lee"
    assert second.link == "https://json.example/b" and second.published_at is None  # year 2999 rejected


def test_json_that_is_not_a_feed_is_a_parse_error(client: HttpClient, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/j").respond_with_json({"hello": "world"})
    result = poll(client, FeedSource("j", "j", httpserver.url_for("/j")))
    assert result.status == "parse_error" and "JSON Feed" in (result.error or "")


def test_recent_feed_dates_are_kept() -> None:
    recent = (datetime.now(UTC) - timedelta(hours=1)).strftime("%a, %d %b %Y %H:%M:%S +0000")
    body = RSS.replace(b"<guid>one</guid>", f"<guid>one</guid><pubDate>{recent}</pubDate>".encode())
    _, entries = parse_feed(body, {}, "http://example.com/feed")
    assert entries[0].published_at is not None
