"""Gather: the configured feeds fetched into the archive, several hosts at once, politely.

The feeds are grouped by host; up to `hosts_at_once` groups are fetched at the same time,
each by a thread that asks its host for one feed after another (`fetch.Hosts` keeps the
delay between two requests to a host, also for pages that live on another feed's host).
Fetched bytes go through the existing readers (`read_feed`, `read_page`), the same code
that reads a saved file, so a fetched feed gives the articles the saved feed would.

Only the main thread writes the archive, one transaction per feed as its answer arrives,
so a fetch killed half-way loses at most the feeds still in flight. A feed that fails is a
warning naming it, and the others go on.
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import logging
import queue
import re
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import httpx

from briefing.archive import (
    FeedState,
    feed_states,
    open_archive,
    prune,
    save_feed_state,
    store_article,
    stored_pages,
    transaction,
    utc_text,
)
from briefing.config import FeedSource, FetchSettings
from briefing.fetch import PAGE_ACCEPT, Fetched, Hosts, fetch_url, host_of, new_client
from briefing.readers.common import Record, describe_error, slugify

log = logging.getLogger(__name__)

# An entry with fewer words than this is a summary: with `pages = true` its page is read.
SUMMARY_WORDS = 150
# The most pages fetched for one feed in one run (a feed's day is rarely more).
MAX_PAGES_PER_FEED = 50


@dataclass
class FeedResult:
    """One feed's answer, and the records to store: (record, whether its text is the page's)."""

    feed: FeedSource
    fetched: Fetched
    records: list[tuple[Record, bool]] = field(default_factory=list)


@dataclass
class GatherReport:
    feeds: int = 0
    fetched: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped_gone: int = 0
    new: int = 0
    updated: int = 0
    pruned: int = 0

    def line(self, archive: Path) -> str:
        return (
            f"{archive}: {self.feeds} feeds ({self.fetched} fetched, {self.unchanged} unchanged,"
            f" {self.failed} failed, {self.skipped_gone} gone): {self.new} new articles,"
            f" {self.updated} updated, {self.pruned} past keep_days removed"
        )


class _Source(str):
    """A URL where a reader expects a file's path: readers name it in warnings and take
    its `stem` for ids, so a fetched feed's warnings name the feed's URL."""

    @property
    def stem(self) -> str:
        return slugify(self, 60) or "feed"


def _reader_path(url: str) -> Path:
    return cast(Path, _Source(url))


# --- Charsets ---------------------------------------------------------------------------

_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)


def _codec(name: str | None) -> str | None:
    try:
        return codecs.lookup(name).name if name else None
    except LookupError:
        return None


def check_charset(url: str, fetched: Fetched) -> None:
    """Warn, naming the feed, when its bytes are not in the charset it declares (the
    parser then reads them as it can) or when the server and the document disagree."""
    body = fetched.body
    if body.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    match = _XML_ENCODING.match(body[:512])
    in_document = match.group(1).decode("ascii") if match else None
    header = _CHARSET.search(fetched.content_type or "")
    from_server = header.group(1) if header else None
    declared = in_document or from_server or "utf-8"
    codec = _codec(declared)
    if codec is None:
        log.warning("%s: declares an unknown charset %r; read as the parser could", url, declared)
        return
    try:
        body.decode(codec)
    except UnicodeDecodeError:
        log.warning("%s: not valid %s as it declares; read as the parser could", url, declared)
        return
    if in_document and from_server and _codec(from_server) not in (codec, None):
        log.info(
            "%s: the server says charset %s, the feed says %s; read as %s",
            url,
            from_server,
            in_document,
            in_document,
        )


# --- One feed ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    settings: FetchSettings
    zone: dt.tzinfo
    states: dict[str, FeedState]
    pages_stored: set[str]


def _page_key(url: str) -> str:
    from briefing.ingest import normalise_url

    return "url:" + normalise_url(url)


def _merged(entry: Record, page: Record, feed: FeedSource) -> Record:
    """The page's text with the entry's link (the key it is archived under) and, where
    the page states none, the entry's headline, outlet and time."""
    return dataclasses.replace(
        page,
        title=page.title or entry.title,
        outlet=feed.outlet or page.outlet or entry.outlet,
        url=entry.url,
        published=entry.published or page.published,
    )


def _with_pages(
    feed: FeedSource, records: list[Record], fetch: Callable[..., Fetched], job: _Job
) -> list[tuple[Record, bool]]:
    """Each summary-only entry with its page's text, when the page can be read; else
    the entry's own text, with a warning naming the page and the feed."""
    from briefing.readers.pages import read_page

    found: list[tuple[Record, bool]] = []
    asked = 0
    for record in records:
        wanted = (
            record.url is not None
            and len(record.text.split()) < SUMMARY_WORDS
            and _page_key(record.url) not in job.pages_stored
            and asked < MAX_PAGES_PER_FEED
        )
        if not wanted or record.url is None:
            found.append((record, False))
            continue
        asked += 1
        page = fetch(record.url, accept=PAGE_ACCEPT)
        if not page.ok or page.unchanged:
            log.warning(
                "%s: page %s not fetched (%s); the entry's own text is kept",
                feed.url,
                record.url,
                page.problem or "no body",
            )
            found.append((record, False))
            continue
        pages = read_page(_reader_path(record.url), page.body, job.zone)
        if not pages:
            log.warning("%s: page %s unread; the entry's own text is kept", feed.url, record.url)
            found.append((record, False))
            continue
        found.append((_merged(record, pages[0], feed), True))
    return found


