"""What every reader shares: the record it returns and the small parsers for dates, links,
HTML fragments and the field names that exports, feeds and front matter use."""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import html
import logging
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Record:
    """One article as a reader found it, before page furniture is removed.

    `text` holds paragraphs separated by blank lines. With no `title`, the text's first
    line is the headline, as in a plain-text file. `where` locates an entry inside a
    multi-article file (`entry 3`, `line 4`) for messages.
    """

    path: str
    id_hint: str
    text: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: dt.datetime | None = None
    where: str | None = None

    @property
    def name(self) -> str:
        return f"{self.path} ({self.where})" if self.where else self.path


# Field names used by news exports, feeds and front matter, each mapped to the record field.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "text": ("text", "content", "body", "articlebody", "article_body", "full_text"),
    "summary": ("description", "summary", "abstract", "excerpt"),
    "url": ("url", "link", "canonical_url", "permalink", "web_url"),
    "published": (
        "published",
        "date",
        "publishedat",
        "published_at",
        "datepublished",
        "pubdate",
        "publication_date",
        "created_at",
    ),
    "outlet": ("outlet", "source", "site_name", "sitename", "publisher", "site"),
}


def pick_field(record: dict[str, Any], field: str) -> Any:
    """The first non-empty value under any accepted name for `field` (names compared
    case-insensitively), or None."""
    lowered = {str(key).lower(): value for key, value in record.items()}
    for alias in FIELD_ALIASES[field]:
        value = lowered.get(alias)
        if value not in (None, "", [], {}):
            return value
    return None


# Byte-order marks, longest first (a UTF-32 LE mark starts like a UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Text holds almost no control characters; binary data read as cp1252 holds about one in
# eight (C0 and C1 controls, DEL, undefined bytes).
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
MAX_CONTROL_SHARE = 0.05


