"""Feed polling: conditional GET through the one HTTP client, then feedparser on the bytes."""

from __future__ import annotations

import calendar
import hashlib
import html
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin

import feedparser
from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.logging import get_run_logger
from prefect.runtime import task_run

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


def _entry_key(guid: str | None, link: str | None, title: str | None, fallback: str) -> str:
    """Raw GUID, else link, else title, else a hash of the entry's content (some feeds give nothing else)."""
    for candidate in (guid, link, title):
        if candidate and candidate.strip():
            return candidate.strip()
    return "sha256:" + hashlib.sha256(fallback.encode("utf-8", errors="replace")).hexdigest()[:32]


def _raw_guid(entry: Any) -> str | None:
    # feedparser resolves a relative <guid> against the feed URL; the raw value keeps ids stable across moves.
    guid = entry.get("id")
    return str(guid).strip() if guid else None


def _make_entry(
    guid: str | None,
    link: str | None,
    title: str | None,
    summary: str | None,
    published: datetime | None,
    author: str | None,
    fallback: str,
    updated: datetime | None = None,
) -> FeedEntry:
    key = _entry_key(guid, link, title, fallback)
    canonical = canonicalize_url(link) if link and link.startswith(("http://", "https://")) else None
    return FeedEntry(
        entry_key=key,
        guid=guid,
        link=link,
        canonical_url=canonical,
        article_id=url_id(canonical) if canonical else None,
        title=title,
        summary=summary[:SUMMARY_MAX_CHARS] if summary else None,
        published_at=published,
        author=author,
        updated_at=updated,
    )


def _dedupe(entries: list[FeedEntry]) -> list[FeedEntry]:
    seen: set[str] = set()
    kept = []
    for entry in entries:
        if entry.entry_key not in seen:
            seen.add(entry.entry_key)
            kept.append(entry)
    return kept


def looks_like_json_feed(body: bytes, content_type: str) -> bool:
    return "json" in content_type.lower() or body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _json_date(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return plausible_datetime(parsed.astimezone(UTC).timetuple())


def parse_json_feed(body: bytes, url: str) -> tuple[dict[str, Any], list[FeedEntry]]:
    """JSON Feed 1.0/1.1 (feedparser does not read it). Raises ValueError when it is not a JSON Feed."""
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"invalid JSON: {exc}") from exc
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith("https://jsonfeed.org/"):
        raise ValueError("JSON document is not a JSON Feed (no jsonfeed.org version)")
    entries = []
    items = document.get("items")
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        link = item.get("url") or item.get("external_url")
        link = urljoin(url, link) if isinstance(link, str) else None
        authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
        author = ", ".join(a["name"] for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str))
        summary = item.get("summary") or item.get("content_text") or item.get("content_html")
        entries.append(
            _make_entry(
                guid=str(item["id"]) if item.get("id") is not None else None,
                link=link,
                title=clean_text(item.get("title")) if isinstance(item.get("title"), str) else None,
                summary=clean_text(summary) if isinstance(summary, str) else None,
                published=_json_date(item.get("date_published") or item.get("date_modified")),
                updated=_json_date(item.get("date_modified")),
                author=author or None,
                fallback=json.dumps(item, sort_keys=True, default=str),
            )
        )
    version = str(document["version"]).rsplit("/", 1)[-1]
    info = {
        "title": clean_text(document.get("title")) if isinstance(document.get("title"), str) else None,
        "site_url": document.get("home_page_url") if isinstance(document.get("home_page_url"), str) else None,
        "is_bozo": False,
        "bozo_reason": None,
        "version": f"json{version.replace('.', '')}",
    }
    return info, _dedupe(entries)


