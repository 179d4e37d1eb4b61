"""Records passed between steps: small, typed, serialisable (no live clients or connections)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class FeedSource:
    """A configured feed with the state needed for a conditional GET."""

    feed_id: str
    name: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    poll_interval_s: int = 900


@dataclass
class FeedEntry:
    entry_key: str
    guid: str | None
    link: str | None
    canonical_url: str | None
    article_id: str | None
    title: str | None
    summary: str | None
    published_at: datetime | None
    author: str | None
    updated_at: datetime | None = None


@dataclass
class FeedPoll:
    """What one poll of one feed produced; entries only when the feed changed."""

    feed_id: str
    name: str
    url: str
    final_url: str | None
    status: str  # ok | not_modified | unchanged | gone | http_error | fetch_error | parse_error
    http_status: int | None
    error: str | None
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    title: str | None
    site_url: str | None
    is_bozo: bool
    bozo_reason: str | None
    polled_at: datetime
    duration_ms: int
    bytes_received: int
    entries: list[FeedEntry] = field(default_factory=list)
    attempts: int = 1
    error_class: str | None = None
    moved_to: str | None = None  # new URL after a permanent redirect
    retry_after_s: float | None = None
    feed_format: str | None = None
    poll_interval_s: int = 900

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PageToFetch:
    article_id: str
    url: str
    canonical_url: str
    feed_published_at: datetime | None = None
    feed_title: str | None = None
