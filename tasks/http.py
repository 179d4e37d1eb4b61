"""The one HTTP client for feeds and pages: timeouts, a total deadline, a decompressed-size cap, SSRF guard."""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

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

    @property
    def ok(self) -> bool:
        return self.error_class is None and self.status is not None and 200 <= self.status < 300


class _Decoder(Protocol):
    def decompress(self, data: bytes, max_length: int = ...) -> bytes: ...


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


def _decoder_for(content_encoding: str) -> _Decoder | None:
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise FetchError("bad_encoding", f"unsupported content-encoding {content_encoding!r}")


def _read_capped(chunks: Iterator[bytes], content_encoding: str, max_bytes: int, deadline: float) -> bytes:
    """Decode the raw stream chunk by chunk so a bomb stops at max_bytes with bounded memory."""
    decoder = _decoder_for(content_encoding)
    out = bytearray()
    for raw in chunks:
        if time.monotonic() > deadline:
            raise FetchError("deadline", "total deadline exceeded while reading the body")
        if decoder is None:
            out += raw
        else:
            data = raw
            while data:
                room = max_bytes - len(out) + 1
                out += decoder.decompress(data, room)
                if len(out) > max_bytes:
                    break
                data = getattr(decoder, "unconsumed_tail", b"")
        if len(out) > max_bytes:
            raise FetchError("too_large", f"body exceeds {max_bytes} bytes after decompression")
    return bytes(out)


class HttpClient:
    """Fetch URLs one at a time with every safety limit from FetchSettings. Thread-safe like httpx.Client."""

    def __init__(
        self,
        settings: FetchSettings,
        resolver: Resolver = system_resolver,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.resolver = resolver
        self.policy = AddressPolicy(settings.allow_private)
        self._client = httpx.Client(
            follow_redirects=False,
            timeout=httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s),
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            transport=transport,
            trust_env=False,
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

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> FetchResult:
        """GET url following up to max_redirects; never raises for network faults (see error_class)."""
        started = time.monotonic()
        deadline = started + self.settings.total_deadline_s
        redirects: list[str] = []
        current = url
        try:
            while True:
                response_status, response_headers, body, location = self._one_hop(current, headers, deadline)
                if response_status in REDIRECT_STATUSES and location:
                    nxt = urljoin(current, location)
                    if nxt in redirects or nxt == url:
                        raise FetchError("redirect_loop", f"redirect loop at {nxt}")
                    if len(redirects) >= self.settings.max_redirects:
                        raise FetchError("too_many_redirects", f"more than {self.settings.max_redirects} redirects")
                    redirects.append(nxt)
                    current = nxt
                    continue
                return FetchResult(
                    url=url,
                    final_url=current,
                    status=response_status,
                    headers=response_headers,
                    body=body,
                    duration_ms=int((time.monotonic() - started) * 1000),
                    redirects=redirects,
                )
        except FetchError as exc:
            error_class, message = exc.error_class, str(exc)
        except httpx.TimeoutException as exc:
            error_class, message = "timeout", f"{type(exc).__name__}: {exc}"
        except httpx.HTTPError as exc:
            error_class, message = "connect", f"{type(exc).__name__}: {exc}"
        return FetchResult(
            url=url,
            final_url=current,
            status=None,
            headers={},
            body=b"",
            duration_ms=int((time.monotonic() - started) * 1000),
            redirects=redirects,
            error_class=error_class,
            error=message,
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
