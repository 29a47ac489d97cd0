"""The archive: what the fetches gathered, in one SQLite file (`archive.sqlite` in OUT).

SQLite, from the standard library, because the archive is written by one job and read by
the next: one file, transactions, no server. It is opened in WAL mode, so a brief can be
read from it while a fetch writes, and each feed's answer (its state and its articles) is
written in one transaction: a fetch killed at any point leaves the archive as it was after
the last whole feed, and the next fetch asks again for the rest.

Articles are keyed as ingest tells copies of one article apart: by the normalised link
(`url:…`), else by the headline and text as words (`text:…`), and a copy arriving under
another link with the same words is the article already stored. What is stored is the
reader's record (headline, text, outlet, link, publication time) plus the feed and the
fetch times, so ingest's cleaning runs on it at every build, as on a file.

Feeds keep their state: the validators (ETag, Last-Modified) for the next conditional
request, the last status and problem, and when a feed answered 410 Gone.

The schema has a version (`PRAGMA user_version`), and `_MIGRATIONS` takes an older file
up to the current one; a file from a newer briefing is refused rather than damaged.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from briefing.errors import InputError
from briefing.readers.common import Record, slugify
from briefing.store import open_store, transaction

if TYPE_CHECKING:
    from briefing.model import Article
    from briefing.timewindow import Window

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
_MISSING = "run `briefing fetch` first"
# Each version's statements, applied in order from the file's version up.
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE feeds (
            url TEXT PRIMARY KEY,
            etag TEXT,
            last_modified TEXT,
            status INTEGER,          -- the last HTTP status (0: no answer)
            problem TEXT,            -- why the last fetch failed, or NULL
            checked TEXT,            -- the last fetch, UTC ISO 8601
            gone TEXT                -- when it answered 410 Gone, or NULL
        )""",
        """CREATE TABLE articles (
            key TEXT PRIMARY KEY,    -- 'url:' normalised link, else 'text:' content hash
            text_key TEXT NOT NULL,  -- 'text:' hash of the headline and text as words
            feed TEXT NOT NULL,
            url TEXT,
            title TEXT,
            outlet TEXT,
            published TEXT,          -- ISO 8601 with the source's own offset
            published_utc TEXT,      -- the same moment in UTC, for windows
            body TEXT NOT NULL,      -- the reader's text, paragraphs blank-line separated
            from_page INTEGER NOT NULL DEFAULT 0,
            first_seen TEXT NOT NULL,
            updated TEXT NOT NULL
        )""",
        "CREATE INDEX articles_text_key ON articles (text_key)",
        "CREATE INDEX articles_published ON articles (published_utc)",
        "CREATE INDEX articles_first_seen ON articles (first_seen)",
    ),
}


def utc_text(moment: dt.datetime) -> str:
    """A moment as fixed-width UTC text, so that text order is time order."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


@contextmanager
def open_archive(path: Path, *, create: bool = True) -> Iterator[sqlite3.Connection]:
    """The archive at PATH, created (and migrated) when `create`, closed afterwards."""
    with open_store(path, "archive", _MIGRATIONS, create=create, missing=_MISSING) as store:
        yield store


# --- Feeds ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedState:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    status: int | None = None
    problem: str | None = None
    checked: str | None = None
    gone: str | None = None


def feed_states(connection: sqlite3.Connection) -> dict[str, FeedState]:
    rows = connection.execute(
        "SELECT url, etag, last_modified, status, problem, checked, gone FROM feeds"
    )
    return {row[0]: FeedState(*row) for row in rows}


def save_feed_state(connection: sqlite3.Connection, state: FeedState) -> None:
    connection.execute(
        "INSERT OR REPLACE INTO feeds (url, etag, last_modified, status, problem, checked, gone)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            state.url,
            state.etag,
            state.last_modified,
            state.status,
            state.problem,
            state.checked,
            state.gone,
        ),
    )


def stored_pages(connection: sqlite3.Connection) -> set[str]:
    """The keys of the articles whose text is already their page's."""
    return {row[0] for row in connection.execute("SELECT key FROM articles WHERE from_page = 1")}


# --- Articles -------------------------------------------------------------------------


def article_keys(record: Record) -> tuple[str | None, str] | None:
    """(the link key or None, the text key) of a record, as ingest's duplicate rules see
    the article it becomes; None when ingest would find no text in it."""
    from briefing.ingest import article_from_record, identity_keys

    article = article_from_record(record, "archive")
    if article is None:
        return None
    keys = identity_keys(article)
    text_key = next(k for k in keys if k.startswith("text:"))
    url_key = next((k for k in keys if k.startswith("url:")), None)
    return url_key, text_key


