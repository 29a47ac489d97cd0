"""OPML: the feed lists feed readers export (newsboat, Miniflux, Feedly, NetNewsWire).

Every `<outline>` with an `xmlUrl` is a feed, at any depth (readers nest feeds in folders).
Only http and https URLs are taken; any other outline is a warning naming the file. The
parser is the standard library's (expat, which refuses entity expansion bombs and never
loads external entities), on a file of at most 5 MB.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from urllib.parse import urlsplit

from briefing.errors import InputError, read_input

log = logging.getLogger(__name__)

MAX_OPML_BYTES = 5 * 1024 * 1024


def read_opml(path: Path) -> list[str]:
    """The feed URLs of an OPML file, in the file's order, each once. An InputError
    naming the file when it cannot be read or is not OPML."""
    data = read_input(path, "OPML file")
    if len(data) > MAX_OPML_BYTES:
        raise InputError(f"{path}: OPML file larger than the limit of 5 MB")
    return parse_opml(data, str(path))


def parse_opml(data: bytes, name: str) -> list[str]:
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise InputError(f"{name}: not a readable OPML file ({exc})") from None
    if root.tag.lower() != "opml":
        raise InputError(f"{name}: not an OPML file (its root is <{root.tag}>)")
    urls: list[str] = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url:
            continue
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            label = outline.get("title") or outline.get("text") or url
            log.warning("%s: feed %r skipped, %r is not an http or https URL", name, label, url)
            continue
        if url not in urls:
            urls.append(url)
    return urls
