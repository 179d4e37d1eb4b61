"""Score the event coder on ../shared/data/events-dev: whole articles (every codable event hand-marked) and the
PLOVER gold-standard sentences (OEDA, CC BY-SA 4.0).

Articles: precision and recall of the confident events (same PLOVER category, trigger in the same sentence), per
category, actor and target accuracy, and the same at other confidence thresholds. Sentences: the PLOVER category
of each sentence's main event, and type+actor+target (lenient, a shared word); see tasks/nlp/evaluate_events.py.

Usage: uv run python -m benchmarks.events_eval [--show-errors]
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from newsflow.settings import PROJECT_ROOT, NlpSettings
from tasks.nlp.evaluate_events import (
    at_threshold,
    match_article,
    read_articles,
    score_matches,
    sentence_results,
    tag_articles,
)
from tasks.nlp.tagger import load_pipeline, tag_documents

EVENTS_DEV = PROJECT_ROOT.parent / "shared" / "data" / "events-dev"
ARTICLES = EVENTS_DEV / "events-dev-articles.jsonl"
SENTENCES = EVENTS_DEV / "plover-gsr-half-a.json"
THRESHOLDS = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9]


def _line(scores: dict[str, Any]) -> str:
    return (
        f"P {scores['precision']:.3f}  R {scores['recall']:.3f}  ({scores['correct']} of {scores['predicted']}"
        f" predicted, {scores['gold']} gold)  actor {scores['actor_accuracy']:.3f}"
        f"  target {scores['target_accuracy']:.3f}"
    )


def articles(show_errors: bool) -> None:
    nlp = load_pipeline(NlpSettings().model)
    records = read_articles(ARTICLES)
    tagged = tag_articles(nlp, records)
    matches = [match_article(r, t) for r, t in zip(records, tagged, strict=True)]
    scores = score_matches(records, matches)
    threshold = getattr(nlp.get_pipe("newsflow_events"), "min_confidence", None)
    print(f"{scores['articles']} articles, confident events (min_confidence {threshold}): {_line(scores)}")
    for category, row in scores["per_category"].items():
        counts = f"{row['correct']}/{row['predicted']}/{row['gold']}"
        print(f"  {category:<12} P {row['precision']:.3f} R {row['recall']:.3f}  {counts} (correct/predicted/gold)")
    for value in THRESHOLDS:
        swept = [match_article(r, t) for r, t in zip(records, at_threshold(tagged, value), strict=True)]
        print(f"  at {value:.2f}: {_line(score_matches(records, swept))}")
    if show_errors:
        for record, matched in zip(records, matches, strict=True):
            text = record["text"]
            for event, gold in matched.pairs:
                if gold is None:
                    context = " ".join(text[max(0, event["trigger_char"] - 70) : event["trigger_char"] + 50].split())
                    label = f"{event['event_type']:<11} [{event['trigger']}] {event['actor']!r}"
                    print(f"  FP  {record['id']} {label}: {context}")
            for gold in matched.missed:
                context = " ".join(text[max(0, gold["trigger"][0] - 70) : gold["trigger"][0] + 50].split())
                print(f"  MISS {record['id']} {gold['event']:<11} [{gold['trigger_text']}]: {context}")


def sentences(show_errors: bool) -> None:
    nlp = load_pipeline(NlpSettings().model)
    records = json.loads(SENTENCES.read_text())
    tagged = tag_documents(nlp, [r["text"] for r in records], 32, 100_000)
    for label, include in (("confident events", False), ("candidates too", True)):
        results = sentence_results(records, tagged, include)
        n = len(results)
        type_ok = sum(r[2] for r in results) / n
        full_ok = sum(r[3] for r in results) / n
        print(f"{n} sentences, {label}: event-type accuracy {type_ok:.3f}; type+actor+target (lenient) {full_ok:.3f}")
    if show_errors:
        for record, event, type_ok, _ in sentence_results(records, tagged, True):
            if not type_ok:
                predicted = event["event_type"] if event else "NONE"
                trigger = event["trigger"] if event else None
                print(f"  {record['event']:>11} <- {predicted:<11} [{trigger}] {record['text'][:100]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    articles(args.show_errors)
    sentences(args.show_errors)


if __name__ == "__main__":
    main()
