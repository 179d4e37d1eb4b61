"""The ingest flow end to end on the demo newswire: real HTTP, real DuckDB file, real spaCy, Prefect harness."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tasks import storage

pytestmark = pytest.mark.slow


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    return storage.run_sql(db, sql)[1]


@pytest.fixture
def first_run(prefect_harness: None, demo_env: Path) -> tuple[Path, dict[str, Any]]:
    from flows.ingest import ingest

    return demo_env, ingest()


def test_demo_ingest_stores_articles_with_entities(first_run: tuple[Path, dict[str, Any]]) -> None:
    db, summary = first_run
    with_mentions = rows(db, "select count(distinct article_id) from entity_mentions")[0][0]
    assert with_mentions >= 30
    assert summary["new_articles"] >= 30
    assert summary["feeds"] == {"ok": 3}
    assert rows(db, "select count(*) from articles where body_text ilike '%Latest News from%'")[0][0] == 0


def test_second_ingest_of_same_feeds_adds_and_changes_nothing(first_run: tuple[Path, dict[str, Any]]) -> None:
    from flows.ingest import ingest

    db, _ = first_run
    snapshot = rows(db, "select article_id, content_hash, updated_at from articles order by 1")
    second = ingest()
    assert second["new_articles"] == 0 and second["pages_fetched"] == 0
    assert second["rows_after"] == second["rows_before"]
    assert rows(db, "select article_id, content_hash, updated_at from articles order by 1") == snapshot


def test_failures_are_recorded_with_their_reason(first_run: tuple[Path, dict[str, Any]]) -> None:
    db, _ = first_run
    statuses = dict(rows(db, "select split_part(canonical_url, '/', -1), extraction_status from articles"))
    assert statuses["withdrawn-story.html"] == "http_error"
    assert statuses["premium-analysis-arctic-shipping.html"] == "no_body"
    [(error,)] = rows(db, "select error from articles where canonical_url like '%premium-analysis%'")
    assert "words" in error


def test_same_story_through_two_feeds_is_stored_once_and_linked_to_both(first_run: tuple[Path, dict[str, Any]]) -> None:
    db, _ = first_run
    linked = rows(
        db,
        """
        select a.article_id, list_sort(list(distinct e.feed_id)) as feeds
        from articles a join feed_entries e using (article_id)
        where a.canonical_url like '%drone-strike-kharkiv%' group by 1""",
    )
    assert len(linked) == 1 and linked[0][1] == ["regional-roundup", "wire-world"]


def test_rows_carry_pipeline_and_extractor_versions(first_run: tuple[Path, dict[str, Any]]) -> None:
    db, _ = first_run
    assert (
        rows(db, "select count(*) from articles where extraction_status = 'ok' and pipeline_version is null")[0][0] == 0
    )
    assert rows(db, "select count(distinct pipeline_version) from entity_mentions")[0][0] == 1
    [(status,)] = rows(db, "select status from runs")
    assert status == "completed"


def test_dead_feed_host_is_recorded_and_the_other_feeds_still_ingest(
    prefect_harness: None, demo_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.ingest import ingest

    from .conftest import free_port

    config = tmp_path / "newsflow.toml"
    config.write_text(f"""
