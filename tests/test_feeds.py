"""Feed parsing and polling on the demo feeds, with their real-world quirks."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from pytest_httpserver import HTTPServer

from newsflow.records import FeedSource
from newsflow.settings import SEEDS_DIR, FetchSettings
from tasks.feeds import clean_text, parse_feed, plausible_datetime, poll
from tasks.http import HttpClient

FEEDS_DIR = SEEDS_DIR / "newswire" / "feeds"
BASE = "http://127.0.0.1:9999"


def demo_feed(name: str) -> bytes:
    return (FEEDS_DIR / name).read_bytes().replace(b"{demo}", BASE.encode())


def test_quirky_feed_relative_links_are_resolved_against_the_feed_url() -> None:
    _, entries = parse_feed(
        demo_feed("roundup.xml"), {"content-type": "application/rss+xml"}, f"{BASE}/feeds/roundup.xml"
    )
    assert entries, "entries expected"
    assert all(e.link and e.link.startswith(BASE + "/") for e in entries)


def test_quirky_feed_duplicate_guid_is_kept_once() -> None:
    raw = demo_feed("roundup.xml")
    assert raw.count(b"roundup-20261119-001") == 2  # the fixture really repeats it
    _, entries = parse_feed(raw, {}, f"{BASE}/feeds/roundup.xml")
    keys = [e.entry_key for e in entries]
    assert len(keys) == len(set(keys))
    assert keys.count("roundup-20261119-001") == 1


def test_html_in_titles_is_stripped() -> None:
    _, entries = parse_feed(demo_feed("roundup.xml"), {}, f"{BASE}/feeds/roundup.xml")
    titles = {e.title for e in entries}
    assert "Lithium protest closes highway in Bolivia's Potosi" in titles
    assert "Correction: story withdrawn" in titles
    assert not any("<" in (t or "") for t in titles)


def test_missing_dates_stay_missing_and_present_dates_are_utc() -> None:
    _, entries = parse_feed(demo_feed("roundup.xml"), {}, f"{BASE}/feeds/roundup.xml")
    by_key = {e.entry_key: e for e in entries}
    assert by_key["roundup-20261118-000"].published_at is None
    assert by_key["roundup-20261119-001"].published_at == datetime(2026, 11, 19, 9, 30, tzinfo=UTC)


def test_tracking_decorated_link_canonicalizes_to_the_wire_story() -> None:
    _, roundup = parse_feed(demo_feed("roundup.xml"), {}, f"{BASE}/feeds/roundup.xml")
    _, world = parse_feed(demo_feed("world.rss"), {}, f"{BASE}/feeds/world.rss")
    wires = next(e for e in roundup if e.entry_key == "roundup-wires-kharkiv")
    assert wires.link and "utm_source" in wires.link
    assert wires.article_id in {e.article_id for e in world}


def test_atom_feed_entries_carry_ids_links_and_authors() -> None:
    info, entries = parse_feed(demo_feed("dispatch.atom"), {}, f"{BASE}/feeds/dispatch.atom")
    assert info["title"] == "Globe Dispatch"
    assert len(entries) >= 10
    assert all(e.guid and e.guid.startswith("tag:globedispatch.example") for e in entries)
    assert all(e.author for e in entries)


def test_future_and_ancient_dates_are_rejected() -> None:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    assert plausible_datetime((now + timedelta(days=3)).timetuple(), now) is None
    assert plausible_datetime(time.struct_time((1970, 1, 2, 0, 0, 0, 4, 2, 0)), now) is None
    assert plausible_datetime((now - timedelta(hours=2)).timetuple(), now) is not None


def test_clean_text_unescapes_entities_and_folds_space() -> None:
    assert clean_text("<b>Breaking:</b>\n  Talks &amp; more") == "Breaking: Talks & more"


@pytest.fixture
def client() -> HttpClient:
    return HttpClient(
        FetchSettings(
            allow_private=["127.0.0.1"], total_deadline_s=5, read_timeout_s=2, retries=0, per_host_min_delay_s=0
        )
    )


def test_poll_sends_validators_and_304_yields_no_entries(httpserver: HTTPServer, client: HttpClient) -> None:
    body = demo_feed("world.rss")
    httpserver.expect_ordered_request("/feed", headers={"If-None-Match": '"v1"'}).respond_with_data("", status=304)
    first = poll(client, FeedSource("f", "f", httpserver.url_for("/feed"), etag='"v1"'))
    assert first.status == "not_modified" and first.entries == []
    httpserver.expect_request("/feed2").respond_with_data(
        body, headers={"ETag": '"v2"'}, content_type="application/rss+xml"
    )
    second = poll(client, FeedSource("f", "f", httpserver.url_for("/feed2")))
    assert second.status == "ok" and len(second.entries) == 12 and second.etag == '"v2"'


def test_server_ignoring_validators_with_same_bytes_is_not_reparsed(httpserver: HTTPServer, client: HttpClient) -> None:
    body = demo_feed("world.rss")
    httpserver.expect_request("/feed").respond_with_data(body, content_type="application/rss+xml")
    first = poll(client, FeedSource("f", "f", httpserver.url_for("/feed")))
    again = poll(client, FeedSource("f", "f", httpserver.url_for("/feed"), content_hash=first.content_hash))
    assert first.status == "ok" and again.status == "unchanged" and again.entries == []


def test_http_error_and_garbage_are_recorded_not_raised(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/gone").respond_with_data("nope", status=404)
    httpserver.expect_request("/junk").respond_with_data("\x00\x01 this is not xml", content_type="text/plain")
    gone = poll(client, FeedSource("g", "g", httpserver.url_for("/gone")))
    junk = poll(client, FeedSource("j", "j", httpserver.url_for("/junk")))
    assert gone.status == "http_error" and gone.error == "HTTP 404"
    assert junk.status == "parse_error" and junk.error


def test_unreachable_host_is_a_fetch_error(client: HttpClient) -> None:
    port = _closed_port()
    result = poll(client, FeedSource("d", "d", f"http://127.0.0.1:{port}/feed"))
    assert result.status == "fetch_error" and result.error and result.error.startswith("connect")


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
