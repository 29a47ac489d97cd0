"""Ingest: read article files of every kind into clean title + paragraphs, once each.

The readers (`briefing.readers`) know the formats; this module chooses one per file,
removes page furniture (share buttons, ad slots, photo captions and credits, live-blog
time stamps, corrections and editor's notes, newsletter, cookie, comment-policy and
copyright notices, promotions, ticker lines, lists of related links, footers), gives
every article a stable id, and keeps one copy of an article that arrived twice (a feed
entry and the saved page, or a syndicated copy). None of the furniture is reporting, so
it goes here, before any later stage can mistake it for a headline or a sentence. Only
whole lines go, by their shape, never by site; text inside a line that is kept is never
touched. Where a rule could also hit a line of prose, it is left to `briefing.standalone`,
which only keeps such a sentence from being quoted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from briefing.errors import InputError
from briefing.model import Article
from briefing.progress import progress
from briefing.readers import (
    MANIFEST_NAME,
    READERS,
    SINGLE_ARTICLE_SUFFIXES,
    Record,
    apply_manifest,
    load_manifest,
    reader_for,
    reader_for_name,
)
from briefing.readers.common import describe_error
from briefing.standalone import mostly_figures

if TYPE_CHECKING:
    from briefing.workers import Workers

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = tuple(READERS)

# Lines that are page chrome, matched against the whole (stripped) line.
_FURNITURE = re.compile(
    r"""^(?:
        share(?:\s+(?:this(?:\s+(?:article|story|page|post))?|on\s+\w+))?
      | advertisement(?:\s*[-–]\s*scroll\s+to\s+continue)?
      | accessibility\s+links
      | skip\s+to\s+(?:main\s+)?content
      | breaking\s+news
      # (possessive: `\s*[,:]?\s*` then `[\w ,]` split a run of spaces every way, cubically)
      | (?:update[ds]?|published|posted|last\s+updated)
        (?:(?=[^\n]*\d)\s*+(?:[,:]\s*+)?[\w ,:.+]{0,40})?
      | (?:\d{1,2}(?:[:.]\d\d)?\s*[ap]\.?\s?m\.?|\d{1,2}:\d\d)(?:\s+[a-z]{2,4})?  # 10:14 a.m. GMT
      | (?:send\s+in\s+e-?mail)+
      | (?:print|email|comments?|related|read\s+more|see\s+also|more\s+on\s+this\s+story)
      | (?:sign\s+up|subscribe)(?:\s+to\s+[\w ]{0,30})?
      | follow\s+us(?:\s+on\s+[\w ]{0,30})?
      | (?:xs|sm|md|lg|xl)
      | [•·*\-\s]*\d+x\d+\s+image
      | image(?:\s+(?:source|caption))?(?:\s*[:,].{0,80})?
      | (?:photo|picture|video)\s*:.{0,120}
      | to\s+find\s+out\s+more,?\s+click\s+here\.?
      | click\s+here.{0,60}
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

# Lines that are notices printed around the story rather than reporting, matched against the
# whole line: photo captions and credits, corrections and editor's notes, links to other
# stories, copyright, newsletter, cookie and comment-policy notices. Unlike page chrome,
# such a line never stands in for a headline: a plain-text file's first line is its title.
_NOTICE = re.compile(
    r"""^(?:
      image\s+(?:copyright|caption|source|credit)\b.*
      | (?:photo|picture|image)s?\s+(?:credit|courtesy)\b.*
      | photograph\s*:.{0,160}
      | (?:correction|clarification|editor'?s'?\s+note|editors\s+note|note\s+to\s+readers)
        \s*[:.\-–—].*
      | this\s+(?:article|story|post|report|piece)\s+(?:has\s+been|was)\s+
        (?:updated|corrected|amended|changed|edited)\b.*
      | \((?:read\s+more|see\s+also|read|see|related|more|watch|listen)\s*:[^()]*\)\.?
      | (?:read\s+more|see\s+also|related(?:\s+(?:stories|articles|links|content|coverage))?
        |more\s+(?:must-reads|stories|coverage|on\s+this(?:\s+story)?)|recommended
        |you\s+(?:may|might)\s+also\s+like|further\s+reading|trending\s+now)\s*:.*
      | (?:©|\(c\)\s*\d{4}|copyright\b\s*(?:©\s*)?(?:\d{4}|by\b)).*
      | (?:newsletter\s+sign\s+up|breaking\s+news\s+e-?mails|get\s+breaking\s+news)\b.*
      | (?:sign\s+up|subscribe)\b(?=.*\b(?:newsletters?|inbox|e-?mails?|alerts|updates)\b).*
      | (?:we|this\s+(?:site|website))\s+uses?\s+cookies\b.*
      | by\s+(?:using|continuing\s+to\s+use)\s+(?:this|our)\s+(?:site|website)\b.*
      | comments?\s+(?:are|is|will\s+be)\s+(?:moderated|closed|reviewed|subject)\b.*
      | (?:leave|post|add|show|view|read|see)\s+(?:a\s+|all\s+|\d+\s+)?comments?(?:\s*\(\d+\))?
      | join\s+the\s+(?:conversation|discussion)\b.{0,60}
      | follow\b.{0,60}\bon\s+(?:twitter|facebook|instagram|linkedin)\b.{0,60}
      | .{0,120}\ball\s+rights\s+reserved\.?
      | this\s+material\s+may\s+not\s+be\s+(?:published|reproduced)\b.*
      | .{0,80}\bcontributed\s+(?:reporting\s+)?to\s+this\s+(?:report|story|article)\.?
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

# A credit line ends the story; what follows it on a saved page is the outlet's footer.
_CREDIT = re.compile(
    r"^(?:with\s+(?:additional\s+)?reporting\s+by|(?:additional\s+)?reporting\s+by"
    r"|editing\s+by|written\s+by|compiled\s+by)\b",
    re.IGNORECASE,
)
# An image placeholder ("• 16x9 Image") in the last part of a page starts the footer.
_IMAGE_PLACEHOLDER = re.compile(r"^[•·*\-\s]*\d+x\d+\s+image$", re.IGNORECASE)
# So does the heading of a reference list.
_REFERENCES = re.compile(
    r"^(?:sources?|references?|bibliography|footnotes|further\s+reading)\s*:?$", re.IGNORECASE
)

# A caption as a whole line: cut off to fit, then the credit ("…in Baltimore.... (Associated
# Press)"), or carrying a wire photo's credit ("(AP Photo/Mark Baker)").
_CAPTION_LINE = re.compile(r"(?:\.\.|…)\s*\([^()]{1,60}\)$|\(AP Photo\b|\bAP Photo/")
# A photo credit as a line of its own: "Shamil Zhumatov/REUTERS", "Jane Roe/AFP/Getty Images".
_CREDIT_LINE = re.compile(r"^[^\s/]+(?: [^\s/]+){0,3}/[A-Z][\w&-]*(?:[ /][A-Z][\w&-]*){0,3}$")
# A call to click, as a line that sells rather than reports: "To get the full story on this
# year's stock -- completely free -- simply click here."
_CALL_TO_CLICK = re.compile(r"\bclick\s+(?:here|the\s+link|below)\b", re.IGNORECASE)
_PROMOTION = re.compile(
    r"\b(?:free|brand-new|special|exclusive|research)\s+report\b|\bcompletely\s+free\b"
    r"|\b(?:subscribe|sign\s+up)\b",
    re.IGNORECASE,
)
# The heading of a list of links to other stories ("More must-reads:", "RELATED:"): the
# heading and the headlines below it (lines that are not sentences) go.
_LINK_LIST = re.compile(
    r"^(?:related(?:\s+(?:stories|articles|links|content|coverage))?|more\s+must-reads"
    r"|more\s+(?:stories|coverage|on\s+this(?:\s+story)?)|read\s+more|see\s+also|recommended"
    r"|you\s+(?:may|might)\s+also\s+like|further\s+reading|trending(?:\s+now)?|most\s+read"
    r"|most\s+popular|top\s+stories)\s*:?$",
    re.IGNORECASE,
)
_TERMINATORS = ".!?…\"'”’)"


def find_article_files(sources: list[Path]) -> list[Path]:
    """Every article file under the given files/folders, recursively, in a stable order.

    A file of an unknown type, a folder that cannot be read, a broken link or a special
    file (a pipe, a device) is skipped with a warning; hidden files and folders and the
    `sources.toml` manifests are skipped silently. Linked folders are followed, each
    folder read once (a link back up the tree is a warning, not a loop).
    """
    found: list[tuple[Path, Path, str, bool]] = []  # each file, its folder and name, a link?
    for source in sources:
        try:
            is_dir, is_file = source.is_dir(), source.is_file()
        except OSError as exc:
            raise InputError(f"{source}: cannot read ({exc.strerror or exc})") from None
        if is_dir:
            # (each file's path is made once it is known to be an article's: a day of
            # 100,000 files made two paths a file, and spent half its listing there)
            listed = [entry for entry in _walk(source) if _is_article_name(*entry[:2])]
            # In `sorted(paths)`'s order: by their parts (each folder's made once).
            listed.sort(key=lambda entry: (*entry[0].parts, entry[1]))
            found.extend((folder / name, folder, name, link) for folder, name, link in listed)
        elif is_file:
            if _is_article_name(source.parent, source.name):
                found.append((source, source.parent, source.name, True))
        else:
            raise InputError(f"{source}: no such file or folder")
    unique: list[Path] = []
    seen: set[str] = set()
    folders: dict[Path, str | None] = {}  # each folder resolved once, not once per file
    for path, folder, name, link in found:
        key = _real_path(path, folder, name, link, folders)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def _real_path(
    path: Path, parent: Path, name: str, link: bool, folders: dict[Path, str | None]
) -> str:
    """`str(path.resolve())`, its folder's (`parent`'s) part looked up in `folders`
    (filled as it goes): a file that is not a link (`link`: it may be one) resolves to
    its resolved folder and its own `name`, with no system call of its own."""
    if parent not in folders:
        try:
            folders[parent] = str(parent.resolve())
        except (OSError, RuntimeError):
            folders[parent] = None
    folder = folders[parent]
    try:
        if link and path.is_symlink():
            return str(path.resolve())
        if folder is not None and name not in ("", ".", ".."):
            return os.path.join(folder, name)
        return str(path.resolve())
    except (OSError, RuntimeError):
        return str(path.absolute())


def _walk(top: Path) -> Iterator[tuple[Path, str, bool]]:
    """The files under `top` (folder and name), hidden ones aside, and whether each is a
    link, with linked folders followed once each: folders are read breadth first, real
    ones before links, so a folder reached both ways is listed under its own path."""
    visited: set[tuple[int, int]] = set()
    try:
        status = top.stat()
        visited.add((status.st_dev, status.st_ino))
    except OSError:
        pass
    queue: list[Path] = [top]
    linked: list[Path] = []
    while queue or linked:
        folder = queue.pop(0) if queue else linked.pop(0)
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as exc:
            log.warning("%s: folder skipped, cannot read it (%s)", folder, exc.strerror or exc)
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_file():  # (most entries: no path made for them here)
                    yield folder, entry.name, entry.is_symlink()
                    continue
                path = folder / entry.name
                if entry.is_dir():
                    status = entry.stat()
                    key = (status.st_dev, status.st_ino)
                    if key in visited:
                        log.warning("%s: skipped, a link to a folder already read", path)
                        continue
                    visited.add(key)
                    (linked if entry.is_symlink() else queue).append(path)
                elif entry.is_symlink():
                    log.warning("%s: skipped, a broken link", path)
                else:
                    log.warning("%s: skipped, not a regular file", path)
            except OSError as exc:
                path = folder / entry.name
                log.warning("%s: skipped, cannot read it (%s)", path, exc.strerror or exc)


def _is_article_name(folder: Path, name: str) -> bool:
    """Whether the file `name` in `folder` is an article's (a warning when its type is
    unknown), from its name alone."""
    if name == MANIFEST_NAME:
        return False
    if reader_for_name(name) is None:
        known = ", ".join(ARTICLE_SUFFIXES)
        log.warning("%s: skipped, unknown file type (expected %s)", folder / name, known)
        return False
    return True


def _is_chrome(line: str) -> bool:
    return bool(_FURNITURE.match(line.strip()))


def is_furniture(line: str) -> bool:
    """A line that is page chrome, a caption, a notice, a promotion or a ticker, as a whole."""
    text = line.strip()
    return bool(_FURNITURE.match(text)) or _is_notice_or_caption(text)


def _is_notice_or_caption(text: str) -> bool:
    """`is_furniture` of a stripped line already known not to be page chrome."""
    return bool(
        _NOTICE.match(text)
        # Substring tests first: the day's lines are mostly prose, and `in` is far
        # cheaper than a search that tries its pattern at every position.
        or (("AP Photo" in text or ".." in text or "…" in text) and _CAPTION_LINE.search(text))
        or _CREDIT_LINE.match(text)
        or _is_ticker_line(text)
        or _is_promotion(text)
    )


_ASCII_DIGITS = b"0123456789"  # (deleted from a line's bytes: counted in one C pass)


def _is_ticker_line(text: str) -> bool:
    """A stock ticker or a widget: at least three figures, and more figures than words."""
    if text.isascii():
        # Each figure holds a digit: a line with fewer digits than the figures needed
        # (`mostly_figures`' own count) is prose, decided without scanning it for runs,
        # and most lines have fewer than the three always needed (counted before the
        # line is split into words).
        digits = len(text) - len(text.encode("ascii").translate(None, _ASCII_DIGITS))
        if digits < 3 or digits < int(0.5 * len(text.split())) + 1:
            return False
    return mostly_figures(text, 0.5, at_least=3)


def _is_promotion(text: str) -> bool:
    """A line that asks the reader to click for the outlet's free report or subscription."""
    return bool("lick" in text or "LICK" in text) and bool(
        _CALL_TO_CLICK.search(text) and _PROMOTION.search(text)
    )


