"""RSS and Atom feed files, read with feedparser: one article per entry, with the entry's
full content when the feed carries it (`content:encoded`, Atom `<content>`), else its
summary or description.

Media RSS photo captions (`<media:description>`, `<media:text>`) are never an entry's text:
feedparser files `<media:description>` under the entry's summary, so a captioned item's
real description would be replaced by its photo caption. They are taken out of the bytes
before feedparser sees them (only in this reader's input; feedparser itself is untouched).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import xml.sax
from pathlib import Path
from typing import Any

from briefing.readers.common import (
    Record,
    body_paragraphs,
    clean_label,
    clean_url,
    decode_entities,
    describe_error,
    parse_published,
    published_or_warn,
    publisher_name,
    slugify,
)

log = logging.getLogger(__name__)

_MRSS_PREFIX = re.compile(
    rb"""xmlns:([A-Za-z_][\w.-]*)\s*=\s*["']\s*https?://search\.yahoo\.com/mrss/?\s*["']"""
)
# Media RSS elements that describe a photo or video, never the story.
_CAPTION_ELEMENTS = (b"description", b"text")


def without_captions(data: bytes) -> bytes:
    """The feed's bytes without its Media RSS caption elements (under whatever prefix the
    feed binds to the Media RSS namespace, and `media:`)."""
    prefixes = {b"media", *_MRSS_PREFIX.findall(data)}
    for prefix in sorted(prefixes):
        for local in _CAPTION_ELEMENTS:
            data = _without_elements(data, prefix + b":" + local)
    return data


def _without_elements(data: bytes, tag: bytes) -> bytes:
    """`data` without the elements `<tag …/>` and `<tag …>…</tag>` (the first closing tag
    ends one). A scan, not one pattern: `<tag>.*?</tag>` retried at every opening tag of a
    feed that never closes them is quadratic."""
    name = re.escape(tag)
    opening = re.compile(rb"<" + name + rb"(?:\s[^<>]*)?/?>")
    closing = re.compile(rb"</" + name + rb"\s*>")
    parts = []
    kept_from = position = 0
    unclosed = False  # no closing tag after some opening one: none after any later one
    while match := opening.search(data, position):
        position = match.end()
        if match.group().endswith(b"/>"):
            end = position
        elif unclosed or (close := closing.search(data, position)) is None:
            unclosed = True
            continue
        else:
            end = close.end()
        parts.append(data[kept_from : match.start()])
        kept_from = position = end
    if not parts:
        return data
    parts.append(data[kept_from:])
    return b"".join(parts)


def read_feed(path: Path, data: bytes, zone: dt.tzinfo) -> list[Record]:
    # Imported here: a day without feeds does not pay for feedparser (and chardet).
    import feedparser

    # A stream, never a string: feedparser fetches a string that looks like a URL.
    parsed = feedparser.parse(io.BytesIO(without_captions(data)))
    problem = _xml_problem(parsed)
    if not parsed.entries:
        if problem:
            log.warning("%s: skipped, not a readable feed (%s)", path, problem)
        elif not parsed.get("version"):
            log.warning("%s: skipped, not an RSS or Atom feed", path)
        else:
            log.warning("%s: skipped, the feed has no entries", path)
        return []
    if problem:
        log.warning("%s: malformed feed (%s); read what could be read", path, problem)
    outlet = _label(publisher_name(parsed.feed.get("title"), parsed.feed.get("link")))
    records = []
    for number, entry in enumerate(parsed.entries, start=1):
        where = f"entry {number}"
        try:
            record = _record(entry, path, where, number, outlet, zone)
        except Exception as exc:
            log.warning("%s: %s: skipped, could not be read (%s)", path, where, describe_error(exc))
            continue
        if record is not None:
            records.append(record)
    return records


def _record(
    entry: Any, path: Path, where: str, number: int, outlet: str | None, zone: dt.tzinfo
) -> Record | None:
    """One entry as a record (None, with a warning, when it has no text)."""
    title = _label(entry.get("title"))
    paragraphs = [p for p in map(decode_entities, body_paragraphs(_fullest_text(entry))) if p]
    if not paragraphs:
        log.warning("%s: %s: skipped, no text", path, where)
        return None
    source = entry.get("source") or {}
    return Record(
        path=str(path),
        id_hint=f"{path.stem}-{slugify(title or '') or number}",
        text="\n\n".join(paragraphs),
        title=title,
        outlet=_label(publisher_name(source.get("title"), source.get("href"))) or outlet,
        url=clean_url(entry.get("link")),
        published=_entry_published(entry, zone, f"{path}: {where}"),
        where=where,
    )


def _xml_problem(parsed: Any) -> str | None:
    """The XML error feedparser met, with its line; encoding notices are no problem."""
    if not parsed.get("bozo"):
        return None
    error = parsed.get("bozo_exception")
    if isinstance(error, xml.sax.SAXParseException):
        return f"line {error.getLineNumber()}: {error.getMessage()}"
    from feedparser import CharacterEncodingOverride  # loaded by read_feed already

    if isinstance(error, CharacterEncodingOverride):
        return None
    return str(error) or type(error).__name__


def _label(value: Any) -> str | None:
    """A title or outlet with the entities a double-escaped feed leaves in it decoded."""
    label = clean_label(value)
    return clean_label(decode_entities(label)) if label else None


def _fullest_text(entry: Any) -> str:
    """The entry's full content when it has one, else its summary: of the content blocks
    and the summary, the one with the most visible text (a content block that is only a
    picture or a "Read more" link does not hide the summary)."""
    candidates = [block.get("value") or "" for block in entry.get("content") or []]
    candidates.append(entry.get("summary") or "")
    return max(candidates, key=lambda text: len(" ".join(body_paragraphs(text))))


def _entry_published(entry: Any, zone: dt.tzinfo, name: str) -> dt.datetime | None:
    """The entry's own time with its own offset; feedparser's parsed value (in UTC) only
    when the text is in a form the standard library cannot read."""
    for field in ("published", "updated"):
        raw = entry.get(field)
        if not raw:
            continue
        if moment := parse_published(raw, zone):
            return moment
        if moment := _struct_time(entry.get(f"{field}_parsed"), zone):
            return moment
        return published_or_warn(raw, zone, name)
    return None


def _struct_time(parsed: Any, zone: dt.tzinfo) -> dt.datetime | None:
    """feedparser's parsed time (UTC), when it is a time of the calendar (feedparser gives
    year 0 for `0000-01-01`)."""
    if not parsed:
        return None
    try:
        year, month, day, hour, minute, second = parsed[:6]
        moment = dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
        return parse_published(moment, zone)
    except (TypeError, ValueError, OverflowError):
        return None
