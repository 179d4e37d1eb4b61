"""The one HTTP client for feeds and pages: timeouts, a total deadline, a decompressed-size cap, SSRF guard."""

from __future__ import annotations

import functools
import ipaddress
import logging
import random
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
from protego import Protego

from newsflow.settings import FetchSettings

LOGGER = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Networks that is_global misses or that we refuse outright (cloud metadata lives in link-local).
EXTRA_BLOCKED_NETWORKS = (
    ipaddress.ip_network("100.64.0.0/10"),  # CGNAT
    ipaddress.ip_network("169.254.0.0/16"),
    ipaddress.ip_network("fd00:ec2::/32"),  # AWS IPv6 metadata
)

Resolver = Callable[[str, int], list[str]]


class FetchError(Exception):
    """A request that did not yield a usable response; error_class is a short stable label."""

    def __init__(self, error_class: str, message: str) -> None:
        super().__init__(message)
        self.error_class = error_class


@dataclass
class FetchResult:
    url: str
    final_url: str
    status: int | None
    headers: dict[str, str]
    body: bytes
    duration_ms: int
    redirects: list[str] = field(default_factory=list)
    error_class: str | None = None
    error: str | None = None
    attempts: int = 1
    # Set when the server asked us (429/503 Retry-After) to come back later than we were willing to wait.
    retry_after_s: float | None = None
    moved_to: str | None = None

    @classmethod
    def failure(
        cls, url: str, final_url: str, error_class: str, error: str, duration_ms: int, redirects: list[str]
    ) -> FetchResult:
        return cls(
            url=url,
            final_url=final_url,
            status=None,
            headers={},
            body=b"",
            duration_ms=duration_ms,
            redirects=redirects,
            error_class=error_class,
            error=error,
        )

    @property
    def permanent_redirect(self) -> str | None:
        """The last URL reached through 301/308 only: where a feed has moved for good."""
        return self.moved_to

    @property
    def ok(self) -> bool:
        return self.error_class is None and self.status is not None and 200 <= self.status < 300


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_multicast or ip.is_unspecified or not ip.is_global:
        return False
    return not any(ip in net for net in EXTRA_BLOCKED_NETWORKS if net.version == ip.version)


class AddressPolicy:
    """Decides which resolved addresses may be contacted; the allow-list admits named hosts, IPs or CIDRs."""

    def __init__(self, allow: list[str]) -> None:
        self.allowed_hosts: set[str] = set()
        self.allowed_networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for item in allow:
            try:
                self.allowed_networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                self.allowed_hosts.add(item.lower())

    def is_allowed(self, host: str, address: str) -> bool:
        if host.lower() in self.allowed_hosts:
            return True
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if any(ip in net for net in self.allowed_networks if net.version == ip.version):
            return True
        return is_public_address(address)


