"""RSS and Atom feed files, read with feedparser: one article per entry, with the entry's
full content when the feed carries it (`content:encoded`, Atom `<content>`), else its
summary."""

from __future__ import annotations

import datetime as dt
import io
import logging
import xml.sax
from pathlib import Path
from typing import Any

import feedparser

from briefing.readers.common import (
    Record,
    body_paragraphs,
    clean_label,
    clean_url,
    parse_published,
    published_or_warn,
    slugify,
)

log = logging.getLogger(__name__)


def read_feed(path: Path, data: bytes, zone: dt.tzinfo) -> list[Record]:
    # A stream, never a string: feedparser fetches a string that looks like a URL.
    parsed = feedparser.parse(io.BytesIO(data))
    problem = _xml_problem(parsed)
    if not parsed.entries:
        if problem:
            log.warning("%s: skipped, not a readable feed (%s)", path, problem)
        elif not parsed.version:
            log.warning("%s: skipped, not an RSS or Atom feed", path)
        else:
            log.warning("%s: skipped, the feed has no entries", path)
        return []
    if problem:
        log.warning("%s: malformed feed (%s); read what could be read", path, problem)
    outlet = clean_label(parsed.feed.get("title"))
    records = []
    for number, entry in enumerate(parsed.entries, start=1):
        where = f"entry {number}"
        title = clean_label(entry.get("title"))
        paragraphs = body_paragraphs(_fullest_text(entry))
        if not paragraphs:
            log.warning("%s: %s: skipped, no text", path, where)
            continue
        source = entry.get("source") or {}
        records.append(
            Record(
                path=str(path),
                id_hint=f"{path.stem}-{slugify(title or '') or number}",
                text="\n\n".join(paragraphs),
                title=title,
                outlet=clean_label(source.get("title")) or outlet,
                url=clean_url(entry.get("link")),
                published=_entry_published(entry, zone, f"{path}: {where}"),
                where=where,
            )
        )
    return records


def _xml_problem(parsed: Any) -> str | None:
    """The XML error feedparser met, with its line; encoding notices are no problem."""
    if not parsed.get("bozo"):
        return None
    error = parsed.get("bozo_exception")
    if isinstance(error, xml.sax.SAXParseException):
        return f"line {error.getLineNumber()}: {error.getMessage()}"
    if isinstance(error, feedparser.CharacterEncodingOverride):
        return None
    return str(error) or type(error).__name__


def _fullest_text(entry: Any) -> str:
    """The longest of the entry's content blocks and its summary."""
    candidates = [block.get("value") or "" for block in entry.get("content") or []]
    candidates.append(entry.get("summary") or "")
    return max(candidates, key=len)


def _entry_published(entry: Any, zone: dt.tzinfo, name: str) -> dt.datetime | None:
    """The entry's own time with its own offset; feedparser's parsed value (in UTC) only
    when the text is in a form the standard library cannot read."""
    for field in ("published", "updated"):
        raw = entry.get(field)
        if not raw:
            continue
        if moment := parse_published(raw, zone):
            return moment
        if parsed := entry.get(f"{field}_parsed"):
            return dt.datetime(*parsed[:6], tzinfo=dt.UTC)
        return published_or_warn(raw, zone, name)
    return None
