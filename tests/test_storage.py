"""DuckDB storage on real database files: migrations, idempotent batch writes, lock handling."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from newsflow.records import FeedEntry, FeedPoll
from tasks import storage
from tasks.extract import ARTICLE_SCHEMA
from tasks.nlp.batch import MENTION_SCHEMA
from tasks.staging import write_records

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "t.duckdb"
    storage.migrate(path)
    return path


def article(article_id: str, body: str = "Some body text.", status: str = "ok") -> dict[str, Any]:
    return {
        "article_id": article_id,
        "url": f"http://x/{article_id}",
        "canonical_url": f"http://x/{article_id}",
        "final_url": None,
        "http_status": 200,
        "fetched_at": NOW,
        "archive_path": None,
        "title": "T",
        "authors": ["A"],
        "published_at": NOW,
        "published_at_source": "feed",
        "language": "en",
        "site_name": None,
        "description": None,
        "body_text": body,
        "content_hash": "h",
        "word_count": 3,
        "extraction_status": status,
        "error": None,
        "extractor_version": "v",
    }


def mention(article_id: str, start: int) -> dict[str, Any]:
    return {
        "article_id": article_id,
        "sentence_index": 0,
        "start_char": start,
        "end_char": start + 4,
        "text": "Some",
        "normalized": "Some",
        "label": "ORG",
        "pipeline_version": "p1",
    }


def test_migrations_are_recorded_and_applied_once(tmp_path: Path) -> None:
    path = tmp_path / "m.duckdb"
    first = storage.migrate(path)
    again = storage.migrate(path)
    assert first and first[0].startswith("001_") and again == []
    with duckdb.connect(str(path), read_only=True) as con:
        recorded = con.execute("select version, name from schema_migrations order by version").fetchall()
    assert [r[1] for r in recorded] == [name for _, name, _ in storage.migration_files()]


def test_migration_files_are_numbered_and_named() -> None:
    versions = [v for v, _, _ in storage.migration_files()]
    assert versions == sorted(versions) and len(set(versions)) == len(versions) and versions[0] == 1


def test_duplicate_keys_in_one_batch_and_reruns_store_one_row(db: Path, tmp_path: Path) -> None:
    articles = write_records(tmp_path / "a.parquet", [article("a1"), article("a1"), article("a2")], ARTICLE_SCHEMA)
    mentions = write_records(
        tmp_path / "m.parquet", [mention("a1", 0), mention("a1", 0), mention("a2", 5)], MENTION_SCHEMA
    )
    first = storage.store_articles(db, articles, mentions)
    second = storage.store_articles(db, articles, mentions)
    counts = storage.table_counts(db)
    assert counts["articles"] == 2 and counts["entity_mentions"] == 2
    assert first["articles_stored_ok"] == 2 and second["articles_stored_ok"] == 0


def test_retagging_replaces_an_articles_mentions(db: Path, tmp_path: Path) -> None:
    articles = write_records(tmp_path / "a.parquet", [article("a1")], ARTICLE_SCHEMA)
    storage.store_articles(
        db, articles, write_records(tmp_path / "m1.parquet", [mention("a1", 0), mention("a1", 9)], MENTION_SCHEMA)
    )
    storage.store_articles(db, articles, write_records(tmp_path / "m2.parquet", [mention("a1", 20)], MENTION_SCHEMA))
    _, rows = storage.run_sql(db, "select start_char from entity_mentions")
    assert rows == [(20,)]


def poll_with(entries: list[FeedEntry]) -> FeedPoll:
    return FeedPoll(
        feed_id="f",
        name="f",
        url="http://x/feed",
        final_url=None,
        status="ok",
        http_status=200,
        error=None,
        etag='"e"',
        last_modified=None,
        content_hash="c",
        title="Feed",
        site_url=None,
        is_bozo=False,
        bozo_reason=None,
        polled_at=NOW,
        duration_ms=1,
        bytes_received=10,
        entries=entries,
    )


def entry(key: str) -> FeedEntry:
    return FeedEntry(
        entry_key=key,
        guid=key,
        link=f"http://x/{key}",
        canonical_url=f"http://x/{key}",
        article_id=key,
        title=key,
        summary=None,
        published_at=NOW,
        author=None,
    )


def test_feed_polls_store_state_and_new_entries_once(db: Path) -> None:
    storage.feed_sources(db, [("f", "http://x/feed", 900)])
    first = storage.record_polls(db, [poll_with([entry("e1"), entry("e2"), entry("e1")])])
    second = storage.record_polls(db, [poll_with([entry("e1"), entry("e2")])])
    assert first["new_entries"] == 2 and second["new_entries"] == 0
    [source], _ = storage.feed_sources(db, [("f", "http://x/feed", 900)])
    assert source.etag == '"e"' and source.content_hash == "c"


def test_pending_pages_skip_stored_articles_and_retry_transient_failures(db: Path, tmp_path: Path) -> None:
    storage.feed_sources(db, [("f", "http://x/feed", 900)])
    storage.record_polls(db, [poll_with([entry("ok1"), entry("net1"), entry("new1"), entry("gone1")])])
    gone = article("gone1", status="http_error") | {"http_status": 404}
    rows = [article("ok1"), article("net1", status="fetch_error"), gone]
    storage.store_articles(db, write_records(tmp_path / "a.parquet", rows, ARTICLE_SCHEMA), None)
    pending = {p.article_id for p in storage.pending_pages(db, ["f"])}
    assert pending == {"net1", "new1"}


def test_a_writer_in_another_process_makes_us_wait_then_fail_clearly(db: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(db)!r})
            print("locked", flush=True)
            time.sleep(30)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(storage.DatabaseBusyError, match="held by another process"):
            storage.table_counts(db, lock_timeout_s=1.0)
    finally:
        holder.kill()
        holder.wait()
    assert storage.table_counts(db)["articles"] == 0  # free again once the holder is gone


def test_reader_waits_for_a_short_writer_and_then_succeeds(db: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; con = duckdb.connect({str(db)!r}); print('locked', flush=True); time.sleep(1.5)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        counts = storage.table_counts(db, lock_timeout_s=30)
        assert counts["articles"] == 0
        assert time.monotonic() - started > 0.1  # it really had to wait for the lock
    finally:
        holder.kill()
        holder.wait()


def derived_rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    tables = ("entity_cooccurrences", "entity_day_counts", "entity_pair_day_counts")
    return {t: storage.run_sql(db, f"select * from {t} order by all")[1] for t in tables}


def test_daily_counts_follow_each_batch_and_an_article_moving_to_another_day(db: Path, tmp_path: Path) -> None:
    def named(article_id: str, start: int, entity_id: str, sentence: int = 0) -> dict[str, Any]:
        return mention(article_id, start) | {
            "entity_id": entity_id,
            "canonical": entity_id.upper(),
            "sentence_index": sentence,
        }

    mentions = write_records(
        tmp_path / "m.parquet",
        [named("a1", 0, "e1"), named("a1", 9, "e2"), named("a2", 0, "e1"), named("a2", 9, "e2", sentence=1)],
        MENTION_SCHEMA,
    )
    storage.store_articles(
        db, write_records(tmp_path / "a.parquet", [article("a1"), article("a2")], ARTICLE_SCHEMA), mentions
    )
    daily = (
        "select day::varchar, canonical_name, count_mentions, count_articles, baseline_mean "
        "from trending_entities order by all"
    )
    assert storage.run_sql(db, daily)[1] == [("2026-11-20", "E1", 2, 2, 0.0), ("2026-11-20", "E2", 2, 2, 0.0)]
    pairs = (
        "select day::varchar, name_a, name_b, count_articles, count_articles_same_sentence "
        "from entity_cooccurrence order by all"
    )
    assert storage.run_sql(db, pairs)[1] == [("2026-11-20", "E1", "E2", 2, 1)]

    # A new version of a1 dated three days earlier: both days are recounted, and day 20's baseline sees day 17.
    moved = article("a1") | {"published_at": datetime(2026, 11, 17, 9, 0, tzinfo=UTC)}
    storage.store_articles(db, write_records(tmp_path / "a2.parquet", [moved], ARTICLE_SCHEMA), None)
    assert storage.run_sql(db, daily)[1] == [
        ("2026-11-17", "E1", 1, 1, 0.0),
        ("2026-11-17", "E2", 1, 1, 0.0),
        ("2026-11-20", "E1", 1, 1, round(1 / 28, 3)),
        ("2026-11-20", "E2", 1, 1, round(1 / 28, 3)),
    ]
    assert storage.run_sql(db, pairs)[1] == [("2026-11-17", "E1", "E2", 1, 1), ("2026-11-20", "E1", "E2", 1, 0)]
    incremental = derived_rows(db)
    storage.rebuild_derived_tables(db)
    assert derived_rows(db) == incremental

    # Re-tagged, a1 no longer names E2: its day loses the E2 row and the pair altogether, day 20 keeps a2's.
    retagged = write_records(tmp_path / "m2.parquet", [named("a1", 0, "e1")], MENTION_SCHEMA)
    storage.store_articles(db, write_records(tmp_path / "a3.parquet", [moved], ARTICLE_SCHEMA), retagged)
    assert storage.run_sql(db, daily)[1] == [
        ("2026-11-17", "E1", 1, 1, 0.0),
        ("2026-11-20", "E1", 1, 1, round(1 / 28, 3)),
        ("2026-11-20", "E2", 1, 1, 0.0),
    ]
    assert storage.run_sql(db, pairs)[1] == [("2026-11-20", "E1", "E2", 1, 0)]
    incremental = derived_rows(db)
    storage.rebuild_derived_tables(db)
    assert derived_rows(db) == incremental


def test_a_database_from_before_pair_names_gets_them_filled_in(tmp_path: Path) -> None:
    path = tmp_path / "older.duckdb"
    with duckdb.connect(str(path)) as con:  # the schema as of migration 007, written as migrate() did then
        con.execute(
            "create table schema_migrations (version integer primary key, name varchar not null,"
            " applied_at timestamptz not null default current_timestamp)"
        )
        for version, name, file in storage.migration_files():
            if version < 8:
                con.execute(file.read_text())
                con.execute("insert into schema_migrations (version, name) values (?, ?)", [version, name])
        con.execute(
            "insert into entities (entity_id, canonical_name, label) values ('p1', 'Ann Lee', 'PERSON'), "
            "('p2', 'Bo Kim', 'PERSON')"
        )
        con.execute("insert into entity_pair_day_counts values (date '2026-11-17', 'p1', 'p2', 3, 1, 2)")
    assert "008_add_pair_names" in storage.migrate(path)
    _, rows = storage.run_sql(path, "select name_a, name_b, count_articles, count_sentences from entity_cooccurrence")
    assert rows == [("Ann Lee", "Bo Kim", 3, 2)]


def test_a_reader_in_the_writing_process_shares_the_open_database(db: Path) -> None:
    # A batch's lookups run beside the previous batch's store in one process; DuckDB alone would refuse a
    # read-only connection to a file the process has open read-write.
    with storage.connect(db) as writer, storage.transaction(writer):
        writer.execute("insert into feeds (feed_id, url, config_url) values ('f', 'http://x/', 'http://x/')")
        with storage.connect(db, read_only=True) as reader:
            assert reader.execute("select count(*) from feeds").fetchone() == (0,)  # not committed yet
    assert storage.table_counts(db)["feeds"] == 1


def test_a_writer_in_the_process_waits_for_its_read_only_lookup_to_close(db: Path) -> None:
    import threading

    written = threading.Event()

    def write() -> None:
        with storage.connect(db, lock_timeout_s=30) as writer:
            writer.execute("insert into feeds (feed_id, url, config_url) values ('f', 'http://x/', 'http://x/')")
        written.set()

    with storage.connect(db, read_only=True) as reader:
        thread = threading.Thread(target=write)
        thread.start()
        assert not written.wait(0.5)  # DuckDB will not open the file read-write beside this read-only one
        assert reader.execute("select count(*) from feeds").fetchone() == (0,)
    thread.join(timeout=30)
    assert written.is_set() and storage.table_counts(db)["feeds"] == 1


def test_copies_are_found_in_the_database_but_never_in_the_batch_itself(db: Path, tmp_path: Path) -> None:
    stored = write_records(tmp_path / "s.parquet", [article("s1") | {"content_hash": "h"}], ARTICLE_SCHEMA)
    storage.store_articles(db, stored, write_records(tmp_path / "sm.parquet", [mention("s1", 0)], MENTION_SCHEMA))
    batch = write_records(
        tmp_path / "b.parquet",
        [article(a) | {"content_hash": h} for a, h in [("b1", "h"), ("b3", "new")]],
        ARTICLE_SCHEMA,
    )
    assert storage.copies_of_tagged_articles(db, batch) == [{"article_id": "b1", "source_article_id": "s1"}]
    # The stored copy re-stored in this batch (an overlapping run got there first) is no source for b1.
    with_source = write_records(
        tmp_path / "b2.parquet", [article(a) | {"content_hash": "h"} for a in ("s1", "b1")], ARTICLE_SCHEMA
    )
    assert storage.copies_of_tagged_articles(db, with_source) == []


def test_an_entity_takes_the_label_most_of_its_mentions_have(db: Path, tmp_path: Path) -> None:
    def trump(article_id: str, start: int, label: str) -> dict[str, Any]:
        return mention(article_id, start) | {"entity_id": "t1", "canonical": "Donald Trump", "label": label}

    first = write_records(tmp_path / "m1.parquet", [trump("a1", 0, "ORG")], MENTION_SCHEMA)
    storage.store_articles(db, write_records(tmp_path / "a1.parquet", [article("a1")], ARTICLE_SCHEMA), first)
    assert storage.run_sql(db, "select label from entities")[1] == [("ORG",)]
    more = write_records(tmp_path / "m2.parquet", [trump("a2", 0, "PERSON"), trump("a2", 9, "PERSON")], MENTION_SCHEMA)
    storage.store_articles(db, write_records(tmp_path / "a2.parquet", [article("a2")], ARTICLE_SCHEMA), more)
    assert storage.run_sql(db, "select label from entities")[1] == [("PERSON",)]
    top = storage.run_sql(db, storage.named_query("top_entities"), {"label": "", "since": ""})[1]
    assert [(name, label) for name, label, *_ in top] == [("Donald Trump", "PERSON")]  # one row, not two
    counts = "select label, count_mentions from entity_label_counts order by all"
    incremental = storage.run_sql(db, counts)[1]
    storage.rebuild_derived_tables(db)
    assert storage.run_sql(db, counts)[1] == incremental == [("ORG", 1), ("PERSON", 2)]


@pytest.mark.slow
def test_an_article_in_a_language_without_a_model_is_stored_untagged_with_its_reason(db: Path, tmp_path: Path) -> None:
    from newsflow.settings import NlpSettings
    from tasks.nlp.batch import tag_batch

    german = (
        "Die Bundesregierung hat am Montag in Berlin beschlossen, dass die Steuern steigen. Kanzler Olaf Scholz "
        "sagte, das sei notwendig, und die Opposition kritisierte den Plan scharf."
    )
    english = "President Emmanuel Macron met Chancellor Olaf Scholz in Berlin on Monday, officials said."
    batch = write_records(
        tmp_path / "a.parquet",
        [article("de1", german) | {"content_hash": "h1"}, article("en1", english) | {"content_hash": "h2"}],
        ARTICLE_SCHEMA,
    )
    mentions = tmp_path / "mentions.parquet"
    counts = tag_batch(batch, mentions, NlpSettings(worker_process=False))
    assert counts["unsupported_languages"] == {"de": 1}
    storage.store_articles(db, batch, mentions)
    statuses = storage.run_sql(db, "select article_id, nlp_status, nlp_language from articles order by 1")[1]
    assert statuses == [("de1", "unsupported_language", "de"), ("en1", "tagged", "en")]
    tagged = storage.run_sql(db, "select distinct article_id from entity_mentions")[1]
    assert tagged == [("en1",)]
