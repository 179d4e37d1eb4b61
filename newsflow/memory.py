"""Keeping long ingest processes from holding on to memory they have freed (glibc malloc tuning)."""

from __future__ import annotations

import ctypes
import functools
import gc
import sys

_M_MMAP_THRESHOLD, _M_ARENA_MAX = -3, -8


@functools.cache
def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # noqa: B018 - musl has no malloc_trim: treat it as "no glibc"
    except (OSError, AttributeError):
        return None
    return libc


def bound_malloc_growth() -> None:
    """Fixed 1 MB mmap threshold and two arenas, for the flow's process. spaCy's large per-batch arrays,
    freed from worker threads, otherwise stay in per-thread heaps and the ingest process grows with every
    batch. Not for single-threaded worker processes (see limit_malloc_arenas)."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, 1 << 20)
        libc.mallopt(_M_ARENA_MAX, 2)


def limit_malloc_arenas() -> None:
    """Two arenas, glibc's own mmap threshold: for worker processes that do their work in one thread. A
    fixed 1 MB threshold there made every large spaCy array a fresh mmap (zeroed pages, page faults): 15-18 %
    more NLP time for 8 % less memory (benchmarks/README.md)."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(_M_ARENA_MAX, 2)


def release_freed_memory() -> None:
    """Collect reference cycles, then hand free heap pages back to the OS. After a batch of NLP or
    extraction the heap is full of freed holes that glibc would otherwise keep (and count in RSS)."""
    gc.collect()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
