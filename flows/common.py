"""Orchestration helpers shared by the flows: batching, the batch pipeline, run bookkeeping."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from prefect import Task
from prefect.futures import PrefectFuture
from prefect.logging import get_run_logger
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from newsflow.settings import Settings
from tasks.nlp.task import tag_articles
from tasks.persist import finish_run, store_articles

T = TypeVar("T")

# Threads for a flow run's tasks. Prefect's default is one thread per submitted task, and a flow submits all
# its batches' tasks up front (each waits for its upstream futures): 1,200 pages meant ~130 threads, each
# holding its task's context, and ~300 MB more peak RSS than 12 (benchmarks/README.md). 12 is enough: the
# batch pipeline keeps about one batch in flight per stage. Tasks are queued first in, first out and only
# wait for tasks submitted before them, so a bounded pool cannot deadlock.
TASK_THREADS = 12


def bounded_task_runner() -> TaskRunner[PrefectFuture[Any]]:
    """The task runner of newsflow's flows: PREFECT_TASKS_RUNNER_THREAD_POOL_MAX_WORKERS overrides TASK_THREADS."""
    from prefect.settings import get_current_settings

    configured = get_current_settings().tasks.runner.thread_pool_max_workers
    runner: ThreadPoolTaskRunner[Any] = ThreadPoolTaskRunner(max_workers=configured or TASK_THREADS)
    return runner  # type: ignore[return-value]  # a TaskRunner of concurrent futures, which are PrefectFutures


def chunked(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def mark_run_failed(db: Path, run_id: str, exc: Exception, lock_timeout_s: float) -> None:
    """Record why a run failed; never mask the original error if even that write fails."""
    try:
        finish_run(db, run_id, "failed", {"error": f"{type(exc).__name__}: {exc}"[:2000]}, lock_timeout_s)
    except Exception as write_error:  # the database itself may be why the run failed
        get_run_logger().warning("could not record the failed run: %s", write_error)


class BatchPipeline:
    """Submits batches stage by stage so that each stage handles one batch at a time, in order: stages of
    consecutive batches overlap (fetch and extraction of batch i+1 run during NLP of batch i), but batches
    never all compete for the 2 cores at once."""

    def __init__(self) -> None:
        self._last: dict[str, PrefectFuture[Any]] = {}

    def after(self, stage: str) -> list[PrefectFuture[Any]]:
        """The previous batch's future of a stage, as a wait_for list (empty for the first batch)."""
        previous = self._last.get(stage)
        return [previous] if previous is not None else []

    def submit(self, stage: str, task: Task[..., Any], *args: Any, **kwargs: Any) -> PrefectFuture[Any]:
        # Futures passed as arguments stand in for the paths they resolve to.
        future: PrefectFuture[Any] = task.submit(*args, wait_for=self.after(stage), **kwargs)
        self._last[stage] = future
        return future

    def tag_and_store(
        self,
        settings: Settings,
        articles: PrefectFuture[Any],
        batch_dir: Path,
        run_id: str,
        *,
        manifest: PrefectFuture[Any] | None = None,
        copies: PrefectFuture[Any] | None = None,
        keep_nlp: PrefectFuture[Any] | None = None,
        nlp_only: bool = False,
    ) -> PrefectFuture[dict[str, int]]:
        """The last two stages, shared by ingest and reprocess: tag the batch (skipping copies or unchanged
        bodies), then store it in one transaction."""
        skip = copies or keep_nlp
        mentions = self.submit("tag", tag_articles, articles, batch_dir / "mentions.parquet", settings.nlp, skip)
        return self.submit(
            "store",
            store_articles,
            settings.database.path,
            articles,
            mentions,
            manifest,
            settings.database.lock_timeout_s,
            run_id,
            copies,
            nlp_only=nlp_only,
            keep_nlp_path=keep_nlp,
        )
