"""Words per second of the full newsflow tagger against the bare spaCy model, and against the tagger of an
earlier commit, on the same texts in one run.

Texts: the main_content of ../shared/data/extraction-dev (real article bodies), or the demo stories if
that is absent. One process per tagger, nlp.pipe(batch_size=32); with --baseline-ref the earlier commit's
tagger runs from a `git archive` of it, and the runs alternate (--rounds) so drift in the machine's speed
falls on both alike.

Usage: uv run python -m benchmarks.nlp_throughput [--limit 300] [--baseline-ref 78f28a1 --rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from newsflow.settings import PROJECT_ROOT

DATA = PROJECT_ROOT.parent / "shared" / "data" / "extraction-dev" / "ground-truth.jsonl"
WORD_RE = re.compile(r"\w+")


def texts(limit: int) -> list[str]:
    if DATA.is_file():
        records = [json.loads(line) for line in DATA.read_text().split("\n") if line.strip()]
        return [r["main_content"] for r in records if r["main_content"]][:limit]
    from tasks.nlp.evaluate import _stories, story_text

    return [story_text(s) for s in _stories().values()][:limit]


# Runs in a fresh process with one tree's code on sys.path: the same for this checkout and an older commit
# (both have tasks.nlp.tagger.load_pipeline(model) and tag_documents(nlp, texts, batch_size, max_chars)).
TIMER = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
corpus = json.load(open(sys.argv[3]))
from newsflow.settings import NlpSettings
model = NlpSettings().model
if sys.argv[2] == "bare":
    import spacy
    nlp = spacy.load(model)
    run = lambda texts: list(nlp.pipe(texts, batch_size=32))
else:
    from tasks.nlp.tagger import load_pipeline, tag_documents
    nlp = load_pipeline(model)
    run = lambda texts: tag_documents(nlp, texts, 32, 100_000)
run(corpus[:5])  # warm up
started = time.perf_counter()
run(corpus)
print(time.perf_counter() - started)
"""


def run_in_tree(tree: Path, which: str, corpus_file: Path) -> float:
    """Seconds one tagger ("bare" model or "full" newsflow tagger) of tree takes on the corpus."""
    out = subprocess.run(
        [sys.executable, "-c", TIMER, str(tree), which, str(corpus_file)],
        env={**os.environ, "PYTHONPATH": str(tree)},
        cwd=tree,
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def archive(ref: str) -> Path:
    """The tree of an earlier commit, with its seeds and config (the model comes from this environment)."""
    target = Path(tempfile.mkdtemp(prefix=f"newsflow-{ref}-"))
    tar = subprocess.run(["git", "archive", ref], cwd=PROJECT_ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=tar, check=True)
    # Shared data sits beside the checkout: the archived tree finds it the same way.
    link = target.parent / "shared"
    if not link.exists() and (PROJECT_ROOT.parent / "shared").exists():
        link.symlink_to(PROJECT_ROOT.parent / "shared")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=300, help="how many article bodies (default 300)")
    parser.add_argument("--baseline-ref", help="git commit whose tagger to time beside this one (e.g. 78f28a1)")
    parser.add_argument("--rounds", type=int, default=1, help="alternating repetitions of every tagger")
    args = parser.parse_args()
    corpus = texts(args.limit)
    corpus_file = Path(tempfile.mkdtemp()) / "corpus.json"
    corpus_file.write_text(json.dumps(corpus))
    words = sum(len(WORD_RE.findall(t)) for t in corpus)
    trees = [("bare model (all components)", PROJECT_ROOT, "bare"), ("full newsflow tagger", PROJECT_ROOT, "full")]
    if args.baseline_ref:
        trees.append((f"full tagger at {args.baseline_ref}", archive(args.baseline_ref), "full"))
    print(f"{len(corpus)} texts, {words} words; {args.rounds} round(s), one process per run")
    seconds: dict[str, list[float]] = {name: [] for name, _, _ in trees}
    for _ in range(args.rounds):
        for name, tree, which in trees:
            seconds[name].append(run_in_tree(tree, which, corpus_file))
    for name, runs in seconds.items():
        best = min(runs)
        listed = ", ".join(f"{s:.1f}" for s in runs)
        print(f"{name:<34} {words / best:7.0f} words/s (best of {len(runs)}: {listed} s)")


if __name__ == "__main__":
    main()