def fetch_feed(feed: FeedSource, fetch: Callable[..., Fetched], job: _Job) -> FeedResult:
    """One feed: a conditional GET, its entries read, their pages when asked for."""
    from briefing.readers.feeds import read_feed

    state = job.states.get(feed.url)
    fetched = fetch(
        feed.url,
        etag=state.etag if state else None,
        last_modified=state.last_modified if state else None,
    )
    if not fetched.ok or fetched.unchanged:
        return FeedResult(feed, fetched)
    check_charset(feed.url, fetched)
    records = read_feed(_reader_path(feed.url), fetched.body, job.zone)
    if feed.outlet:
        records = [dataclasses.replace(r, outlet=feed.outlet) for r in records]
    if feed.pages:
        return FeedResult(feed, fetched, _with_pages(feed, records, fetch, job))
    return FeedResult(feed, fetched, [(r, False) for r in records])


def _fetch_group(
    group: list[FeedSource],
    job: _Job,
    client: httpx.Client,
    hosts: Hosts,
    out: queue.Queue[FeedResult],
) -> None:
    """A host's feeds, one after another; every feed puts exactly one result in `out`."""

    def fetch(url: str, **options: Any) -> Fetched:
        return fetch_url(client, url, job.settings, hosts, **options)

    for feed in group:
        try:
            result = fetch_feed(feed, fetch, job)
        except Exception as exc:  # one feed's surprise must not end the batch
            problem = f"could not be read ({describe_error(exc)})"
            result = FeedResult(feed, Fetched(feed.url, problem=problem))
        out.put(result)


# --- The archive's side -------------------------------------------------------------------


def _new_state(old: FeedState | None, fetched: Fetched, now: dt.datetime) -> FeedState:
    keep = old or FeedState(fetched.url)
    if fetched.ok and not fetched.unchanged:
        validators = (fetched.etag, fetched.last_modified)
    else:  # a failure or a 304 keeps what the next conditional request needs
        validators = (fetched.etag or keep.etag, fetched.last_modified or keep.last_modified)
    return FeedState(
        url=fetched.url,
        etag=validators[0],
        last_modified=validators[1],
        status=fetched.status,
        problem=fetched.problem,
        checked=utc_text(now),
        gone=utc_text(now) if fetched.gone else None,
    )


def _store(
    connection: sqlite3.Connection,
    result: FeedResult,
    state: FeedState | None,
    now: dt.datetime,
    report: GatherReport,
) -> None:
    """One feed's answer and articles, in one transaction."""
    fetched = result.fetched
    with transaction(connection):
        for record, from_page in result.records:
            outcome = store_article(connection, result.feed.url, record, now, from_page=from_page)
            report.new += outcome == "new"
            report.updated += outcome == "updated"
        save_feed_state(connection, _new_state(state, fetched, now))
    if fetched.moved_to and fetched.ok:
        log.info("%s: moved permanently to %s; update the config", fetched.url, fetched.moved_to)
    if fetched.unchanged:
        report.unchanged += 1
    elif fetched.ok:
        report.fetched += 1
    else:
        report.failed += 1
        log.warning("%s: not fetched, %s", result.feed.url, fetched.problem)


def gather(
    feeds: tuple[FeedSource, ...],
    settings: FetchSettings,
    archive: Path,
    zone: dt.tzinfo,
    keep_days: int,
    *,
    retry_gone: bool = False,
    now: dt.datetime | None = None,
) -> GatherReport:
    """Fetch every feed into the archive; articles first fetched more than `keep_days`
    ago are removed. A feed that answered 410 Gone is not asked again (a warning says
    so each time) unless `retry_gone`."""
    report = GatherReport(feeds=len(feeds))
    with open_archive(archive) as connection:
        states = feed_states(connection)
        job = _Job(settings, zone, states, stored_pages(connection))
        wanted = []
        for feed in feeds:
            state = states.get(feed.url)
            if state is not None and state.gone and not retry_gone:
                report.skipped_gone += 1
                log.warning(
                    "%s: skipped, it answered 410 Gone on %s; remove it from the config "
                    "(or fetch with --retry-gone)",
                    feed.url,
                    state.gone[:10],
                )
            else:
                wanted.append(feed)
        groups: dict[str, list[FeedSource]] = {}
        for feed in wanted:
            groups.setdefault(host_of(feed.url), []).append(feed)
        results: queue.Queue[FeedResult] = queue.Queue()
        hosts = Hosts(settings.delay)
        with (
            new_client(settings) as client,
            ThreadPoolExecutor(max(1, min(settings.hosts_at_once, len(groups)))) as pool,
        ):
            futures = [
                pool.submit(_fetch_group, group, job, client, hosts, results)
                for group in groups.values()
            ]
            received = 0
            while received < len(wanted):
                try:
                    result = results.get(timeout=0.2)
                except queue.Empty:
                    if all(f.done() for f in futures) and results.empty():
                        break  # a worker died without a result: nothing more will come
                    continue
                received += 1
                moment = now or dt.datetime.now(dt.UTC)
                _store(connection, result, states.get(result.feed.url), moment, report)
        report.pruned = prune(connection, keep_days, now or dt.datetime.now(dt.UTC))
    return report
