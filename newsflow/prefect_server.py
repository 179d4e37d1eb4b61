"""A temporary Prefect API server for one CLI run, started early so its boot overlaps our imports."""

from __future__ import annotations

import importlib.util
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

LOGGER = logging.getLogger(__name__)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _die_with_parent() -> None:
    """In the server's child process: have Linux stop it when the newsflow process dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _prefect_app_dir() -> str:
    # Located without importing prefect: importing its server module costs seconds the server boot can use.
    spec = importlib.util.find_spec("prefect")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("prefect is not installed")
    return str(Path(next(iter(spec.submodule_search_locations))).parent)


@contextmanager
def temporary_api_server(
    startup_timeout_s: float = 180.0, log_path: Path | None = None, long_lived: bool = False
) -> Iterator[str | None]:
    """Start Prefect's API (as Prefect's own ephemeral mode does) and point PREFECT_API_URL at it.

    Must be entered before prefect is imported. Yields the API URL, or None when the user already
    set PREFECT_API_URL (a running `prefect server start` is used as is). Call wait_until_healthy
    before the first flow run. The server's own output (tracebacks from its shutdown included) goes to
    log_path, not to the user's terminal. long_lived: a full server (UI, scheduler and other services on)
    for `newsflow serve`, instead of the lean ephemeral one a single run needs.
    """
    if os.environ.get("PREFECT_API_URL"):
        yield None
        return
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    if long_lived:
        env = {**os.environ, "PREFECT_UI_ENABLED": "1", "PREFECT_UI_API_URL": api_url}
    else:
        env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab") if log_path is not None else None  # noqa: SIM115 - closed in finally
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            _prefect_app_dir(),
            "--factory",
            "prefect.server.api.server:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "error",
            "--lifespan",
            "on",
        ],
        env=env,
        preexec_fn=_die_with_parent,  # noqa: PLW1509 - started before prefect (and its threads) is imported
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
    )
    os.environ["PREFECT_API_URL"] = api_url
    _servers[api_url] = (process, startup_timeout_s)
    try:
        yield api_url
    finally:
        _drain_prefect_workers()
        os.environ.pop("PREFECT_API_URL", None)
        _servers.pop(api_url, None)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log is not None:
            log.close()


_servers: dict[str, tuple[subprocess.Popen[bytes], float]] = {}


def _drain_prefect_workers() -> None:
    """Send queued logs and events while the server is still up (else exit waits on a dead server)."""
    if "prefect" not in sys.modules:
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        try:
            worker.drain_all(timeout=10)
        except Exception as exc:  # draining is best effort; the run's results are already stored
            LOGGER.debug("could not drain %s: %s", worker.__name__, exc)


def wait_until_healthy(api_url: str | None) -> float:
    """Block until the server started by temporary_api_server answers; returns seconds waited."""
    if api_url is None or api_url not in _servers:
        return 0.0
    process, timeout_s = _servers[api_url]
    started = time.monotonic()
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() - started < timeout_s:
            if process.poll() is not None:
                raise RuntimeError(f"the temporary Prefect server exited with code {process.returncode}")
            try:
                if client.get(f"{api_url}/health").status_code == 200:
                    return time.monotonic() - started
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    raise RuntimeError(
        f"the temporary Prefect server did not answer within {timeout_s:.0f} s; start one with "
        "`prefect server start` and set PREFECT_API_URL"
    )
