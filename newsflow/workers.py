"""Long-lived worker-process pools that the extraction and NLP tasks hand their batches to."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from newsflow.memory import limit_malloc_arenas


def start_worker(nice: int) -> None:
    """Runs first in every worker process: bounded malloc arenas, then the pool's CPU priority."""
    limit_malloc_arenas()
    if nice:
        # A lower priority for stages with slack (extraction) keeps a core free for the binding one (NLP)
        # on a 2-core machine; the OS still gives the worker every cycle nobody else wants.
        os.nice(nice)


class WorkerPool:
    """One process pool per flow process, kept between batches (a worker's start-up imports cost seconds).

    Overlapping flow runs in one process share it; stop() leaves it running while another run uses it.
    """

    def __init__(self, nice: int = 0) -> None:
        self.nice = nice
        self.executor: ProcessPoolExecutor | None = None
        self.workers = 0
        self.in_use = 0  # callers submitting to the pool now
        self.lock = threading.Lock()

    @contextmanager
    def use(self, workers: int) -> Iterator[ProcessPoolExecutor]:
        with self.lock:
            if self.executor is None or (self.workers != workers and self.in_use == 0):
                if self.executor is not None:
                    self.executor.shutdown(wait=False, cancel_futures=True)
                # spawn, not fork: the flow's process has threads (Prefect, HTTP) a fork would copy mid-state.
                self.executor = ProcessPoolExecutor(
                    max_workers=workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=start_worker,
                    initargs=(self.nice,),
                )
                self.workers = workers
            executor = self.executor
            self.in_use += 1
        try:
            yield executor
        finally:
            with self.lock:
                self.in_use -= 1

    def worker_pids(self) -> list[int]:
        """Process ids of the running workers (for operators and fault-injection tests)."""
        with self.lock:
            processes: dict[int, multiprocessing.Process] = getattr(self.executor, "_processes", None) or {}
            return [p.pid for p in processes.values() if p.pid is not None]

    def discard(self, only_when_idle: bool = False) -> None:
        with self.lock:
            if self.executor is None or (only_when_idle and self.in_use):
                return
            self.executor.shutdown(wait=only_when_idle, cancel_futures=not only_when_idle)
            self.executor = None

    def stop(self) -> None:
        """End the workers once a run is done with them (an idle worker holds its memory); left running while
        another run in this process still uses them. The next batch starts them again."""
        self.discard(only_when_idle=True)
