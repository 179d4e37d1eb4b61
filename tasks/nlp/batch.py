"""Tag one batch file of extracted articles into mention, quote, event and tagged files (no Prefect here:
this runs in the NLP worker process)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa

from newsflow.memory import release_freed_memory
from newsflow.settings import NlpSettings
from tasks.nlp.tagger import (
    STATUS_UNSUPPORTED_LANGUAGE,
    configured_version,
    load_configured_pipeline,
    tag_in_languages,
)
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
        ("model_label", pa.string()),
        ("known_actor_id", pa.string()),
        ("actor_code", pa.string()),
        ("pipeline_version", pa.string()),
    ]
)
QUOTE_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("kind", pa.string()),  # direct | indirect | mixed
        ("text", pa.string()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("content_spans", pa.list_(pa.list_(pa.int32()))),
        ("sentence_index", pa.int32()),
        ("cue", pa.string()),
        ("cue_char", pa.int32()),
        ("cue_end_char", pa.int32()),
        ("speaker", pa.string()),
        ("speaker_entity_id", pa.string()),
        ("speaker_label", pa.string()),
        ("speaker_text", pa.string()),
        ("speaker_start_char", pa.int32()),
        ("speaker_end_char", pa.int32()),
        ("event_trigger_char", pa.int32()),  # the event the quote is about (events.trigger_char), if any
        ("pipeline_version", pa.string()),
    ]
)


EVENT_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("trigger_char", pa.int32()),
        ("event_type", pa.string()),
        ("cameo_code", pa.string()),
        ("cameo_root", pa.string()),
        ("goldstein", pa.float64()),
        ("quad_class", pa.int32()),
        ("trigger", pa.string()),
        ("trigger_end_char", pa.int32()),
        ("sentence_index", pa.int32()),
        ("rank_in_sentence", pa.int32()),
        ("actor", pa.string()),
        ("actor_entity_id", pa.string()),
        ("actor_start_char", pa.int32()),
        ("actor_end_char", pa.int32()),
        ("actor_code", pa.string()),
        ("target", pa.string()),
        ("target_entity_id", pa.string()),
        ("target_start_char", pa.int32()),
        ("target_end_char", pa.int32()),
        ("target_code", pa.string()),
        ("location", pa.string()),
        ("location_entity_id", pa.string()),
        ("location_start_char", pa.int32()),
        ("location_end_char", pa.int32()),
        ("pattern", pa.string()),
        ("date_text", pa.string()),
        ("event_date", pa.date32()),
        ("negated", pa.bool_()),
        ("mode", pa.string()),
        ("confidence", pa.float64()),
        ("pipeline_version", pa.string()),
    ]
)


TAGGED_SCHEMA = pa.schema(
    [
        ("article_id", pa.string()),
        ("pipeline_version", pa.string()),
        ("nlp_status", pa.string()),  # tagged | unsupported_language
        ("nlp_language", pa.string()),
    ]
)


def tagged_path_for(mentions_path: Path) -> Path:
    """Every article the batch tagged, with the pipeline version, even those with no mentions at all."""
    return mentions_path.with_name("tagged.parquet")


def events_path_for(mentions_path: Path) -> Path:
    return mentions_path.with_name("events.parquet")


def event_candidates_path_for(mentions_path: Path) -> Path:
    """Events below the confidence threshold, kept apart (event_candidates)."""
    return mentions_path.with_name("event_candidates.parquet")


def quotes_path_for(mentions_path: Path) -> Path:
    """Quotes travel beside the mentions file of the same batch."""
    return mentions_path.with_name("quotes.parquet")


def configured_pipeline_version(nlp_settings: NlpSettings) -> str:
    """The version string the configured pipelines stamp on their rows (loads the English model once per
    process, so the NLP worker is warm when the first batch comes)."""
    load_configured_pipeline(nlp_settings)
    return configured_version(nlp_settings)


def tag_batch(
    articles_path: Path, out_path: Path, nlp_settings: NlpSettings, copies_path: Path | None = None
) -> dict[str, Any]:
    """Tag one batch of articles with batched nlp.pipe (one model per language), writing out_path (mentions)
    and its sibling files.

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
    version = configured_version(nlp_settings)
    with timed_stage(out_path.parent, "nlp"):
        per_body = tag_in_languages(
            nlp_settings,
            [a["body_text"] for a in distinct],
            [a["published_at"].date() if a.get("published_at") else None for a in distinct],
            [a.get("language") for a in distinct],
        )
        # spaCy's parser leaves per-batch step models (with their activations) in reference cycles; free
        # them now (~0.1 s) instead of whenever Python's next full collection comes, batches later.
        release_freed_memory()
    by_hash = {a["content_hash"]: t for a, t in zip(distinct, per_body, strict=True)}

    def rows(kind: str) -> list[dict[str, Any]]:
        return [
            {"article_id": article["article_id"], "pipeline_version": version, **row}
            for article in articles
            for row in getattr(by_hash[article["content_hash"]].tagged, kind)
        ]

    mention_rows, quote_rows, event_rows = rows("mentions"), rows("quotes"), rows("events")
    candidate_rows = rows("event_candidates")
    write_records(quotes_path_for(out_path), quote_rows, QUOTE_SCHEMA)
    write_records(events_path_for(out_path), event_rows, EVENT_SCHEMA)
    write_records(event_candidates_path_for(out_path), candidate_rows, EVENT_SCHEMA)
    statuses = [by_hash[a["content_hash"]] for a in articles]
    write_records(
        tagged_path_for(out_path),
        [
            {
                "article_id": a["article_id"],
                "pipeline_version": version,
                "nlp_status": status.nlp_status,
                "nlp_language": status.language,
            }
            for a, status in zip(articles, statuses, strict=True)
        ],
        TAGGED_SCHEMA,
    )
    write_records(out_path, mention_rows, MENTION_SCHEMA)
    skipped = Counter(str(s.language) for s in statuses if s.nlp_status == STATUS_UNSUPPORTED_LANGUAGE)
    return {
        "articles": len(articles),
        "mentions": len(mention_rows),
        "quotes": len(quote_rows),
        "events": len(event_rows),
        "event_candidates": len(candidate_rows),
        "unsupported_languages": dict(skipped),
        "pipeline_version": version,
    }
