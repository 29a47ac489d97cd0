"""A real HTTP server on a loopback address for the gathering tests and the fetch bench:
the standard library's ThreadingHTTPServer in a thread, answering from a table of routes
and keeping every request it saw (path, headers, time), so a test can check what the
fetcher sent: conditional headers, the User-Agent, how requests to one host were spaced.

It also writes the feeds and pages the tests serve, dated relative to now, so a
window of the last 24 hours holds exactly the entries meant to be in it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    drip: float = 0.0  # seconds between the body's chunks


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]
    start: float  # time.monotonic() when the request arrived
    end: float = 0.0  # when the answer was written


Route = Reply | Callable[[Seen], Reply]


class FeedServer:
    """Routes by path; an unknown path is a 404."""

    def __init__(self, host: str = "127.0.0.1", latency: float = 0.0) -> None:
        self.host = host
        self.latency = latency
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self.active = 0
        self.most_active = 0
        self._server = ThreadingHTTPServer((host, 0), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def requests(self, path: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.path == path]

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                seen = Seen(self.path, headers, time.monotonic())
                with server._lock:
                    server.active += 1
                    server.most_active = max(server.most_active, server.active)
                try:
                    route = server.routes.get(self.path.split("?")[0], Reply(404, b"not found"))
                    reply = route(seen) if callable(route) else route
                    time.sleep(server.latency + reply.delay)
                    self._answer(reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    with server._lock:
                        server.active -= 1
                        server.seen.append(replace(seen, end=time.monotonic()))

            def _answer(self, reply: Reply) -> None:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if isinstance(reply.body, bytes):
                    if "Content-Length" not in reply.headers:
                        self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                    return
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                for chunk in reply.body:
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    if reply.drip:
                        time.sleep(reply.drip)

        return Handler


@contextmanager
def feed_server(host: str = "127.0.0.1", latency: float = 0.0) -> Iterator[FeedServer]:
    with FeedServer(host, latency) as server:
        yield server


# --- What it serves -------------------------------------------------------------------

STORY = (
    "The harbour authority of Port Meridian said on {day} that {subject} would go ahead as "
    "planned after weeks of talks with the unions and the city council. "
    "Officials told reporters that the decision followed a review of safety records at the "
    "container terminal and the ferry piers. "
    "Shipping companies welcomed the announcement and said they expected traffic to return "
    "to normal levels within a fortnight."
)


def story(subject: str, day: str = "Monday") -> str:
    return STORY.format(subject=subject, day=day)


def rfc822(moment: dt.datetime) -> str:
    return email.utils.format_datetime(moment.astimezone(dt.UTC), usegmt=True)


@dataclass(frozen=True)
class Entry:
    title: str
    link: str
    text: str
    published: dt.datetime | None = None


def rss(title: str, entries: Iterable[Entry], encoding: str = "utf-8") -> bytes:
    """An RSS 2.0 feed of ENTRIES, encoded (and declared) in ENCODING."""
    items = []
    for entry in entries:
        date = f"<pubDate>{rfc822(entry.published)}</pubDate>" if entry.published else ""
        items.append(
            f"<item><title>{escape(entry.title)}</title><link>{escape(entry.link)}</link>"
            f"<guid>{escape(entry.link)}</guid>{date}"
            f"<description>{escape(entry.text)}</description></item>"
        )
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://news.example/</link>"
        f"<description>News</description>{''.join(items)}</channel></rss>\n"
    )
    return text.encode(encoding)


def page(title: str, paragraphs: list[str], site: str = "Meridian Courier") -> bytes:
    """A saved-page-like article: navigation, the story in <article>, a footer."""
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)} | {escape(site)}</title>"
        f"<meta property='og:title' content='{escape(title)}'>"
        f"<meta property='og:site_name' content='{escape(site)}'>"
        "<meta property='og:type' content='article'></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{escape(title)}</h1>{body}</article>"
        "<footer>Contact us</footer></body></html>"
    ).encode()
