"""DuckDB storage: migrations, bulk idempotent writes, named queries. The only module that reads sql/."""

from __future__ import annotations

import logging
import os
import random
import re
import shutil
import socket
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from newsflow.processes import process_alive
from newsflow.records import FeedPoll, FeedSource, PageToFetch
from newsflow.settings import SQL_DIR

LOGGER = logging.getLogger(__name__)

MIGRATIONS_DIR = SQL_DIR / "migrations"
QUERIES_DIR = SQL_DIR / "queries"  # named queries for users: newsflow query NAME
STATEMENTS_DIR = SQL_DIR / "statements"  # queries newsflow itself runs
VIEWS_DIR = SQL_DIR / "views"
EXPORTS_DIR = SQL_DIR / "exports"  # what `newsflow export` writes, one file per table
MIGRATION_NAME_RE = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
LOCK_ERROR_MARKERS = ("Could not set lock", "Conflicting lock")
# Tables a run writes, in the order a summary lists them.
DATA_TABLES = ("feeds", "feed_entries", "articles", "article_versions", "entity_mentions", "quotes", "events")


class SchemaOutdatedError(RuntimeError):
    """The database lacks tables or views this version uses (migrations and views not applied yet)."""


class DatabaseBusyError(RuntimeError):
    """Another process held the database file for longer than the configured lock timeout."""


def _is_lock_error(exc: Exception) -> bool:
    return any(marker in str(exc) for marker in LOCK_ERROR_MARKERS)


