"""Operating newsflow with Prefect: UI retries, overlapping runs, a killed run, reprocess, maintenance, serve."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from newsflow.settings import PROJECT_ROOT, load_settings
from tasks import storage

from .conftest import free_port
from .test_cli import NEWSFLOW

pytestmark = pytest.mark.slow

# Key columns per table: a duplicate row would repeat one of these.
NATURAL_KEYS = {
    "articles": "article_id",
    "article_versions": "article_id, version",
    "feed_entries": "feed_id, entry_key",
    "entity_mentions": "article_id, start_char, end_char, label",
    "quotes": "article_id, kind, start_char",
    "events": "article_id, trigger_char",
}
REQUEST_RE = re.compile(r'"GET (\S+) HTTP')


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    return storage.run_sql(db, sql)[1]


def content_fingerprint(db: Path) -> dict[str, int]:
    """Row counts of the data tables, plus a count of duplicate keys in each (which must stay zero)."""
    counts = storage.table_counts(db)
    for table, key in NATURAL_KEYS.items():
        [(duplicates,)] = rows(db, f"select count(*) - count(distinct ({key})) from {table}")
        counts[f"{table}_duplicate_keys"] = duplicates
    return counts


@pytest.fixture
def demo_requests() -> Iterator[list[str]]:
    """Paths the in-process demo newswire served, in order (its request log, at DEBUG)."""
    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            match = REQUEST_RE.search(record.getMessage())
            if match:
                seen.append(match.group(1))

    logger = logging.getLogger("newsflow.demo")
    handler, level = Collect(level=logging.DEBUG), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield seen
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.fixture(scope="module")
def reference_counts(ingested_demo_db: Path) -> dict[str, int]:
    """What one clean, uninterrupted ingest of the demo newswire stores."""
    counts = content_fingerprint(ingested_demo_db)
    assert counts["articles"] >= 30 and counts["entity_mentions"] > 300
    return counts


def test_ui_retry_of_a_failed_ingest_completes_without_refetching_or_duplicating(
    prefect_harness: None,
    demo_env: Path,
    reference_counts: dict[str, int],
    demo_requests: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.objects import State
    from prefect.flow_engine import run_flow
    from prefect.states import AwaitingRetry

    from flows.ingest import ingest

    # Fault: the third batch's store fails once (a full disk, say). Not a lock error, so no task retry.
    real_store = storage.store_articles
    calls = {"n": 0}

    def failing_store(*args: Any, **kwargs: Any) -> dict[str, int]:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("injected fault: no space left on device")
        return real_store(*args, **kwargs)

    monkeypatch.setattr(storage, "store_articles", failing_store)
    failed = ingest(page_batch_size=5, return_state=True)
    assert failed.is_failed()
    flow_run_id = failed.state_details.flow_run_id
    assert flow_run_id is not None
    [(status, stats)] = rows(demo_env, f"select status, stats from runs where run_id = '{flow_run_id}'")
    assert status == "failed" and "no space left on device" in stats
    stored_before_retry = rows(demo_env, "select count(*) from articles")[0][0]
    assert 0 < stored_before_retry < reference_counts["articles"]

    # What the UI's Retry button does: force the run to AwaitingRetry; a runner then executes it again.
    with get_client(sync_client=True) as client:
        client.set_flow_run_state(flow_run_id, AwaitingRetry(), force=True)
        flow_run = client.read_flow_run(flow_run_id)
    retried = run_flow(ingest, flow_run=flow_run, parameters=flow_run.parameters, return_type="state")
    assert isinstance(retried, State) and retried.is_completed(), retried

    fetched_twice = {path: n for path, n in Counter(demo_requests).items() if n > 1}
    assert fetched_twice == {}
    assert content_fingerprint(demo_env) == reference_counts
    [(status, count)] = rows(demo_env, f"select status, count(*) from runs where run_id = '{flow_run_id}' group by 1")
    assert (status, count) == ("completed", 1)


def _newsflow(workdir: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    assert NEWSFLOW
    return subprocess.Popen(
        [NEWSFLOW, *args],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # so a kill reaches its Prefect server too
    )


def _cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSFLOW_", "PREFECT_"))}
    env.update(NEWSFLOW_DEMO__PORT=str(free_port()), PYTHONUNBUFFERED="1")
    return env


def test_two_overlapping_ingest_processes_both_complete_with_right_counts(
    tmp_path: Path, reference_counts: dict[str, int]
) -> None:
    env = _cli_env()
    first = _newsflow(tmp_path, env, "run", "--batch-size", "5")
    second = _newsflow(tmp_path, env, "run", "--batch-size", "5")
    outputs = [process.communicate(timeout=600)[0] for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], "\n".join(outputs)
    assert all("ingest summary" in output and "Traceback" not in output for output in outputs)
    assert content_fingerprint(tmp_path / "newsflow.duckdb") == reference_counts
    assert rows(tmp_path / "newsflow.duckdb", "select status, count(*) from runs group by 1") == [("completed", 2)]


def test_ingest_killed_mid_batch_then_rerun_loses_and_duplicates_nothing(
    tmp_path: Path, reference_counts: dict[str, int]
) -> None:
    env = _cli_env()
    killed = _newsflow(tmp_path, env, "run", "--batch-size", "4")
    assert killed.stdout is not None
    seen = []
    for line in killed.stdout:
        seen.append(line)
        if "stored batch" in line:
            break  # one batch is committed, the next ones are being fetched, tagged or stored
    else:
        pytest.fail("the run ended before storing a batch:\n" + "".join(seen))
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait(timeout=30)
    assert killed.returncode == -signal.SIGKILL
    db = tmp_path / "newsflow.duckdb"
    stored_when_killed = rows(db, "select count(*) from articles")[0][0]
    assert 0 < stored_when_killed < reference_counts["articles"]

    rerun = _newsflow(tmp_path, env, "run", "--batch-size", "4")
    output = rerun.communicate(timeout=600)[0]
    assert rerun.returncode == 0, output
    assert content_fingerprint(db) == reference_counts
    # The killed run no longer claims to be running: the rerun found its process gone.
    assert rows(db, "select status, count(*) from runs group by 1 order by 1") == [("completed", 1), ("interrupted", 1)]
    assert "marked interrupted" in output


def test_reprocess_with_a_new_pipeline_version_replaces_nlp_rows_without_duplicates(
    prefect_harness: None, demo_env: Path, demo_requests: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.ingest import ingest
    from flows.reprocess import reprocess
    from tasks.nlp import tagger

    ingest()
    before = content_fingerprint(demo_env)
    [(old_version,)] = rows(demo_env, "select distinct pipeline_version from entity_mentions")
    requests_after_ingest = len(demo_requests)

    nothing_to_do = reprocess(stages="nlp")
    assert nothing_to_do["reprocessed"] == 0 and nothing_to_do["already_current"] >= 30

    # A newer pipeline, simulated by bumping the version in this process: NLP must run here to see it.
    monkeypatch.setenv("NEWSFLOW_NLP__WORKER_PROCESS", "false")
    monkeypatch.setattr(tagger, "NEWSFLOW_NLP_VERSION", tagger.NEWSFLOW_NLP_VERSION + 1)
    summary = reprocess(stages="nlp")
    assert summary["reprocessed"] == before["articles"] - summary["not_eligible"]
    new_version = summary["pipeline_version"]
    assert new_version != old_version
    for table in ("entity_mentions", "quotes", "events"):
        assert rows(demo_env, f"select distinct pipeline_version from {table}") == [(new_version,)]
    assert rows(demo_env, "select distinct pipeline_version from articles where extraction_status = 'ok'") == [
        (new_version,)
    ]
    assert content_fingerprint(demo_env) == before  # same model, same rows: replaced, not added
    assert len(demo_requests) == requests_after_ingest  # from the archive: nothing fetched

    again = reprocess(stages="all")
    assert again["reprocessed"] == 0  # already at the current extractor and pipeline versions
    forced = reprocess(stages="all", force=True)
    assert forced["reprocessed"] >= 30 and content_fingerprint(demo_env) == before


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"feeds": ["no-such-feed"]}, "unknown feed(s): no-such-feed"),
        ({"article_ids": ["0000000000000000"]}, "unknown article id(s): 0000000000000000"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "is after until"),
    ],
)
def test_reprocess_rejects_bad_parameters_with_a_clear_error(
    prefect_harness: None, demo_env: Path, parameters: dict[str, Any], message: str
) -> None:
    from flows.reprocess import reprocess

    storage.migrate(demo_env)
    state = reprocess(**parameters, return_state=True)
    assert state.is_failed()
    with pytest.raises(ValueError, match=re.escape(message)):
        state.result()


def test_maintenance_applies_raw_retention_and_reprocess_reports_the_missing_pages(
    prefect_harness: None, demo_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.ingest import ingest
    from flows.maintenance import maintenance
    from flows.reprocess import reprocess

    ingest()
    archive = load_settings().storage.archive_dir
    pages = sorted(archive.glob("*/*.html.gz"))
    old = pages[:5]
    long_ago = time.time() - 40 * 86_400
    for path in old:
        os.utime(path, (long_ago, long_ago))
    before = content_fingerprint(demo_env)
    monkeypatch.setenv("NEWSFLOW_STORAGE__RAW_RETENTION_DAYS", "30")

    summary = maintenance()
    assert summary["raw_pages_deleted"] == len(old)
    assert not any(path.exists() for path in old) and all(path.exists() for path in pages[5:])
    assert content_fingerprint(demo_env) == before

    redo = reprocess(stages="extract", force=True)
    assert redo["raw_page_missing"] >= 1 and redo["reprocessed"] >= 25
    assert content_fingerprint(demo_env) == before


def test_serve_starts_the_deployments_and_runs_one_when_asked(
    prefect_harness: None, tmp_path: Path, reference_counts: dict[str, int]
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.objects import FlowRun
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL

    env = _cli_env()
    env["PREFECT_API_URL"] = str(PREFECT_API_URL.value())
    served = _newsflow(tmp_path, env, "serve")
    try:
        with get_client(sync_client=True) as client:
            deadline = time.monotonic() + 240
            names: set[str] = set()
            while time.monotonic() < deadline and len(names) < 3:
                assert served.poll() is None, served.communicate()[0]
                names = {d.name for d in client.read_deployments() if "newsflow" in (d.tags or [])}
                time.sleep(1)
            assert names == {"scheduled-ingest", "reprocess", "maintenance"}
            ingest_deployment = client.read_deployment_by_name("ingest/scheduled-ingest")
            assert ingest_deployment.parameters == {"only_due": True}
        run = run_deployment("ingest/scheduled-ingest", parameters={"page_batch_size": 10}, timeout=300)
        assert isinstance(run, FlowRun) and run.state is not None and run.state.is_completed(), run
    finally:
        os.killpg(served.pid, signal.SIGINT)
        try:
            output = served.communicate(timeout=60)[0]
            stopped_cleanly = True
        except subprocess.TimeoutExpired:
            # Seen under a loaded full-suite run: the runner's shutdown did not finish in time. Not what
            # this test is about; stop it hard so the suite goes on.
            os.killpg(served.pid, signal.SIGKILL)
            output = served.communicate(timeout=30)[0]
            stopped_cleanly = False
    assert "serving ingest/scheduled-ingest" in output
    assert content_fingerprint(tmp_path / "newsflow.duckdb") == reference_counts
    if stopped_cleanly:
        with get_client(sync_client=True) as client:
            assert not client.read_deployment_by_name("ingest/scheduled-ingest").paused  # pause_on_shutdown=False


def test_prefect_yaml_declares_the_deployments_serve_starts() -> None:
    from flows.deployments import build_deployments

    declared = yaml.safe_load((PROJECT_ROOT / "prefect.yaml").read_text())["deployments"]
    served = build_deployments(load_settings())
    assert [d["name"] for d in declared] == [d.name for d in served]
    for in_yaml, deployment in zip(declared, served, strict=True):
        assert in_yaml["entrypoint"].split(":")[1] == deployment.entrypoint.split(":")[1]  # type: ignore[union-attr]
        assert (PROJECT_ROOT / in_yaml["entrypoint"].split(":")[0]).is_file()
        assert in_yaml.get("parameters", {}) == deployment.parameters
        yaml_schedules = [s.get("interval") or s.get("cron") for s in in_yaml.get("schedules", [])]
        served_schedules = [
            getattr(s.schedule, "cron", None) or s.schedule.interval.total_seconds()  # type: ignore[union-attr]
            for s in deployment.schedules or []
        ]
        assert yaml_schedules == served_schedules
