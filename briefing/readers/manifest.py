"""`sources.toml`: metadata for article files that cannot carry their own.

A plain-text file saved from a page has a headline but no outlet, date or link. The
manifest beside it names them, one table per file name:

    ["001_ee63aafd8d45b27d.txt"]
    title = "Putin, Erdogan Discuss Syria, Defense Cooperation"
    outlet = "RFE/RL"
    url = "https://…"
    published = 2019-08-27T18:00:00+02:00

Its values win over a file's own front matter or page metadata: the manifest is the
reader's considered statement about the file.

A feed or export holds many articles, each with its own title, link and date; its table
may name only the `outlet`, which then applies to every entry (a feed titled after its
section, "NYT > World News", is then cited as the publisher the manifest names):

    ["world.xml"]
    outlet = "The New York Times"
"""

from __future__ import annotations

import datetime as dt
import logging
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from briefing.readers.common import Record, clean_label, clean_url, parse_published

log = logging.getLogger(__name__)

MANIFEST_NAME = "sources.toml"
_FIELDS: tuple[str, ...] = ("title", "outlet", "url", "published")
# What a file of many articles (a feed, an export) shares with all its entries: the
# publisher. Titles, links and dates belong to each entry.
_SHARED_FIELDS: tuple[str, ...] = ("outlet",)


def load_manifest(
    folder: Path, zone: dt.tzinfo, single_article_suffixes: tuple[str, ...]
) -> dict[str, dict[str, Any]]:
    """File name → the record fields the manifest in `folder` sets for it ({} if none)."""
    path = folder / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        tables = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        log.warning("%s: ignored, not readable as TOML (%s)", path, exc)
        return {}
    fields_by_file: dict[str, dict[str, Any]] = {}
    for file_name, table in tables.items():
        name = f"{path}: [{file_name!r}]"
        if not isinstance(table, dict):
            log.warning("%s: ignored, expected a table of title, outlet, url, published", name)
            continue
        if not (folder / file_name).is_file():
            log.warning("%s: ignored, no such file beside the manifest", name)
            continue
        if Path(file_name).suffix.lower() in single_article_suffixes:
            allowed = _FIELDS
        else:
            allowed = _SHARED_FIELDS
            for key in sorted(set(table) & (set(_FIELDS) - set(_SHARED_FIELDS))):
                log.warning(
                    "%s: %s ignored, a file of many articles takes only %s here",
                    name,
                    key,
                    ", ".join(_SHARED_FIELDS),
                )
        for key in sorted(set(table) - set(_FIELDS)):
            log.warning("%s: unknown key %r (expected %s)", name, key, ", ".join(allowed))
        fields = _fields({k: v for k, v in table.items() if k in allowed}, zone, name)
        if fields:
            fields_by_file[file_name] = fields
    return fields_by_file


def _fields(table: dict[str, Any], zone: dt.tzinfo, name: str) -> dict[str, Any]:
    cleaners = {
        "title": clean_label,
        "outlet": clean_label,
        "url": clean_url,
        "published": lambda value: parse_published(value, zone),
    }
    fields = {}
    for key, clean in cleaners.items():
        if key in table:
            value = clean(table[key])
            if value is None:
                log.warning("%s: %s ignored, not a usable value", name, key)
            else:
                fields[key] = value
    return fields


def apply_manifest(record: Record, fields: dict[str, Any]) -> Record:
    return replace(record, **fields) if fields else record
