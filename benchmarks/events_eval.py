"""Score the event tagger on ../shared/data/events-dev (149 PLOVER-coded sentences, OEDA, CC BY-SA 4.0).

Type accuracy: the main event (highest in the parse) has the gold PLOVER category (no event = wrong).
Type+actor+target (lenient): also, our actor shares a word with a gold source actor and our target with a
gold target (an empty gold side must be empty or is ignored when the gold list is empty).

Usage: uv run python -m benchmarks.events_eval [--show-errors]
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from typing import Any

from newsflow.settings import PROJECT_ROOT, NlpSettings
from tasks.nlp.tagger import load_pipeline, tag_documents

DATA = PROJECT_ROOT.parent / "shared" / "data" / "events-dev" / "plover-gsr-half-a.json"
WORD_RE = re.compile(r"\w+")
STOP = {"the", "of", "a", "an", "and", "s"}


def words(text: str | None) -> set[str]:
    return {w for w in WORD_RE.findall((text or "").lower()) if w not in STOP}


def side_matches(ours: str | None, gold: list[dict[str, Any]]) -> bool:
    if not gold:
        return True
    return any(words(ours) & words(g.get("actorText")) for g in gold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    records = json.loads(DATA.read_text())
    nlp = load_pipeline(NlpSettings().model)
    tagged = tag_documents(nlp, [r["text"] for r in records], 32, 100_000)
    type_ok = full_ok = 0
    confusion: Counter[tuple[str, str]] = Counter()
    for record, result in zip(records, tagged, strict=True):
        main_event = min(result.events, key=lambda e: (e["sentence_index"], e["rank_in_sentence"]), default=None)
        predicted = main_event["event_type"] if main_event else "NONE"
        if predicted == record["event"]:
            type_ok += 1
            if (
                main_event
                and side_matches(main_event["actor"], record.get("source", []))
                and side_matches(main_event["target"], record.get("target", []))
            ):
                full_ok += 1
        else:
            confusion[(record["event"], predicted)] += 1
            if args.show_errors:
                trigger = main_event["trigger"] if main_event else None
                print(f"{record['event']:>11} <- {predicted:<11} [{trigger}] {record['text'][:110]}")
    n = len(records)
    print(f"{n} sentences: event-type accuracy {type_ok / n:.3f}; type+actor+target (lenient) {full_ok / n:.3f}")
    print("most common confusions (gold <- predicted):", confusion.most_common(8))


if __name__ == "__main__":
    main()
