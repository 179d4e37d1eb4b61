"""The README cookbook's ten questions, run as written against the demo newswire, with their answers checked."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from newsflow.settings import PROJECT_ROOT
from tasks import storage

pytestmark = pytest.mark.slow

Rows = list[dict[str, Any]]
QUESTION_RE = re.compile(r"^### (\d+)\. (.+?)\n```sql\n(.+?)\n```", re.MULTILINE | re.DOTALL)


def cookbook() -> dict[int, tuple[str, str]]:
    text = (PROJECT_ROOT / "README.md").read_text()
    section = text.split("## Cookbook", 1)[1].split("\n## ", 1)[0]
    return {int(n): (question, sql) for n, question, sql in QUESTION_RE.findall(section)}


def check_who_met_whom(rows: Rows) -> None:
    # "Australia's trade minister met Chinese Commerce Minister Wang Hao": the unnamed minister is the actor.
    assert any("Australia" in r["actor"] and r["target"] == "Wang Hao" for r in rows)


def check_what_lindqvist_said(rows: Rows) -> None:
    # Said once, carried by the wire story and its syndicated copy.
    assert [(r["text"], r["articles"]) for r in rows] == [
        ("the talks would focus on a humanitarian truce around the city of El Fasher", 2)
    ]


def check_syndicated(rows: Rows) -> None:
    # The cluster's title is one of its copies' (the wire story or its syndicated rewrite).
    geneva = [r for r in rows if "Geneva" in r["title"] and "talks" in r["title"]]
    assert geneva and geneva[0]["count_articles"] == 2 and geneva[0]["feed_ids"] == ["globe-dispatch", "wire-world"]


def check_failing_feeds(rows: Rows) -> None:
    assert rows == []  # every demo feed answers


def check_failed_articles(rows: Rows) -> None:
    assert [(r["canonical_url"].rsplit("/", 1)[1], r["extraction_status"]) for r in rows] == [
        ("withdrawn-story.html", "http_error"),
        ("premium-analysis-arctic-shipping.html", "no_body"),
    ]
    assert rows[0]["error"] == "HTTP 404" and "words of main text" in rows[1]["error"]


def check_most_mentioned_people(rows: Rows) -> None:
    # Lindqvist leads over all days, but his Geneva stories are older than the last seven days.
    # "director general Anders Holm", then "Holm": one person, by the full name the article gives first.
    assert rows[0]["canonical_name"] == "Anders Holm" and rows[0]["mentions"] >= 3
    assert "Henrik Lindqvist" not in [r["canonical_name"] for r in rows]
    assert [r["mentions"] for r in rows] == sorted((r["mentions"] for r in rows), reverse=True)


def check_most_quoted(rows: Rows) -> None:
    assert rows[0]["speaker"] == "Henrik Lindqvist" and rows[0]["count_quotes"] >= 3


def check_trending(rows: Rows) -> None:
    assert rows and [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    assert all(r["count_mentions"] >= 1 for r in rows)


def check_named_with_lindqvist(rows: Rows) -> None:
    others = [r["other"] for r in rows]
    assert others and "Henrik Lindqvist" not in others and all(r["sentences"] >= 1 for r in rows)


def check_events_per_category(rows: Rows) -> None:
    by_type = {r["event_type"]: r for r in rows}
    assert {"AGREE", "CONSULT", "ASSAULT"} <= set(by_type)
    assert [r["events"] for r in rows] == sorted((r["events"] for r in rows), reverse=True)
    assert by_type["CONSULT"]["events"] >= 5


CHECKS: dict[int, Callable[[Rows], None]] = {
    1: check_who_met_whom,
    2: check_what_lindqvist_said,
    3: check_syndicated,
    4: check_failing_feeds,
    5: check_failed_articles,
    6: check_most_mentioned_people,
    7: check_most_quoted,
    8: check_trending,
    9: check_named_with_lindqvist,
    10: check_events_per_category,
}


def test_the_cookbook_has_ten_questions_each_checked() -> None:
    assert sorted(cookbook()) == list(range(1, 11)) == sorted(CHECKS)


@pytest.mark.parametrize("number", sorted(CHECKS))
def test_cookbook_answer_is_right_on_the_demo_newswire(ingested_demo_db: Path, number: int) -> None:
    _question, sql = cookbook()[number]
    columns, rows = storage.run_sql(ingested_demo_db, sql)
    CHECKS[number]([dict(zip(columns, row, strict=True)) for row in rows])
