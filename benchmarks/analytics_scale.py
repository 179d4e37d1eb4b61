"""Every shipped view and named query against a synthetic database of over a million entity mentions.

The database is built by newsflow's own migrations, then filled with generated rows shaped like a busy
deployment: 50,000 articles over 120 days from 24 feeds, 20,000 entities with a skewed (Zipf-like)
popularity, ~24 mentions per article, quotes, events, a fetch log of every poll, story clusters, and the
derived entity pairs. Each view is read whole (`select * from view`, fetched as Arrow), computed whole
inside DuckDB without the transfer to Python (EXPLAIN ANALYZE), and read as `newsflow sql` reads it (the
first 1,000 rows); each named query is run with typical parameters. Median of 3 warm runs, against the
300 ms target.

Usage: uv run python -m benchmarks.analytics_scale [--articles 50000] [--keep PATH [--reuse]]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from tasks import storage

PLOVER = [
    "AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "REQUEST", "DEMAND", "DISAPPROVE", "REJECT", "THREATEN",
    "PROTEST", "MOBILIZE", "SANCTION", "COERCE", "ASSAULT", "ACCUSE", "RETREAT", "CONCEDE",
]  # fmt: skip
QUERY_PARAMS = {
    "who_met_whom": {"since": "2026-08-01"},
    "what_did_they_say": {"speaker": "entity 7"},
    "top_entities": {"label": "person"},
    "named_together": {"name": "Entity 3"},
    "trending_now": {"limit": "20"},
}


def fill(db: Path, articles: int) -> dict[str, int]:
    storage.migrate(db)
    entities = 20_000
    with duckdb.connect(str(db)) as con:
        con.execute("set preserve_insertion_order = false")
        con.execute(f"""
            insert into feeds (feed_id, url, config_url, poll_interval_s, last_status, is_active)
            select 'feed-' || i, 'https://news' || i || '.example/rss', 'https://news' || i || '.example/rss', 900,
                   case when i % 7 = 0 then 'http_error' else 'ok' end, true
            from range(24) t(i);
            insert into entities (entity_id, canonical_name, label)
            select 'e' || i, 'Entity ' || i, (['PERSON', 'ORG', 'GPE', 'NORP'])[(1 + i % 4)::integer]
            from range({entities}) t(i);
            insert into articles (article_id, canonical_url, url, title, published_at, extraction_status, body_text,
                                  word_count, content_hash, fetched_at, story_cluster_id, pipeline_version,
                                  first_seen_at)
            select printf('%016x', i), 'https://news.example/a/' || i, 'https://news.example/a/' || i,
                   'Story number ' || i,
                   timestamptz '2026-07-28 00:00:00+00' + to_seconds(i * (120 * 86400 // {articles})),
                   case when i % 50 = 0 then 'http_error' else 'ok' end,
                   'Body of story ' || i || ' about talks, strikes and agreements.', 600, md5(i::varchar),
                   timestamptz '2026-07-28 00:00:00+00' + to_seconds(i * (120 * 86400 // {articles})),
                   printf('%016x', i - i % 3), 'v', now()
            from range({articles}) t(i);
            insert into feed_entries (feed_id, entry_key, link, canonical_url, article_id, title, published_at,
                                      first_seen_at)
            select 'feed-' || (i % 24), 'k' || i, canonical_url, canonical_url, article_id, title, published_at,
                   published_at
            from (select row_number() over () - 1 as i, * from articles);
            insert into entity_mentions (article_id, sentence_index, start_char, end_char, text, normalized, label,
                                         pipeline_version, canonical, entity_id)
            select p.article_id, p.m % 20, p.m * 40, p.m * 40 + 12, e.canonical_name, e.canonical_name, e.label,
                   'v', e.canonical_name, e.entity_id
            from (
                -- skewed popularity: a cubed uniform draw per mention puts most mentions on a few entities
                select a.article_id, t.m,
                       'e' || floor(pow(hash(a.article_id, t.m) / 18446744073709551616.0, 3) * {entities})::integer
                           as entity_id
                from articles a, range(24) t(m)
            ) p
            join entities e using (entity_id);
            insert into quotes (article_id, kind, text, start_char, end_char, sentence_index, cue, speaker,
                                speaker_entity_id, pipeline_version)
            select article_id, case when q = 0 then 'direct' else 'reported' end,
                   'Quote ' || q || ' said in ' || article_id, 1000 + q * 100, 1050 + q * 100, q, 'say',
                   'Entity ' || (hash(article_id || q) % 2000), 'e' || (hash(article_id || q) % 2000), 'v'
            from articles, range(3) t(q) where extraction_status = 'ok';
            insert into events (article_id, trigger_char, event_type, trigger, sentence_index, rank_in_sentence,
                                actor, actor_entity_id, target, target_entity_id, location, event_date, mode,
                                confidence, pipeline_version)
            select article_id, 2000 + v * 10, {PLOVER}[(1 + hash(article_id || v) % 18)::integer], 'met', v, 0,
                   'Entity ' || (hash(article_id || 'a' || v) % 3000), 'e' || (hash(article_id || 'a' || v) % 3000),
                   'Entity ' || (hash(article_id || 't' || v) % 3000), 'e' || (hash(article_id || 't' || v) % 3000),
                   'Place ' || (hash(article_id) % 200), published_at::date,
                   case when v = 3 then 'hypothetical' else 'asserted' end, 0.8, 'v'
            from articles, range(4) t(v) where extraction_status = 'ok';
            insert into fetch_log (fetched_at, kind, feed_id, url, status, bytes, duration_ms, attempts, error_class)
            select timestamptz '2026-07-28 00:00:00+00' + to_minutes(p * 15), 'feed', 'feed-' || f,
                   'https://news' || f || '.example/rss', case when f % 7 = 0 and p % 3 = 0 then 503 else 200 end,
                   50000, 120 + hash(p, f) % 200, 1, null
            from range(24) t(f), range(120 * 96) u(p);
        """)
    storage.rebuild_derived_tables(db)
    with duckdb.connect(str(db), read_only=True) as con:
        tables = ["articles", "entity_mentions", "entity_cooccurrences", "quotes", "events", "fetch_log"]
        return {t: int(con.execute(f"select count(*) from {t}").fetchone()[0]) for t in tables}  # type: ignore[index]


def timed(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, str] | None = None) -> tuple[float, int]:
    """Median ms of reading the whole result into Python (Arrow), and its row count."""
    runs, rows = [], 0
    for _ in range(4):
        started = time.perf_counter()
        result = con.execute(sql, params).to_arrow_table() if params else con.execute(sql).to_arrow_table()
        runs.append(time.perf_counter() - started)
        rows = result.num_rows
    return statistics.median(runs[1:]) * 1000, rows  # the first run warms the caches


def timed_engine(con: duckdb.DuckDBPyConnection, sql: str) -> float:
    """Median ms for DuckDB to compute every row of the result without handing it to Python (EXPLAIN ANALYZE
    runs the whole plan and discards its output): the query's own cost, apart from the transfer."""
    runs = []
    for _ in range(4):
        started = time.perf_counter()
        con.execute(f"explain analyze {sql}").fetchall()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs[1:]) * 1000


def timed_first_screen(con: duckdb.DuckDBPyConnection, sql: str, rows: int = 1000) -> float:
    """Median ms until the first `rows` rows are in Python: what `newsflow sql` needs for its table."""
    runs = []
    for _ in range(4):
        started = time.perf_counter()
        con.execute(sql).fetchmany(rows + 1)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs[1:]) * 1000


# How the large per-day views are used: a window of recent days (whole reads are data transfers, below).
RECENT_DAYS = 7
PER_DAY_VIEWS = {"entity_daily_mentions", "trending_entities", "entity_cooccurrence", "event_timeline"}


def refresh_cost(db: Path) -> tuple[float, float]:
    """Milliseconds a stored batch of 50 articles spends on the daily tables (counting what its articles add
    and applying it, as store_articles does), and recounting one whole day the way maintenance rebuilds."""
    batch_runs, day_runs = [], []
    with storage.connect(db) as con:
        for _ in range(3):
            con.execute("begin transaction")
            con.execute("create or replace temp table batch as select article_id from articles order by all limit 50")
            started = time.perf_counter()
            con.execute(storage._batch_day_counts(sign=+1))
            con.execute((storage.STATEMENTS_DIR / "apply_batch_days.sql").read_text())
            batch_runs.append(time.perf_counter() - started)
            con.execute("rollback")
            con.execute("begin transaction")
            con.execute("create or replace temp table touched_days as select max(day) as day from entity_day_counts")
            started = time.perf_counter()
            con.execute((storage.STATEMENTS_DIR / "refresh_days.sql").read_text())
            day_runs.append(time.perf_counter() - started)
            con.execute("rollback")
    return statistics.median(batch_runs) * 1000, statistics.median(day_runs) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--keep", type=Path, help="Build the database here and keep it.")
    parser.add_argument("--reuse", action="store_true", help="Use the database at --keep as it is.")
    args = parser.parse_args()
    db = args.keep or Path(tempfile.mkdtemp(prefix="newsflow-scale-")) / "scale.duckdb"
    if not (args.reuse and db.exists()):
        db.unlink(missing_ok=True)
        started = time.perf_counter()
        counts = fill(db, args.articles)
        elapsed = time.perf_counter() - started
        print(f"built {db} in {elapsed:.0f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    batch_ms, day_ms = refresh_cost(db)
    print(
        f"daily tables: a stored batch of 50 articles adds {batch_ms:.0f} ms; recounting one whole day {day_ms:.0f} ms"
    )
    print(
        f"\n| view / named query | rows | whole read ms | engine ms | first 1,000 rows ms "
        f"| last {RECENT_DAYS} days: rows | ms | under 300 ms |\n|---|---:|---:|---:|---:|---:|---:|---|"
    )
    recent = f"where day > (select max(day) from entity_day_counts) - {RECENT_DAYS}"
    with storage.connect(db, read_only=True) as con:
        for path in sorted(storage.VIEWS_DIR.glob("*.sql")):
            sql = f"select * from {path.stem}"
            ms, rows = timed(con, sql)
            engine_ms, first_ms = timed_engine(con, sql), timed_first_screen(con, sql)
            line = f"| view {path.stem} | {rows:,} | {ms:.0f} | {engine_ms:.0f} | {first_ms:.0f} | "
            if path.stem in PER_DAY_VIEWS:
                recent_ms, recent_rows = timed(con, f"{sql} {recent}")
                print(f"{line}{recent_rows:,} | {recent_ms:.0f} | {verdict(ms, engine_ms, recent_ms)} |")
            else:
                print(f"{line} | | {verdict(ms, engine_ms)} |")
        for name, _, params in storage.list_named_queries():
            values = {p: QUERY_PARAMS.get(name, {}).get(p) for p in params}
            ms, rows = timed(con, storage.named_query(name), values or None)  # type: ignore[arg-type]
            print(f"| query {name} | {rows:,} | {ms:.0f} | | | | | {verdict(ms)} |")


def verdict(whole_ms: float, engine_ms: float | None = None, recent_ms: float | None = None) -> str:
    if whole_ms < 300:
        return "yes"
    computed = engine_ms is not None and engine_ms < 300
    if computed and recent_ms is not None and recent_ms < 300:
        return "computed and recent days yes; whole transfer **no**"
    return "computed yes; whole transfer **no**" if computed else "**NO**"


if __name__ == "__main__":
    main()
