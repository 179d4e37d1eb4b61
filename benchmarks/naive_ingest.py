"""The careless design, for contrast: one Prefect task per article, nlp() per article, row-by-row inserts.

Same libraries, same pages as benchmarks.end_to_end; none of newsflow's batching. Run through
`python -m benchmarks.end_to_end --naive N`, which builds and serves the site first.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb
import feedparser
import httpx
import spacy
import trafilatura
from prefect import flow, task

SCHEMA = """
create table if not exists articles (url varchar primary key, title varchar, body varchar);
create table if not exists entity_mentions (url varchar, start_char integer, end_char integer, text varchar,
    label varchar);
"""


@task
def fetch_one(url: str) -> str:
    return httpx.get(url, timeout=30).text


@task
def extract_one(page: str) -> dict[str, Any]:
    document = trafilatura.bare_extraction(page, include_comments=False, with_metadata=True)
    return {"title": getattr(document, "title", None), "body": getattr(document, "text", None) or ""}


@task
def tag_one(model: str, body: str) -> list[tuple[int, int, str, str]]:
    doc = _nlp(model)(body)  # one document at a time: no nlp.pipe batching
    return [(e.start_char, e.end_char, e.text, e.label_) for e in doc.ents]


@task
def store_one(db: str, url: str, article: dict[str, Any], mentions: list[tuple[int, int, str, str]]) -> None:
    con = duckdb.connect(db)
    try:
        con.execute("insert or replace into articles values (?, ?, ?)", [url, article["title"], article["body"]])
        for start, end, text, label in mentions:  # row by row
            con.execute("insert into entity_mentions values (?, ?, ?, ?, ?)", [url, start, end, text, label])
    finally:
        con.close()


_MODELS: dict[str, Any] = {}


def _nlp(model: str) -> Any:
    if model not in _MODELS:
        _MODELS[model] = spacy.load(model)
    return _MODELS[model]


@flow(name="naive-ingest")
def naive_ingest(feed_urls: list[str], db: str, model: str, limit: int) -> int:
    links = [entry.link for url in feed_urls for entry in feedparser.parse(httpx.get(url).content).entries]
    links = links[:limit]
    con = duckdb.connect(db)
    con.execute(SCHEMA)
    con.close()
    for url in links:
        page = fetch_one(url)
        article = extract_one(page)
        store_one(db, url, article, tag_one(model, article["body"]))
    return len(links)


def run_naive(base_url: str, feeds: int, workdir: Path, model: str, limit: int) -> tuple[int, float]:
    """(articles, seconds) of the naive flow over the served site's feeds."""
    started = time.monotonic()
    count = naive_ingest(
        [f"{base_url}/feeds/f{j}.xml" for j in range(feeds)], str(workdir / "naive.duckdb"), model, limit
    )
    return count, time.monotonic() - started