def decode_text(data: bytes, name: str) -> str | None:
    """The text of a file: in the encoding its byte-order mark names (UTF-8, UTF-16,
    UTF-32); else UTF-8, line by line, a line that is not UTF-8 being read as cp1252 (with
    one warning naming the file). None, with a warning, for binary data: NUL bytes without
    a byte-order mark, or more than 5% control characters."""
    fallback = utf8 = 0
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError:
                log.warning("%s: skipped, not valid %s after its byte-order mark", name, codec)
                return None
            break
    else:
        if b"\x00" in data:
            log.warning("%s: skipped, looks like a binary file", name)
            return None
        text, utf8, fallback = _decode_lines(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text and len(_CONTROL.findall(text)) > MAX_CONTROL_SHARE * len(text):
        log.warning("%s: skipped, looks like a binary file", name)
        return None
    if fallback and not utf8:
        log.warning("%s: not valid UTF-8, read as cp1252", name)
    elif fallback:
        log.warning(
            "%s: mixes UTF-8 and cp1252; %d line%s not UTF-8 read as cp1252",
            name,
            fallback,
            "s" if fallback != 1 else "",
        )
    return text


def _decode_lines(data: bytes) -> tuple[str, int, int]:
    """(the text, how many lines with non-ASCII text were UTF-8, how many were read as
    cp1252): UTF-8, or line by
    line, UTF-8 where it is and cp1252 where it is not (a file pasted together from two
    sources mixes them)."""
    try:
        return data.decode("utf-8"), 0, 0
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    decoded = []
    utf8 = fallback = 0
    for line in lines:
        try:
            decoded.append(line.decode("utf-8"))
            utf8 += not line.isascii()
        except UnicodeDecodeError:
            decoded.append(line.decode("cp1252", errors="replace"))
            fallback += 1
    return "\n".join(decoded), utf8, fallback


def describe_error(exc: BaseException) -> str:
    """An exception as one short line for a warning."""
    text = " ".join(str(exc).split())
    if len(text) > 160:
        text = text[:157] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def parse_published(value: Any, zone: dt.tzinfo) -> dt.datetime | None:
    """A time-zone-aware publication time from what sources write: ISO 8601, RFC 822
    (feeds, e-mail), a TOML date or datetime, or Unix seconds (milliseconds when huge).

    A time without an offset is read in `zone`, the brief's time zone; a bare date is
    midnight there. None when the value cannot be read as a time.
    """
    moment: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            seconds = value / 1000 if abs(value) > 1e11 else value
            moment = dt.datetime.fromtimestamp(seconds, dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    elif isinstance(value, str):
        moment = _parse_time_text(value.strip())
    if moment is None or not _EARLIEST <= moment.replace(tzinfo=None) <= _LATEST:
        return None
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
    try:
        moment.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return None
    return moment


# The calendar's first and last day are no publication time (a CMS writes 0001-01-01 for
# "no date"), and a time there cannot be moved to every time zone.
_EARLIEST = dt.datetime(1, 1, 2)
_LATEST = dt.datetime(9999, 12, 30, 23, 59, 59, 999999)


def published_or_warn(value: Any, zone: dt.tzinfo, name: str) -> dt.datetime | None:
    """`parse_published`, with a warning naming the source when a stated date is unreadable."""
    published = parse_published(value, zone)
    if value not in (None, "") and published is None:
        shown = str(value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        log.warning("%s: unreadable date %r, treated as undated", name, shown)
    return published


def _parse_time_text(text: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)


def clean_url(value: Any) -> str | None:
    """An absolute http(s) link that is safe to print inside `<…>`, or None."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    return url if _URL.fullmatch(url) else None


def clean_label(value: Any) -> str | None:
    """A one-line label (a title, an outlet name) from a string, or from a `{"name": …}`
    object as news APIs give their source; None when empty."""
    if isinstance(value, dict):
        value = value.get("name") or value.get("title")
    if not isinstance(value, str):
        return None
    label = re.sub(r"\s+", " ", value).strip()
    return label or None


def slugify(text: str, limit: int = 40) -> str:
    """ASCII words joined by `-`, cut at a word boundary: a readable, stable id part."""
    unquoted = re.sub(r"['’]", "", text)
    ascii_text = unicodedata.normalize("NFKD", unquoted).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[: limit + 1].rsplit("-", 1)[0]
    return slug


# --- HTML fragments (feed content, Markdown output, HTML in exports) -------------------

_BLOCK_TAGS = frozenset(
    """p div li ul ol dl dt dd h1 h2 h3 h4 h5 h6 blockquote pre br hr table tr td th
    section article header footer main figure""".split()
)
# Never article prose: scripts, embeds, captions and the page's own chrome.
_SKIPPED_TAGS = frozenset("script style noscript template iframe svg figcaption nav aside".split())


class _BlockText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._skipping = 0

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._current)).strip()
        if text:
            self.blocks.append(text)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS and not self._skipping:
            self._flush()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS and not self._skipping:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS and not self._skipping:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._current.append(data)


def html_to_paragraphs(fragment: str) -> list[str]:
    """The visible text of an HTML fragment, one string per block element."""
    parser = _BlockText()
    parser.feed(tame_loose_tags(fragment))
    parser.close()
    parser._flush()
    return parser.blocks


# The standard library's HTML parser (and Python-Markdown's, built on it) scans the rest of
# the text again at every `<` that opens a tag it cannot close (`<a <a <a …`): quadratic.
_TAG_OPEN = re.compile(r"<[A-Za-z/!?]")
MAX_LOOSE_TAGS = 64


def loose_tag_openings(text: str) -> list[int]:
    """Where a `<` opens a tag (`<a`, `</`, `<!`, `<?`) that no `>` closes before the next
    `<`: text to the HTML parser, which reads each again to the end."""
    loose = []
    next_close = -1
    for match in _TAG_OPEN.finditer(text):
        start = match.start()
        if next_close <= start:
            next_close = text.find(">", start + 1)
            if next_close < 0:
                next_close = len(text)
        next_open = text.find("<", start + 1, next_close)
        if next_open >= 0 or next_close == len(text):
            loose.append(start)
    return loose


def tame_loose_tags(fragment: str) -> str:
    """The fragment, with its loose `<` written `&lt;` when there are many of them: the
    parser reads them as text either way (the text is the same), but each one costs it a
    pass over the rest of the fragment."""
    loose = loose_tag_openings(fragment)
    if len(loose) <= MAX_LOOSE_TAGS:
        return fragment
    parts = []
    previous = 0
    for start in loose:
        parts.append(fragment[previous:start])
        parts.append("&lt;")
        previous = start + 1
    parts.append(fragment[previous:])
    return "".join(parts)


_TAG = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*|/[a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?>")


def body_paragraphs(text: str) -> list[str]:
    """Paragraphs of a text field that may hold HTML, blank-line separated paragraphs, or
    one paragraph per line. Entities are decoded once either way (by the HTML parser, or
    here for text without tags)."""
    if _TAG.search(text):
        return html_to_paragraphs(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = re.split(r"\n\s*\n", text) if re.search(r"\n\s*\n", text) else text.split("\n")
    return [p for p in (re.sub(r"\s+", " ", decode_entities(part)).strip() for part in parts) if p]


# --- Entities and outlet names ----------------------------------------------------------

_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def decode_entities(text: str) -> str:
    """Text with the HTML entities it still holds decoded, once: a field with no tags that
    reads `R&amp;B` or `state&rsquo;s` was escaped twice by its publisher."""
    return html.unescape(text) if _ENTITY.search(text) else text


# Separators between a publisher's name and a section, channel or slogan.
_NAME_SEPARATOR = re.compile(r"\s+(?:[>|»·•:–—-]|::)\s+|:\s+")
# Words that name a channel or a kind of page, never a publisher.
_CHANNEL_WORDS = frozenset(
    """rss atom xml feed feeds channel channels home homepage front page main top stories
    story latest news headlines breaking all the of and & en english edition articles
    updates blog posts everything""".split()
)


def _is_channel_words(segment: str) -> bool:
    words = re.findall(r"[^\W_]+|&", segment.casefold())
    return bool(words) and all(word in _CHANNEL_WORDS for word in words)


def _host_name(url: str | None) -> str:
    """The distinctive part of a link's host: `nytimes` for https://www.nytimes.com/…"""
    if not url:
        return ""
    host = urlsplit(url.strip()).netloc.lower().split(":")[0]
    labels = [label for label in host.split(".") if label and label != "www"]
    # Drop the public suffix (one label, or two for `co.uk` and the like).
    if len(labels) >= 3 and len(labels[-1]) == 2 and len(labels[-2]) <= 3:
        labels = labels[:-2]
    elif len(labels) >= 2:
        labels = labels[:-1]
    return labels[-1] if labels else ""


def publisher_name(title: str | None, link: str | None = None) -> str | None:
    """The publisher a feed or page title names, without the section, channel or slogan
    joined to it ("NYT > World News" → "NYT", "Top Stories - Reuters" → "Reuters").

    The title is split at separators (` > `, ` - `, ` | `, ` : `, …); parts made only of
    channel words (RSS, Channel, Feed, Home, Top Stories, Latest, …) are dropped; of the
    rest, the part that spells the link's host name wins, else the first.
    """
    label = clean_label(title)
    if label is None:
        return None
    segments = [s.strip() for s in _NAME_SEPARATOR.split(label) if s.strip()]
    named = [s for s in segments if not _is_channel_words(s)]
    if not named:
        return segments[0] if segments else None
    host = re.sub(r"[^a-z0-9]", "", _host_name(link))
    if len(host) >= 3:
        for segment in named:
            letters = re.sub(r"[^a-z0-9]", "", segment.casefold())
            if letters and (letters in host or host in letters):
                return segment
    return named[0]
