"""Readers: one function per file format, chosen by the file's extension.

Each takes a file's path and bytes (and the brief's time zone, for times written without
an offset) and returns `Record`s: text plus whatever title, outlet, link and publication
time the format carries. Malformed input is a warning naming the file (and the line or
entry), never an exception, so one bad file does not stop a batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from briefing.readers.common import Record
from briefing.readers.exports import read_json, read_jsonl
from briefing.readers.feeds import read_feed
from briefing.readers.manifest import MANIFEST_NAME, apply_manifest, load_manifest
from briefing.readers.pages import read_page
from briefing.readers.plaintext import read_markdown, read_text

Reader = Callable[[Path, bytes, dt.tzinfo], list[Record]]

READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".md": read_markdown,
    ".html": read_page,
    ".htm": read_page,
    ".rss": read_feed,
    ".atom": read_feed,
    ".xml": read_feed,
    ".json": read_json,
    ".jsonl": read_jsonl,
}
# Formats that hold exactly one article; only these take metadata from a manifest.
SINGLE_ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")


def reader_for(path: Path) -> Reader | None:
    return reader_for_name(path.name)


def reader_for_name(name: str) -> Reader | None:
    """`reader_for` a file's name alone (its `Path.suffix`: from a last dot that is
    neither its first nor its last character), without making a path of it."""
    dot = name.rfind(".")
    return READERS.get(name[dot:].lower() if 0 < dot < len(name) - 1 else "")


__all__ = [
    "MANIFEST_NAME",
    "READERS",
    "SINGLE_ARTICLE_SUFFIXES",
    "Reader",
    "Record",
    "apply_manifest",
    "load_manifest",
    "reader_for",
    "reader_for_name",
]
