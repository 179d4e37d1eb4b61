"""The one HTTP client against real local servers, one fault each."""

from __future__ import annotations

import socket
import threading
import time
import zlib
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from newsflow.settings import FetchSettings
from tasks.http import HttpClient, is_public_address, reset_politeness_state

LOOPBACK_OK = FetchSettings(
    allow_private=["127.0.0.1"], total_deadline_s=3, read_timeout_s=1, connect_timeout_s=1, max_bytes=5 * 1024 * 1024
)


@pytest.fixture(autouse=True)
def fresh_politeness_state() -> None:
    # Per-host timing is process-wide by design; each test starts from a clean slate.
    reset_politeness_state()


def gzip_bomb(decompressed_mib: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b"\0" * (1024 * 1024)
    parts = [compressor.compress(chunk) for _ in range(decompressed_mib)]
    parts.append(compressor.flush())
    return b"".join(parts)


def test_plain_page_is_fetched_with_user_agent(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/p", headers={"User-Agent": LOOPBACK_OK.user_agent}).respond_with_data("hello")
    with HttpClient(LOOPBACK_OK) as client:
        result = client.fetch(httpserver.url_for("/p"))
    assert result.ok and result.body == b"hello" and result.status == 200


def test_gzip_bomb_aborts_at_the_decompressed_cap(httpserver: HTTPServer) -> None:
    bomb = gzip_bomb(500)
    assert len(bomb) < 1024 * 1024  # half a GiB of zeros in under 1 MiB on the wire
    httpserver.expect_request("/bomb").respond_with_data(bomb, headers={"Content-Encoding": "gzip"})
    with HttpClient(LOOPBACK_OK) as client:
        result = client.fetch(httpserver.url_for("/bomb"))
    assert result.error_class == "too_large"
    assert result.body == b""


def test_gzip_body_under_the_cap_is_decoded(httpserver: HTTPServer) -> None:
    payload = b"<rss>" + b"x" * 10_000 + b"</rss>"
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    httpserver.expect_request("/gz").respond_with_data(
        compressor.compress(payload) + compressor.flush(), headers={"Content-Encoding": "gzip"}
    )
    with HttpClient(LOOPBACK_OK) as client:
        assert client.fetch(httpserver.url_for("/gz")).body == payload


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Sends response headers, then nothing: the client must give up at its deadline."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html>")
            held.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield sock.getsockname()[1]
    stop.set()
    thread.join(timeout=2)
    for conn in held:
        conn.close()
    sock.close()


def test_headers_then_silence_ends_at_the_deadline(silent_server: int) -> None:
    started = time.monotonic()
    with HttpClient(LOOPBACK_OK) as client:
        result = client.fetch(f"http://127.0.0.1:{silent_server}/slow")
    elapsed = time.monotonic() - started
    assert result.error_class in ("timeout", "deadline")
    # Behaviour, not speed: it stopped because of the limit, long before the server would have finished.
    assert elapsed < LOOPBACK_OK.total_deadline_s + LOOPBACK_OK.read_timeout_s + 5


def test_redirect_loop_is_detected(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    with HttpClient(LOOPBACK_OK) as client:
        result = client.fetch(httpserver.url_for("/a"))
    assert result.error_class == "redirect_loop"


def test_too_many_redirects_are_refused(httpserver: HTTPServer) -> None:
    for i in range(10):
        httpserver.expect_request(f"/r{i}").respond_with_data("", status=301, headers={"Location": f"/r{i + 1}"})
    with HttpClient(LOOPBACK_OK.model_copy(update={"max_redirects": 3})) as client:
        result = client.fetch(httpserver.url_for("/r0"))
    assert result.error_class == "too_many_redirects"


def test_redirect_is_followed_and_final_url_reported(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data("moved here")
    with HttpClient(LOOPBACK_OK) as client:
        result = client.fetch(httpserver.url_for("/old"))
    assert result.ok and result.final_url == httpserver.url_for("/new") and result.redirects


def test_loopback_is_refused_unless_allowed(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/p").respond_with_data("secret")
    with HttpClient(FetchSettings(allow_private=[])) as client:
        result = client.fetch(httpserver.url_for("/p"))
    assert result.error_class == "blocked_address"
    assert len(httpserver.log) == 0  # refused before any byte was sent


def test_redirect_to_cloud_metadata_is_refused_after_dns(httpserver: HTTPServer) -> None:
    # A stub resolver maps the redirect target to the metadata address; no traffic leaves loopback.
    httpserver.expect_request("/go").respond_with_data(
        "", status=302, headers={"Location": "http://metadata.evil.test/latest"}
    )

    def resolver(host: str, port: int) -> list[str]:
        return ["169.254.169.254"] if host == "metadata.evil.test" else ["127.0.0.1"]

    with HttpClient(LOOPBACK_OK, resolver=resolver) as client:
        result = client.fetch(httpserver.url_for("/go"))
    assert result.error_class == "blocked_address"
    assert "169.254.169.254" in (result.error or "")


def test_non_http_schemes_are_refused() -> None:
    with HttpClient(LOOPBACK_OK) as client:
        assert client.fetch("file:///etc/passwd").error_class == "bad_scheme"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("::ffff:127.0.0.1", False),
        ("::1", False),
        ("224.0.0.1", False),
        ("0.0.0.0", False),
        ("2001:4860:4860::8888", True),
        ("fd00:ec2::254", False),
    ],
)
def test_address_classification(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def test_decimal_ip_spelling_resolves_to_loopback_and_is_refused() -> None:
    with HttpClient(FetchSettings(allow_private=[])) as client:
        result = client.fetch("http://2130706433/")
    assert result.error_class == "blocked_address"


def test_http_error_status_is_reported_not_raised(httpserver: HTTPServer) -> None:
    def handler(request: Request) -> Response:
        return Response("gone", status=410)

    httpserver.expect_request("/x").respond_with_handler(handler)
    with HttpClient(LOOPBACK_OK) as client:
        result = client.fetch(httpserver.url_for("/x"))
    assert result.status == 410 and not result.ok and result.error_class is None


class RecordingSleep:
    """Stands in for time.sleep so back-off is checked without waiting for it."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


FAST = LOOPBACK_OK.model_copy(update={"per_host_min_delay_s": 0.0, "total_deadline_s": 60})


def test_429_with_retry_after_seconds_is_waited_out_then_succeeds(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/busy").respond_with_data("slow down", status=429, headers={"Retry-After": "7"})
    httpserver.expect_ordered_request("/busy").respond_with_data("ok now")
    sleep = RecordingSleep()
    with HttpClient(FAST, sleep=sleep) as client:
        result = client.fetch(httpserver.url_for("/busy"))
    assert result.ok and result.body == b"ok now" and result.attempts == 2
    assert sleep.calls and sleep.calls[-1] >= 7


def test_retry_after_as_http_date_is_understood() -> None:
    from email.utils import formatdate

    from tasks.http import parse_retry_after

    now = 1_800_000_000.0
    assert parse_retry_after(formatdate(now + 120, usegmt=True), now=now) == pytest.approx(120, abs=1)
    assert parse_retry_after("not a date") is None
    assert parse_retry_after("30") == 30


def test_retry_after_longer_than_we_wait_is_reported_not_slept(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/later").respond_with_data("", status=503, headers={"Retry-After": "7200"})
    sleep = RecordingSleep()
    with HttpClient(FAST, sleep=sleep) as client:
        result = client.fetch(httpserver.url_for("/later"))
    assert result.status == 503 and result.retry_after_s == pytest.approx(7200)
    assert sleep.calls == [] and result.attempts == 1


def test_server_errors_are_retried_with_growing_capped_backoff(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/flaky").respond_with_data("oops", status=502)
    sleep = RecordingSleep()
    settings = FAST.model_copy(update={"retries": 4, "backoff_base_s": 1.0, "backoff_max_s": 3.0})
    with HttpClient(settings, sleep=sleep) as client:
        result = client.fetch(httpserver.url_for("/flaky"))
    assert result.status == 502 and result.attempts == 5
    assert len(sleep.calls) == 4
    assert all(0.5 <= s <= 4.5 for s in sleep.calls)  # base * 2^n, capped at 3, jitter 0.5-1.5x
    assert len(httpserver.log) == 5


@pytest.mark.parametrize("status", [404, 410, 401, 403])
def test_client_errors_are_not_retried(httpserver: HTTPServer, status: int) -> None:
    httpserver.expect_request("/no").respond_with_data("no", status=status)
    sleep = RecordingSleep()
    with HttpClient(FAST, sleep=sleep) as client:
        result = client.fetch(httpserver.url_for("/no"))
    assert result.attempts == 1 and sleep.calls == [] and len(httpserver.log) == 1


def test_robots_txt_disallow_is_obeyed_and_cached(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n")
    httpserver.expect_request("/public/a").respond_with_data("a")
    httpserver.expect_request("/public/b").respond_with_data("b")
    with HttpClient(FAST) as client:
        blocked = client.fetch(httpserver.url_for("/private/x"), check_robots=True)
        a = client.fetch(httpserver.url_for("/public/a"), check_robots=True)
        b = client.fetch(httpserver.url_for("/public/b"), check_robots=True)
    assert blocked.error_class == "robots_disallowed"
    assert a.ok and b.ok
    paths = [request.path for request, _ in httpserver.log]
    assert paths.count("/robots.txt") == 1 and "/private/x" not in paths


def test_crawl_delay_spaces_requests_to_one_host(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nCrawl-delay: 5\n")
    httpserver.expect_request("/p").respond_with_data("p")
    sleep = RecordingSleep()
    with HttpClient(FAST, sleep=sleep) as client:
        for _ in range(3):
            assert client.fetch(httpserver.url_for("/p"), check_robots=True).ok
    # The 2nd and 3rd page each waited for the gap the site asked for (sleep is recorded, not slept).
    assert len([s for s in sleep.calls if s > 4]) == 2


def test_missing_robots_txt_allows_everything(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/p").respond_with_data("p")
    with HttpClient(FAST) as client:
        assert client.fetch(httpserver.url_for("/p"), check_robots=True).ok


def test_permanent_redirect_reports_where_the_resource_moved(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old-feed").respond_with_data("", status=301, headers={"Location": "/new-feed"})
    httpserver.expect_request("/tmp-feed").respond_with_data("", status=302, headers={"Location": "/new-feed"})
    httpserver.expect_request("/new-feed").respond_with_data("<rss/>")
    with HttpClient(FAST) as client:
        moved = client.fetch(httpserver.url_for("/old-feed"))
        temporary = client.fetch(httpserver.url_for("/tmp-feed"))
    assert moved.moved_to == httpserver.url_for("/new-feed")
    assert temporary.moved_to is None


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("gzip.gz", "gzip"),
        ("gzip-not-compressed.gz", "gzip"),
        ("deflate.z", "deflate"),
        ("deflate-no-headers.z", "deflate"),
        ("deflate-not-compressed.z", "deflate"),
    ],
)
def test_mislabelled_and_raw_compression_still_decodes(httpserver: HTTPServer, name: str, encoding: str) -> None:
    from .conftest import SHARED_DIR

    path = SHARED_DIR / "data" / "feeds" / "compression" / name
    if not path.is_file():
        pytest.skip("shared feed corpus not present")
    httpserver.expect_request("/f").respond_with_data(path.read_bytes(), headers={"Content-Encoding": encoding})
    with HttpClient(FAST) as client:
        result = client.fetch(httpserver.url_for("/f"))
    assert result.ok and result.body.lstrip().startswith(b"<feed")


def test_gzip_bomb_costs_bounded_memory(httpserver: HTTPServer) -> None:
    """500 MiB of zeros behind gzip: a separate process measures its own peak RSS around the fetch."""
    import subprocess
    import sys
    import textwrap

    httpserver.expect_request("/bomb").respond_with_data(gzip_bomb(500), headers={"Content-Encoding": "gzip"})
    child = textwrap.dedent(f"""
        import resource
        from newsflow.settings import FetchSettings
        from tasks.http import HttpClient
        client = HttpClient(FetchSettings(allow_private=["127.0.0.1"], per_host_min_delay_s=0))
        client.fetch({httpserver.url_for("/warmup")!r})  # imports and connection set-up before measuring
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result = client.fetch({httpserver.url_for("/bomb")!r})
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(result.error_class, (after - before) // 1024)
    """)
    httpserver.expect_request("/warmup").respond_with_data("ok")
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=True, timeout=120)
    error_class, extra_mib = done.stdout.split()
    assert error_class == "too_large"
    assert int(extra_mib) < 100


def test_redirect_to_loopback_is_refused_when_only_the_named_host_is_allowed(httpserver: HTTPServer) -> None:
    # "news.test" is allowed by name (stub DNS points it at this loopback server); 127.0.0.1 itself is not.
    httpserver.expect_request("/go").respond_with_data(
        "", status=302, headers={"Location": f"http://127.0.0.1:{httpserver.port}/admin"}
    )
    httpserver.expect_request("/admin").respond_with_data("internal")

    def resolver(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    settings = FAST.model_copy(update={"allow_private": ["news.test"]})
    with HttpClient(settings, resolver=resolver) as client:
        result = client.fetch(f"http://news.test:{httpserver.port}/go")
    assert result.error_class == "blocked_address"
    assert [r.path for r, _ in httpserver.log] == ["/go"]
