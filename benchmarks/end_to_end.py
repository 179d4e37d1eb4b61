"""End-to-end ingest throughput over N real article pages, with the stage ceilings measured in the same run.

Builds a local newswire from ../shared/data/extraction-dev: N pages (the 711 dev pages, replicated; each
copy gets one unique sentence in its longest paragraph so no two bodies are equal and nothing is skipped
as a duplicate), listed in F RSS feeds, served on loopback. Then:

1. runs the real `newsflow run` command (a subprocess, its own temporary Prefect server) over them and
   samples the RSS of its whole process tree;
2. times trafilatura alone (one bare_extraction per page) and the bare spaCy model alone (nlp.pipe over
   the stored bodies) on the same pages and texts: the ceilings;
3. prints a table: stage busy times, end-to-end articles/s, the share of the binding ceiling, peak RSS.

Usage: uv run python -m benchmarks.end_to_end [--articles 1200] [--feeds 24] [--batch-size 50]
       [--extract-workers 1] [--keep DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import formatdate
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_DIR = PROJECT_ROOT.parent / "shared" / "data" / "extraction-dev"
PARAGRAPH_RE = re.compile(rb"<p(?:\s[^>]*)?>(.*?)</p>", re.DOTALL | re.IGNORECASE)
TAG_RE = re.compile(rb"<[^>]+>")


def dev_pages() -> list[tuple[bytes, str]]:
    """(page HTML, its ground-truth main text) for every extraction-dev page."""
    lines = (DEV_DIR / "ground-truth.jsonl").read_text().split("\n")
    records = [json.loads(line) for line in lines if line.strip()]
    return [(gzip.decompress((DEV_DIR / r["file"]).read_bytes()), r["main_content"] or "") for r in records]


def with_marker(page: bytes, main_text: str, index: int) -> bytes:
    """The page with one unique sentence added to its main text (so every extracted body differs).

    Added after a run of words of each of the longest ground-truth lines found verbatim in the HTML (body
    paragraphs, not the headline or a caption the extractor may drop) and at the end of the longest <p>.
    """
    marker = f" Benchmark copy {index} was filed from desk {index % 97} as item number {index}.".encode()
    ends: set[int] = set()
    for line in sorted(main_text.split("\n"), key=len, reverse=True)[:3]:
        words = line.split()
        for start in range(0, max(1, len(words) - 8), 8):
            needle = " ".join(words[start : start + 8]).encode()
            position = page.find(needle) if len(needle) > 20 else -1
            if position >= 0:
                ends.add(position + len(needle))
                break
    paragraphs = list(PARAGRAPH_RE.finditer(page))
    if paragraphs:
        ends.add(max(paragraphs, key=lambda m: len(TAG_RE.sub(b"", m.group(1)))).end(1))
    if not ends:
        return page.replace(b"</body>", b"<p>" + marker + b"</p></body>", 1)
    for end in sorted(ends, reverse=True):  # from the back, so earlier positions stay valid
        page = page[:end] + marker + page[end:]
    return page


def build_site(site: Path, pages: list[tuple[bytes, str]], articles: int, feeds: int, markers: bool = True) -> None:
    """pages/<i>.html and feeds/f<j>.xml (RSS 2.0, {demo} stands for the served base URL); without markers
    the pages are served as crawled (for judging stored rows, not for throughput)."""
    (site / "pages").mkdir(parents=True)
    (site / "feeds").mkdir()
    for i in range(articles):
        page, main_text = pages[i % len(pages)]
        (site / "pages" / f"{i}.html").write_bytes(with_marker(page, main_text, i) if markers else page)
    for j in range(feeds):
        items = "".join(
            f"<item><title>Story {i}</title><link>{{demo}}/pages/{i}.html</link><guid>story-{i}</guid>"
            f"<pubDate>{formatdate(1_763_000_000 + i * 60, usegmt=True)}</pubDate></item>"
            for i in range(j, articles, feeds)
        )
        (site / "feeds" / f"f{j}.xml").write_text(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {j}</title>{items}</channel></rss>'
        )


def write_config(workdir: Path, site: Path, feeds: int, batch_size: int, extract_workers: int, port: int) -> Path:
    base = (PROJECT_ROOT / "config" / "newsflow.toml").read_text().split("[[feeds]]")[0]
    feed_lines = "".join(f'\n[[feeds]]\nname = "f{j}"\nurl = "{{demo}}/feeds/f{j}.xml"\n' for j in range(feeds))
    config = workdir / "bench.toml"
    config.write_text(base + feed_lines)
    os.environ.update(
        NEWSFLOW_DATABASE__PATH=str(workdir / "bench.duckdb"),
        NEWSFLOW_STORAGE__DATA_DIR=str(workdir / "data"),
        NEWSFLOW_DEMO__SITE_DIR=str(site),
        NEWSFLOW_DEMO__PORT=str(port),
        NEWSFLOW_INGEST__PAGE_BATCH_SIZE=str(batch_size),
        NEWSFLOW_INGEST__EXTRACT_WORKERS=str(extract_workers),
        NEWSFLOW_FETCH__PER_HOST_CONCURRENCY="8",
    )
    return config


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found += [int(p) for p in task.read_text().split()]
    return found


def tree_rss_bytes(pid: int) -> dict[int, int]:
    """RSS of pid and all its descendants, by pid."""
    sizes: dict[int, int] = {}
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        sizes[current] = int(match.group(1)) * 1024 if match else 0
        todo += _children(current)
    return sizes


class RssSampler(threading.Thread):
    """Samples the process tree's RSS every 0.2 s: peak of the sum, and peak of the root process."""

    def __init__(self, pid: int, log: Path | None = None) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_total, self.peak_root, self.done = pid, 0, 0, threading.Event()
        self.log = log

    def run(self) -> None:
        started = time.monotonic()
        with open(self.log or os.devnull, "w", buffering=1) as log:  # line-buffered: the end is kept
            while not self.done.is_set():
                sizes = tree_rss_bytes(self.pid)
                self.peak_total = max(self.peak_total, sum(sizes.values()))
                self.peak_root = max(self.peak_root, sizes.get(self.pid, 0))
                log.write(
                    f"{time.monotonic() - started:.1f}\t{sizes.get(self.pid, 0) >> 20}\t{sum(sizes.values()) >> 20}\n"
                )
                time.sleep(0.2)