def parse_feed(body: bytes, headers: dict[str, str], url: str) -> tuple[dict[str, Any], list[FeedEntry]]:
    """Parse feed bytes (RSS, Atom, RDF or JSON Feed); return feed info and entries, duplicate keys dropped."""
    if looks_like_json_feed(body, headers.get("content-type", "")):
        try:
            return parse_json_feed(body, url)
        except ValueError:
            if "json" in headers.get("content-type", "").lower():
                raise
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
    entries = []
    for entry in parsed.entries:
        link = entry.get("link") or None
        entries.append(
            _make_entry(
                guid=_raw_guid(entry),
                link=link,
                title=clean_text(entry.get("title")),
                summary=clean_text(entry.get("summary")),
                published=plausible_datetime(entry.get("published_parsed") or entry.get("updated_parsed")),
                author=clean_text(entry.get("author")),
                fallback=repr(sorted((k, str(v)) for k, v in entry.items())),
                # dict lookup: feedparser's .get falls back from updated to published (with a warning)
                updated=plausible_datetime(dict.get(entry, "updated_parsed")),
            )
        )
    return info, _dedupe(entries)


def poll(client: HttpClient, source: FeedSource) -> FeedPoll:
    """One conditional GET of one feed, parsed when changed. Never raises for bad input."""
    headers: dict[str, str] = {
        "Accept": "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.8"
    }
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
        attempts=result.attempts,
        error_class=result.error_class,
        moved_to=result.moved_to,
        retry_after_s=result.retry_after_s,
        poll_interval_s=source.poll_interval_s,
    )
    if result.error_class:
        poll_result.status = "fetch_error"
        poll_result.error = f"{result.error_class}: {result.error}"
        return poll_result
    if result.status == 304:
        poll_result.status = "not_modified"
        return poll_result
    if result.status == 410:
        poll_result.status = "gone"
        poll_result.error = "HTTP 410 Gone: feed deactivated"
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
        return _keep_old_validators(poll_result, source)
    poll_result.title = info["title"]
    poll_result.site_url = info["site_url"]
    poll_result.is_bozo = info["is_bozo"]
    poll_result.bozo_reason = info["bozo_reason"]
    poll_result.entries = entries
    poll_result.feed_format = info["version"]
    if not entries and info["is_bozo"] and info["version"] is None:
        poll_result.status = "parse_error"
        poll_result.error = info["bozo_reason"] or "not a feed"
        return _keep_old_validators(poll_result, source)
    return poll_result


def _keep_old_validators(result: FeedPoll, source: FeedSource) -> FeedPoll:
    """A body we could not parse must not be remembered as seen, or a 304 would hide it for good."""
    result.etag, result.last_modified, result.content_hash = source.etag, source.last_modified, source.content_hash
    return result


def poll_many(client: HttpClient, sources: list[FeedSource], concurrency: int) -> list[FeedPoll]:
    """Poll feeds concurrently (I/O bound; per-host politeness still applies), results in input order."""
    if len(sources) == 1:
        return [poll(client, sources[0])]
    with ThreadPoolExecutor(max_workers=min(concurrency, len(sources))) as pool:
        return list(pool.map(lambda source: poll(client, source), sources))


def _feeds_label(parameters: dict[str, Any]) -> str:
    sources = parameters["sources"]
    return sources[0].name if len(sources) == 1 else f"{sources[0].name}+{len(sources) - 1}"


# NO_CACHE: a poll must reach the network every time, and hashing inputs per task costs time at 500 feeds.
@task(
    name="poll-feeds",
    task_run_name=lambda: "poll-" + _feeds_label(task_run.parameters),
    retries=0,
    cache_policy=NO_CACHE,
)
def poll_feeds(sources: list[FeedSource], fetch_settings: FetchSettings) -> list[FeedPoll]:
    """Poll one feed (the default: ingest.feeds_per_poll_task = 1) or a small group of feeds."""
    logger = get_run_logger()
    with HttpClient(fetch_settings) as client:
        results = poll_many(client, sources, fetch_settings.concurrency)
    for result in results:
        report(
            logger,
            "feed %s: %s%s, %d entries",
            result.name,
            result.status,
            f" ({result.error})" if result.error else "",
            len(result.entries),
        )
    return results
