"""Prefect task wrapper: tag one batch of extracted articles into a mentions file."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from prefect import task
from prefect.logging import get_run_logger

from newsflow.progress import report
from newsflow.settings import NlpSettings
from tasks.nlp.tagger import load_pipeline, pipeline_version, tag_texts
from tasks.staging import read_records, write_records

MENTION_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("sentence_index", pa.int32()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("text", pa.string()),
        ("normalized", pa.string()),
        ("label", pa.string()),
        ("pipeline_version", pa.string()),
    ]
)


@task(name="tag-articles")
def tag_articles(articles_path: Path, out_path: Path, nlp_settings: NlpSettings) -> Path:
    """Tag one batch of articles with batched nlp.pipe; returns the mentions batch path."""
    articles = [a for a in read_records(articles_path) if a["extraction_status"] == "ok"]
    nlp = load_pipeline(nlp_settings.model)
    version = pipeline_version(nlp)
    per_article = tag_texts(
        nlp, [a["body_text"] for a in articles], nlp_settings.batch_size, nlp_settings.max_chars_per_chunk
    )
    rows = [
        {"article_id": article["article_id"], "pipeline_version": version, **mention}
        for article, mentions in zip(articles, per_article, strict=True)
        for mention in mentions
    ]
    report(get_run_logger(), "tagged %d articles: %d entity mentions (%s)", len(articles), len(rows), version)
    return write_records(out_path, rows, MENTION_SCHEMA)