class _StreamDecoder:
    """Content-Encoding decoder that copes with what servers really send.

    A body labelled gzip that is not gzip is passed through (feedparser does the same); deflate without
    the zlib header is decoded as raw deflate; corruption after a good start is an error.
    """

    def __init__(self, content_encoding: str) -> None:
        self.encoding = content_encoding.strip().lower()
        if self.encoding in ("", "identity"):
            self.encoding = ""
        elif self.encoding not in ("gzip", "x-gzip", "deflate"):
            raise FetchError("bad_encoding", f"unsupported content-encoding {content_encoding!r}")
        self._decoder: Any = None
        self._started = False
        self.produced = 0

    def _choose(self, first: bytes) -> None:
        self._started = True
        if self.encoding in ("gzip", "x-gzip"):
            self._decoder = zlib.decompressobj(16 + zlib.MAX_WBITS) if first[:2] == b"\x1f\x8b" else None
        elif self.encoding == "deflate":
            self._decoder = zlib.decompressobj()
            try:
                self._decoder.copy().decompress(first[:64], 1)
            except zlib.error:
                self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)
                try:
                    self._decoder.copy().decompress(first[:64], 1)
                except zlib.error:
                    self._decoder = None  # labelled deflate, sent plain

    def _salvage(self, raw: bytes, room: int) -> bytes:
        """Decode a first chunk in small steps to keep the output that precedes the corruption."""
        wbits = 16 + zlib.MAX_WBITS if self.encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        decoder = zlib.decompressobj(wbits)
        out = bytearray()
        for start in range(0, len(raw), 8):  # small steps: the gzip trailer (CRC, size) is the last 8 bytes
            try:
                out += decoder.decompress(raw[start : start + 8], max(1, room - len(out)))
            except zlib.error:
                break
            if len(out) >= room:
                break
        return bytes(out)

    def decode(self, raw: bytes, room: int) -> tuple[bytes, bytes]:
        """Decode at most room bytes of raw; return (decoded, raw bytes still to feed)."""
        if not self._started:
            self._choose(raw)
        if self._decoder is None:
            return raw, b""
        try:
            out = self._decoder.decompress(raw, room)
        except zlib.error as exc:
            salvaged = b"" if self.produced else self._salvage(raw, room)
            if self.produced or salvaged:
                # Corrupt trailer (bad CRC, truncation) after good data: keep what decoded, as browsers do.
                LOGGER.warning("corrupt %s stream after %d bytes: %s", self.encoding, self.produced, exc)
                self._decoder = _Exhausted()
                self.produced += len(salvaged)
                return salvaged, b""
            raise FetchError("bad_encoding", f"corrupt {self.encoding} body: {exc}") from exc
        self.produced += len(out)
        return out, self._decoder.unconsumed_tail


class _Exhausted:
    """Decoder stand-in after a corrupt tail: swallows the rest of the stream."""

    unconsumed_tail = b""

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        return b""


def _read_capped(chunks: Iterator[bytes], content_encoding: str, max_bytes: int, deadline: float) -> bytes:
    """Decode the raw stream chunk by chunk so a bomb stops at max_bytes with bounded memory."""
    decoder = _StreamDecoder(content_encoding)
    out = bytearray()
    for raw in chunks:
        if time.monotonic() > deadline:
            raise FetchError("deadline", "total deadline exceeded while reading the body")
        data = raw
        while data:
            decoded, data = decoder.decode(data, max_bytes - len(out) + 1)
            out += decoded
            if len(out) > max_bytes:
                raise FetchError("too_large", f"body exceeds {max_bytes} bytes after decompression")
    return bytes(out)


TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
TRANSIENT_ERRORS = frozenset({"connect", "timeout"})
PERMANENT_REDIRECTS = frozenset({301, 308})


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP-date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class _HostState:
    def __init__(self, concurrency: int) -> None:
        self.slots = threading.BoundedSemaphore(concurrency)
        self.lock = threading.Lock()
        self.next_at = 0.0


# Process-wide, so politeness holds across the concurrent tasks of one run (they share the process).
_HOSTS: dict[str, _HostState] = {}
_ROBOTS: dict[str, tuple[Protego | None, float]] = {}
# One robots.txt request per origin at a time: concurrent batches starting together would each fetch it.
_ROBOTS_LOCKS: dict[str, threading.Lock] = {}
_REGISTRY_LOCK = threading.Lock()


def _host_state(host: str, concurrency: int) -> _HostState:
    with _REGISTRY_LOCK:
        if host not in _HOSTS:
            _HOSTS[host] = _HostState(concurrency)
        return _HOSTS[host]


