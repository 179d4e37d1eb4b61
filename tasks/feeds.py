"""Feed polling: conditional GET through the one HTTP client, then feedparser on the bytes."""

from __future__ import annotations

import calendar
import hashlib
import html
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
from prefect import task
from prefect.logging import get_run_logger

from newsflow.progress import report
from newsflow.records import FeedEntry, FeedPoll, FeedSource
from newsflow.settings import FetchSettings
from newsflow.urls import canonicalize_url, url_id
from tasks.http import HttpClient

TAG_RE = re.compile(r"<[^>]+>")
SPACE_RE = re.compile(r"\s+")
# Feeds carry dates from typos and clocks set wrong; anything outside this window is not trusted.
EARLIEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SKEW = timedelta(days=1)
SUMMARY_MAX_CHARS = 2_000
# Headers that change how feedparser decodes and resolves the document.
PASSED_HEADERS = ("content-type", "content-location", "last-modified", "etag", "content-language")


def clean_text(value: str | None) -> str | None:
    """Strip tags and entities from feed text (titles often carry HTML) and fold whitespace."""
    if value is None:
        return None
    text = SPACE_RE.sub(" ", html.unescape(TAG_RE.sub(" ", value))).strip()
    return text or None


def plausible_datetime(parsed: time.struct_time | None, now: datetime | None = None) -> datetime | None:
    """A feed date as aware UTC datetime, or None when missing or implausible."""
    if parsed is None:
        return None
    try:
        value = datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None
    now = now or datetime.now(UTC)
    if value < EARLIEST_PLAUSIBLE or value > now + FUTURE_SKEW:
        return None
    return value


def _entry_key(guid: str | None, link: str | None, title: str | None) -> str | None:
    for candidate in (guid, link, title):
        if candidate:
            return candidate.strip()
    return None


def _raw_guid(entry: Any) -> str | None:
    # feedparser resolves a relative <guid> against the feed URL; the raw value keeps ids stable across moves.
    guid = entry.get("id")
    return str(guid).strip() if guid else None


def parse_feed(body: bytes, headers: dict[str, str], url: str) -> tuple[dict[str, Any], list[FeedEntry]]:
    """Parse feed bytes; return feed-level info and entries (duplicates by key dropped, first kept)."""
    response_headers = {k: v for k, v in headers.items() if k in PASSED_HEADERS}
    response_headers.setdefault("content-location", url)
    parsed = feedparser.parse(body, response_headers=response_headers, sanitize_html=True)
    info = {
        "title": clean_text(parsed.feed.get("title")),
        "site_url": parsed.feed.get("link"),
        "is_bozo": bool(parsed.get("bozo")),
        "bozo_reason": (
            f"{type(parsed.bozo_exception).__name__}: {parsed.bozo_exception}"[:500] if parsed.get("bozo") else None
        ),
        "version": parsed.get("version") or None,
    }
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for entry in parsed.entries:
        guid = _raw_guid(entry)
        link = entry.get("link") or None
        title = clean_text(entry.get("title"))
        key = _entry_key(guid, link, title)
        if key is None or key in seen:
            continue
        seen.add(key)
        canonical = canonicalize_url(link) if link and link.startswith(("http://", "https://")) else None
        published = plausible_datetime(entry.get("published_parsed") or entry.get("updated_parsed"))
        summary = clean_text(entry.get("summary"))
        entries.append(
            FeedEntry(
                entry_key=key,
                guid=guid,
                link=link,
                canonical_url=canonical,
                article_id=url_id(canonical) if canonical else None,
                title=title,
                summary=summary[:SUMMARY_MAX_CHARS] if summary else None,
                published_at=published,
                author=clean_text(entry.get("author")),
            )
        )
    return info, entries


def poll(client: HttpClient, source: FeedSource) -> FeedPoll:
    """One conditional GET of one feed, parsed when changed. Never raises for bad input."""
    headers: dict[str, str] = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.8"}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    polled_at = datetime.now(UTC)
    result = client.fetch(source.url, headers=headers)
    poll_result = FeedPoll(
        feed_id=source.feed_id,
        name=source.name,
        url=source.url,
        final_url=result.final_url,
        status="ok",
        http_status=result.status,
        error=result.error,
        etag=result.headers.get("etag", source.etag),
        last_modified=result.headers.get("last-modified", source.last_modified),
        content_hash=source.content_hash,
        title=None,
        site_url=None,
        is_bozo=False,
        bozo_reason=None,
        polled_at=polled_at,
        duration_ms=result.duration_ms,
        bytes_received=len(result.body),
    )
    if result.error_class:
        poll_result.status = "fetch_error"
        poll_result.error = f"{result.error_class}: {result.error}"
        return poll_result
    if result.status == 304:
        poll_result.status = "not_modified"
        return poll_result
    if not result.ok:
        poll_result.status = "http_error"
        poll_result.error = f"HTTP {result.status}"
        return poll_result
    content_hash = hashlib.sha256(result.body).hexdigest()
    if content_hash == source.content_hash:
        # A server that ignores validators: same bytes, nothing to parse.
        poll_result.status = "unchanged"
        return poll_result
    poll_result.content_hash = content_hash
    try:
        info, entries = parse_feed(result.body, result.headers, result.final_url)
    except Exception as exc:  # feedparser is meant never to raise; if it does, record it and go on
        poll_result.status = "parse_error"
        poll_result.error = f"{type(exc).__name__}: {exc}"[:500]
        return poll_result
    poll_result.title = info["title"]
    poll_result.site_url = info["site_url"]
    poll_result.is_bozo = info["is_bozo"]
    poll_result.bozo_reason = info["bozo_reason"]
    poll_result.entries = entries
    if not entries and info["is_bozo"] and info["version"] is None:
        poll_result.status = "parse_error"
        poll_result.error = info["bozo_reason"] or "not a feed"
    return poll_result


@task(name="poll-feed", task_run_name="poll-feed-{source.name}", retries=0)
def poll_feed(source: FeedSource, fetch_settings: FetchSettings) -> FeedPoll:
    """Poll one feed (a retry and observability unit)."""
    logger = get_run_logger()
    with HttpClient(fetch_settings) as client:
        result = poll(client, source)
    report(
        logger,
        "feed %s: %s%s, %d entries",
        source.name,
        result.status,
        f" ({result.error})" if result.error else "",
        len(result.entries),
    )
    return result
