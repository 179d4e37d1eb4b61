"""Analytics views and named queries on hand-written rows in a real DuckDB file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from newsflow.cli import app
from tasks import storage


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "v.duckdb"
    storage.migrate(path)
    with duckdb.connect(str(path)) as con:
        con.execute("""
            insert into articles (article_id, canonical_url, title, published_at, extraction_status, story_cluster_id,
                                  fetched_at, body_text)
            values ('a1', 'http://x/1', 'Talks open', '2026-11-17 08:00:00+00', 'ok', 'c1', now(), 'b'),
                   ('a2', 'http://y/1', 'Talks begin', '2026-11-17 09:00:00+00', 'ok', 'c1', now(), 'b'),
                   ('a3', 'http://x/2', 'Strike', '2026-11-18 10:00:00+00', 'ok', 'a3', now(), 'b'),
                   ('a4', 'http://x/3', null, null, 'http_error', null, now(), null);
            insert into feed_entries (feed_id, entry_key, article_id, first_seen_at)
            values ('wire', 'e1', 'a1', now()), ('globe', 'e2', 'a2', now()), ('wire', 'e3', 'a3', now());
            insert into entities values ('p1', 'Ann Lee', 'PERSON', now()), ('p2', 'Bo Kim', 'PERSON', now());
            insert into entity_mentions (article_id, sentence_index, start_char, end_char, text, normalized, label,
                                         pipeline_version, canonical, entity_id)
            values ('a1', 0, 0, 7, 'Ann Lee', 'Ann Lee', 'PERSON', 'v', 'Ann Lee', 'p1'),
                   ('a1', 1, 20, 23, 'Lee', 'Lee', 'PERSON', 'v', 'Ann Lee', 'p1'),
                   ('a3', 0, 0, 6, 'Bo Kim', 'Bo Kim', 'PERSON', 'v', 'Bo Kim', 'p2');
            insert into quotes (article_id, kind, text, start_char, end_char, speaker, speaker_entity_id,
                                pipeline_version)
            values ('a1', 'direct', 'We will talk', 30, 42, 'Ann Lee', 'p1', 'v'),
                   ('a3', 'reported', 'the strike goes on', 10, 28, 'Ann Lee', 'p1', 'v');
            insert into events (article_id, trigger_char, event_type, trigger, rank_in_sentence, actor,
                                actor_entity_id, target, target_entity_id, location, event_date, mode,
                                pipeline_version, cameo_code, goldstein, quad_class, actor_code, target_code)
            values ('a1', 8, 'CONSULT', 'met', 0, 'Ann Lee', 'p1', 'Bo Kim', 'p2', 'Geneva', '2026-11-16',
                    'asserted', 'v', '036', 4.0, 1, 'USAGOV', 'RUSGOV'),
                   ('a1', 50, 'AGREE', 'offer', 1, 'Ann Lee', 'p1', 'Bo Kim', 'p2', null, null, 'hypothetical', 'v',
                    '057', 8.0, 1, 'USAGOV', 'RUSGOV'),
                   ('a3', 9, 'ASSAULT', 'shelled', 0, 'Bo Kim', 'p2', 'Ann Lee', 'p1', null, '2026-11-16',
                    'asserted', 'v', '195', -10.0, 4, 'RUSMIL', 'USA'),
                   ('a3', 60, 'PROTEST', 'marched', 0, 'police', null, null, null, null, '2026-11-16',
                    'asserted', 'v', '141', -6.5, 4, 'COP', null);
        """)
    # Rows written by hand, not by a stored batch: derive the daily tables as maintenance would.
    storage.rebuild_derived_tables(path)
    return path


def view(db: Path, sql: str) -> list[dict[str, Any]]:
    columns, rows = storage.run_sql(db, sql)
    return [dict(zip(columns, row, strict=True)) for row in rows]


def test_articles_current_has_one_row_per_article_with_a_body_and_its_feeds(db: Path) -> None:
    rows = view(db, "select article_id, feed_ids from articles_current order by 1")
    assert rows == [
        {"article_id": "a1", "feed_ids": ["wire"]},
        {"article_id": "a2", "feed_ids": ["globe"]},
        {"article_id": "a3", "feed_ids": ["wire"]},
    ]


def test_entity_daily_mentions_counts_mentions_and_articles_per_day(db: Path) -> None:
    rows = view(
        db,
        "select day::varchar as day, canonical_name, count_mentions, count_articles "
        "from entity_daily_mentions order by day",
    )
    assert rows == [
        {"day": "2026-11-17", "canonical_name": "Ann Lee", "count_mentions": 2, "count_articles": 1},
        {"day": "2026-11-18", "canonical_name": "Bo Kim", "count_mentions": 1, "count_articles": 1},
    ]


def test_quotes_by_speaker_aggregates_direct_and_reported(db: Path) -> None:
    [row] = view(
        db,
        "select speaker, count_quotes, count_direct, count_reported, count_articles, latest_quote "
        "from quotes_by_speaker",
    )
    assert row == {
        "speaker": "Ann Lee",
        "count_quotes": 2,
        "count_direct": 1,
        "count_reported": 1,
        "count_articles": 2,
        "latest_quote": "the strike goes on",
    }


def test_event_timeline_and_actor_network_keep_only_asserted_events_with_their_codes(db: Path) -> None:
    timeline = view(
        db,
        "select day::varchar as day, event_type, quad_class, actor, actor_code, target, location, count_events, "
        "mean_goldstein from event_timeline where event_type = 'CONSULT'",
    )
    assert timeline == [
        {
            "day": "2026-11-16",
            "event_type": "CONSULT",
            "quad_class": 1,
            "actor": "Ann Lee",
            "actor_code": "USAGOV",
            "target": "Bo Kim",
            "location": "Geneva",
            "count_events": 1,
            "mean_goldstein": 4.0,
        }
    ]
    assert {r["event_type"] for r in view(db, "select event_type from event_timeline")} == {
        "CONSULT",
        "ASSAULT",
        "PROTEST",
    }  # the hypothetical AGREE is left out
    network = view(
        db, "select actor, actor_code, target, target_code, event_type, count_events from actor_network order by 1"
    )
    assert network == [
        {"actor": "Ann Lee", "actor_code": "USAGOV", "target": "Bo Kim", "target_code": "RUSGOV",
         "event_type": "CONSULT", "count_events": 1},
        {"actor": "Bo Kim", "actor_code": "RUSMIL", "target": "Ann Lee", "target_code": "USA",
         "event_type": "ASSAULT", "count_events": 1},
    ]  # fmt: skip


def test_conflict_and_cooperation_per_day_come_from_the_quad_class_and_goldstein(db: Path) -> None:
    [day] = view(
        db,
        "select day::varchar as day, count_events, verbal_cooperation, material_conflict, mean_goldstein "
        "from conflict_cooperation_daily",
    )
    assert day == {
        "day": "2026-11-16",
        "count_events": 3,
        "verbal_cooperation": 1,
        "material_conflict": 2,
        "mean_goldstein": round((4.0 - 10.0 - 6.5) / 3, 2),
    }


def test_country_network_links_countries_of_the_actor_codes_not_sectors(db: Path) -> None:
    rows = view(db, "select actor_country, target_country, quad_class, count_events from country_network order by 1")
    assert rows == [
        {"actor_country": "RUS", "target_country": "USA", "quad_class": 4, "count_events": 1},
        {"actor_country": "USA", "target_country": "RUS", "quad_class": 1, "count_events": 1},
    ]


def test_story_clusters_list_sizes_and_feeds(db: Path) -> None:
    rows = view(db, "select story_cluster_id, count_articles, feed_ids from story_clusters order by 1")
    assert rows == [
        {"story_cluster_id": "a3", "count_articles": 1, "feed_ids": ["wire"]},
        {"story_cluster_id": "c1", "count_articles": 2, "feed_ids": ["globe", "wire"]},
    ]


def test_every_view_states_its_grain() -> None:
    for path in sorted(storage.VIEWS_DIR.glob("*.sql")):
        assert "-- grain:" in path.read_text(), path.name


def test_named_queries_run_with_parameters(db: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["query", "--list", "--db", str(db)])
    assert listed.exit_code == 0 and "who_met_whom" in listed.output and "what_did_they_say" in listed.output
    met = runner.invoke(app, ["query", "who_met_whom", "--db", str(db), "-f", "csv"])
    assert met.exit_code == 0, met.output
    assert met.stdout.splitlines()[1].startswith("2026-11-16,Ann Lee,USAGOV,Bo Kim,RUSGOV,036,Geneva")
    said = runner.invoke(app, ["query", "what_did_they_say", "-p", "speaker=lee", "--db", str(db), "-f", "json"])
    assert said.exit_code == 0 and "the strike goes on" in said.stdout
    for name, _, _ in storage.list_named_queries():
        ran = runner.invoke(app, ["query", name, "--db", str(db)])
        assert ran.exit_code == 0, (name, ran.output)
    bad = runner.invoke(app, ["query", "who_met_whom", "-p", "nope=1", "--db", str(db)])
    assert bad.exit_code == 1 and "takes since" in bad.output


def test_trending_entities_scores_a_day_against_the_28_days_before(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    storage.migrate(db)
    with duckdb.connect(str(db)) as con:
        # 'steady' is mentioned once a day for 30 days; 'rising' once on day 1, then 9 times on day 30.
        con.execute("insert into entities values ('s', 'Steady', 'ORG', now()), ('r', 'Rising', 'PERSON', now())")
        con.execute(
            """insert into articles (article_id, canonical_url, published_at, extraction_status, fetched_at)
               select 'a' || d, 'http://x/' || d, timestamptz '2026-10-01 12:00:00+00' + to_days(d::integer),
                      'ok', now()
               from range(30) t(d)"""
        )
        con.execute(
            """insert into entity_mentions (article_id, sentence_index, start_char, end_char, text, normalized,
                                            label, pipeline_version, canonical, entity_id)
               select 'a' || d, 0, 0, 6, 'Steady', 'Steady', 'ORG', 'v', 'Steady', 's' from range(30) t(d)
               union all select 'a0', 1, 10, 16, 'Rising', 'Rising', 'PERSON', 'v', 'Rising', 'r'
               union all select 'a29', 1, 10 + i, 16 + i, 'Rising', 'Rising', 'PERSON', 'v', 'Rising', 'r'
               from range(9) t(i)"""
        )
    storage.rebuild_derived_tables(db)
    rows = view(
        db,
        "select canonical_name, count_mentions, baseline_mean, score from trending_entities "
        "where day = date '2026-10-30' order by score desc",
    )
    assert [r["canonical_name"] for r in rows] == ["Rising", "Steady"]
    rising, steady = rows
    # Rising: 1 mention in the 28 days before day 30 (day 1 is 29 days back, outside), so baseline 0.
    assert rising["count_mentions"] == 9 and rising["baseline_mean"] == 0 and rising["score"] == 9.0
    assert steady["baseline_mean"] == 1.0 and steady["score"] == 0.0
    top = runner_query(db, "trending_now", "limit=1")
    assert top[0]["canonical_name"] == "Rising"


def test_entity_cooccurrence_counts_articles_and_shared_sentences_per_day(db: Path) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute(
            """insert into entity_mentions (article_id, sentence_index, start_char, end_char, text, normalized,
                                            label, pipeline_version, canonical, entity_id)
               values ('a1', 0, 60, 66, 'Bo Kim', 'Bo Kim', 'PERSON', 'v', 'Bo Kim', 'p2'),
                      ('a3', 3, 90, 97, 'Ann Lee', 'Ann Lee', 'PERSON', 'v', 'Ann Lee', 'p1')"""
        )
    storage.rebuild_derived_tables(db)
    rows = view(
        db,
        "select day::varchar as day, name_a, name_b, count_articles, count_sentences "
        "from entity_cooccurrence order by day",
    )
    assert rows == [
        # a1: Ann Lee in sentences 0 and 1, Bo Kim in 0 -> one shared sentence
        {"day": "2026-11-17", "name_a": "Ann Lee", "name_b": "Bo Kim", "count_articles": 1, "count_sentences": 1},
        # a3: Bo Kim in sentence 0, Ann Lee in 3 -> same article, no shared sentence
        {"day": "2026-11-18", "name_a": "Ann Lee", "name_b": "Bo Kim", "count_articles": 1, "count_sentences": 0},
    ]
    together = runner_query(db, "named_together", "name=Bo Kim")
    assert together == [{"other": "Ann Lee", "articles": 2, "sentences": 1}]


def runner_query(db: Path, name: str, *params: str) -> list[dict[str, Any]]:
    args = ["query", name, "--db", str(db), "-f", "json"]
    for param in params:
        args += ["-p", param]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def test_daily_tables_kept_by_an_ingest_equal_a_full_rebuild(ingested_demo_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(ingested_demo_db, copy)
    tables = ("entity_day_counts", "entity_pair_day_counts")

    def snapshot() -> dict[str, list[tuple[Any, ...]]]:
        return {t: storage.run_sql(copy, f"select * from {t} order by all")[1] for t in tables}

    kept = snapshot()
    assert all(kept.values())
    storage.rebuild_derived_tables(copy)
    assert snapshot() == kept
