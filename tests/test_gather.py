"""Gathering: feeds and pages fetched from a real HTTP server on 127.0.0.1 into a real
SQLite archive. Every way a feed can fail is a warning naming that feed, and the good
feed beside it is still fetched."""

from __future__ import annotations

import datetime as dt
import gzip
import ipaddress
import itertools
import logging
import sqlite3
import time
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from feedserver import Entry, FeedServer, Reply, Seen, feed_server, page, rss, story

from briefing.archive import archive_records
from briefing.config import FeedSource, FetchSettings
from briefing.fetch import address_allowed, retry_after
from briefing.gather import GatherReport, gather

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)
# Short limits, so a test of a timeout or a retry takes a fraction of a second.
FAST = FetchSettings(
    contact="mailto:desk@example.com",
    allow_addresses=LOOPBACK,
    delay=0.01,
    connect_timeout=1.0,
    read_timeout=0.4,
    timeout=1.5,
    max_mb=1.0,
    max_redirects=3,
    retries=1,
    backoff=0.01,
    max_retry_after=5,
)


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname.lower()}: {record.getMessage()}")

    def warnings(self) -> list[str]:
        return [line for line in self.lines if line.startswith("warning")]


@pytest.fixture
def log() -> Iterator[Lines]:
    handler = Lines()
    logger = logging.getLogger("briefing")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with feed_server() as running:
        yield running


def good_feed(server: FeedServer, path: str = "/good.xml", count: int = 2) -> FeedSource:
    entries = [
        Entry(
            f"Good story {n}",
            server.url(f"/good/{n}"),
            story(f"good plan number {n}"),
            NOW - dt.timedelta(hours=n),
        )
        for n in range(1, count + 1)
    ]
    server.routes[path] = Reply(200, rss("Meridian Courier", entries))
    return FeedSource(server.url(path))


def fetch(archive: Path, *feeds: FeedSource, settings: FetchSettings = FAST) -> GatherReport:
    return gather(tuple(feeds), settings, archive, dt.UTC, 30)


def titles(archive: Path) -> list[str]:
    return sorted(r.title or "" for r in archive_records(archive))


def test_a_first_fetch_stores_the_entries_and_a_second_asks_conditionally_and_gets_304(
    server: FeedServer, tmp_path: Path, log: Lines
) -> None:
    body = rss("Meridian Courier - Home", [Entry("Ferry returns", server.url("/1"), story("x"))])
    validators = {"ETag": '"v1"', "Last-Modified": "Sat, 14 Nov 2026 07:00:00 GMT"}

    def conditional(seen: Seen) -> Reply:
        if seen.headers.get("if-none-match") == '"v1"':
            return Reply(304, b"", validators)
        return Reply(200, body, validators)

    server.routes["/feed.xml"] = conditional
    archive = tmp_path / "archive.sqlite"
    first = fetch(archive, FeedSource(server.url("/feed.xml")))
    assert (first.fetched, first.new) == (1, 1)
    second = fetch(archive, FeedSource(server.url("/feed.xml")))
    assert (second.unchanged, second.new, second.updated) == (1, 0, 0)
    asked = server.requests("/feed.xml")
    assert "if-none-match" not in asked[0].headers
    assert asked[1].headers["if-none-match"] == '"v1"'
    assert asked[1].headers["if-modified-since"] == "Sat, 14 Nov 2026 07:00:00 GMT"
    assert titles(archive) == ["Ferry returns"]
    assert log.warnings() == []


def test_the_user_agent_names_the_tool_its_version_and_the_contact(
    server: FeedServer, tmp_path: Path
) -> None:
    fetch(tmp_path / "a.sqlite", good_feed(server))
    agent = server.requests("/good.xml")[0].headers["user-agent"]
    assert agent == "briefing/0.1.0 (+mailto:desk@example.com)"


def slow_body() -> Iterator[bytes]:
    yield b'<?xml version="1.0"?><rss version="2.0"><channel><title>Slow</title>'
    for _ in range(100):
        yield b" "


