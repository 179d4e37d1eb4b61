"""Serve feedparser's own test corpus (../shared/data/feeds) over HTTP the way its suite does."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

HEADER_RE = re.compile(rb"^\s*Header:\s*([\w-]+):\s*(.*?)\s*$", re.MULTILINE)
EXPECT_RE = re.compile(rb"^\s*Expect:\s*(.*?)\s*$", re.MULTILINE)
# feedparser's suite serves these with the matching Content-Encoding.
ENCODING_BY_SUFFIX = {".gz": "gzip", ".z": "deflate"}
ORIGINAL_BASE = "http://localhost:8097"


@dataclass(frozen=True)
class CorpusFile:
    path: Path
    relative: str
    expect: str | None

    @property
    def expects_entries(self) -> bool:
        """The file's own assertion reads an entry, so a correct parser must keep at least one."""
        return self.expect is not None and "entries[" in self.expect


def corpus_files(root: Path) -> list[CorpusFile]:
    files = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != "LICENSE"):
        head = path.read_bytes()[:4000]
        match = EXPECT_RE.search(head)
        expect = match.group(1).decode("utf-8", "replace") if match else None
        files.append(CorpusFile(path, path.relative_to(root).as_posix(), expect))
    return files


class _Handler(BaseHTTPRequestHandler):
    server: CorpusServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        return

    def do_GET(self) -> None:
        relative = unquote(urlsplit(self.path).path).lstrip("/").removeprefix("tests/")
        path = (self.server.root / relative).resolve()
        if self.server.root not in path.parents or not path.is_file():
            self.send_response(404)
            self.end_headers()
            return
        body = path.read_bytes()
        status = 200
        headers: list[tuple[str, str]] = []
        for name, value in HEADER_RE.findall(body[:4000]):
            key, text = name.decode(), value.decode("latin-1").replace(ORIGINAL_BASE, self.server.base_url)
            if key.lower() == "status":
                status = int(text)
            else:
                headers.append((key, text))
        if path.suffix in ENCODING_BY_SUFFIX:
            headers.append(("Content-Encoding", ENCODING_BY_SUFFIX[path.suffix]))
        if not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", "application/xml"))
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        payload = b"" if status in (301, 302, 304, 307) else body
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class CorpusServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def serve_corpus(root: Path) -> Iterator[CorpusServer]:
    server = CorpusServer(root)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
