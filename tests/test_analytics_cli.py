"""Analytics from the command line: export, the HTML report in a real browser, readers during an ingest."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from newsflow.cli import app
from newsflow.settings import PROJECT_ROOT
from tasks import storage

from .conftest import free_port
from .test_cli import NEWSFLOW

pytestmark = pytest.mark.slow
runner = CliRunner()
# Where the report test keeps its screenshot (and the HTML it rendered) for a human to look at.
ARTIFACTS = PROJECT_ROOT / "build" / "test-artifacts"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def test_export_writes_parquet_partitioned_by_day(ingested_demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = runner.invoke(app, ["export", str(out), "--db", str(ingested_demo_db)])
    assert result.exit_code == 0, result.output
    days = sorted(p.name for p in (out / "articles").iterdir())
    assert days and all(re.fullmatch(r"day=2026-11-\d\d", d) for d in days)
    with duckdb.connect() as con:
        exported = con.execute(
            f"select count(*), count(distinct day) from read_parquet('{out}/entity_mentions/*/*.parquet', "
            "hive_partitioning = true)"
        ).fetchone()
    stored = storage.run_sql(ingested_demo_db, "select count(*) from entity_mentions")[1][0][0]
    assert exported is not None
    assert exported[0] == stored and 3 <= exported[1] <= len(days)
    again = runner.invoke(app, ["export", str(out), "--db", str(ingested_demo_db)])
    assert again.exit_code == 0 and sorted(p.name for p in (out / "articles").iterdir()) == days  # replaced
    bad = runner.invoke(app, ["export", str(out), "--db", str(ingested_demo_db), "--format", "xlsx"])
    assert bad.exit_code == 1 and "parquet or csv" in bad.output


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_report_renders_in_headless_chromium_and_a_screenshot_is_kept(ingested_demo_db: Path, tmp_path: Path) -> None:
    html_path = tmp_path / "report.html"
    result = runner.invoke(app, ["report", "--db", str(ingested_demo_db), "--days", "10", "--out", str(html_path)])
    assert result.exit_code == 0, result.output
    html = html_path.read_text()
    # Opens offline: nothing is loaded from anywhere else.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html) and "<script" not in html
    sections = ("Trending entities", "Events by PLOVER category", "Conflict and cooperation", "Most quoted speakers")
    for section in (*sections, "Feed health"):
        assert section in html
    assert "Henrik Lindqvist" in html and "wire-world" in html

    chromium = _chromium()
    if chromium is None:
        if os.environ.get("NEWSFLOW_REQUIRE_CHROMIUM"):
            pytest.fail("chromium is required here (.ci/run installs Debian's chromium package)")
        pytest.skip("chromium is not installed")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(html_path, ARTIFACTS / "report.html")
    screenshot = ARTIFACTS / "report-screenshot.png"
    screenshot.unlink(missing_ok=True)
    profile = tmp_path / "chromium-profile"
    subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1200,2400",
         f"--screenshot={screenshot}", html_path.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    png = screenshot.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000  # a blank page compresses to a few KB
    dom = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", html_path.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert dom.count("<rect") >= 10 and "Feed health" in dom  # the browser parsed the charts


def test_sql_and_search_answer_while_an_ingest_is_writing(tmp_path: Path) -> None:
    assert NEWSFLOW
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSFLOW_", "PREFECT_"))}
    env.update(NEWSFLOW_DEMO__PORT=str(free_port()), PYTHONUNBUFFERED="1")
    first = subprocess.run(
        [NEWSFLOW, "run", "--feed", "wire-world"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert first.returncode == 0, first.stdout + first.stderr
    ingest = subprocess.Popen(
        [NEWSFLOW, "run", "--batch-size", "3"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    answered_during_ingest = 0
    readers = [
        [NEWSFLOW, "sql", "select count(*) as n from articles", "-f", "csv"],
        [NEWSFLOW, "search", "talks", "--limit", "3"],
    ]
    deadline = time.monotonic() + 300
    while ingest.poll() is None and time.monotonic() < deadline:
        for command in readers:
            done = subprocess.run(
                command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False
            )
            output = done.stdout + done.stderr
            assert "Traceback" not in output
            # Either an answer between write batches, or a clear word that it waited for the writer.
            assert done.returncode == 0 or "held by another process" in output, output
            if done.returncode == 0 and ingest.poll() is None:
                answered_during_ingest += 1
    ingest_output = ingest.communicate(timeout=300)[0]
    assert ingest.returncode == 0, ingest_output
    assert "stored batch" in ingest_output
    assert answered_during_ingest >= 2


def test_sql_table_shows_the_first_rows_and_says_there_are_more(ingested_demo_db: Path) -> None:
    stored = storage.run_sql(ingested_demo_db, "select count(*) from entity_mentions")[1][0][0]
    assert stored > 5
    capped = runner.invoke(
        app, ["sql", "select article_id from entity_mentions", "--db", str(ingested_demo_db), "--max-rows", "5"]
    )
    assert capped.exit_code == 0, capped.output
    assert "first 5 rows shown, there are more" in capped.output
    exact = runner.invoke(
        app, ["sql", "select * from entity_mentions limit 5", "--db", str(ingested_demo_db), "--max-rows", "5"]
    )
    assert exact.exit_code == 0 and "there are more" not in exact.output
    # csv is for getting everything: no cap, no note.
    csv_out = runner.invoke(
        app,
        [
            "sql",
            "select article_id from entity_mentions",
            "--db",
            str(ingested_demo_db),
            "-f",
            "csv",
            "--max-rows",
            "5",
        ],
    )
    assert csv_out.exit_code == 0 and len(csv_out.stdout.strip().splitlines()) == stored + 1