def _is_sentence_line(text: str) -> bool:
    return text.rstrip().endswith(tuple(_TERMINATORS)) and len(text.split()) > 3


def _drop_link_lists(blocks: list[list[str]]) -> list[list[str]]:
    """Drop a link-list heading in the body (after its first sentence) and the headlines
    below it, up to the next sentence."""
    kept: list[list[str]] = []
    in_body = in_list = False
    for block in blocks:
        lines = []
        for line in block:
            if in_body and _LINK_LIST.match(line):
                in_list = True
                continue
            if in_list and not _is_sentence_line(line):
                continue
            in_list = False
            in_body = in_body or _is_sentence_line(line)
            lines.append(line)
        if lines:
            kept.append(lines)
    return kept


def _paragraph_lines(text: str) -> list[list[str]]:
    """Blank-line separated blocks, each a list of stripped non-empty lines."""
    blocks = []
    for block in re.split(r"\n[ \t\u00a0]*\n", text):
        lines = [ln.strip() for ln in block.split("\n")]
        lines = [ln for ln in lines if ln]
        if lines:
            blocks.append(lines)
    return blocks


def _cut_footer(blocks: list[list[str]]) -> list[list[str]]:
    """Drop a credit line, an image placeholder or the heading of a reference list in the
    second half, and all after it."""
    for index in range(len(blocks) // 2, len(blocks)):
        first = blocks[index][0]
        if _CREDIT.match(first) or _IMAGE_PLACEHOLDER.match(first) or _REFERENCES.match(first):
            return blocks[:index]
    return blocks


_LEAD_WORDS = 12


def reads_as_lead(title: str) -> bool:
    """A headline that is a whole sentence of the story (ends like one, and is long): a
    wire story or a document whose headline was taken from its first sentence."""
    core = title.rstrip().rstrip("\"'”’»)]")
    return bool(core) and core[-1] in ".!?" and len(title.split()) >= _LEAD_WORDS


def clean_blocks(text: str) -> tuple[str, list[list[str]]]:
    """The headline and the body's blocks of lines, furniture, captions and the page
    footer removed ("", [] when nothing is left).

    The headline is the first line that is not page chrome; the other furniture (captions,
    notices, promotions, tickers) is only looked for below it. A line printed twice on one
    page is a photo caption or a pull quote, not prose, and a body line repeating the
    headline is the page printing it twice: both are dropped, except that a headline that
    reads as the story's lead keeps one copy in the body, where it is the first sentence.
    """
    blocks = [
        kept
        for block in _drop_link_lists(_cut_footer(_paragraph_lines(text)))
        if (kept := [ln for ln in block if not _is_chrome(ln)])
    ]
    if not blocks:
        return "", []
    title = blocks[0][0]
    counts: dict[str, int] = {}
    for block in blocks:
        for line in block:
            counts[line] = counts.get(line, 0) + 1
    lead_wanted = reads_as_lead(title)
    body: list[list[str]] = []
    for position, block in enumerate(blocks):
        lines = []
        for ln in block[1 if position == 0 else 0 :]:
            if ln == title:
                if lead_wanted:
                    lines.append(ln)
                    lead_wanted = False
            # (Lines are stripped, and those that were chrome are gone already.)
            elif counts[ln] == 1 and not _is_notice_or_caption(ln):
                lines.append(ln)
        if lines:
            body.append(lines)
    return title, body


def parse_article(text: str, article_id: str, path: str) -> Article | None:
    """Title = the first real line; body = the remaining blocks, lines folded into paragraphs."""
    title, blocks = clean_blocks(text)
    if not title:
        return None
    paragraphs = tuple(" ".join(block) for block in blocks)
    return Article(id=article_id, path=path, title=_collapse(title), paragraphs=paragraphs)


def display_path(path: str) -> str:
    """The path as UTF-8 text whatever the locale: under a C or Latin-1 locale Python
    decodes file names with the locale's codec, and the brief would carry mangled names."""
    return os.fsencode(path).decode("utf-8", "replace")


def article_from_record(record: Record, article_id: str) -> Article | None:
    """The record's text cleaned as a plain-text file is; a title the format states is the
    headline, and a line repeating it in the body is dropped, as on a saved page."""
    text = record.text if record.title is None else f"{record.title}\n\n{record.text}"
    article = parse_article(text, article_id, display_path(record.path))
    if article is None or not article.paragraphs:
        return None
    return replace(
        article,
        title=_collapse(record.title) if record.title else article.title,
        outlet=record.outlet,
        url=record.url,
        published=record.published,
    )


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _article_ids(hints: list[str]) -> list[str]:
    """Readable, unique ids from file names (`000_69f1…` stays `000_69f1…`), and from the
    file name and headline for an entry of a feed or export."""
    ids: list[str] = []
    used: set[str] = set()
    # The next number to try for each base: the ones below it are taken, and stay taken,
    # so many entries with one headline cost one step each, not one per earlier copy.
    next_number: dict[str, int] = {}
    for hint in hints:
        base = _id_base(hint)
        candidate = base
        if candidate in used:
            n = next_number.get(base, 2)
            while (candidate := f"{base}-{n}") in used:
                n += 1
            next_number[base] = n + 1
        used.add(candidate)
        ids.append(candidate)
    return ids


def _id_base(hint: str) -> str:
    """The id a hint gives when no other article of the day has taken it."""
    return _NOT_IN_ID.sub("-", hint).strip("-") or "article"


_NOT_IN_ID = re.compile(r"[^A-Za-z0-9_.-]+")

# The largest file read (a day's export of a few thousand articles is a few MB); a bigger
# one is skipped with a warning naming it.
MAX_FILE_BYTES = 20 * 1024 * 1024


def _read_bytes(path: Path, limit: int) -> bytes | None:
    """The file's bytes, or None (with a warning) when it cannot be read or is over `limit`."""
    try:
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
    except OSError as exc:
        log.warning("%s: skipped, cannot read (%s)", path, exc.strerror or exc)
        return None
    if len(data) > limit:
        log.warning(
            "%s: skipped, larger than the limit of %s for one file", path, _size_text(limit)
        )
        return None
    return data


def _size_text(size: int) -> str:
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MB"
    return f"{size} bytes"


def article_files(
    paths: list[Path],
    zone: dt.tzinfo,
    max_file_bytes: int = MAX_FILE_BYTES,
    manifests: dict[Path, dict[str, dict]] | None = None,
) -> Iterator[tuple[Path, bytes, dict[str, Any]]]:
    """Each file of a known format that can be read, its bytes and what its folder's
    manifest says of it; a file that cannot be read is a warning naming it. `manifests`
    (folder → its manifest) holds those already read, and is filled as folders come."""
    manifests = {} if manifests is None else manifests
    for path in progress(paths, total=len(paths), description="reading", unit="file"):
        if reader_for(path) is None:
            continue
        data = _read_bytes(path, max_file_bytes)
        if data is None:
            continue
        yield path, data, folder_manifest(path.parent, zone, manifests).get(path.name, {})


def folder_manifest(
    folder: Path, zone: dt.tzinfo, manifests: dict[Path, dict[str, dict]]
) -> dict[str, dict]:
    """The manifest of `folder` (file name → its fields), read once into `manifests`; one
    that cannot be read is a warning naming it, and sets nothing."""
    if folder not in manifests:
        try:
            manifests[folder] = load_manifest(folder, zone, SINGLE_ARTICLE_SUFFIXES)
        except Exception as exc:
            log.warning(
                "%s: ignored, could not be read (%s)",
                folder / MANIFEST_NAME,
                describe_error(exc),
            )
            manifests[folder] = {}
    return manifests[folder]


def read_files(
    paths: list[Path],
    zone: dt.tzinfo,
    max_file_bytes: int = MAX_FILE_BYTES,
    manifests: dict[Path, dict[str, dict]] | None = None,
) -> list[tuple[str, Article | None]]:
    """`file_articles` of every file in `paths` that can be read, in order."""
    files = article_files(paths, zone, max_file_bytes, manifests)
    return [entry for file in files for entry in file_articles(*file, zone)]


def parse_file(path: Path, data: bytes, fields: dict[str, Any], zone: dt.tzinfo) -> list[Record]:
    """A file's records through its format's reader, with its manifest's fields applied.
    Any failure is a warning naming the file: the batch goes on."""
    reader = reader_for(path)
    if reader is None:
        return []
    try:
        found = reader(path, data, zone)
    except Exception as exc:
        # The last line of defence: each reader turns the problems it knows into
        # warnings; anything else in one file must not end the batch either.
        log.warning("%s: skipped, could not be read (%s)", path, describe_error(exc))
        return []
    return [apply_manifest(record, fields) for record in found]


def file_articles(
    path: Path, data: bytes, fields: dict[str, Any], zone: dt.tzinfo
) -> list[tuple[str, Article | None]]:
    """Each entry of one file: the hint its id is made from, and its article (with the
    id its hint gives, which `name_entries` changes where another article of the day took
    it first: ids are unique over the whole day), or None, with a warning, when it has no
    text or cannot be read."""
    entries: list[tuple[str, Article | None]] = []
    for record in parse_file(path, data, fields, zone):
        article = None
        try:
            article = article_from_record(record, _id_base(record.id_hint))
        except Exception as exc:
            log.warning("%s: skipped, could not be read (%s)", record.name, describe_error(exc))
        else:
            if article is None:
                log.warning("%s: skipped, no text", record.name)
        entries.append((record.id_hint, article))
    return entries


def read_articles(
    sources: list[Path],
    zone: dt.tzinfo = dt.UTC,
    *,
    max_file_bytes: int = MAX_FILE_BYTES,
    workers: Workers | None = None,
) -> list[Article]:
    """Read every article under `sources`, in a stable order; unreadable, oversized or
    empty files and entries are skipped with a warning. Times written without an offset
    are in `zone`. With `workers`, the files are read by them (a Dask cluster, or a
    forked helper taking half)."""
    paths = find_article_files(sources)
    if workers is None:
        entries = read_files(paths, zone, max_file_bytes)
    else:
        entries = workers.file_articles(paths, zone, max_file_bytes)
    return name_entries(entries)


def name_entries(entries: list[tuple[str, Article | None]]) -> list[Article]:
    """The articles of `read_files`' entries, each given its id: unique over the day, so
    given once every file is read."""
    ids = _article_ids([hint for hint, _ in entries])
    return [
        # (most articles were read with their id already: a copy of each cost 0.3 s a
        # 100,000 articles)
        article if article.id == article_id else replace(article, id=article_id)
        for (_, article), article_id in zip(entries, ids, strict=True)
        if article is not None
    ]


# --- One copy of each article ---------------------------------------------------------

# Query parameters that track a click and do not change the page.
_TRACKING_PARAMETER = re.compile(r"^(?:utm_\w+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid)$", re.I)


def normalise_url(url: str) -> str:
    """The same page however it was linked: no scheme, `www.`, fragment, trailing slash
    or tracking parameters."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    query = sorted((k, v) for k, v in parse_qsl(parts.query) if not _TRACKING_PARAMETER.match(k))
    path = parts.path.rstrip("/")
    return f"{host}{path}" + (f"?{urlencode(query)}" if query else "")


_WORD_RUN = re.compile(r"[^\W_]+")
# ASCII bytes that are not letters or digits (what `[^\W_]` leaves out), as spaces.
_ASCII_NON_WORD = bytes(b if chr(b).isalnum() else 32 for b in range(128)) + bytes(128)


# Marks news text often carries beyond ASCII, none of them a letter or a digit: as spaces,
# they leave most text ASCII, for the fast way (a third of a generated day's articles
# carried a "£", and took the pattern at four times the cost).
_COMMON_MARKS = ("’", "‘", "“", "”", "–", "—", "…", "£", "€", "•", "·", "°", "©", "\xa0")


def _plain_words(text: str) -> str:
    """The text's words, case folded, one space apart: what copies of one article share."""
    folded = text.casefold()
    if not folded.isascii():
        for mark in _COMMON_MARKS:  # each a separator, as the pattern takes it
            if mark in folded:
                folded = folded.replace(mark, " ")
    if folded.isascii():  # most text: one C pass over the bytes instead of the pattern
        return b" ".join(folded.encode("ascii").translate(_ASCII_NON_WORD).split()).decode()
    return " ".join(_WORD_RUN.findall(folded))


def identity_keys(article: Article) -> list[str]:
    """Keys two copies of one article share: its link, or its headline and text as words
    (punctuation, case and spacing aside, as syndication changes them)."""
    words = _plain_words(article.title) + "\n" + _plain_words(" ".join(article.paragraphs))
    keys = ["text:" + hashlib.sha256(words.encode("utf-8")).hexdigest()]
    if article.url:
        keys.append("url:" + normalise_url(article.url))
    return keys


def _preference(article: Article, position: int) -> tuple:
    """Which copy to keep: the fullest text, then the most metadata, then the earliest
    publication (the original of a syndicated story), then the first read."""
    known = sum(value is not None for value in (article.outlet, article.url, article.published))
    published = article.published.timestamp() if article.published else float("inf")
    return (-sum(len(p) for p in article.paragraphs), -known, published, position)


def drop_duplicates(articles: list[Article], keys: list[list[str]] | None = None) -> list[Article]:
    """Each article once: copies with the same link or the same headline and text are one
    article, kept as the preferred copy (with outlet, link or date filled in from copies at
    the same link when it lacks them). Ids and paths are those of the kept copy. `keys`:
    each article's `identity_keys`, when made already."""
    return [article for _, article in kept_copies(articles, keys)]


def kept_copies(
    articles: list[Article], keys: list[list[str]] | None = None
) -> list[tuple[int, Article]]:
    """`drop_duplicates`, each kept article with the place of the copy it was made from
    (whose sentences are its sentences: a filled-in copy differs only in its metadata)."""
    if keys is None:
        keys = [identity_keys(article) for article in articles]
    root = list(range(len(articles)))

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    first_with_key: dict[str, int] = {}
    for position, article_keys in enumerate(keys):
        for key in article_keys:
            other = first_with_key.setdefault(key, position)
            root[find(position)] = find(other)
    groups: dict[int, list[int]] = {}
    for position in range(len(articles)):
        groups.setdefault(find(position), []).append(position)
    kept: list[tuple[int, Article]] = []
    for members in groups.values():
        if len(members) == 1:  # most articles: no copy to choose from or fill in from
            kept.append((members[0], articles[members[0]]))
            continue
        ranked = sorted(members, key=lambda i: _preference(articles[i], i))
        best = articles[ranked[0]]
        for dropped in ranked[1:]:
            copy = articles[dropped]
            log.info(
                "%s (%s): same article as %s (%s), cited once",
                copy.id,
                copy.path,
                best.id,
                best.path,
            )
        kept.append((ranked[0], _filled_from_same_link(best, [articles[i] for i in ranked[1:]])))
    return sorted(kept, key=lambda pair: pair[0])


def _filled_from_same_link(article: Article, copies: list[Article]) -> Article:
    if article.url is None:
        return article
    link = normalise_url(article.url)
    same = [c for c in copies if c.url and normalise_url(c.url) == link]
    missing = {
        field: next((getattr(c, field) for c in same if getattr(c, field) is not None), None)
        for field in ("outlet", "published")
        if getattr(article, field) is None
    }
    return replace(article, **{k: v for k, v in missing.items() if v is not None})