def store_article(
    connection: sqlite3.Connection,
    feed: str,
    record: Record,
    now: dt.datetime,
    *,
    from_page: bool = False,
) -> str:
    """Store one record (inside the caller's transaction): 'new', 'updated' (its text
    or metadata changed, or its page was fetched), 'unchanged' or 'empty' (no text)."""
    keys = article_keys(record)
    if keys is None:
        return "empty"
    url_key, text_key = keys
    key = url_key or text_key
    existing = connection.execute(
        "SELECT key, text_key, from_page, title, outlet, published FROM articles"
        " WHERE key = ? OR text_key = ? ORDER BY key = ? DESC LIMIT 1",
        (key, text_key, key),
    ).fetchone()
    published = record.published.isoformat() if record.published else None
    values = (
        text_key,
        feed,
        record.url,
        record.title,
        record.outlet,
        published,
        utc_text(record.published) if record.published else None,
        record.text,
        int(from_page),
        utc_text(now),
    )
    if existing is None:
        connection.execute(
            "INSERT INTO articles (text_key, feed, url, title, outlet, published, published_utc,"
            " body, from_page, updated, key, first_seen)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*values, key, utc_text(now)),
        )
        return "new"
    old_key, old_text_key, old_from_page, *old_meta = existing
    if old_key != key:
        return "unchanged"  # the same words at another link: a copy of the stored article
    if old_from_page and not from_page:
        return "unchanged"  # a feed's summary never replaces the page's text
    same_meta = old_meta == [record.title, record.outlet, published]
    if old_text_key == text_key and old_from_page == from_page and same_meta:
        return "unchanged"
    connection.execute(
        "UPDATE articles SET text_key = ?, feed = ?, url = ?, title = ?, outlet = ?,"
        " published = ?, published_utc = ?, body = ?, from_page = ?, updated = ? WHERE key = ?",
        (*values, old_key),
    )
    return "updated"


def prune(connection: sqlite3.Connection, keep_days: int, now: dt.datetime) -> int:
    """Delete the articles first fetched more than `keep_days` days ago; how many went."""
    cutoff = utc_text(now - dt.timedelta(days=keep_days))
    with transaction(connection):
        cursor = connection.execute("DELETE FROM articles WHERE first_seen < ?", (cutoff,))
    return cursor.rowcount


# --- Reading for a brief -----------------------------------------------------------------


def _id_hint(url: str | None, feed: str, title: str | None) -> str:
    """A readable id: the site's host and the headline (`courier-example-dock-strike`)."""
    host = (urlsplit(url or feed).hostname or "archive").removeprefix("www.")
    return f"{slugify(host)}-{slugify(title or '') or 'article'}"


def archive_records(
    path: Path, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> list[Record]:
    """The archive's articles as records, in a stable order (feed, time, key): those
    published from `start` to `end` (exclusive) when a window is given, and of the
    undated ones those first fetched in it. `path` of each is its link (else its feed's),
    so a citation without a link still says where the text came from."""
    query = (
        "SELECT feed, url, title, outlet, published, body FROM articles"
        " WHERE (? IS NULL OR coalesce(published_utc, first_seen) >= ?)"
        " AND (? IS NULL OR coalesce(published_utc, first_seen) < ?)"
        " ORDER BY feed, coalesce(published_utc, first_seen), key"
    )
    low = utc_text(start) if start else None
    high = utc_text(end) if end else None
    with open_archive(path, create=False) as connection:
        try:
            rows = connection.execute(query, (low, low, high, high)).fetchall()
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{path}: cannot read the archive ({exc})") from None
    records = []
    for feed, url, title, outlet, published, body in rows:
        records.append(
            Record(
                path=url or feed,
                id_hint=_id_hint(url, feed, title),
                text=body,
                title=title,
                outlet=outlet,
                url=url,
                published=dt.datetime.fromisoformat(published) if published else None,
            )
        )
    return records


def archive_articles(path: Path, window: Window | None, taken_ids: list[str]) -> list[Article]:
    """The archive's articles (of the window, when given) cleaned by ingest as a file's
    are, with ids unlike any of `taken_ids` (the articles read from files)."""
    from briefing.ingest import _article_ids, article_from_record

    start, end = (window.start, window.end) if window else (None, None)
    records = archive_records(path, start, end)
    ids = _article_ids([*taken_ids, *(r.id_hint for r in records)])[len(taken_ids) :]
    articles = []
    for record, article_id in zip(records, ids, strict=True):
        article = article_from_record(record, article_id)
        if article is not None:
            articles.append(article)
    return articles