def run_ingest(workdir: Path, config: Path, rss_log: Path | None = None) -> dict[str, Any]:
    newsflow = Path(sys.executable).parent / "newsflow"
    started = time.monotonic()
    process = subprocess.Popen(
        [str(newsflow), "run", "--config", str(config)],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    sampler = RssSampler(process.pid, rss_log)
    sampler.start()
    output, _ = process.communicate()
    wall = time.monotonic() - started
    sampler.done.set()
    if process.returncode != 0:
        raise SystemExit(f"newsflow run failed:\n{output}")
    import duckdb

    con = duckdb.connect(str(workdir / "bench.duckdb"), read_only=True)
    [stats_json] = con.execute("select stats from runs order by started_at desc limit 1").fetchall()[0]
    stats = json.loads(stats_json)
    [(ok, distinct, words)] = con.execute(
        "select count(*), count(distinct content_hash), sum(word_count) from articles where extraction_status = 'ok'"
    ).fetchall()
    con.close()
    return {
        "nlp_cpu_s": stage_cpu_seconds(workdir / "data" / "staging", "nlp"),
        "wall_s": wall,
        "stats": stats,
        "articles_ok": ok,
        "distinct_bodies": distinct,
        "words": words,
        "peak_rss_total": sampler.peak_total,
        "peak_rss_main": sampler.peak_root,
    }


def stage_cpu_seconds(staging: Path, stage: str) -> float:
    """CPU seconds of one stage's thread over every batch (from the batches' stage-timings files)."""
    total = 0.0
    for path in staging.glob("**/stage-timings.jsonl"):
        for line in path.read_text().splitlines():
            entry = json.loads(line)
            total += entry.get("cpu_s", 0.0) if entry["stage"] == stage else 0.0
    return total


def trafilatura_ceiling(site: Path, articles: int) -> float:
    """Seconds for one default trafilatura pass over every page, in this process."""
    import trafilatura

    pages = [(site / "pages" / f"{i}.html").read_bytes() for i in range(articles)]
    started = time.process_time()
    for page in pages:
        trafilatura.bare_extraction(page, include_comments=False, with_metadata=True)
    return time.process_time() - started


def spacy_ceiling(db: Path, model: str) -> tuple[float, int]:
    """Seconds for the bare spaCy model (all its components, nlp.pipe) over the stored bodies."""
    import duckdb
    import spacy

    con = duckdb.connect(str(db), read_only=True)
    texts = [r[0] for r in con.execute("select body_text from articles where extraction_status = 'ok'").fetchall()]
    con.close()
    nlp = spacy.load(model)
    list(nlp.pipe(texts[:8]))  # warm-up
    started = time.process_time()
    for _ in nlp.pipe(texts, batch_size=32):
        pass
    return time.process_time() - started, len(texts)


def naive_run(workdir: Path, site: Path, feeds: int, limit: int) -> tuple[int, float]:
    from newsflow.prefect_env import apply_prefect_defaults
    from newsflow.prefect_server import temporary_api_server, wait_until_healthy

    apply_prefect_defaults(quiet_console=True)
    with temporary_api_server(log_path=workdir / "naive-prefect.log") as api_url:
        from benchmarks.naive_ingest import run_naive
        from newsflow.demo import serve_newswire
        from newsflow.settings import NlpSettings

        wait_until_healthy(api_url)
        with serve_newswire([site], port=0) as base:
            return run_naive(base, feeds, workdir, NlpSettings().model, limit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1200)
    parser.add_argument("--feeds", type=int, default=24)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--extract-workers", type=int, default=1)
    parser.add_argument("--port", type=int, default=8771)
    parser.add_argument("--keep", type=Path, help="Work in this directory and keep it (default: a temp dir).")
    parser.add_argument("--skip-ceilings", action="store_true", help="Only the ingest run (RSS and stage times).")
    parser.add_argument(
        "--rss-log", type=Path, help="Write the RSS every 0.2 s here (seconds, MB of newsflow, MB tree)."
    )
    parser.add_argument(
        "--no-markers",
        action="store_true",
        help="Serve the pages as crawled, without the unique sentence per copy (to judge the stored rows).",
    )
    parser.add_argument(
        "--naive", type=int, default=0, metavar="N", help="Also run the naive design over the first N articles."
    )
    args = parser.parse_args()
    from newsflow.settings import NlpSettings

    workdir = args.keep or Path(tempfile.mkdtemp(prefix="newsflow-e2e-"))
    if workdir.exists() and args.keep:
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    site = workdir / "site"
    print(f"building {args.articles} pages in {args.feeds} feeds under {site} ...", flush=True)
    build_site(site, dev_pages(), args.articles, args.feeds, markers=not args.no_markers)
    config = write_config(workdir, site, args.feeds, args.batch_size, args.extract_workers, args.port)

    print("running newsflow run ...", flush=True)
    run = run_ingest(workdir, config, args.rss_log)
    stats = run["stats"]
    print(f"  {run['articles_ok']} ok articles, {run['distinct_bodies']} distinct bodies, {run['wall_s']:.1f} s")
    if args.skip_ceilings:
        print(json.dumps({k: v for k, v in run.items() if k != "stats"} | {"stage_busy_s": stats.get("stage_busy_s")}))
        return
    print("timing trafilatura alone ...", flush=True)
    traf_s = trafilatura_ceiling(site, args.articles)
    print("timing bare spaCy alone ...", flush=True)
    spacy_s, texts = spacy_ceiling(workdir / "bench.duckdb", NlpSettings().model)

    n = args.articles
    flow_s = stats["timings_s"]["total_s"]
    ceilings = {"extract (trafilatura alone)": n / traf_s, "nlp (bare spaCy alone)": texts / spacy_s}
    binding_name, binding = min(ceilings.items(), key=lambda item: item[1])
    e2e = n / run["wall_s"]
    busy = stats.get("stage_busy_s", {})
    rows = [
        ("articles (pages) / ok / distinct bodies", f"{n} / {run['articles_ok']} / {run['distinct_bodies']}"),
        ("words in stored bodies", f"{run['words']:,}"),
        ("batch size / extract workers", f"{args.batch_size} / {args.extract_workers}"),
        ("wall, `newsflow run` (incl. Prefect start/stop)", f"{run['wall_s']:.1f} s"),
        ("flow body", f"{flow_s:.1f} s"),
        ("orchestration outside the flow body (server, imports)", f"{run['wall_s'] - flow_s:.1f} s"),
        ("poll (feeds)", f"{stats['timings_s']['poll_s']:.1f} s"),
        *[(f"stage busy: {stage}", f"{seconds:.1f} s") for stage, seconds in busy.items()],
        ("nlp stage CPU (below its busy time: it waited for a core)", f"{run['nlp_cpu_s']:.1f} s"),
        ("storage share of wall", f"{100 * busy.get('store', 0) / run['wall_s']:.1f} %"),
        ("ceiling: trafilatura alone (1 process)", f"{ceilings['extract (trafilatura alone)']:.2f} pages/s"),
        ("ceiling: bare spaCy alone (1 process)", f"{ceilings['nlp (bare spaCy alone)']:.2f} articles/s"),
        ("end to end", f"{e2e:.2f} articles/s"),
        (f"end to end / binding ceiling ({binding_name})", f"{100 * e2e / binding:.0f} %"),
        (
            "flow body only: articles/s, share of ceiling",
            f"{n / flow_s:.2f} articles/s, {100 * n / flow_s / binding:.0f} %",
        ),
        (
            "peak RSS, newsflow process / whole tree",
            f"{run['peak_rss_main'] / 1e6:.0f} MB / {run['peak_rss_total'] / 1e6:.0f} MB",
        ),
    ]
    if args.naive:
        print(f"running the naive design over {args.naive} articles ...", flush=True)
        count, naive_s = naive_run(workdir, site, args.feeds, args.naive)
        rows.append(
            (
                f"naive design ({count} articles): task per article, nlp() per doc, row inserts",
                f"{count / naive_s:.2f} articles/s",
            )
        )
    print()
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
