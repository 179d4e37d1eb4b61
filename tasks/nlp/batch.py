"""Tag one batch file of extracted articles into mention, quote, event and tagged files (no Prefect here:
this runs in the NLP worker process)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from newsflow.memory import release_freed_memory
from newsflow.settings import NlpSettings
from tasks.nlp.tagger import load_pipeline, pipeline_version, tag_documents
from tasks.staging import read_records, timed_stage, write_records

MENTION_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("sentence_index", pa.int32()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("text", pa.string()),
        ("normalized", pa.string()),
        ("label", pa.string()),
        ("canonical", pa.string()),
        ("entity_id", pa.string()),
        ("role", pa.string()),
        ("role_org", pa.string()),
        ("pipeline_version", pa.string()),
    ]
)
QUOTE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("kind", pa.string()),  # direct | reported
        ("text", pa.string()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("sentence_index", pa.int32()),
        ("cue", pa.string()),
        ("cue_char", pa.int32()),
        ("speaker", pa.string()),
        ("speaker_entity_id", pa.string()),
        ("event_trigger_char", pa.int32()),  # the event the quote is about (events.trigger_char), if any
        ("pipeline_version", pa.string()),
    ]
)


EVENT_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("trigger_char", pa.int32()),
        ("event_type", pa.string()),
        ("cameo_root", pa.string()),
        ("trigger", pa.string()),
        ("sentence_index", pa.int32()),
        ("rank_in_sentence", pa.int32()),
        ("actor", pa.string()),
        ("actor_entity_id", pa.string()),
        ("target", pa.string()),
        ("target_entity_id", pa.string()),
        ("location", pa.string()),
        ("date_text", pa.string()),
        ("event_date", pa.date32()),
        ("negated", pa.bool_()),
        ("mode", pa.string()),
        ("confidence", pa.float64()),
        ("pipeline_version", pa.string()),
    ]
)


TAGGED_SCHEMA = pa.schema([("article_id", pa.string()), ("pipeline_version", pa.string())])


def tagged_path_for(mentions_path: Path) -> Path:
    """Every article the batch tagged, with the pipeline version, even those with no mentions at all."""
    return mentions_path.with_name("tagged.parquet")


def events_path_for(mentions_path: Path) -> Path:
    return mentions_path.with_name("events.parquet")


def quotes_path_for(mentions_path: Path) -> Path:
    """Quotes travel beside the mentions file of the same batch."""
    return mentions_path.with_name("quotes.parquet")


def configured_pipeline_version(nlp_settings: NlpSettings) -> str:
    """The version string the configured pipeline stamps on its rows (loads the model once per process)."""
    return pipeline_version(load_pipeline(nlp_settings.model))


def tag_batch(
    articles_path: Path, out_path: Path, nlp_settings: NlpSettings, copies_path: Path | None = None
) -> dict[str, Any]:
    """Tag one batch of articles with batched nlp.pipe, writing out_path (mentions) and its sibling files.

    Each distinct body is tagged once: exact copies inside the batch share the result, and copies of
    articles tagged earlier (copies_path) are left to the store step, which copies their mentions.
    Returns row counts and the pipeline version, for the task's log line.
    """
    tagged_elsewhere = {row["article_id"] for row in read_records(copies_path)} if copies_path else set()
    articles = [
        a
        for a in read_records(articles_path)
        if a["extraction_status"] == "ok" and a["article_id"] not in tagged_elsewhere
    ]
    first_by_hash: dict[str, dict[str, Any]] = {}
    for article in articles:
        first_by_hash.setdefault(article["content_hash"], article)
    distinct = list(first_by_hash.values())
    nlp = load_pipeline(nlp_settings.model)
    version = pipeline_version(nlp)
    with timed_stage(out_path.parent, "nlp"):
        per_body = tag_documents(
            nlp,
            [a["body_text"] for a in distinct],
            nlp_settings.batch_size,
            nlp_settings.max_chars_per_chunk,
            [a["published_at"].date() if a.get("published_at") else None for a in distinct],
            nlp_settings.batch_words,
        )
        # spaCy's parser leaves per-batch step models (with their activations) in reference cycles; free
        # them now (~0.1 s) instead of whenever Python's next full collection comes, batches later.
        release_freed_memory()
    tagged_by_hash = {a["content_hash"]: t for a, t in zip(distinct, per_body, strict=True)}
    rows = [
        {"article_id": article["article_id"], "pipeline_version": version, **mention}
        for article in articles
        for mention in tagged_by_hash[article["content_hash"]].mentions
    ]
    quote_rows = [
        {"article_id": article["article_id"], "pipeline_version": version, **quote}
        for article in articles
        for quote in tagged_by_hash[article["content_hash"]].quotes
    ]
    write_records(quotes_path_for(out_path), quote_rows, QUOTE_SCHEMA)
    event_rows = [
        {"article_id": article["article_id"], "pipeline_version": version, **event}
        for article in articles
        for event in tagged_by_hash[article["content_hash"]].events
    ]
    write_records(events_path_for(out_path), event_rows, EVENT_SCHEMA)
    write_records(
        tagged_path_for(out_path),
        [{"article_id": a["article_id"], "pipeline_version": version} for a in articles],
        TAGGED_SCHEMA,
    )
    write_records(out_path, rows, MENTION_SCHEMA)
    return {
        "articles": len(articles),
        "mentions": len(rows),
        "quotes": len(quote_rows),
        "events": len(event_rows),
        "pipeline_version": version,
    }
