"""Revisions on the demo newswire: edition 2 edits one article after publication."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks import storage

pytestmark = pytest.mark.slow


def test_edited_article_keeps_both_versions_and_current_is_newest(
    prefect_harness: None, demo_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.ingest import ingest

    ingest()
    monkeypatch.setenv("NEWSFLOW_DEMO__EDITION", "2")
    second = ingest()
    assert second["pages_fetched"] == 1  # only the edited article is fetched again
    _, versions = storage.run_sql(
        demo_env,
        """
        select v.version, v.body_text like '%Kremlin spokesman%' as has_update
        from article_versions v join articles a using (article_id)
        where a.canonical_url like '%ukraine-grain-corridor-agreement%' order by v.version""",
    )
    assert versions == [(1, False), (2, True)]
    _, current = storage.run_sql(
        demo_env,
        """
        select current_version, body_text like '%Kremlin spokesman%' from articles
        where canonical_url like '%ukraine-grain-corridor-agreement%'""",
    )
    assert current == [(2, True)]
    third = ingest()  # nothing changed since: no refetch, no new version
    assert third["pages_fetched"] == 0
    _, [(count,)] = storage.run_sql(demo_env, "select count(*) from article_versions")
    assert count == storage.run_sql(demo_env, "select count(*) from articles where extraction_status='ok'")[1][0][0] + 1
