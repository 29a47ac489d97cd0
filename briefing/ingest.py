"""Ingest: read article files into clean title + paragraphs.

Saved news pages carry page furniture (share buttons, ad slots, photo captions,
footers, related-story links). None of it is reporting, so it is removed here,
before any later stage can mistake it for a headline or a sentence.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from briefing.errors import InputError

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = (".txt",)

# Lines that are page chrome, matched against the whole (stripped) line.
_FURNITURE = re.compile(
    r"""^(?:
        share(?:\s+(?:this|on\s+\w+))?
      | advertisement(?:\s*[-–]\s*scroll\s+to\s+continue)?
      | accessibility\s+links
      | skip\s+to\s+(?:main\s+)?content
      | breaking\s+news
      | (?:updated|published|last\s+updated)(?:\s*:?\s*(?=[^\n]*\d)[\w ,:.+]{0,40})?
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

# A credit line ends the story; what follows it on a saved page is the outlet's footer.
_CREDIT = re.compile(
    r"^(?:with\s+(?:additional\s+)?reporting\s+by|(?:additional\s+)?reporting\s+by"
    r"|editing\s+by|written\s+by|compiled\s+by)\b",
    re.IGNORECASE,
)
# An image placeholder ("• 16x9 Image") in the last part of a page starts the footer.
_IMAGE_PLACEHOLDER = re.compile(r"^[•·*\-\s]*\d+x\d+\s+image$", re.IGNORECASE)


@dataclass(frozen=True)
class Article:
    """One source article: its headline and body paragraphs, furniture removed."""

    id: str
    path: str
    title: str
    paragraphs: tuple[str, ...]


def find_article_files(sources: list[Path]) -> list[Path]:
    """Every article file under the given files/folders, recursively, in a stable order."""
    found: list[Path] = []
    for source in sources:
        if source.is_dir():
            found.extend(
                sorted(
                    p
                    for p in source.rglob("*")
                    if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES
                )
            )
        elif source.is_file():
            found.append(source)
        else:
            raise InputError(f"{source}: no such file or folder")
    unique: list[Path] = []
    seen: set[Path] = set()
    for path in found:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def decode_article(data: bytes, name: str) -> str | None:
    """UTF-8 first; cp1252 with a warning; None for binary files."""
    if b"\x00" in data:
        log.warning("%s: skipped, looks like a binary file", name)
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        log.warning("%s: not valid UTF-8, read as cp1252", name)
        text = data.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def is_furniture(line: str) -> bool:
    return bool(_FURNITURE.match(line.strip()))


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
    """Drop a credit line or an image placeholder in the second half, and all after it."""
    for index in range(len(blocks) // 2, len(blocks)):
        first = blocks[index][0]
        if _CREDIT.match(first) or _IMAGE_PLACEHOLDER.match(first):
            return blocks[:index]
    return blocks


def clean_blocks(text: str) -> list[list[str]]:
    """Blocks of lines with furniture, captions and the page footer removed.

    A line printed twice on one page is a photo caption or a pull quote, not prose;
    it is dropped, unless it is the headline (pages often repeat it).
    """
    blocks = [
        kept
        for block in _cut_footer(_paragraph_lines(text))
        if (kept := [ln for ln in block if not is_furniture(ln)])
    ]
    if not blocks:
        return []
    title = blocks[0][0]
    counts: dict[str, int] = {}
    for block in blocks:
        for line in block:
            counts[line] = counts.get(line, 0) + 1
    cleaned = [[title]]
    for position, block in enumerate(blocks):
        lines = [ln for ln in block[1 if position == 0 else 0 :] if counts[ln] == 1]
        if position == 0:
            cleaned[0].extend(lines)
        elif lines:
            cleaned.append(lines)
    return cleaned


def parse_article(text: str, article_id: str, path: str) -> Article | None:
    """Title = the first real line; body = the remaining blocks, lines folded into paragraphs."""
    blocks = clean_blocks(text)
    if not blocks:
        return None
    title = blocks[0][0]
    body_blocks = [[ln for ln in block if ln != title] for block in [blocks[0][1:], *blocks[1:]]]
    paragraphs = tuple(" ".join(block) for block in body_blocks if block)
    return Article(id=article_id, path=path, title=_collapse(title), paragraphs=paragraphs)


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _article_ids(paths: list[Path]) -> list[str]:
    """Readable, unique ids from file names (`000_69f1…` stays `000_69f1…`)."""
    ids: list[str] = []
    used: set[str] = set()
    for path in paths:
        base = re.sub(r"[^A-Za-z0-9_.-]+", "-", path.stem).strip("-") or "article"
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}-{n}", n + 1
        used.add(candidate)
        ids.append(candidate)
    return ids


def read_articles(sources: list[Path]) -> list[Article]:
    """Read every article under `sources`; unreadable or empty files are skipped with a warning."""
    paths = find_article_files(sources)
    articles: list[Article] = []
    for path, article_id in zip(paths, _article_ids(paths), strict=True):
        try:
            data = path.read_bytes()
        except OSError as exc:
            log.warning("%s: skipped, cannot read (%s)", path, exc.strerror or exc)
            continue
        text = decode_article(data, str(path))
        if text is None:
            continue
        article = parse_article(text, article_id, str(path))
        if article is None:
            log.warning("%s: skipped, no text", path)
            continue
        articles.append(article)
    return articles