[fetch]
allow_private = ["127.0.0.1"]
[[feeds]]
name = "wire-world"
url = "{{demo}}/feeds/world.rss"
[[feeds]]
name = "dead-host"
url = "http://127.0.0.1:{free_port()}/feed.xml"
""")
    monkeypatch.setenv("NEWSFLOW_CONFIG", str(config))
    summary = ingest()
    assert summary["feeds"] == {"ok": 1, "fetch_error": 1}
    assert summary["feed_errors"]["dead-host"].startswith("connect")
    assert summary["new_articles"] == 12
    [(status, failures)] = rows(
        demo_env, "select last_status, consecutive_failures from feeds where feed_id = 'dead-host'"
    )
    assert status == "fetch_error" and failures == 1


def test_syndicated_copies_share_a_story_cluster_and_are_tagged_once(first_run: tuple[Path, dict[str, Any]]) -> None:
    db, _ = first_run
    copies = rows(
        db,
        """
        select canonical_url like '%/wire/%' as is_wire, story_cluster_id, duplicate_of, content_hash
        from articles where canonical_url like '%geneva-ceasefire-talks-open%'
           or canonical_url like '%sudan-talks-geneva-syndicated%' order by 1""",
    )
    (_, globe_cluster, globe_dup, globe_hash), (_, wire_cluster, wire_dup, wire_hash) = copies
    assert globe_cluster == wire_cluster is not None
    assert globe_hash == wire_hash  # same wire text on two sites: an exact copy
    assert (globe_dup is None) != (wire_dup is None)  # exactly one is marked the copy of the other
    per_copy = rows(
        db,
        """
        select a.article_id, count(m.start_char) from articles a left join entity_mentions m using (article_id)
        where a.content_hash = (select content_hash from articles where canonical_url like '%geneva-ceasefire%')
        group by 1""",
    )
    assert len({n for _, n in per_copy}) == 1 and per_copy[0][1] > 0
    distinct_clusters = rows(db, "select count(distinct story_cluster_id) from articles where extraction_status='ok'")
    ok_articles = rows(db, "select count(*) from articles where extraction_status = 'ok'")
    assert distinct_clusters[0][0] == ok_articles[0][0] - 1  # only the syndicated pair shares a cluster


def test_quotes_and_canonical_entities_are_stored(first_run: tuple[Path, dict[str, Any]]) -> None:
    db, _ = first_run
    speakers = dict(rows(db, "select speaker, count(*) from quotes where speaker is not null group by 1"))
    # "Nobody should expect..." (direct) and "told reporters the talks would..." (reported), on two sites
    assert speakers.get("Henrik Lindqvist", 0) >= 2
    assert {"direct", "indirect"} <= {kind for (kind,) in rows(db, "select distinct kind from quotes")}
    # Every quote says where its speaker is named; every speaker span is the speaker's words in the body.
    spans = rows(
        db,
        """select q.speaker_text,
                  substr(v.body_text, q.speaker_start_char + 1, q.speaker_end_char - q.speaker_start_char)
           from quotes q join articles a using (article_id)
           join article_versions v on v.article_id = a.article_id and v.version = a.current_version
           where q.speaker_start_char is not null""",
    )
    assert spans and all(mention == text for mention, text in spans)
    # The demo's one Spanish story is stored, untagged: the configured models are English only.
    statuses = rows(
        db, "select nlp_status, nlp_language, count(*) from articles where extraction_status = 'ok' group by 1, 2"
    )
    assert sorted(statuses) == [("tagged", "en", 31), ("unsupported_language", "es", 1)]
    untagged = "select count(*) from entity_mentions join articles using (article_id) where nlp_language = 'es'"
    assert rows(db, untagged) == [(0,)]
    assert rows(db, "select count(*) from entity_mentions where entity_id is null")[0][0] == 0
    orphans = "select count(*) from entity_mentions m left join entities e using (entity_id) where e.entity_id is null"
    assert rows(db, orphans)[0][0] == 0
    [(canonical,)] = rows(db, "select distinct canonical from entity_mentions where text = 'Lindqvist'")
    assert canonical == "Henrik Lindqvist"
    aliases = rows(
        db,
        """
        select list_sort(list(a.alias)) from entity_aliases a join entities e using (entity_id)
        where e.canonical_name = 'Henrik Lindqvist'""",
    )
    assert aliases == [(["Henrik Lindqvist", "Lindqvist"],)]


def test_events_are_stored_with_resolved_dates(first_run: tuple[Path, dict[str, Any]]) -> None:
    db, _ = first_run
    types = dict(rows(db, "select event_type, count(*) from events group by 1"))
    assert {"CONSULT", "PROTEST", "SANCTION"} <= set(types)
    geneva = rows(
        db,
        """
        select e.event_type, e.actor, e.event_date, a.published_at::date
        from events e join articles a using (article_id)
        where a.canonical_url like '%/wire/%geneva-ceasefire%' and e.trigger = 'met'""",
    )
    # "met in Geneva on Monday", published Tuesday 17 November: the Monday before
    assert geneva and geneva[0][0] == "CONSULT" and geneva[0][2] == date(2026, 11, 16) < geneva[0][3]
    assert geneva[0][1] != "GENEVA"  # the dateline is not the actor
    assert rows(db, "select count(*) from events where pipeline_version is null")[0][0] == 0


def test_each_run_publishes_a_report_artifact(first_run: tuple[Path, dict[str, Any]]) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["ingest-report"])))
    assert artifacts
    newest = max(artifacts, key=lambda a: a.created or 0)
    assert "| articles | 0 | 34 | +34 |" in str(newest.data)
    assert "**Feeds polled:** 3 ok" in str(newest.data)


def test_search_ranks_articles_by_bm25_after_ingest(first_run: tuple[Path, dict[str, Any]]) -> None:
    columns, found = storage.search_articles(first_run[0], "ceasefire talks Geneva", limit=3)
    titles = [row[columns.index("title")] for row in found]
    assert titles[:2] and all("Geneva" in t for t in titles[:2])  # the wire story and its syndicated copy
    _, none = storage.search_articles(first_run[0], "ceasefire", since="2026-11-20")
    assert all(row[1] >= date(2026, 11, 20) for row in none)