def bomb(size: int) -> bytes:
    """A gzip stream of SIZE zero bytes, made a megabyte at a time (about 1/1000 of it)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1_000_000)
    return b"".join(packer.compress(block) for _ in range(size // len(block))) + packer.flush()


def big_body() -> Iterator[bytes]:
    chunk = b"<!-- padding -->" * 4096
    for _ in range(50_000_000 // len(chunk)):
        yield chunk


CASES: dict[str, tuple[Reply | str, str]] = {
    "404": (Reply(404, b"no"), "not fetched, HTTP 404 Not Found"),
    "410": (Reply(410, b"gone"), "HTTP 410 Gone: the feed is gone; remove it from the config"),
    "500": (Reply(500, b"oops"), "not fetched, HTTP 500 Internal Server Error (2 tries)"),
    "429 with a long Retry-After": (
        Reply(429, b"", {"Retry-After": "3600"}),
        "asked to retry after 3600 s (more than the limit of 5 s); not retried",
    ),
    "slower than the timeout": (Reply(200, b"<rss/>", delay=3.0), "no answer within 0.4 s"),
    "dripping past the total limit": (
        Reply(200, slow_body(), {"Content-Type": "application/rss+xml"}, drip=0.05),
        "took longer than the limit of 1.5 s",
    ),
    "a redirect loop": ("loop", "a redirect loop"),
    "a 50 MB body": (Reply(200, big_body()), "larger than the limit of 1 MB"),
    "a 50 MB body it declares": (
        Reply(200, b"x" * 10, {"Content-Length": "50000000"}),
        "larger than the limit of 1 MB",
    ),
    "a gzip bomb": (
        Reply(200, bomb(200_000_000), {"Content-Encoding": "gzip"}),
        "larger than the limit of 1 MB",
    ),
    "invalid XML": (
        Reply(200, b'<?xml version="1.0"?><rss version="2.0"><channel><<title>T</title>'),
        "skipped, not a readable feed",
    ),
    "not a feed": (Reply(200, b"<html><body>Hello</body></html>"), "not an RSS or Atom feed"),
    "a redirect to another scheme": (
        Reply(302, b"", {"Location": "file:///etc/passwd"}),
        "redirected: refused: only http and https are fetched, not file",
    ),
    "a redirect to a loopback address not allowed": (
        "elsewhere",
        "refused: 127.0.0.2 is at 127.0.0.2, not a public address",
    ),
    "a broken gzip stream": (
        Reply(200, b"not gzip at all", {"Content-Encoding": "gzip"}),
        "not fetched, could not decompress the gzip answer",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_failing_feed_is_a_warning_naming_it_and_the_good_feed_is_still_fetched(
    case: str, server: FeedServer, tmp_path: Path, log: Lines
) -> None:
    reply, expected = CASES[case]
    if reply == "loop":
        server.routes["/bad.xml"] = Reply(302, b"", {"Location": "/bad2.xml"})
        server.routes["/bad2.xml"] = Reply(301, b"", {"Location": server.url("/bad.xml")})
    elif reply == "elsewhere":
        server.routes["/bad.xml"] = Reply(302, b"", {"Location": "http://127.0.0.2:9/feed"})
    else:
        assert isinstance(reply, Reply)
        server.routes["/bad.xml"] = reply
    archive = tmp_path / "archive.sqlite"
    started = time.monotonic()
    fetch(archive, FeedSource(server.url("/bad.xml")), good_feed(server))
    assert time.monotonic() - started < 8
    bad = server.url("/bad.xml")
    named = [line for line in log.warnings() if line.startswith(f"warning: {bad}: ")]
    assert len(named) == 1, log.lines
    assert expected in named[0]
    assert titles(archive) == ["Good story 1", "Good story 2"]


def test_a_feed_that_answered_410_is_marked_and_not_asked_again(
    server: FeedServer, tmp_path: Path, log: Lines
) -> None:
    server.routes["/gone.xml"] = Reply(410, b"")
    archive = tmp_path / "archive.sqlite"
    feed = FeedSource(server.url("/gone.xml"))
    fetch(archive, feed)
    with sqlite3.connect(archive) as connection:
        gone = connection.execute("SELECT gone, status FROM feeds").fetchone()
    assert gone[0] is not None and gone[1] == 410
    report = fetch(archive, feed)
    assert report.skipped_gone == 1
    assert len(server.requests("/gone.xml")) == 1
    assert "answered 410 Gone on" in log.warnings()[-1]
    assert "remove it from the config" in log.warnings()[-1]


def test_a_429_is_retried_after_the_wait_it_asks_for(server: FeedServer, tmp_path: Path) -> None:
    answers = iter([Reply(429, b"", {"Retry-After": "1"})])
    good = good_feed(server)
    body = server.routes["/good.xml"]

    def busy_then_fine(seen: Seen) -> Reply:
        reply = next(answers, None)
        return reply or (body(seen) if callable(body) else body)

    server.routes["/busy.xml"] = busy_then_fine
    archive = tmp_path / "archive.sqlite"
    report = fetch(archive, replace(good, url=server.url("/busy.xml")))
    assert report.fetched == 1
    first, second = server.requests("/busy.xml")
    assert second.start - first.end >= 0.95


def test_a_500_is_retried_with_backoff_then_fetched(server: FeedServer, tmp_path: Path) -> None:
    failures = iter([Reply(503, b"")])
    good = good_feed(server)
    body = server.routes["/good.xml"]
    server.routes["/flaky.xml"] = lambda seen: next(failures, None) or body  # type: ignore[assignment,return-value]
    report = fetch(tmp_path / "a.sqlite", replace(good, url=server.url("/flaky.xml")))
    assert (report.fetched, report.failed) == (1, 0)
    assert len(server.requests("/flaky.xml")) == 2


def test_a_feed_in_a_wrong_charset_is_a_warning_and_still_read(
    server: FeedServer, tmp_path: Path, log: Lines
) -> None:
    text = "Le café du port rouvre ses portes après deux ans de travaux, a dit la mairie."
    latin = rss("Courrier", [Entry("Café du port", server.url("/c"), text)], "iso-8859-1")
    body = latin.replace(b'encoding="iso-8859-1"', b'encoding="utf-8"')
    server.routes["/latin.xml"] = Reply(
        200, body, {"Content-Type": "application/rss+xml; charset=utf-8"}
    )
    archive = tmp_path / "archive.sqlite"
    fetch(archive, FeedSource(server.url("/latin.xml")), good_feed(server))
    assert log.warnings() == [
        f"warning: {server.url('/latin.xml')}: not valid utf-8 as it declares; "
        "read as the parser could"
    ]
    assert "Café du port" in titles(archive)


def test_gzip_and_deflate_answers_are_read(server: FeedServer, tmp_path: Path) -> None:
    good_feed(server)
    body = server.routes["/good.xml"]
    assert isinstance(body, Reply) and isinstance(body.body, bytes)
    server.routes["/gz.xml"] = Reply(200, gzip.compress(body.body), {"Content-Encoding": "gzip"})
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    other = body.body.replace(b"Good story", b"Deflated story").replace(b"/good/", b"/deflated/")
    deflated = raw.compress(other) + raw.flush()
    server.routes["/deflate.xml"] = Reply(200, deflated, {"Content-Encoding": "deflate"})
    archive = tmp_path / "a.sqlite"
    feeds = FeedSource(server.url("/gz.xml")), FeedSource(server.url("/deflate.xml"))
    report = fetch(archive, *feeds)
    assert report.failed == 0
    assert titles(archive) == [
        "Deflated story 1",
        "Deflated story 2",
        "Good story 1",
        "Good story 2",
    ]
    assert server.requests("/gz.xml")[0].headers["accept-encoding"] == "gzip, deflate"


def test_loopback_addresses_are_refused_unless_the_config_allows_them(
    server: FeedServer, tmp_path: Path, log: Lines
) -> None:
    feed = good_feed(server)
    report = fetch(tmp_path / "a.sqlite", feed, settings=replace(FAST, allow_addresses=()))
    assert report.failed == 1
    assert server.seen == []  # never connected
    assert "refused: 127.0.0.1 is at 127.0.0.1, not a public address" in log.warnings()[0]


def test_only_public_addresses_pass_the_address_check() -> None:
    check = ipaddress.ip_address
    refused = ["127.0.0.1", "10.1.2.3", "192.168.0.1", "172.16.5.4", "169.254.169.254", "::1",
               "fe80::1", "::ffff:127.0.0.1", "0.0.0.0", "100.64.0.1", "224.0.0.1"]  # fmt: skip
    assert not any(address_allowed(check(a), ()) for a in refused)
    assert address_allowed(check("93.184.215.14"), ())
    assert address_allowed(check("2606:2800:21f:cb07:6820:80da:af6b:8b2c"), ())
    assert address_allowed(check("::ffff:127.0.0.1"), LOOPBACK)


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    assert retry_after("120") == 120
    moment = dt.datetime(2026, 11, 22, 6, 30, tzinfo=dt.UTC)
    assert retry_after("Sun, 22 Nov 2026 06:31:00 GMT", moment) == 60
    assert retry_after("soon") is None


def test_one_host_gets_one_request_at_a_time_with_the_delay_between(tmp_path: Path) -> None:
    with feed_server(latency=0.05) as server:
        feeds = [good_feed(server, f"/f{n}.xml") for n in range(4)]
        fetch(tmp_path / "a.sqlite", *feeds, settings=replace(FAST, delay=0.2))
        assert server.most_active == 1
        seen = sorted(server.seen, key=lambda s: s.start)
        gaps = [b.start - a.end for a, b in itertools.pairwise(seen)]
        assert min(gaps) >= 0.19


def test_several_hosts_are_fetched_at_once(tmp_path: Path) -> None:
    settings = replace(FAST, allow_addresses=(ipaddress.ip_network("127.0.0.0/29"),))
    with feed_server("127.0.0.1", 0.3) as one, feed_server("127.0.0.2", 0.3) as two:
        feeds = [good_feed(s, f"/f{n}.xml") for s in (one, two) for n in range(2)]
        started = time.monotonic()
        fetch(tmp_path / "a.sqlite", *feeds, settings=settings)
        took = time.monotonic() - started
    assert len(one.seen) == len(two.seen) == 2
    assert took < 4 * 0.3  # sequential would be 1.2 s and more
    first = min(s.start for s in one.seen)
    assert abs(first - min(s.start for s in two.seen)) < 0.2


def summary_feed(server: FeedServer) -> FeedSource:
    entries = [
        Entry("Dock strike ends", server.url("/news/strike"), "Dock workers end the strike."),
        Entry("Bridge reopens", server.url("/news/bridge"), "The bridge reopens on Friday."),
    ]
    server.routes["/summaries.xml"] = Reply(200, rss("Meridian Courier", entries))
    server.routes["/news/strike"] = Reply(
        200, page("Dock strike ends at Port Meridian", [story("the end of the dock strike")])
    )
    return FeedSource(server.url("/summaries.xml"), pages=True)


def test_pages_are_fetched_for_summary_entries_and_a_failed_page_keeps_the_summary(
    server: FeedServer, tmp_path: Path, log: Lines
) -> None:
    archive = tmp_path / "a.sqlite"
    fetch(archive, summary_feed(server))
    records = {r.url: r for r in archive_records(archive)}
    strike = records[server.url("/news/strike")]
    assert "the end of the dock strike would go ahead" in strike.text
    assert strike.outlet == "Meridian Courier"
    assert records[server.url("/news/bridge")].text == "The bridge reopens on Friday."
    assert log.warnings() == [
        f"warning: {server.url('/summaries.xml')}: page {server.url('/news/bridge')} not "
        "fetched (HTTP 404 Not Found); the entry's own text is kept"
    ]
    fetch(archive, summary_feed(server))  # the page is in the archive: not asked again
    assert len(server.requests("/news/strike")) == 1
    assert len(server.requests("/news/bridge")) == 2


def test_the_config_outlet_names_every_entry(server: FeedServer, tmp_path: Path) -> None:
    archive = tmp_path / "a.sqlite"
    fetch(archive, replace(good_feed(server), outlet="The Meridian Courier"))
    assert {r.outlet for r in archive_records(archive)} == {"The Meridian Courier"}