@contextmanager
def connect(
    db_path: Path | str, read_only: bool = False, lock_timeout_s: float = 60.0
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the file, retrying with jittered back-off while another process holds it; always close it."""
    deadline = time.monotonic() + lock_timeout_s
    delay_s = 0.05
    waited = False
    while True:
        try:
            con = duckdb.connect(str(db_path), read_only=read_only)
            break
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            if read_only and _is_open_differently_here(exc):
                # A task of this process is writing the file (a batch's store beside the next batch's
                # lookups): DuckDB refuses a second, read-only configuration of it but shares the open one.
                read_only = False
                continue
            if not (_is_lock_error(exc) or _is_open_differently_here(exc)) or time.monotonic() + delay_s > deadline:
                if _is_lock_error(exc):
                    raise DatabaseBusyError(
                        f"{db_path} is held by another process (a running ingest?) for more than "
                        f"{lock_timeout_s:.0f} s; try again when it finishes"
                    ) from exc
                raise
            if not waited:
                LOGGER.info("database %s is busy (another writer); waiting", db_path)
                waited = True
            time.sleep(delay_s * (0.5 + random.random()))
            delay_s = min(delay_s * 2, 2.0)
    try:
        yield con
    finally:
        con.close()


def _is_open_differently_here(exc: Exception) -> bool:
    """This process has the file open with another configuration: read-write when opening read-only (share
    it), read-only when opening to write (a lookup beside the store: wait for it to close, like a lock)."""
    return isinstance(exc, duckdb.ConnectionException) and "different configuration" in str(exc)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def migration_files() -> list[tuple[int, str, Path]]:
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = MIGRATION_NAME_RE.match(path.name)
        if not match:
            raise ValueError(f"migration file name must look like NNN_verb_object.sql: {path.name}")
        found.append((int(match.group(1)), path.stem, path))
    return found


def migrate(db_path: Path | str, lock_timeout_s: float = 60.0) -> list[str]:
    """Apply pending migrations, each in its own transaction, then (re)create views. Returns applied names."""
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    applied: list[str] = []
    with connect(db_path, lock_timeout_s=lock_timeout_s) as con:
        con.execute(
            "create table if not exists schema_migrations ("
            " version integer primary key, name varchar not null,"
            " applied_at timestamptz not null default current_timestamp)"
        )
        done = {row[0] for row in con.execute("select version from schema_migrations").fetchall()}
        for version, name, path in migration_files():
            if version in done:
                continue
            with transaction(con):
                con.execute(path.read_text())
                con.execute("insert into schema_migrations (version, name) values (?, ?)", [version, name])
            applied.append(name)
            LOGGER.info("applied migration %s", name)
        with transaction(con):
            for view in sorted(VIEWS_DIR.glob("*.sql")):
                con.execute(view.read_text())
    return applied


def named_query(name: str) -> str:
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no named query {name!r}; `newsflow query --list` shows them")
    return path.read_text()


def list_named_queries() -> list[tuple[str, str, list[str]]]:
    """(name, one-line description, parameter names) of every named query, from each file's header."""
    found = []
    for path in sorted(QUERIES_DIR.glob("*.sql")):
        lines = path.read_text().splitlines()
        description = lines[0].removeprefix("--").strip() if lines and lines[0].startswith("--") else ""
        params = next((line.split(":", 1)[1].split() for line in lines if line.startswith("-- params:")), [])
        found.append((path.stem, description, params))
    return found


def _statement(name: str) -> str:
    return (STATEMENTS_DIR / f"{name}.sql").read_text()


def _batch_day_counts(sign: int) -> str:
    """count_batch_days.sql and count_batch_labels.sql with their sign (-1: the batch's stored versions, +1:
    the new ones)."""
    return "\n".join(
        _statement(name).replace("{sign}", str(int(sign))) for name in ("count_batch_days", "count_batch_labels")
    )


def _arrow(rows: Sequence[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=schema)


def dedupe(rows: Sequence[dict[str, Any]], key: Sequence[str]) -> list[dict[str, Any]]:
    """Keep the last row per key: DuckDB silently keeps the *first* of duplicate keys in one upsert."""
    by_key: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        by_key[tuple(row[k] for k in key)] = row
    return list(by_key.values())


def feed_sources(
    db_path: Path | str,
    feeds: Sequence[tuple[str, str, int]],
    lock_timeout_s: float = 60.0,
    only_due: bool = False,
    run_id: str | None = None,
) -> tuple[list[FeedSource], list[str]]:
    """Register configured feeds (name, url, poll interval) and return (feeds to poll, names skipped).

    A feed's stored URL follows 301s; a changed URL in config is the user's word and wins (validators reset).
    Inactive feeds (410 Gone) are always skipped; with only_due, so are feeds whose next_fetch_at is ahead.
    Feeds already polled by run_id are skipped too: a retried flow run (same id) does not poll them twice.
    """
    table = pa.table(
        {"feed_id": [f[0] for f in feeds], "url": [f[1] for f in feeds], "interval": [f[2] for f in feeds]}
    )
    with connect(db_path, lock_timeout_s=lock_timeout_s) as con, transaction(con):
        con.register("configured", table)
        con.execute(
            "insert into feeds (feed_id, url, config_url, poll_interval_s) "
            "select feed_id, url, url, interval from configured on conflict do nothing"
        )
        con.execute(
            "update feeds set url = c.url, config_url = c.url, etag = null, last_modified = null, "
            "content_hash = null, is_active = true, is_parked = false, consecutive_failures = 0, "
            "next_fetch_at = null, moved_from = null "
            "from configured c where feeds.feed_id = c.feed_id and feeds.config_url is distinct from c.url"
        )
        con.execute("update feeds set poll_interval_s = c.interval from configured c where feeds.feed_id = c.feed_id")
        rows = con.execute(
            "select f.feed_id, f.url, f.etag, f.last_modified, f.content_hash, f.poll_interval_s, "
            "coalesce(f.is_active, true) and (not ? or f.next_fetch_at is null or f.next_fetch_at <= now()) "
            "and f.feed_id not in (select feed_id from fetch_log where kind = 'feed' and run_id = ?) "
            "as is_due from feeds f join configured c using (feed_id) order by f.feed_id",
            [only_due, run_id or ""],
        ).fetchall()
    sources = [
        FeedSource(
            feed_id=r[0],
            name=r[0],
            url=r[1],
            etag=r[2],
            last_modified=r[3],
            content_hash=r[4],
            poll_interval_s=r[5] or 900,
        )
        for r in rows
        if r[6]
    ]
    return sources, [r[0] for r in rows if not r[6]]


FEED_ENTRY_SCHEMA = pa.schema(
    [
        ("feed_id", pa.string()),
        ("entry_key", pa.string()),
        ("guid", pa.string()),
        ("link", pa.string()),
        ("canonical_url", pa.string()),
        ("article_id", pa.string()),
        ("title", pa.string()),
        ("summary", pa.string()),
        ("published_at", pa.timestamp("us", tz="UTC")),
        ("author", pa.string()),
        ("first_seen_at", pa.timestamp("us", tz="UTC")),
        ("updated_at", pa.timestamp("us", tz="UTC")),
    ]
)
ENTRY_COLUMNS = (
    "feed_id, entry_key, guid, link, canonical_url, article_id, title, summary, published_at, author, "
    "first_seen_at, updated_at"
)
FEED_POLL_SCHEMA = pa.schema(
    [
        ("feed_id", pa.string()),
        ("status", pa.string()),
        ("http_status", pa.int32()),
        ("error", pa.string()),
        ("error_class", pa.string()),
        ("etag", pa.string()),
        ("last_modified", pa.string()),
        ("content_hash", pa.string()),
        ("title", pa.string()),
        ("site_url", pa.string()),
        ("is_bozo", pa.bool_()),
        ("bozo_reason", pa.string()),
        ("polled_at", pa.timestamp("us", tz="UTC")),
        ("url", pa.string()),
        ("final_url", pa.string()),
        ("moved_to", pa.string()),
        ("retry_after_s", pa.float64()),
        ("feed_format", pa.string()),
        ("poll_interval_s", pa.int64()),
        ("duration_ms", pa.int64()),
        ("bytes_received", pa.int64()),
        ("attempts", pa.int64()),
    ]
)
SUCCESS_STATUSES = ("ok", "not_modified", "unchanged")
FETCH_LOG_COLUMNS = (
    "fetched_at, kind, feed_id, article_id, url, final_url, status, bytes, duration_ms, attempts, error_class, "
    "error, run_id"
)


def record_polls(
    db_path: Path | str,
    polls: Sequence[FeedPoll],
    lock_timeout_s: float = 60.0,
    run_id: str | None = None,
    max_backoff_s: int = 6 * 3600,
    park_after_failures: int = 8,
    park_interval_s: int = 24 * 3600,
) -> dict[str, int]:
    """Store feed state, the request log and new entries of many polls in one short transaction."""
    now = datetime.now(UTC)
    entry_rows = dedupe(
        [{**asdict(entry), "feed_id": poll.feed_id, "first_seen_at": now} for poll in polls for entry in poll.entries],
        ("feed_id", "entry_key"),
    )
    poll_rows = [{k: v for k, v in poll.to_dict().items() if k in FEED_POLL_SCHEMA.names} for poll in polls]
    for row, poll in zip(poll_rows, polls, strict=True):
        row["http_status"] = poll.http_status
    with connect(db_path, lock_timeout_s=lock_timeout_s) as con, transaction(con):
        before = con.execute("select count(*) from feed_entries").fetchone()
        con.register("polled", _arrow(poll_rows, FEED_POLL_SCHEMA))
        con.register("entries", _arrow(entry_rows, FEED_ENTRY_SCHEMA))
        con.execute(
            f"""
            update feeds set
                last_status = p.status,
                last_http_status = p.http_status,
                last_error = p.error,
                last_polled_at = p.polled_at,
                etag = coalesce(p.etag, feeds.etag),
                last_modified = coalesce(p.last_modified, feeds.last_modified),
                content_hash = coalesce(p.content_hash, feeds.content_hash),
                title = coalesce(p.title, feeds.title),
                site_url = coalesce(p.site_url, feeds.site_url),
                feed_format = coalesce(p.feed_format, feeds.feed_format),
                is_bozo = case when p.status = 'ok' then p.is_bozo else feeds.is_bozo end,
                bozo_reason = case when p.status = 'ok' then p.bozo_reason else feeds.bozo_reason end,
                last_success_at = case when p.status in {SUCCESS_STATUSES} then p.polled_at
                                       else feeds.last_success_at end,
                consecutive_failures = case when p.status in {SUCCESS_STATUSES} then 0
                                            else feeds.consecutive_failures + 1 end,
                is_active = p.status <> 'gone',
                is_parked = p.status not in {SUCCESS_STATUSES}
                            and feeds.consecutive_failures + 1 >= {park_after_failures},
                moved_from = case when p.moved_to is not null then feeds.url else feeds.moved_from end,
                url = coalesce(p.moved_to, feeds.url),
                -- success: the feed's interval (or the server's Retry-After); failure: doubling back-off, capped;
                -- parked: once a day, so a feed that comes back is noticed.
                next_fetch_at = p.polled_at + to_seconds(cast(
                    case
                        when p.status in {SUCCESS_STATUSES}
                            then greatest(p.poll_interval_s, coalesce(p.retry_after_s, 0))
                        when feeds.consecutive_failures + 1 >= {park_after_failures} then {park_interval_s}
                        else greatest(coalesce(p.retry_after_s, 0),
                                      least({max_backoff_s},
                                            p.poll_interval_s * pow(2, feeds.consecutive_failures)))
                    end as double))
            from polled p where feeds.feed_id = p.feed_id
            """
        )
        con.execute(
            f"insert into fetch_log ({FETCH_LOG_COLUMNS}) select polled_at, 'feed', feed_id, null, url, final_url, "
            "http_status, bytes_received, duration_ms, attempts, error_class, error, ? from polled",
            [run_id],
        )
        # An entry seen before keeps its row; a newer <updated> marks its article for a refetch (a revision).
        con.execute(
            f"insert into feed_entries ({ENTRY_COLUMNS}) select {ENTRY_COLUMNS} from entries "
            "on conflict (feed_id, entry_key) do update set updated_at = excluded.updated_at, needs_refetch = true "
            "where excluded.updated_at > coalesce(feed_entries.updated_at, feed_entries.published_at)"
        )
        after = con.execute("select count(*) from feed_entries").fetchone()
    new_entries = (after[0] if after else 0) - (before[0] if before else 0)
    return {"feeds_polled": len(polls), "entries_seen": len(entry_rows), "new_entries": new_entries}


def pending_pages(db_path: Path | str, feed_ids: Sequence[str], lock_timeout_s: float = 60.0) -> list[PageToFetch]:
    with connect(db_path, lock_timeout_s=lock_timeout_s) as con:
        rows = con.execute(_statement("pending_pages"), {"feed_ids": list(feed_ids)}).fetchall()
    return [
        PageToFetch(article_id=r[0], url=r[1], canonical_url=r[2], feed_published_at=r[3], feed_title=r[4])
        for r in rows
    ]


ARTICLE_COLUMNS = (
    "article_id",
    "canonical_url",
    "url",
    "final_url",
    "http_status",
    "title",
    "authors",
    "published_at",
    "published_at_source",
    "language",
    "site_name",
    "description",
    "body_text",
    "content_hash",
    "word_count",
    "extraction_status",
    "error",
    "archive_path",
    "fetched_at",
    "extractor_version",
    "modified_at",
)


MENTION_COLUMNS = (
    "article_id, sentence_index, start_char, end_char, text, normalized, label, pipeline_version, canonical, "
    "entity_id, role, role_org, model_label, known_actor_id, actor_code"
)
EVENT_COLUMNS = (
    "article_id, trigger_char, event_type, cameo_root, trigger, sentence_index, rank_in_sentence, actor, "
    "actor_entity_id, target, target_entity_id, location, date_text, event_date, negated, mode, confidence, "
    "pipeline_version, cameo_code, goldstein, quad_class, trigger_end_char, actor_start_char, actor_end_char, "
    "actor_code, target_start_char, target_end_char, target_code, location_entity_id, location_start_char, "
    "location_end_char, pattern"
)
QUOTE_COLUMNS = (
    "article_id, kind, text, start_char, end_char, sentence_index, cue, cue_char, speaker, speaker_entity_id, "
    "event_trigger_char, pipeline_version, content_spans, cue_end_char, speaker_text, speaker_start_char, "
    "speaker_end_char, speaker_label"
)


# A new version whenever an article's normalized body differs from its latest version (or it has none).
VERSION_INSERT = """
insert into article_versions
select b.article_id, coalesce(latest.version, 0) + 1, b.content_hash, b.title, b.body_text, b.word_count,
       b.fetched_at, b.archive_path, b.extractor_version
from batch as b
left join (
    select article_id, max(version) as version, arg_max(content_hash, version) as content_hash
    from article_versions group by article_id
) as latest using (article_id)
where b.extraction_status = 'ok' and b.content_hash is not null
  and (latest.content_hash is null or latest.content_hash <> b.content_hash)
"""


# Entity pairs of the batch's articles, recomputed from their (new) mentions.
# The day an article counts on in the daily views: its publication day, else the day it was fetched.
ARTICLE_DAY = "coalesce(published_at, fetched_at)::date"

COOCCURRENCE_STATEMENTS = (
    "delete from entity_cooccurrences where article_id in (select article_id from batch)",
    """insert into entity_cooccurrences
       select m1.article_id, m1.entity_id, m2.entity_id,
              count(distinct m1.sentence_index) filter (where m1.sentence_index = m2.sentence_index)
       from entity_mentions as m1
       join entity_mentions as m2 on m1.article_id = m2.article_id and m1.entity_id < m2.entity_id
       where m1.article_id in (select article_id from batch)
       group by all""",
)


DEDUP_STATEMENTS = (
    # LSH bands of this batch's bodies, replacing any earlier ones of the same articles.
    "delete from article_bands where article_id in (select article_id from batch)",
    """insert into article_bands select distinct unnest(band_hashes) as band_hash, article_id from batch
       where extraction_status = 'ok' and len(band_hashes) > 0""",
    # Exact copies: the same normalized body as an article seen earlier.
    """update articles set duplicate_of = f.first_id from (
           select content_hash, min_by(article_id, (first_seen_at, article_id)) as first_id from articles
           where extraction_status = 'ok' and content_hash in (select content_hash from batch) group by 1) f
       where articles.content_hash = f.content_hash and articles.article_id <> f.first_id
         and articles.article_id in (select article_id from batch)""",
    # Story clusters: join an existing cluster that shares a band, else the smallest id among candidates.
    """update articles set story_cluster_id = c.cluster_id from (
           with candidates as (
               select distinct mine.article_id, other.article_id as other_id
               from article_bands as mine join article_bands as other using (band_hash)
               where mine.article_id in (select article_id from batch) and other.article_id <> mine.article_id
           )
           select b.article_id,
                  coalesce(min(a.story_cluster_id), least(b.article_id, min(c.other_id))) as cluster_id
           from batch as b
           left join candidates as c using (article_id)
           left join articles as a on a.article_id = c.other_id and a.story_cluster_id is not null
           where b.extraction_status = 'ok'
           group by b.article_id) c
       where articles.article_id = c.article_id""",
)


def copies_of_tagged_articles(
    db_path: Path | str, articles_path: Path, lock_timeout_s: float = 60.0
) -> list[dict[str, str]]:
    """Articles in the batch whose exact body was already tagged: [{article_id, source_article_id}]."""
    with connect(db_path, read_only=True, lock_timeout_s=lock_timeout_s) as con:
        rows = con.execute(
            # A source must not be in the batch itself: two stored copies re-stored in one batch (an
            # overlapping run stored them first) would each copy the other's rows, both deleted by then.
            """select b.article_id, min(a.article_id) from read_parquet($batch) b
               join articles a on a.content_hash = b.content_hash and a.article_id <> b.article_id
               where b.extraction_status = 'ok' and a.pipeline_version is not null
                 and a.article_id not in (select article_id from read_parquet($batch))
               group by 1""",
            {"batch": str(articles_path)},
        ).fetchall()
    return [{"article_id": r[0], "source_article_id": r[1]} for r in rows]


@dataclass(frozen=True)
class ReprocessSelection:
    """What a reprocess request selected: article ids to redo, and why the others are left alone."""

    article_ids: list[str]
    up_to_date: int
    not_eligible: int
    raw_page_missing: list[str]


def reprocess_candidates(
    db_path: Path | str,
    stage: str,
    extractor_version: str,
    pipeline_version: str,
    since: date | None = None,
    until: date | None = None,
    feed_ids: Sequence[str] = (),
    article_ids: Sequence[str] = (),
    force: bool = False,
    lock_timeout_s: float = 60.0,
) -> ReprocessSelection:
    """Select stored articles to reprocess; raise ValueError naming any unknown feed or article id."""
    if stage not in ("extract", "nlp", "all"):
        raise ValueError(f"stages must be one of extract, nlp, all (got {stage!r})")
    if since and until and since > until:
        raise ValueError(f"since ({since}) is after until ({until})")
    with connect(db_path, read_only=True, lock_timeout_s=lock_timeout_s) as con:
        known_feeds = {r[0] for r in con.execute("select feed_id from feeds").fetchall()}
        unknown_feeds = sorted(set(feed_ids) - known_feeds)
        if unknown_feeds:
            raise ValueError(f"unknown feed(s): {', '.join(unknown_feeds)}; known: {', '.join(sorted(known_feeds))}")
        if article_ids:
            found = {
                r[0]
                for r in con.execute(
                    "select article_id from articles where list_contains(?, article_id)", [list(article_ids)]
                ).fetchall()
            }
            missing = sorted(set(article_ids) - found)
            if missing:
                raise ValueError(f"unknown article id(s): {', '.join(missing[:10])}")
        rows = con.execute(
            _statement("reprocess_candidates"),
            {
                "since": since,
                "until": until,
                "feed_ids": list(feed_ids),
                "article_ids": list(article_ids),
                "stage": stage,
                "extractor_version": extractor_version,
                "pipeline_version": pipeline_version,
            },
        ).fetchall()
    selected, missing_raw = [], []
    up_to_date = not_eligible = 0
    for article_id, archive_path, is_eligible, is_stale in rows:
        if not is_eligible:
            not_eligible += 1
        elif not (is_stale or force):
            up_to_date += 1
        elif stage != "nlp" and not Path(archive_path).exists():
            missing_raw.append(article_id)  # raw page retention removed it: nothing to re-extract from
        else:
            selected.append(article_id)
    return ReprocessSelection(selected, up_to_date, not_eligible, missing_raw)


def write_stored_pages(
    db_path: Path | str, article_ids: Sequence[str], out_path: Path, lock_timeout_s: float = 60.0
) -> Path:
    """A page manifest (as fetching writes one) of stored articles' raw pages, for re-extraction."""
    return _copy_to_parquet(
        db_path,
        """select a.article_id, a.url, a.canonical_url, a.final_url, a.http_status, 'ok' as fetch_status,
                  null::varchar as error, null::varchar as error_class, 0 as attempts, a.archive_path,
                  null::varchar as content_type, null::varchar as content_language, a.fetched_at,
                  null::integer as duration_ms, null::bigint as bytes,
                  (select min(e.published_at) from feed_entries e where e.article_id = a.article_id)
                      as feed_published_at,
                  (select min(e.title) from feed_entries e where e.article_id = a.article_id) as feed_title
           from articles a where list_contains($ids, a.article_id) order by a.article_id""",
        article_ids,
        out_path,
        lock_timeout_s,
    )


def write_stored_articles(
    db_path: Path | str, article_ids: Sequence[str], out_path: Path, lock_timeout_s: float = 60.0
) -> Path:
    """Stored articles' bodies, as extraction writes them, for re-running NLP alone."""
    return _copy_to_parquet(
        db_path,
        """select article_id, extraction_status, content_hash, body_text, published_at
           from articles where list_contains($ids, article_id) order by article_id""",
        article_ids,
        out_path,
        lock_timeout_s,
    )


def write_unchanged_bodies(
    db_path: Path | str, articles_path: Path, out_path: Path, lock_timeout_s: float = 60.0
) -> Path:
    """Articles of a re-extracted batch whose body is the stored one and already tagged: NLP can stay."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with connect(db_path, read_only=True, lock_timeout_s=lock_timeout_s) as con:
        con.execute(
            f"""copy (select b.article_id from read_parquet('{_sql_path(articles_path)}') b
                      join articles a using (article_id)
                      where b.content_hash = a.content_hash and a.pipeline_version is not null)
                to '{_sql_path(out_path)}' (format parquet)"""
        )
    return out_path


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _copy_to_parquet(
    db_path: Path | str, select: str, article_ids: Sequence[str], out_path: Path, lock_timeout_s: float
) -> Path:
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with connect(db_path, read_only=True, lock_timeout_s=lock_timeout_s) as con:
        con.execute(f"copy ({select}) to '{_sql_path(out_path)}' (format parquet)", {"ids": list(article_ids)})
    return out_path


def store_articles(
    db_path: Path | str,
    articles_path: Path,
    mentions_path: Path | None,
    lock_timeout_s: float = 60.0,
    manifest_path: Path | None = None,
    run_id: str | None = None,
    copies_path: Path | None = None,
    nlp_only: bool = False,
    keep_nlp_path: Path | None = None,
) -> dict[str, int]:
    """Upsert a batch of articles and replace their NLP rows in one transaction (no partial batch).

    nlp_only: the batch's article rows are already stored (reprocessing NLP): only entity mentions, quotes,
    events and pipeline_version are replaced. keep_nlp_path: articles (article_id column) whose NLP rows
    stay as they are, because their body did not change.
    """
    cols = ", ".join(ARTICLE_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in ARTICLE_COLUMNS if c != "article_id")
    with connect(db_path, lock_timeout_s=lock_timeout_s) as con:
        # Read and de-duplicate the files into temp tables before taking the write transaction: keep it short.
        _stage(con, "batch", articles_path, "article_id")
        if keep_nlp_path is None or not _stage(con, "keep_nlp", keep_nlp_path, "article_id"):
            con.execute("create temp table keep_nlp (article_id varchar)")
        # The articles whose NLP rows this batch replaces.
        retagged = (
            "(select article_id from batch where extraction_status = 'ok' "
            "and article_id not in (select article_id from keep_nlp))"
        )
        has_quotes = has_events = has_candidates = False
        if mentions_path is not None:
            _stage(con, "mentions", mentions_path, "article_id, start_char, end_char, label")
            # Every tagged article, mentions or not (older batch files lack the list: fall back to mentions).
            if not _stage(con, "tagged", mentions_path.with_name("tagged.parquet"), "article_id"):
                con.execute("create temp table tagged as select distinct article_id, pipeline_version from mentions")
            has_quotes = _stage(
                con, "quotes_batch", mentions_path.with_name("quotes.parquet"), "article_id, kind, start_char"
            )
            has_events = _stage(
                con, "events_batch", mentions_path.with_name("events.parquet"), "article_id, trigger_char"
            )
            has_candidates = _stage(
                con, "candidates_batch", mentions_path.with_name("event_candidates.parquet"), "article_id, trigger_char"
            )
        with transaction(con):
            before = con.execute("select count(*) from articles where extraction_status = 'ok'").fetchone()
            # What the stored versions of these articles add to the daily counts (a new version may move its day).
            con.execute(_batch_day_counts(sign=-1))
            if not nlp_only:
                con.execute(
                    f"insert into articles ({cols}) select {cols} from batch "
                    f"on conflict (article_id) do update set {updates}, updated_at = now()"
                )
            mentions_added = 0
            if mentions_path is not None:
                con.execute(f"delete from entity_mentions where article_id in {retagged}")
                con.execute(f"insert into entity_mentions ({MENTION_COLUMNS}) select {MENTION_COLUMNS} from mentions")
                tagged_columns = {row[0] for row in con.execute("describe tagged").fetchall()}
                status = (
                    "any_value(nlp_status) as nlp_status, any_value(nlp_language) as nlp_language"
                    if "nlp_status" in tagged_columns  # batch files of older versions have no status
                    else "'tagged' as nlp_status, null as nlp_language"
                )
                con.execute(
                    "update articles set pipeline_version = v.pipeline_version, nlp_status = v.nlp_status, "
                    "nlp_language = v.nlp_language from "
                    f"(select article_id, any_value(pipeline_version) as pipeline_version, {status} "
                    "from tagged group by 1) v where articles.article_id = v.article_id"
                )
                mentions_added = _count(con, "mentions")
                con.execute(
                    "insert into entities (entity_id, canonical_name, label) select entity_id, "
                    "any_value(canonical), any_value(label) from mentions where entity_id is not null group by 1 "
                    "on conflict do nothing"
                )
                con.execute(
                    "insert into entity_aliases (alias, entity_id) select distinct normalized, entity_id "
                    "from mentions where entity_id is not null on conflict do nothing"
                )
                con.execute(f"delete from quotes where article_id in {retagged}")
                if has_quotes:
                    con.execute(f"insert into quotes ({QUOTE_COLUMNS}) select {QUOTE_COLUMNS} from quotes_batch")
                con.execute(f"delete from events where article_id in {retagged}")
                if has_events:
                    con.execute(f"insert into events ({EVENT_COLUMNS}) select {EVENT_COLUMNS} from events_batch")
                con.execute(f"delete from event_candidates where article_id in {retagged}")
                if has_candidates:
                    con.execute(
                        f"insert into event_candidates ({EVENT_COLUMNS}) select {EVENT_COLUMNS} from candidates_batch"
                    )
            if not nlp_only:
                _store_article_derivatives(con, copies_path, manifest_path, run_id)
            if mentions_path is not None:
                for statement in COOCCURRENCE_STATEMENTS:
                    con.execute(statement)
            con.execute(_batch_day_counts(sign=+1))
            con.execute(_statement("apply_batch_days"))
            con.execute(_statement("apply_batch_labels"))
            after = con.execute("select count(*) from articles where extraction_status = 'ok'").fetchone()
        statuses = dict(con.execute("select extraction_status, count(*) from batch group by 1").fetchall())
        written = _count(con, "batch")
    return {
        "articles_written": written,
        "articles_stored_ok": (after[0] if after else 0) - (before[0] if before else 0),
        "mentions_written": mentions_added,
        **{f"status_{k}": v for k, v in statuses.items()},
    }


def _store_article_derivatives(
    con: duckdb.DuckDBPyConnection, copies_path: Path | None, manifest_path: Path | None, run_id: str | None
) -> None:
    """Inside store_articles' transaction: versions, copies' NLP rows, dedup clusters, dates, the fetch log."""
    con.execute(VERSION_INSERT)
    if copies_path is not None:
        # Exact copies of articles tagged before: their mentions are copied, not recomputed.
        copied_mentions = ", ".join(f"m.{c.strip()}" for c in MENTION_COLUMNS.split(",")[1:])
        con.execute(
            f"insert into entity_mentions ({MENTION_COLUMNS}) select c.article_id, {copied_mentions} "
            "from read_parquet(?) c join entity_mentions m on m.article_id = c.source_article_id "
            "where c.article_id in (select article_id from batch) "
            "on conflict do nothing",
            [str(copies_path)],
        )
        copied_events = ", ".join(f"v.{c.strip()}" for c in EVENT_COLUMNS.split(",")[1:])
        con.execute(
            f"insert into events ({EVENT_COLUMNS}) select c.article_id, {copied_events} "
            "from read_parquet(?) c join events v on v.article_id = c.source_article_id "
            "where c.article_id in (select article_id from batch) on conflict do nothing",
            [str(copies_path)],
        )
        con.execute(
            f"insert into event_candidates ({EVENT_COLUMNS}) select c.article_id, {copied_events} "
            "from read_parquet(?) c join event_candidates v on v.article_id = c.source_article_id "
            "where c.article_id in (select article_id from batch) on conflict do nothing",
            [str(copies_path)],
        )
        copied_quotes = ", ".join(f"q.{c.strip()}" for c in QUOTE_COLUMNS.split(",")[1:])
        con.execute(
            f"insert into quotes ({QUOTE_COLUMNS}) select c.article_id, {copied_quotes} "
            "from read_parquet(?) c join quotes q on q.article_id = c.source_article_id "
            "where c.article_id in (select article_id from batch) on conflict do nothing",
            [str(copies_path)],
        )
        con.execute(
            "update articles set pipeline_version = s.pipeline_version, nlp_status = s.nlp_status, "
            "nlp_language = s.nlp_language from read_parquet(?) c "
            "join articles s on s.article_id = c.source_article_id "
            "where articles.article_id = c.article_id "
            "and articles.article_id in (select article_id from batch)",
            [str(copies_path)],
        )
    for statement in DEDUP_STATEMENTS:
        con.execute(statement)
    # Every date candidate is kept with its source; the chosen ones are articles.published_at/modified_at.
    con.execute("delete from article_dates where article_id in (select article_id from batch)")
    con.execute(
        "insert into article_dates select article_id, c.source, c.kind, any_value(c.value) from "
        "(select article_id, unnest(date_candidates) as c from batch) group by all"
    )
    con.execute(
        "update articles set current_version = v.version from (select article_id, max(version) as version "
        "from article_versions where article_id in (select article_id from batch) group by 1) v "
        "where articles.article_id = v.article_id"
    )
    con.execute(
        "update feed_entries set needs_refetch = false where needs_refetch "
        "and article_id in (select article_id from batch where extraction_status not in "
        "('fetch_error'))"
    )
    if manifest_path is not None:
        con.execute(
            f"insert into fetch_log ({FETCH_LOG_COLUMNS}) select fetched_at, 'page', null, article_id, url, "
            "final_url, http_status, bytes, duration_ms, attempts, error_class, error, ? "
            "from read_parquet(?)",
            [run_id, str(manifest_path)],
        )


def _stage(con: duckdb.DuckDBPyConnection, table: str, path: Path, key: str) -> bool:
    """Load a batch file into a temp table, one row per key (DuckDB keeps the first of duplicate keys
    silently in one upsert). False when the file does not exist."""
    if not path.exists():
        return False
    con.execute(
        f"create temp table {table} as select * from read_parquet(?) "
        f"qualify row_number() over (partition by {key}) = 1",
        [str(path)],
    )
    return True


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Load DuckDB's full-text-search extension from the pinned wheel (extensions can't be downloaded here)."""
    try:
        con.execute("load fts")
        return
    except duckdb.Error:
        pass
    import duckdb_extension_fts  # the PyPI wheel ships the extension binary for this DuckDB version

    package_dir = Path(duckdb_extension_fts.__file__).parent
    extension = next(package_dir.glob(f"extensions/v{duckdb.__version__}/*.duckdb_extension"), None)
    if extension is None:
        raise RuntimeError(f"duckdb-extension-fts has no build for duckdb {duckdb.__version__}")
    con.execute(f"load '{extension}'")


def refresh_search_index(db_path: Path | str, lock_timeout_s: float = 60.0) -> None:
    """Rebuild the BM25 index over article titles and bodies (DuckDB FTS indexes are not incremental)."""
    with connect(db_path, lock_timeout_s=lock_timeout_s) as con:
        load_fts(con)
        con.execute("pragma create_fts_index('articles', 'article_id', 'title', 'body_text', overwrite=1)")


def search_articles(
    db_path: Path | str, text: str, since: str | None = None, limit: int = 10, lock_timeout_s: float = 60.0
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Articles ranked by BM25 over title and body; since (YYYY-MM-DD) filters on the publication day."""
    with connect(db_path, read_only=True, lock_timeout_s=lock_timeout_s) as con:
        load_fts(con)
        exists = con.execute("select count(*) from duckdb_schemas() where schema_name = 'fts_main_articles'").fetchone()
        if not exists or not exists[0]:
            raise RuntimeError("no search index yet: run `newsflow run` (it builds the index after each ingest)")
        cursor = con.execute(
            """select round(score, 3) as score, published_at::date as day, title, canonical_url
               from (select *, fts_main_articles.match_bm25(article_id, $text) as score from articles)
               where score is not null and extraction_status = 'ok'
                 and coalesce(published_at::date, date '9999-12-31') >= coalesce(try_cast($since as date),
                                                                                 date '1900-01-01')
               order by score desc limit $limit""",
            {"text": text, "since": since, "limit": limit},
        )
        columns = [d[0] for d in cursor.description or []]
        return columns, cursor.fetchall()


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f'select count(*) from "{table}"').fetchone()
    return int(row[0]) if row else 0


def start_run(
    db_path: Path | str, run_id: str, flow_run_id: str | None, flow_name: str, lock_timeout_s: float = 60.0
) -> int:
    """Record a run as running in this process; first mark this host's runs whose process is gone (killed
    before it could finish) as interrupted. Returns how many were."""
    host, pid = socket.gethostname(), os.getpid()
    with connect(db_path, lock_timeout_s=lock_timeout_s) as con, transaction(con):
        running = con.execute(
            "select run_id, pid from runs where status = 'running' and host = ? and pid is not null", [host]
        ).fetchall()
        gone = [stale_id for stale_id, stale_pid in running if stale_id != run_id and not process_alive(stale_pid)]
        if gone:
            con.execute(
                "update runs set status = 'interrupted', finished_at = ?, stats = json_object('error', "
                "'its process ended before the run finished (killed?); a rerun completes the work') "
                "where run_id in (select unnest(?))",
                [datetime.now(UTC), gone],
            )
        con.execute(
            "insert into runs (run_id, flow_run_id, flow_name, started_at, status, host, pid) "
            "values (?, ?, ?, ?, 'running', ?, ?) "
            "on conflict (run_id) do update set status = 'running', finished_at = null, host = ?, pid = ?",
            [run_id, flow_run_id, flow_name, datetime.now(UTC), host, pid, host, pid],
        )
    return len(gone)


def finish_run(
    db_path: Path | str, run_id: str, status: str, stats: dict[str, Any], lock_timeout_s: float = 60.0
) -> None:
    import json

    with connect(db_path, lock_timeout_s=lock_timeout_s) as con:
        con.execute(
            "update runs set finished_at = ?, status = ?, stats = ? where run_id = ?",
            [datetime.now(UTC), status, json.dumps(stats, default=str), run_id],
        )


def rebuild_derived_tables(db_path: Path | str, lock_timeout_s: float = 60.0) -> dict[str, int]:
    """Recompute the tables derived from others (entity pairs, daily entity and pair counts with their
    baselines, entity label counts) for every article, in one transaction."""
    with connect(db_path, lock_timeout_s=lock_timeout_s) as con, transaction(con):
        con.execute("create temp table batch as select article_id from articles")
        for statement in COOCCURRENCE_STATEMENTS:
            con.execute(statement)
        con.execute("delete from entity_day_counts")
        con.execute("delete from entity_pair_day_counts")
        con.execute(f"create temp table touched_days as select distinct {ARTICLE_DAY} as day from articles")
        con.execute(_statement("refresh_days"))
        con.execute(_statement("refresh_entity_labels"))
        return {
            table: _count(con, table)
            for table in ("entity_cooccurrences", "entity_day_counts", "entity_pair_day_counts", "entity_label_counts")
        }


def checkpoint(db_path: Path | str, lock_timeout_s: float = 60.0) -> int:
    """Fold the write-ahead log into the database file; returns the file size after."""
    with connect(db_path, lock_timeout_s=lock_timeout_s) as con:
        con.execute("checkpoint")
    return Path(db_path).stat().st_size


def export_tables(
    db_path: Path | str,
    out_dir: Path,
    fmt: str = "parquet",
    since: date | None = None,
    lock_timeout_s: float = 60.0,
) -> dict[str, int]:
    """Write each export in sql/exports/ to out_dir/<table>/day=YYYY-MM-DD/*.<fmt> (Hive partitions by day).

    Existing files of the same days are replaced; returns rows written per table.
    """
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"export format must be parquet or csv (got {fmt!r})")
    written: dict[str, int] = {}
    with connect(db_path, read_only=True, lock_timeout_s=lock_timeout_s) as con:
        for path in sorted(EXPORTS_DIR.glob("*.sql")):
            select = f"select * from ({path.read_text().strip().rstrip(';')}) where day is not null"
            if since is not None:
                select += f" and day >= date '{since.isoformat()}'"
            target = out_dir / path.stem
            if since is None:  # a full export replaces the table's whole directory
                shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True, exist_ok=True)
            row = con.execute(f"select count(*) from ({select})").fetchone()
            written[path.stem] = int(row[0]) if row else 0
            con.execute(
                f"copy ({select}) to '{_sql_path(target)}' "
                f"(format {fmt}, partition_by (day), overwrite_or_ignore, filename_pattern 'part_{{i}}')"
            )
    return written


def report_data(db_path: Path | str, days: int, lock_timeout_s: float = 60.0) -> dict[str, Any]:
    """What `newsflow report` shows: the window (days up to the last day stored) and one result per section."""
    with connect(db_path, read_only=True, lock_timeout_s=lock_timeout_s) as con:
        missing = {"trending_entities", "event_timeline", "conflict_cooperation_daily", "feed_health"} - {
            r[0] for r in con.execute("select view_name from duckdb_views()").fetchall()
        }
        if missing:
            raise SchemaOutdatedError(f"{db_path} has no view(s) {', '.join(sorted(missing))}")
        window = con.execute(_statement("report_window")).fetchone()
        until = window[0] if window and window[0] else datetime.now(UTC).date()
        since = until - timedelta(days=days - 1)
        sections: dict[str, Any] = {"since": since, "until": until, "articles": window[1] if window else 0}
        for name, params in (
            ("trending", {"until": until}),
            ("event_timeline", {"since": since, "until": until}),
            ("conflict_cooperation", {"since": since, "until": until}),
            ("quoted", {"since": since, "until": until}),
            ("feed_health", {}),
        ):
            cursor = (
                con.execute(_statement(f"report_{name}"), params)
                if params
                else con.execute(_statement(f"report_{name}"))
            )
            columns = [d[0] for d in cursor.description or []]
            sections[name] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return sections


def table_counts(
    db_path: Path | str, tables: Sequence[str] = DATA_TABLES, lock_timeout_s: float = 60.0
) -> dict[str, int]:
    with connect(db_path, read_only=True, lock_timeout_s=lock_timeout_s) as con:
        counts = {}
        for table in tables:
            row = con.execute(f'select count(*) from "{table}"').fetchone()
            counts[table] = row[0] if row else 0
    return counts


def run_sql(
    db_path: Path | str,
    sql: str,
    params: dict[str, Any] | None = None,
    read_only: bool = True,
    lock_timeout_s: float = 60.0,
    max_rows: int | None = None,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one statement; returns (column names, rows), at most max_rows + 1 of them when max_rows is set
    (the extra row tells the caller there are more). Read-only by default so it never blocks a writer long."""
    with connect(db_path, read_only=read_only, lock_timeout_s=lock_timeout_s) as con:
        cursor = con.execute(sql, params) if params else con.execute(sql)
        if cursor.description is None:
            return [], []
        columns = [d[0] for d in cursor.description]
        return columns, cursor.fetchall() if max_rows is None else cursor.fetchmany(max_rows + 1)
