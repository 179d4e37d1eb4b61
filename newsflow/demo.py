"""The offline demo newswire: seeds/newswire served on a loopback port for the length of a run."""

from __future__ import annotations

import hashlib
import http.client
import logging
import mimetypes
import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from newsflow.processes import process_alive
from newsflow.settings import DEMO_URL_PLACEHOLDER

LOGGER = logging.getLogger(__name__)

# Another run sharing the server takes a lease (token -> pid); the owner keeps serving until they are released.
LEASE_PATH = "/__newsflow/lease"
RELEASE_PATH = "/__newsflow/release"
# The longest the owning run waits, at its end, for runs still using its server.
MAX_SHARED_WAIT_S = 3600.0

TEXT_SUFFIXES = {".xml", ".rss", ".atom", ".html", ".htm", ".json", ".txt"}
CONTENT_TYPES = {
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
}


class NewswireServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], site_dirs: list[Path]) -> None:
        # Later editions overlay the first: a file there replaces the same path in the base site.
        self.site_dirs = [d.resolve() for d in reversed(site_dirs)]
        self.leases: dict[str, int] = {}
        self.leases_lock = threading.Lock()
        super().__init__(address, NewswireHandler)

    def live_leases(self) -> int:
        """Leases whose process still runs (a killed run's lease does not hold the server up)."""
        with self.leases_lock:
            for token, pid in list(self.leases.items()):
                if not process_alive(pid):
                    del self.leases[token]
            return len(self.leases)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class NewswireHandler(BaseHTTPRequestHandler):
    """Static files with {demo} replaced by the server's base URL; ETag and Last-Modified validators."""

    server: NewswireServer
    server_version = "newswire-demo/1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        LOGGER.debug("demo newswire: " + format, *args)

    def _resolve(self) -> Path | None:
        path = unquote(urlsplit(self.path).path).lstrip("/") or "index.html"
        for site_dir in self.server.site_dirs:
            candidate = (site_dir / path).resolve()
            if site_dir not in candidate.parents:
                return None
            if candidate.is_dir():
                candidate = candidate / "index.html"
            if candidate.is_file():
                return candidate
        return None

    def _lease(self) -> bool:
        parts = urlsplit(self.path)
        if parts.path not in (LEASE_PATH, RELEASE_PATH):
            return False
        query = parse_qs(parts.query)
        token = query.get("token", [""])[0]
        with self.server.leases_lock:
            if parts.path == LEASE_PATH:
                self.server.leases[token] = int(query.get("pid", ["0"])[0])
            else:
                self.server.leases.pop(token, None)
        self.send_response(204)
        self.end_headers()
        return True

    def do_GET(self) -> None:
        if self._lease():
            return
        path = self._resolve()
        if path is None:
            body = b"<html><body><h1>404 Not Found</h1></body></html>"
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        body = path.read_bytes()
        if path.suffix in TEXT_SUFFIXES:
            body = body.replace(DEMO_URL_PLACEHOLDER.encode(), self.server.base_url.encode())
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        mtime = int(path.stat().st_mtime)
        if self.headers.get("If-None-Match") == etag or self._not_modified_since(mtime):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        content_type = (
            CONTENT_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        )
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", formatdate(mtime, usegmt=True))
        self.end_headers()
        self.wfile.write(body)

    def _not_modified_since(self, mtime: int) -> bool:
        since = self.headers.get("If-Modified-Since")
        if not since or self.headers.get("If-None-Match"):
            return False
        try:
            return int(parsedate_to_datetime(since).timestamp()) >= mtime
        except (TypeError, ValueError):
            return False


def _get(base_url: str, path: str) -> http.client.HTTPResponse | None:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=2)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response
    except OSError:
        return None
    finally:
        connection.close()


def _is_our_newswire(base_url: str) -> bool:
    response = _get(base_url, "/index.html")
    return response is not None and response.getheader("Server", "").startswith(NewswireHandler.server_version)


@contextmanager
def serve_newswire(site_dirs: list[Path], host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve site_dirs (base site, then edition overlays) in a background thread; yields the base URL.

    Port 0 picks a free port.
    """
    try:
        server = NewswireServer((host, port), site_dirs)
    except OSError as exc:
        base_url = f"http://{host}:{port}"
        if port and _is_our_newswire(base_url):
            # Another newsflow run (a schedule overlapping a manual run) serves the same site: share it.
            LOGGER.info("demo newswire already served at %s by another run; using it", base_url)
            token = uuid.uuid4().hex
            _get(base_url, f"{LEASE_PATH}?token={token}&pid={os.getpid()}")
            try:
                yield base_url
            finally:
                _get(base_url, f"{RELEASE_PATH}?token={token}")
            return
        raise RuntimeError(
            f"cannot serve the demo newswire on {host}:{port} ({exc.strerror}); set NEWSFLOW_DEMO__PORT to a free port"
        ) from exc
    thread = threading.Thread(target=server.serve_forever, name="demo-newswire", daemon=True)
    thread.start()
    try:
        yield server.base_url
    finally:
        _wait_for_sharing_runs(server)
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _wait_for_sharing_runs(server: NewswireServer) -> None:
    """Keep serving while other runs that share this server still fetch from it (schedule + manual run)."""
    deadline = time.monotonic() + MAX_SHARED_WAIT_S
    announced = False
    while server.live_leases() and time.monotonic() < deadline:
        if not announced:
            LOGGER.warning("waiting for %d other run(s) still using the demo newswire", server.live_leases())
            announced = True
        time.sleep(0.2)
