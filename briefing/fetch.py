"""Fetch: one URL's bytes over HTTP, politely and within limits, or one line saying why not.

httpx makes the requests. Around it this module keeps the promises a daily job owes the
sites it reads and the machine it runs on:

- only `http` and `https`; a host whose address is loopback, private, link-local or
  otherwise not public is refused (unless the config allows that address), checked on
  the address actually connected to, so a name that resolves elsewhere on the second
  look (DNS rebinding) or a redirect to an internal address gets nowhere;
- connect, read and total timeouts: the total one bounds every read and write of the
  request, so a server that drips one byte a second is cut off too;
- a size cap on the body as received and as decompressed (gzip and deflate are
  decompressed here, a bounded piece at a time, so a small bomb never grows in memory);
- redirects followed by hand, each hop checked, at most `max_redirects`, loops named;
- conditional requests (ETag, Last-Modified) when the caller remembers them;
- one request at a time per host, `delay` seconds apart (`Hosts`); retries with
  exponential backoff on 5xx and 429, honouring Retry-After up to a limit.

Nothing here raises for a bad answer: every failure is a `Fetched` with a `problem`.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import email.utils
import ipaddress
import socket
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from briefing import __version__
from briefing.config import FetchSettings

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 507, 508, 509})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_CHUNK = 64 * 1024

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Fetched:
    """What one URL gave: the body of a 200, a 304 (`unchanged`), or a `problem` (one
    line: the status, the timeout, the limit). `moved_to` is where a permanent redirect
    pointed, so the feed's URL can be corrected."""

    url: str
    status: int = 0  # 0: no answer at all
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    problem: str | None = None
    moved_to: str | None = None
    retry_after: str | None = None  # the Retry-After header of a 429 or 5xx

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def unchanged(self) -> bool:
        return self.problem is None and self.status == 304

    @property
    def gone(self) -> bool:
        return self.status == 410


def user_agent(contact: str | None) -> str:
    """The tool, its version and whom to write to, as crawlers name themselves."""
    return f"briefing/{__version__} (+{contact})" if contact else f"briefing/{__version__}"


# --- Addresses ------------------------------------------------------------------------


class RefusedAddress(httpcore.ConnectError):
    """A host that resolves to an address the config does not allow."""


