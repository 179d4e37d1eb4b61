"""Words per second of the full newsflow tagger against the bare spaCy model, on the same texts.

Texts: the main_content of ../shared/data/extraction-dev (real article bodies), or the demo stories if
that is absent. One process, nlp.pipe(batch_size=32).

Usage: uv run python -m benchmarks.nlp_throughput [--limit 300]
"""

from __future__ import annotations

import argparse
import json
import re
import time

import spacy

from newsflow.settings import PROJECT_ROOT, NlpSettings
from tasks.nlp.evaluate import _stories, story_text
from tasks.nlp.tagger import load_pipeline, tag_documents

DATA = PROJECT_ROOT.parent / "shared" / "data" / "extraction-dev" / "ground-truth.jsonl"
WORD_RE = re.compile(r"\w+")


def texts(limit: int) -> list[str]:
    if DATA.is_file():
        records = [json.loads(line) for line in DATA.read_text().split("\n") if line.strip()]
        return [r["main_content"] for r in records if r["main_content"]][:limit]
    return [story_text(s) for s in _stories().values()][:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=300)
    args = parser.parse_args()
    corpus = texts(args.limit)
    words = sum(len(WORD_RE.findall(t)) for t in corpus)
    model = NlpSettings().model
    bare = spacy.load(model)
    full = load_pipeline(model)
    for name, run in (
        ("bare model (all components)", lambda: list(bare.pipe(corpus, batch_size=32))),
        ("full newsflow tagger", lambda: tag_documents(full, corpus, 32, 100_000)),
    ):
        run() if len(corpus) < 20 else None  # warm-up on tiny corpora only; big ones warm up as they go
        started = time.perf_counter()
        run()
        seconds = time.perf_counter() - started
        print(f"{name:<30} {len(corpus)} texts, {words} words: {seconds:6.1f} s, {words / seconds:7.0f} words/s")


if __name__ == "__main__":
    main()
