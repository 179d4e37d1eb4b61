"""Worker processes for NLP and extraction: where batches run, and what happens when a worker dies."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from newsflow.settings import NlpSettings
from tasks import extract as extract_task
from tasks.nlp import task as nlp_task

pytestmark = pytest.mark.slow


def exit_abruptly() -> None:
    """Work that kills the worker process running it, as the OOM killer would."""
    os._exit(9)


def test_ingest_tags_in_one_nlp_worker_process_and_stops_its_workers_after_the_run(
    prefect_harness: None, demo_env: Path
) -> None:
    from flows.ingest import ingest

    summary = ingest()
    assert summary["new_articles"] >= 30
    stages: dict[str, set[int]] = {}
    for timings in (demo_env.parent / "data" / "staging").glob("**/stage-timings.jsonl"):
        for line in timings.read_text().splitlines():
            entry: dict[str, Any] = json.loads(line)
            stages.setdefault(entry["stage"], set()).add(entry["pid"])
    assert len(stages["nlp"]) == 1 and os.getpid() not in stages["nlp"]  # one worker served every batch
    assert nlp_task.nlp_worker_pids() == []
    assert extract_task._POOL.worker_pids() == []


def test_killed_nlp_worker_is_replaced_for_the_next_batch() -> None:
    settings = NlpSettings()
    first = nlp_task.run_in_nlp_worker(settings, os.getpid)
    assert first != os.getpid()
    os.kill(first, signal.SIGKILL)
    second = nlp_task.run_in_nlp_worker(settings, os.getpid)
    assert second not in (first, os.getpid())
    nlp_task.stop_nlp_workers()
    assert nlp_task.nlp_worker_pids() == []


def test_nlp_worker_dying_twice_on_one_batch_fails_it_with_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="NLP worker process died twice"):
        nlp_task.run_in_nlp_worker(NlpSettings(), exit_abruptly)
    assert nlp_task.run_in_nlp_worker(NlpSettings(), os.getpid) != os.getpid()  # the next batch gets a new one
    nlp_task.stop_nlp_workers()


def test_nlp_runs_in_the_callers_process_when_worker_process_is_off() -> None:
    assert nlp_task.run_in_nlp_worker(NlpSettings(worker_process=False), os.getpid) == os.getpid()
    assert nlp_task.nlp_worker_pids() == []
