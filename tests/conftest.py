"""Shared fixtures: Prefect test harness, a demo-newswire config in a temp dir, shared data paths."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsflow.prefect_env import apply_prefect_defaults

apply_prefect_defaults()  # before prefect is imported anywhere in the test session

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = PROJECT_ROOT.parent / "shared"
SEED_ARTICLE = SHARED_DIR / "seed-article.txt"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    # The temporary server takes 20-45 s to start on a busy 2-core machine; the default timeout is too short.
    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture
def demo_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point newsflow at a fresh database and data dir in tmp_path; demo newswire on a free fixed port."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSFLOW_DATABASE__PATH", str(tmp_path / "news.duckdb"))
    monkeypatch.setenv("NEWSFLOW_STORAGE__DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NEWSFLOW_DEMO__PORT", str(free_port()))
    monkeypatch.delenv("NEWSFLOW_CONFIG", raising=False)
    return tmp_path / "news.duckdb"


@pytest.fixture
def seed_article_text() -> str:
    if not SEED_ARTICLE.is_file():
        pytest.skip(f"{SEED_ARTICLE} not present")
    return SEED_ARTICLE.read_text()


@pytest.fixture(autouse=True)
def restore_environment() -> Iterator[None]:
    """CLI commands run in-process set NEWSFLOW_* variables (as they do for a real run); undo that per test."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def ingested_demo_db(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ingest of the demo newswire, shared by read-only tests (cookbook, report, export)."""
    from flows.ingest import ingest

    workdir = tmp_path_factory.mktemp("demo-db")
    saved = dict(os.environ)
    os.environ.update(
        NEWSFLOW_DATABASE__PATH=str(workdir / "news.duckdb"),
        NEWSFLOW_STORAGE__DATA_DIR=str(workdir / "data"),
        NEWSFLOW_DEMO__PORT=str(free_port()),
    )
    try:
        ingest()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return workdir / "news.duckdb"
