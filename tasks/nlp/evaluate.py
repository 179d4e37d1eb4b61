"""Score the tagger: the hand-annotated demo newswire (seeds/gold) and PLOVER-coded sentences (events-dev)."""

from __future__ import annotations

import json
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

from spacy.language import Language

from newsflow.settings import SEEDS_DIR
from tasks.nlp.tagger import Tagged, tag_documents

GOLD_FILE = SEEDS_DIR / "gold" / "newswire-gold.toml"
STORIES_DIR = SEEDS_DIR / "newswire-src"


def _stories() -> dict[str, dict[str, Any]]:
    stories: dict[str, dict[str, Any]] = {}
    for path in sorted(STORIES_DIR.glob("stories-*.toml")):
        for story in tomllib.loads(path.read_text())["story"]:
            stories[story["slug"]] = story
    return stories


def story_text(story: dict[str, Any]) -> str:
    """The body as extraction yields it: one paragraph per line."""
    return "\n".join(" ".join(p.split()) for p in story["body"].strip().split("\n\n") if p.strip())


def _ratio(hits: int, total: int) -> float:
    return round(hits / total, 3) if total else 0.0


def score_newswire_gold(nlp: Language, gold_file: Path = GOLD_FILE) -> dict[str, float]:
    """Entity recall (canonical names), quote speaker accuracy, event type accuracy on the annotated articles."""
    gold = tomllib.loads(gold_file.read_text())["article"]
    stories = _stories()
    texts = [story_text(stories[a["slug"]]) for a in gold]
    published = [datetime.fromisoformat(stories[a["slug"]]["published"]).date() for a in gold]
    tagged = tag_documents(nlp, texts, 16, 100_000, published)
    entity_hits = entity_total = quote_hits = quote_found = quote_total = event_hits = event_total = 0
    for article, text, result in zip(gold, texts, tagged, strict=True):
        canonicals = {m["canonical"] for m in result.mentions}
        entity_total += len(article["entities"])
        entity_hits += sum(1 for name in article["entities"] if name in canonicals)
        for quote in article["quotes"]:
            quote_total += 1
            match = _find_quote(result, quote)
            quote_found += match is not None
            quote_hits += match is not None and match["speaker"] == quote["speaker"]
        for event in article["events"]:
            event_total += 1
            ours = _find_event(result, text, event["trigger"])
            event_hits += ours is not None and ours["event_type"] == event["type"]
    return {
        "entity_recall": _ratio(entity_hits, entity_total),
        "quote_recall": _ratio(quote_found, quote_total),
        "quote_speaker_accuracy": _ratio(quote_hits, quote_total),
        "event_type_accuracy": _ratio(event_hits, event_total),
        "articles": len(gold),
        "quotes": quote_total,
        "events": event_total,
    }


def _find_quote(result: Tagged, gold: dict[str, Any]) -> dict[str, Any] | None:
    for quote in result.quotes:
        if quote["kind"] == gold["kind"] and quote["text"].startswith(gold["starts"]):
            return quote
    return None


def _find_event(result: Tagged, text: str, trigger: str) -> dict[str, Any] | None:
    for event in result.events:
        if text[event["trigger_char"] : event["trigger_char"] + len(trigger)] == trigger:
            return event
    return None


def score_events_dev(nlp: Language, path: Path) -> dict[str, float]:
    """PLOVER event-type accuracy of each sentence's main event (no event counts as wrong)."""
    records = json.loads(path.read_text())
    tagged = tag_documents(nlp, [r["text"] for r in records], 32, 100_000)
    hits = 0
    for record, result in zip(records, tagged, strict=True):
        main = min(result.events, key=lambda e: (e["sentence_index"], e["rank_in_sentence"]), default=None)
        hits += main is not None and main["event_type"] == record["event"]
    return {"event_type_accuracy": _ratio(hits, len(records)), "sentences": len(records)}
