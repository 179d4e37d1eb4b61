"""Score the event coder on whole-article gold files (events-dev-articles form) and on PLOVER-coded sentences."""

from __future__ import annotations

import bisect
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from spacy.language import Language

from tasks.nlp.tagger import Tagged, tag_documents

WORD_RE = re.compile(r"\w+")
# Words that say nothing about who an actor is when two actor texts are compared leniently.
STOP_WORDS = frozenset({"the", "of", "a", "an", "and", "s"})


def _ratio(hits: int, total: int) -> float:
    return round(hits / total, 3) if total else 0.0


def _sentence_of(starts: list[int], char: int) -> int:
    return max(bisect.bisect_right(starts, char) - 1, 0)


def _overlaps(ours: tuple[int | None, int | None], gold: list[int] | None) -> bool:
    """A predicted side is right when its span overlaps the gold span, or both are absent."""
    start, end = ours
    if gold is None:
        return start is None
    return start is not None and end is not None and start < gold[1] and gold[0] < end


def _published(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


@dataclass
class Matched:
    """One article's events after greedy matching: (prediction, gold or None) pairs and unmatched gold."""

    pairs: list[tuple[dict[str, Any], dict[str, Any] | None]] = field(default_factory=list)
    missed: list[dict[str, Any]] = field(default_factory=list)


def match_article(record: dict[str, Any], tagged: Tagged) -> Matched:
    """Greedy one-to-one matching, most confident prediction first: same PLOVER category, gold trigger start in
    the sentence of the predicted trigger (the nearest such gold trigger when several are free)."""
    starts = tagged.sentence_starts or [0]
    gold = [(g, _sentence_of(starts, g["trigger"][0])) for g in record["events"]]
    free = list(range(len(gold)))
    matched = Matched()
    for event in sorted(tagged.events, key=lambda e: (-e["confidence"], e["trigger_char"])):
        sentence = _sentence_of(starts, event["trigger_char"])
        candidates = [i for i in free if gold[i][1] == sentence and gold[i][0]["event"] == event["event_type"]]
        if not candidates:
            matched.pairs.append((event, None))
            continue
        best = min(candidates, key=lambda i: abs(gold[i][0]["trigger"][0] - event["trigger_char"]))
        free.remove(best)
        matched.pairs.append((event, gold[best][0]))
    matched.missed = [gold[i][0] for i in free]
    return matched


def read_articles(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def tag_articles(nlp: Language, records: list[dict[str, Any]]) -> list[Tagged]:
    published = [_published(r.get("publish_date")) for r in records]
    return tag_documents(nlp, [r["text"] for r in records], 16, 100_000, published)


def score_matches(records: list[dict[str, Any]], matches: list[Matched]) -> dict[str, Any]:
    """Precision, recall, actor and target accuracy (overall and per PLOVER category) of matched articles."""
    predicted: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    gold_count: Counter[str] = Counter(g["event"] for r in records for g in r["events"])
    actor_right = target_right = 0
    for matched in matches:
        for event, gold in matched.pairs:
            predicted[event["event_type"]] += 1
            if gold is None:
                continue
            correct[event["event_type"]] += 1
            actor_right += _overlaps((event["actor_start_char"], event["actor_end_char"]), gold["actor"])
            target_right += _overlaps((event["target_start_char"], event["target_end_char"]), gold["target"])
    n_predicted, n_correct, n_gold = sum(predicted.values()), sum(correct.values()), sum(gold_count.values())
    per_category = {
        category: {
            "precision": _ratio(correct[category], predicted[category]),
            "recall": _ratio(correct[category], gold_count[category]),
            "predicted": predicted[category],
            "correct": correct[category],
            "gold": gold_count[category],
        }
        for category in sorted(set(predicted) | set(gold_count))
    }
    return {
        "precision": _ratio(n_correct, n_predicted),
        "recall": _ratio(n_correct, n_gold),
        "actor_accuracy": _ratio(actor_right, n_correct),
        "target_accuracy": _ratio(target_right, n_correct),
        "predicted": n_predicted,
        "correct": n_correct,
        "gold": n_gold,
        "articles": len(records),
        "per_category": per_category,
    }


def score_event_articles(nlp: Language, path: Path) -> dict[str, Any]:
    """Events of whole articles against every hand-marked codable event (events-dev-articles form).

    A confident predicted event is correct if a not yet matched gold event has its PLOVER category and a trigger
    starting in the same sentence; actor (target) accuracy is the share of correct events whose actor (target)
    span overlaps the gold one (a gold side that is null must be null in the prediction too).
    """
    records = read_articles(path)
    tagged = tag_articles(nlp, records)
    return score_matches(records, [match_article(r, t) for r, t in zip(records, tagged, strict=True)])


def at_threshold(tagged: list[Tagged], min_confidence: float) -> list[Tagged]:
    """The tagger's output as if the events' confidence threshold were min_confidence."""
    return [
        Tagged(
            events=[e for e in t.events + t.event_candidates if e["confidence"] >= min_confidence],
            sentence_starts=t.sentence_starts,
        )
        for t in tagged
    ]


def threshold_sweep(nlp: Language, path: Path, thresholds: list[float]) -> dict[float, dict[str, Any]]:
    """Article scores at each confidence threshold, from one tagging run (what choosing min_confidence trades)."""
    records = read_articles(path)
    tagged = tag_articles(nlp, records)
    return {
        threshold: score_matches(
            records, [match_article(r, t) for r, t in zip(records, at_threshold(tagged, threshold), strict=True)]
        )
        for threshold in thresholds
    }


def _words(text: str | None) -> set[str]:
    return {w for w in WORD_RE.findall((text or "").lower()) if w not in STOP_WORDS}


def _side_matches(ours: str | None, gold: list[dict[str, Any]], mention: str = "") -> bool:
    """Lenient: our actor, by its canonical name or as the sentence words it, shares a word with one of the gold
    actors ("United States" written "US"; an empty gold side accepts anything)."""
    if not gold:
        return True
    words = _words(ours) | _words(mention)
    return any(words & _words(g.get("actorText")) for g in gold)


def _mention_text(text: str, event: dict[str, Any], side: str) -> str:
    start, end = event.get(f"{side}_start_char"), event.get(f"{side}_end_char")
    return text[start:end] if isinstance(start, int) and isinstance(end, int) else ""


def main_event(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    return min(events, key=lambda e: (e["sentence_index"], e["rank_in_sentence"]), default=None)


def sentence_results(
    records: list[dict[str, Any]], tagged: list[Tagged], include_candidates: bool
) -> list[tuple[dict[str, Any], dict[str, Any] | None, bool, bool]]:
    """(record, main event, type right, type+actor+target right) per sentence."""
    results = []
    for record, result in zip(records, tagged, strict=True):
        event = main_event(result.events + (result.event_candidates if include_candidates else []))
        type_ok = event is not None and event["event_type"] == record["event"]
        full_ok = (
            type_ok
            and event is not None
            and _side_matches(event["actor"], record.get("source", []), _mention_text(record["text"], event, "actor"))
            and _side_matches(event["target"], record.get("target", []), _mention_text(record["text"], event, "target"))
        )
        results.append((record, event, type_ok, full_ok))
    return results


def score_event_sentences(nlp: Language, path: Path) -> dict[str, Any]:
    """PLOVER sentences (one coded event each): is the main event of the sentence of the gold category, and
    (lenient, a shared word) are its actor and target the gold source and target? Scored on the confident
    events (what users see) and on all events, candidates included (how well the coder types an event)."""
    records = json.loads(path.read_text())
    tagged = tag_documents(nlp, [r["text"] for r in records], 32, 100_000)
    scores: dict[str, Any] = {"sentences": len(records)}
    for suffix, include in (("", False), ("_with_candidates", True)):
        results = sentence_results(records, tagged, include)
        scores[f"event_type_accuracy{suffix}"] = _ratio(sum(r[2] for r in results), len(records))
        scores[f"type_actor_target_accuracy{suffix}"] = _ratio(sum(r[3] for r in results), len(records))
        scores[f"no_event{suffix}"] = sum(r[1] is None for r in results)
    return scores
