"""Score article extraction on ../shared/data/extraction-dev (WCXB dev split, 711 article pages).

Body: word-4-gram P/R/F1 as the ScrapingHub article-extraction benchmark computes it (see the data set's
README). Metadata: title exact match, author match, publish-date day accuracy. Speed: pages per CPU-second.

Usage: uv run python -m benchmarks.extraction_eval [--config NAME ...] [--limit N] [--workers 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import trafilatura
from trafilatura.settings import Document

from newsflow.settings import PROJECT_ROOT
from tasks.extraction import extract_article

DATA = PROJECT_ROOT.parent / "shared" / "data" / "extraction-dev"
WORD_RE = re.compile(r"\w+", re.UNICODE)


def grams(text: str) -> Counter[tuple[str, ...]]:
    words = WORD_RE.findall(text or "")
    return Counter(tuple(words[i : i + 4]) for i in range(len(words) - 3))


def body_scores(predicted: str, truth: str) -> tuple[float | None, float | None]:
    """Per-page precision and recall on word 4-grams (None where the denominator is 0)."""
    p, t = grams(predicted), grams(truth)
    if not p and not t:
        return 1.0, 1.0
    tp = sum((p & t).values())
    fp = sum(p.values()) - tp
    fn = sum(t.values()) - tp
    total = tp + fp + fn
    tp_n, fp_n, fn_n = tp / total, fp / total, fn / total
    precision = tp_n / (tp_n + fp_n) if tp_n + fp_n else None
    recall = tp_n / (tp_n + fn_n) if tp_n + fn_n else None
    return precision, recall


def norm(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def trafilatura_config(**kwargs: Any) -> Callable[[bytes, str], dict[str, Any]]:
    def run(page: bytes, url: str) -> dict[str, Any]:
        doc = trafilatura.bare_extraction(page, url=url, with_metadata=True, **kwargs)
        if not isinstance(doc, Document):
            return {"body_text": "", "title": None, "authors": [], "page_date": None}
        return {
            "body_text": doc.text or "",
            "title": doc.title,
            "authors": [doc.author] if doc.author else [],
            "page_date": doc.date,
        }

    return run


def newsflow_config(mode: str) -> Callable[[bytes, str], dict[str, Any]]:
    def run(page: bytes, url: str) -> dict[str, Any]:
        result = extract_article(page, url, min_body_words=0, mode=mode)
        return {
            "body_text": result["body_text"] or "",
            "title": result["title"],
            "authors": result["authors"],
            "page_date": result["page_date"],
        }

    return run


CONFIGS: dict[str, Callable[[bytes, str], dict[str, Any]]] = {
    "trafilatura-defaults": trafilatura_config(),
    "no-comments": trafilatura_config(include_comments=False),
    "no-comments+recall": trafilatura_config(include_comments=False, favor_recall=True),
    "no-comments+precision": trafilatura_config(include_comments=False, favor_precision=True),
    "no-comments+no-tables": trafilatura_config(include_comments=False, include_tables=False),
    "newsflow-default": newsflow_config("default"),
    "newsflow-recall": newsflow_config("recall"),
    "newsflow (shipped: longest)": newsflow_config("longest"),
}


def score_page(args: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    name, record = args
    page = gzip.decompress((DATA / record["file"]).read_bytes())
    started = time.process_time()
    result = CONFIGS[name](page, record["url"])
    cpu_s = time.process_time() - started
    precision, recall = body_scores(result["body_text"], record["main_content"])
    truth_authors = {norm(a) for a in re.split(r",|;| and ", record["author"] or "") if a.strip()}
    got_authors = {norm(a) for author in result["authors"] for a in re.split(r",|;| and ", author) if a.strip()}
    return {
        "precision": precision,
        "recall": recall,
        "title_exact": norm(result["title"]) == norm(record["title"]),
        "author_match": (bool(truth_authors) and bool(truth_authors & got_authors)) if record["author"] else None,
        "date_exact": (str(result["page_date"])[:10] == record["publish_date"]) if record["publish_date"] else None,
        "cpu_s": cpu_s,
    }


def evaluate(name: str, records: list[dict[str, Any]], workers: int) -> dict[str, float]:
    with ProcessPoolExecutor(max_workers=workers) as pool:
        rows = list(pool.map(score_page, [(name, r) for r in records], chunksize=8))
    precisions = [r["precision"] for r in rows if r["precision"] is not None]
    recalls = [r["recall"] for r in rows if r["recall"] is not None]
    p, r = sum(precisions) / len(precisions), sum(recalls) / len(recalls)
    authors = [r["author_match"] for r in rows if r["author_match"] is not None]
    dates = [r["date_exact"] for r in rows if r["date_exact"] is not None]
    return {
        "P": p,
        "R": r,
        "F1": 2 * p * r / (p + r),
        "title": sum(r["title_exact"] for r in rows) / len(rows),
        "author": sum(authors) / len(authors),
        "date": sum(dates) / len(dates),
        "pages_per_cpu_s": len(rows) / sum(r["cpu_s"] for r in rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", action="append", choices=sorted(CONFIGS), help="default: all")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    records = [json.loads(line) for line in (DATA / "ground-truth.jsonl").read_text().split("\n") if line.strip()]
    if args.limit:
        records = records[: args.limit]
    print(f"{len(records)} pages from {DATA}")
    print("| setting | body P | body R | body F1 | title exact | author match | date day acc | pages/CPU-s |")
    print("|---|---|---|---|---|---|---|---|")
    for name in args.config or list(CONFIGS):
        m = evaluate(name, records, args.workers)
        print(
            f"| {name} | {m['P']:.3f} | {m['R']:.3f} | {m['F1']:.3f} | {m['title']:.3f} | {m['author']:.3f} "
            f"| {m['date']:.3f} | {m['pages_per_cpu_s']:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
