"""The newsflow command as a user runs it: a real subprocess, real output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsflow.cli import app

from .conftest import free_port

NEWSFLOW = (
    str(Path(sys.executable).parent / "newsflow")
    if (Path(sys.executable).parent / "newsflow").exists()
    else shutil.which("newsflow")
)
runner = CliRunner()


def test_help_lists_every_command_with_its_purpose() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        assert name in result.output
        sub = runner.invoke(app, [name, "--help"])
        assert sub.exit_code == 0 and len(sub.output.strip().splitlines()) > 3


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], list[str]]:
    """`newsflow run` twice in a fresh directory, exactly as the README's first command does."""
    assert NEWSFLOW, "the newsflow console script must be installed"
    workdir = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSFLOW_", "PREFECT_"))}
    env["NEWSFLOW_DEMO__PORT"] = str(free_port())
    outputs = []
    for _ in range(2):
        done = subprocess.run(
            [NEWSFLOW, "run"], cwd=workdir, env=env, capture_output=True, text=True, timeout=600, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
        outputs.append(done.stdout + done.stderr)
    return workdir, env, outputs


@pytest.mark.slow
def test_demo_command_prints_progress_and_summary_without_tracebacks(
    demo_run: tuple[Path, dict[str, str], list[str]],
) -> None:
    workdir, _, (first, second) = demo_run
    assert (workdir / "newsflow.duckdb").is_file()
    assert "ingest summary" in first and "feed wire-world: ok" in first and "new articles" in first
    assert "Traceback" not in first and "Traceback" not in second
    assert "0 new articles" in second and "3 not_modified" in second


@pytest.mark.slow
def test_sql_command_reads_the_demo_database_in_every_format(demo_run: tuple[Path, dict[str, str], list[str]]) -> None:
    workdir, env, _ = demo_run
    assert NEWSFLOW
    query = "select count(*) as n from articles where extraction_status = 'ok'"
    as_json = subprocess.run(
        [NEWSFLOW, "sql", query, "--format", "json"], cwd=workdir, env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(as_json.stdout)[0]["n"] >= 30
    as_csv = subprocess.run(
        [NEWSFLOW, "sql", query, "-f", "csv"], cwd=workdir, env=env, capture_output=True, text=True, check=True
    )
    assert as_csv.stdout.splitlines()[0] == "n" and int(as_csv.stdout.splitlines()[1]) >= 30
    table = subprocess.run(
        [NEWSFLOW, "sql", "select count(*) from entity_mentions"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "count_star()" in table.stdout


def test_sql_errors_are_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    missing = runner.invoke(app, ["sql", "select 1"])
    assert missing.exit_code == 1 and "does not exist yet" in missing.output
    from tasks import storage

    storage.migrate(tmp_path / "newsflow.duckdb")
    bad = runner.invoke(app, ["sql", "select * from no_such_table"])
    assert bad.exit_code == 1 and "no_such_table" in bad.output and "Traceback" not in bad.output
    fmt = runner.invoke(app, ["sql", "select 1", "--format", "xml"])
    assert fmt.exit_code == 1 and "--format" in fmt.output


def test_invalid_config_is_reported_without_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[[feeds]]\nname = "x"\nurl = "ftp://example.com/feed"\n')
    result = runner.invoke(app, ["run", "--config", str(config)])
    assert result.exit_code == 1 and "feed url must be http" in result.output


def test_extract_command_shows_body_title_and_dates_with_sources(tmp_path: Path) -> None:
    import gzip

    from newsflow.settings import SEEDS_DIR

    page = SEEDS_DIR / "newswire" / "wire" / "2026" / "11" / "17" / "geneva-ceasefire-talks-open.html"
    packed = tmp_path / "page.html.gz"
    packed.write_bytes(gzip.compress(page.read_bytes()))
    result = runner.invoke(app, ["extract", str(page), str(packed), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.stdout.strip().splitlines())
    assert first["title"] == second["title"] == "Rival Sudanese delegations open ceasefire talks in Geneva"
    assert first["body_text"] == second["body_text"] and first["body_text"].startswith("GENEVA (WWS)")
    assert first["published_at_source"] and {c["source"] for c in first["date_candidates"]} >= {"jsonld", "htmldate"}
    missing = runner.invoke(app, ["extract", str(tmp_path / "nope.html")])
    assert missing.exit_code == 1 and "nope.html" in missing.output


def test_tag_command_reads_json_lines_and_writes_entities_and_quotes(tmp_path: Path, seed_article_text: str) -> None:
    source = tmp_path / "in.jsonl"
    lines = [{"id": "seed", "text": seed_article_text, "published_at": "2016-07-15"}, {"id": "empty", "text": ""}]
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = runner.invoke(app, ["tag", str(source)])
    assert result.exit_code == 0, result.output
    seed, empty = (json.loads(line) for line in result.stdout.strip().splitlines())
    assert seed["id"] == "seed" and empty == {**empty, "entities": [], "quotes": []}
    assert {"John Kerry", "Josh Earnest"} <= {q["speaker"] for q in seed["quotes"]}
    assert any(e["text"] == "Kerry" and e["canonical"] == "John Kerry" for e in seed["entities"])
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    failed = runner.invoke(app, ["tag", str(bad)])
    assert failed.exit_code == 1 and "bad.jsonl:1" in failed.output


@pytest.mark.slow
def test_search_command_finds_demo_stories(demo_run: tuple[Path, dict[str, str], list[str]]) -> None:
    workdir, env, _ = demo_run
    assert NEWSFLOW
    found = subprocess.run(
        [NEWSFLOW, "search", "teachers strike Nairobi", "--limit", "2", "-f", "json"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = json.loads(found.stdout)
    assert rows and "Kenyan teachers" in rows[0]["title"]