def address_allowed(address: Address, allowed: Iterable[Network]) -> bool:
    """A public address, or one the config names (`allow_addresses`). IPv4 written as
    IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in allowed):
        return True
    return address.is_global and not address.is_multicast


def _resolve(host: str, port: int) -> list[Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise httpcore.ConnectError(f"cannot find the host {host} ({exc.strerror})") from None
    seen: dict[str, Address] = {}
    for _family, _type, _proto, _name, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]
        seen.setdefault(text, ipaddress.ip_address(text))
    return list(seen.values())


# The end of the request now being made by this thread (time.monotonic()), or None.
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)


def _within_deadline(timeout: float | None) -> float | None:
    """The timeout of one socket operation, cut to what is left of the request's total."""
    end = _deadline.get()
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the total time limit was reached")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the request's total deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            return self._inner.read(max_bytes, _within_deadline(timeout))
        except httpcore.ReadTimeout:
            _within_deadline(None)  # says so when it was the total limit that ran out
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        try:
            self._inner.write(buffer, _within_deadline(timeout))
        except httpcore.WriteTimeout:
            _within_deadline(None)
            raise

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, _within_deadline(timeout))
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """httpcore's own sockets, opened only to addresses that are allowed: the host is
    resolved here and the socket connects to the address that was checked."""

    def __init__(self, allowed: tuple[Network, ...]) -> None:
        self._allowed = allowed
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = _resolve(host, port)
        permitted = [a for a in addresses if address_allowed(a, self._allowed)]
        if not permitted:
            shown = ", ".join(str(a) for a in addresses[:3])
            raise RefusedAddress(
                f"refused: {host} is at {shown}, not a public address "
                "(allow it with allow_addresses in [fetch])"
            )
        error: Exception | None = None
        for address in permitted:
            try:
                stream = self._sockets.connect_tcp(
                    str(address), port, _within_deadline(timeout), local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
                continue
            return _DeadlineStream(stream)
        assert error is not None
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("refused: no Unix sockets")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over the guarded backend. httpx builds its connection pool
    without a way to pass a network backend, so the pool is built again here with one
    (httpcore's public `network_backend`); the rest of the transport is httpx's."""

    def __init__(self, allowed: tuple[Network, ...], hosts_at_once: int) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=hosts_at_once * 2,
            keepalive_expiry=5.0,
            network_backend=_GuardedBackend(allowed),
        )


def new_client(settings: FetchSettings) -> httpx.Client:
    """One client for a whole fetch (its pool keeps one connection per host alive). No
    proxy from the environment: the address check must see where a request really goes."""
    timeout = httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.read_timeout,
        write=settings.read_timeout,
        pool=settings.timeout,
    )
    return httpx.Client(
        transport=_GuardedTransport(settings.allow_addresses, settings.hosts_at_once),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        headers={
            "User-Agent": user_agent(settings.contact),
            "Accept-Encoding": "gzip, deflate",
        },
    )


# --- Politeness -------------------------------------------------------------------------


class Hosts:
    """One request at a time per host, and `delay` seconds from the end of one to the
    start of the next; a host that asked to be left alone (Retry-After) waits longer.
    Shared by every thread of a fetch, so a page on another feed's host waits its turn."""

    def __init__(self, delay: float) -> None:
        self._delay = delay
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._free_at: dict[str, float] = {}

    @contextmanager
    def turn(self, host: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(host, threading.Lock())
        with lock:
            wait = self._free_at.get(host, 0.0) - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                yield
            finally:
                self._free_at[host] = max(
                    self._free_at.get(host, 0.0), time.monotonic() + self._delay
                )

    def hold_off(self, host: str, seconds: float) -> None:
        with self._guard:
            self._free_at[host] = max(self._free_at.get(host, 0.0), time.monotonic() + seconds)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


# --- One request --------------------------------------------------------------------------


class _TooLarge(Exception):
    pass


class _Undecodable(Exception):
    """A body that does not decompress as its Content-Encoding says."""


class _Decoder:
    """gzip or deflate decompressed a bounded piece at a time: `max_length` keeps a bomb
    (a few kilobytes that inflate to gigabytes) from ever being held beyond the cap."""

    def __init__(self, encoding: str, limit: int) -> None:
        self._limit = limit
        self._size = 0
        self._encoding = encoding
        self._zlib: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS)
        self._raw_deflate_tried = False

    def feed(self, data: bytes) -> bytes:
        if self._zlib is None:
            return self._count(data)
        try:
            return self._inflate(data)
        except zlib.error:
            if self._encoding != "deflate" or self._raw_deflate_tried or self._size:
                raise
            # Servers send "deflate" as the raw stream as often as the zlib one.
            self._raw_deflate_tried = True
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            return self._inflate(data)

    def _inflate(self, data: bytes) -> bytes:
        out = []
        while data:
            piece = self._zlib.decompress(data, self._limit - self._size + 1)
            out.append(self._count(piece))
            data = self._zlib.unconsumed_tail
            if not piece and not data:
                break
        return b"".join(out)

    def _count(self, piece: bytes) -> bytes:
        self._size += len(piece)
        if self._size > self._limit:
            raise _TooLarge
        return piece


def _limit_text(limit: int) -> str:
    return f"{limit / 1_000_000:g} MB"


def retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Retry-After as seconds from now: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


def _check_url(url: str) -> str | None:
    """Why a URL is never requested, or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (a port out of range raises here)
    except ValueError as exc:
        return f"not a usable URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return f"refused: only http and https are fetched, not {parts.scheme or 'a relative URL'}"
    if not parts.hostname:
        return "not a usable URL (no host)"
    return None


def _problem_of(exc: Exception, settings: FetchSettings) -> str:
    """A transport failure as one line."""
    text = " ".join(str(exc).split())
    if isinstance(exc, httpx.ConnectTimeout):
        return f"no connection within {settings.connect_timeout:g} s"
    if isinstance(exc, httpx.TimeoutException):
        if "total time limit" in text:
            return f"took longer than the limit of {settings.timeout:g} s"
        return f"no answer within {settings.read_timeout:g} s"
    if isinstance(exc, httpx.ConnectError) and text.startswith("refused:"):
        return text
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect ({text or type(exc).__name__})"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _read_body(response: httpx.Response, settings: FetchSettings) -> bytes:
    limit = int(settings.max_mb * 1_000_000)
    declared = response.headers.get("content-length", "")
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "", "gzip", "x-gzip", "deflate"):
        raise httpx.DecodingError(f"unsupported content encoding {encoding!r}")
    if declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    decoder = _Decoder(encoding, limit)
    received = 0
    parts = []
    for chunk in response.iter_raw(_CHUNK):
        received += len(chunk)
        if received > limit:
            raise _TooLarge
        try:
            parts.append(decoder.feed(chunk))
        except zlib.error as exc:
            raise _Undecodable(f"could not decompress the {encoding} answer ({exc})") from None
    return b"".join(parts)


def _one_request(
    client: httpx.Client, url: str, headers: dict[str, str], settings: FetchSettings
) -> tuple[httpx.Response, bytes]:
    """The answer and, for a 2xx, its body; within the total time limit."""
    token = _deadline.set(time.monotonic() + settings.timeout)
    try:
        request = client.build_request("GET", url, headers=headers)
        response = client.send(request, stream=True)
        try:
            body = _read_body(response, settings) if 200 <= response.status_code < 300 else b""
        finally:
            response.close()
        return response, body
    finally:
        _deadline.reset(token)


def fetch_once(
    client: httpx.Client,
    url: str,
    settings: FetchSettings,
    hosts: Hosts,
    headers: dict[str, str],
) -> Fetched:
    """One GET, redirects followed (each hop a request of its own host's turn)."""
    seen = {url}
    current = url
    moved_to: str | None = None
    permanent = True
    for _hop in range(settings.max_redirects + 1):
        if problem := _check_url(current):
            return Fetched(url, problem=problem if current == url else f"redirected: {problem}")
        with hosts.turn(host_of(current)):
            try:
                response, body = _one_request(client, current, headers, settings)
            except _TooLarge:
                limit = _limit_text(int(settings.max_mb * 1_000_000))
                return Fetched(url, 200, problem=f"larger than the limit of {limit}")
            except _Undecodable as exc:
                return Fetched(url, 200, problem=str(exc))
            except (httpx.HTTPError, httpcore.ConnectError) as exc:
                return Fetched(url, problem=_problem_of(exc, settings))
        status = response.status_code
        if status in REDIRECT_STATUSES and "location" in response.headers:
            permanent = permanent and status in (301, 308)
            current = urljoin(current, response.headers["location"].strip())
            if permanent:
                moved_to = current
            if current in seen:
                return Fetched(url, status, problem=f"a redirect loop (back to {current})")
            seen.add(current)
            continue
        return _answer(url, response, body, moved_to)
    return Fetched(url, problem=f"more than {settings.max_redirects} redirects")


def _answer(url: str, response: httpx.Response, body: bytes, moved_to: str | None) -> Fetched:
    status = response.status_code
    headers = response.headers
    facts: dict[str, Any] = {
        "etag": headers.get("etag"),
        "last_modified": headers.get("last-modified"),
        "content_type": headers.get("content-type"),
        "moved_to": moved_to,
    }
    if status == 304 or 200 <= status < 300:
        return Fetched(url, status, body, **facts)
    reason = response.reason_phrase or "error"
    problem = f"HTTP {status} {reason}"
    if status == 410:
        problem += ": the feed is gone; remove it from the config"
    return Fetched(url, status, problem=problem, retry_after=headers.get("retry-after"), **facts)


def fetch_url(
    client: httpx.Client,
    url: str,
    settings: FetchSettings,
    hosts: Hosts,
    *,
    accept: str = FEED_ACCEPT,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """GET `url`: conditional when `etag` or `last_modified` is known; retried with
    backoff on 5xx and 429 (Retry-After honoured up to `max_retry_after`)."""
    headers = {"Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    fetched = Fetched(url, problem="not fetched")
    for attempt in range(settings.retries + 1):
        fetched = fetch_once(client, url, settings, hosts, headers)
        if fetched.status not in RETRY_STATUSES:
            return fetched
        asked = retry_after(fetched.retry_after)
        if attempt == settings.retries:
            break
        if asked is not None and asked > settings.max_retry_after:
            return Fetched(
                url,
                fetched.status,
                problem=f"{fetched.problem}, asked to retry after {asked:g} s "
                f"(more than the limit of {settings.max_retry_after:g} s); not retried",
            )
        wait = asked if asked is not None else settings.backoff * 2**attempt
        hosts.hold_off(host_of(url), wait)
    tries = settings.retries + 1
    return Fetched(
        url, fetched.status, problem=f"{fetched.problem} ({tries} tr{'ies' if tries > 1 else 'y'})"
    )