def reset_politeness_state() -> None:
    """Forget per-host timing and cached robots.txt (tests; long-lived workers between runs)."""
    with _REGISTRY_LOCK:
        _HOSTS.clear()
        _ROBOTS.clear()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process, shared by every client: loading the CA bundle costs tens of
    milliseconds, which a client per feed-poll task paid 500 times over in an idle poll of 500 feeds."""
    return httpx.create_ssl_context(trust_env=False)


class HttpClient:
    """Fetch URLs one at a time with every safety limit from FetchSettings. Thread-safe like httpx.Client."""

    def __init__(
        self,
        settings: FetchSettings,
        resolver: Resolver = system_resolver,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.resolver = resolver
        self.sleep = sleep
        self.policy = AddressPolicy(settings.allow_private)
        self._client = httpx.Client(
            follow_redirects=False,
            timeout=httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s),
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            transport=transport,
            trust_env=False,
            verify=_tls_context(),
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _pinned_target(self, url: str) -> tuple[str, dict[str, str], dict[str, str]]:
        """Resolve the host, refuse non-public addresses, and connect to the checked IP (no DNS rebinding)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError("bad_scheme", f"only http and https are fetched, not {parts.scheme!r}")
        host = parts.hostname
        if not host:
            raise FetchError("bad_url", f"no host in {url!r}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = self.resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise FetchError("dns", f"cannot resolve {host}: {exc}") from exc
        if not addresses:
            raise FetchError("dns", f"no address for {host}")
        refused = [a for a in addresses if not self.policy.is_allowed(host, a)]
        if refused:
            raise FetchError("blocked_address", f"{host} resolves to non-public address {refused[0]}")
        address = addresses[0]
        ip_host = f"[{address}]" if ":" in address else address
        netloc = f"{ip_host}:{parts.port}" if parts.port else ip_host
        pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        host_header = parts.netloc.rsplit("@", 1)[-1]
        extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
        return pinned, {"Host": host_header}, extensions

    def fetch(self, url: str, headers: dict[str, str] | None = None, check_robots: bool = False) -> FetchResult:
        """GET url politely, retrying transient failures; never raises for network faults (see error_class).

        The total deadline covers every attempt and back-off of this one fetch.
        """
        started = time.monotonic()
        deadline = started + self.settings.total_deadline_s
        if check_robots and self.settings.respect_robots_txt and not self.robots_allows(url, deadline):
            return FetchResult.failure(url, url, "robots_disallowed", "robots.txt disallows this URL", 0, [])
        attempt = 0
        while True:
            attempt += 1
            result = self._polite_fetch(url, headers, deadline)
            result.attempts = attempt
            result.duration_ms = int((time.monotonic() - started) * 1000)
            delay = self._retry_delay(result, attempt)
            if delay is None:
                return result
            if time.monotonic() + delay >= deadline:
                return result
            LOGGER.info("retrying %s in %.1f s (%s)", url, delay, result.error_class or result.status)
            self.sleep(delay)

    def _retry_delay(self, result: FetchResult, attempt: int) -> float | None:
        transient = result.error_class in TRANSIENT_ERRORS or result.status in TRANSIENT_STATUSES
        if not transient or attempt > self.settings.retries:
            return None
        backoff = min(self.settings.backoff_max_s, self.settings.backoff_base_s * 2.0 ** (attempt - 1))
        backoff *= 0.5 + random.random()  # jitter: retries from many clients don't arrive in step
        retry_after = parse_retry_after(result.headers.get("retry-after"))
        if retry_after is not None:
            if retry_after > self.settings.max_retry_after_s:
                result.retry_after_s = retry_after
                return None
            return max(retry_after, backoff)
        return backoff

    def _polite_fetch(self, url: str, headers: dict[str, str] | None, deadline: float) -> FetchResult:
        host = (urlsplit(url).hostname or "").lower()
        state = _host_state(host, self.settings.per_host_concurrency)
        min_delay = max(self.settings.min_delay_for(host), self._crawl_delay(url))
        with state.slots:
            with state.lock:
                now = time.monotonic()
                wait = state.next_at - now
                state.next_at = max(now, state.next_at) + min_delay
            if wait > 0:
                self.sleep(wait)
            return self._fetch_once(url, headers, deadline)

    def _robots_for(self, url: str, deadline: float) -> Protego | None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with _REGISTRY_LOCK:
            origin_lock = _ROBOTS_LOCKS.setdefault(origin, threading.Lock())
        with origin_lock:
            with _REGISTRY_LOCK:
                cached = _ROBOTS.get(origin)
            if cached and cached[1] > time.monotonic():
                return cached[0]
            result = self._fetch_once(origin + "/robots.txt", None, deadline)
            parser: Protego | None = None
            if result.ok:
                parser = Protego.parse(result.body.decode("utf-8", errors="replace"))
            # 4xx: no rules, crawl freely. 5xx or network fault: allow, and ask again sooner.
            ttl = self.settings.robots_cache_s if result.status is not None and result.status < 500 else 300.0
            with _REGISTRY_LOCK:
                _ROBOTS[origin] = (parser, time.monotonic() + ttl)
            return parser

    def robots_allows(self, url: str, deadline: float | None = None) -> bool:
        parser = self._robots_for(url, deadline or time.monotonic() + self.settings.total_deadline_s)
        return True if parser is None else bool(parser.can_fetch(url, self.settings.user_agent))

    def _crawl_delay(self, url: str) -> float:
        if not self.settings.respect_robots_txt:
            return 0.0
        parts = urlsplit(url)
        with _REGISTRY_LOCK:
            cached = _ROBOTS.get(f"{parts.scheme}://{parts.netloc}")
        if not cached or cached[0] is None:
            return 0.0
        delay = cached[0].crawl_delay(self.settings.user_agent)
        return float(delay) if delay else 0.0

    def _fetch_once(self, url: str, headers: dict[str, str] | None, deadline: float) -> FetchResult:
        """One GET with redirects, no retries."""
        started = time.monotonic()
        redirects: list[str] = []
        current = url
        moved_to: str | None = None
        only_permanent = True
        try:
            while True:
                response_status, response_headers, body, location = self._one_hop(current, headers, deadline)
                if response_status in REDIRECT_STATUSES and location:
                    only_permanent = only_permanent and response_status in PERMANENT_REDIRECTS
                    nxt = urljoin(current, location)
                    if nxt in redirects or nxt == url:
                        raise FetchError("redirect_loop", f"redirect loop at {nxt}")
                    if len(redirects) >= self.settings.max_redirects:
                        raise FetchError("too_many_redirects", f"more than {self.settings.max_redirects} redirects")
                    redirects.append(nxt)
                    current = nxt
                    if only_permanent:
                        moved_to = nxt
                    continue
                return FetchResult(
                    url=url,
                    final_url=current,
                    status=response_status,
                    headers=response_headers,
                    body=body,
                    duration_ms=int((time.monotonic() - started) * 1000),
                    redirects=redirects,
                    moved_to=moved_to,
                )
        except FetchError as exc:
            error_class, message = exc.error_class, str(exc)
        except httpx.TimeoutException as exc:
            error_class, message = "timeout", f"{type(exc).__name__}: {exc}"
        except httpx.HTTPError as exc:
            error_class, message = "connect", f"{type(exc).__name__}: {exc}"
        return FetchResult.failure(
            url, current, error_class, message, int((time.monotonic() - started) * 1000), redirects
        )

    def _one_hop(
        self, url: str, headers: dict[str, str] | None, deadline: float
    ) -> tuple[int, dict[str, str], bytes, str | None]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("deadline", "total deadline exceeded")
        pinned, host_header, extensions = self._pinned_target(url)
        timeout = httpx.Timeout(
            min(self.settings.read_timeout_s, remaining),
            connect=min(self.settings.connect_timeout_s, remaining),
        )
        request = self._client.build_request(
            "GET", pinned, headers={**(headers or {}), **host_header}, timeout=timeout, extensions=extensions
        )
        response = self._client.send(request, stream=True)
        try:
            response_headers = {k.lower(): v for k, v in response.headers.items()}
            if response.status_code in REDIRECT_STATUSES:
                return response.status_code, response_headers, b"", response.headers.get("location")
            declared = response.headers.get("content-length")
            encoding = response.headers.get("content-encoding", "")
            if declared and declared.isdigit() and not encoding and int(declared) > self.settings.max_bytes:
                raise FetchError("too_large", f"content-length {declared} exceeds {self.settings.max_bytes} bytes")
            body = _read_capped(response.iter_raw(), encoding, self.settings.max_bytes, deadline)
            return response.status_code, response_headers, body, None
        finally:
            response.close()
