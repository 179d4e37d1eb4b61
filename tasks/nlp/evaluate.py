"""Score the tagger: the demo newswire gold (seeds/gold), whole-article quote and event gold files, PLOVER sentences."""

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
    """The quote whose text starts with the gold's first words; the demo gold says "reported" for what the
    tagger calls indirect (or mixed, when part of it is in quotation marks)."""
    kinds = ("direct",) if gold["kind"] == "direct" else ("indirect", "mixed", "reported")
    for quote in result.quotes:
        if quote["kind"] in kinds and quote["text"].lstrip('"“').startswith(gold["starts"]):
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


def load_gold_file(path: Path) -> list[dict[str, Any]]:
    """Whole-article gold records (JSON lines) with their text; raises ValueError for a file of another form."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not records:
        raise ValueError("no records")
    for record in records:
        if not isinstance(record.get("text"), str):
            raise ValueError(
                f"record {record.get('id')!r} has no text (gold kept without its text: write the full files "
                "first with `python -m seeds.gold.materialize`)"
            )
        if "quotes" not in record and "events" not in record:
            raise ValueError(f"record {record.get('id')!r} has neither quotes nor events")
    return records


def score_gold_file(nlp: Language, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Quote scores for quotes-dev-form records, event scores for events-dev-articles-form records (per
    category as flat metric names), plus "errors": one line per quote the tagger got wrong."""
    from tasks.nlp.evaluate_events import match_article, score_matches, tag_articles
    from tasks.nlp.evaluate_quotes import score_quote_articles

    if "quotes" in records[0]:
        scores = score_quote_articles(nlp, records)
        scores["errors"] = [json.dumps(error, ensure_ascii=False) for error in scores["errors"]]
        return scores
    tagged = tag_articles(nlp, records)
    scores = score_matches(records, [match_article(r, t) for r, t in zip(records, tagged, strict=True)])
    flat = {k: v for k, v in scores.items() if k != "per_category"}
    for category, figures in scores["per_category"].items():
        counts = f"{figures['predicted']}, {figures['correct']}, {figures['gold']}"
        flat[f"{category} P/R (predicted, correct, gold)"] = f"{figures['precision']}/{figures['recall']} ({counts})"
    return flat
