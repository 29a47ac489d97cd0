"""JSON Lines and JSON exports from news APIs and scrapers: one article per record.

Field names differ between tools (`title`/`headline`, `text`/`content`/`body`,
`url`/`link`, `published`/`date`/`publishedAt`, `source`/`outlet`/`site_name`); any of
them is accepted (see `FIELD_ALIASES`). A `.json` file may hold one record, a list of
records, or an object with the list under `articles`, `items`, `data` or `results`.

A record with no text field may give its body as `paragraphs`, a list of plain-text
strings, as `briefing read` writes it: each is one paragraph, taken as it is (no HTML is
looked for in it), so the articles read back are the articles written out.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from pathlib import Path
from typing import Any

from briefing.readers.common import (
    Record,
    body_paragraphs,
    clean_label,
    clean_url,
    decode_text,
    describe_error,
    pick_field,
    published_or_warn,
    slugify,
)

log = logging.getLogger(__name__)

_LIST_KEYS = ("articles", "items", "data", "results", "entries", "records")
# News APIs cut long text and say so at the end: "… [+2345 chars]".
_TRUNCATION_NOTE = re.compile(r"\[\+\d+ chars\]\Z")


def without_truncation_note(text: str) -> str:
    """The text without a closing "… [+2345 chars]" (and the space and ellipsis before it).
    No regular expression spans the white space: a pattern with `\\s*` on both sides of an
    optional part backtracks cubically over a long run of spaces."""
    stripped = text.rstrip()
    note = _TRUNCATION_NOTE.search(stripped)
    if note is None:
        return text
    head = stripped[: note.start()].rstrip()
    if head.endswith("…"):
        head = head[:-1]
    elif head.endswith("..."):
        head = head[:-3]
    return head.rstrip()


def read_jsonl(path: Path, data: bytes, zone: dt.tzinfo) -> list[Record]:
    text = decode_text(data, str(path))
    if text is None:
        return []
    records = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            value = json.loads(line)
        except ValueError as exc:
            log.warning("%s: %s: skipped, not valid JSON (%s)", path, where, _reason(exc))
            continue
        except RecursionError:
            log.warning("%s: %s: skipped, JSON nested too deeply to read", path, where)
            continue
        if record := _isolated_record(value, path, where, number, zone):
            records.append(record)
    return records


def read_json(path: Path, data: bytes, zone: dt.tzinfo) -> list[Record]:
    text = decode_text(data, str(path))
    if text is None:
        return []
    try:
        value = json.loads(text)
    except ValueError as exc:
        log.warning("%s: skipped, not valid JSON (%s)", path, _reason(exc))
        return []
    except RecursionError:
        log.warning("%s: skipped, JSON nested too deeply to read", path)
        return []
    if isinstance(value, dict):
        listed = next((value[k] for k in _LIST_KEYS if isinstance(value.get(k), list)), None)
        value = listed if listed is not None else [value]
    if not isinstance(value, list):
        log.warning("%s: skipped, expected an article or a list of articles", path)
        return []
    records = []
    for number, item in enumerate(value, start=1):
        if record := _isolated_record(item, path, f"record {number}", number, zone):
            records.append(record)
    return records


def _paragraph_list(value: dict[str, Any]) -> list[str]:
    """The strings of a `paragraphs` list (its key matched case-insensitively), as given."""
    listed = next((v for k, v in value.items() if str(k).lower() == "paragraphs"), None)
    if not isinstance(listed, list):
        return []
    return [p.strip() for p in listed if isinstance(p, str) and p.strip()]


def _reason(exc: ValueError) -> str:
    return exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)


def _isolated_record(
    value: Any, path: Path, where: str, number: int, zone: dt.tzinfo
) -> Record | None:
    """`_record`, with any failure a warning naming the entry: one bad record never costs
    the others."""
    try:
        return _record(value, path, where, number, zone)
    except Exception as exc:
        log.warning("%s: %s: skipped, could not be read (%s)", path, where, describe_error(exc))
        return None


def _record(value: Any, path: Path, where: str, number: int, zone: dt.tzinfo) -> Record | None:
    name = f"{path}: {where}"
    if not isinstance(value, dict):
        log.warning("%s: skipped, not a JSON object", name)
        return None
    body = pick_field(value, "text") or pick_field(value, "summary")
    if isinstance(body, str):
        paragraphs = body_paragraphs(without_truncation_note(body))
    else:
        paragraphs = _paragraph_list(value) if body is None else []
    if not paragraphs:
        log.warning("%s: skipped, no article text", name)
        return None
    title = clean_label(pick_field(value, "title"))
    return Record(
        path=str(path),
        id_hint=f"{path.stem}-{slugify(title or '') or number}",
        text="\n\n".join(paragraphs),
        title=title,
        outlet=clean_label(pick_field(value, "outlet")),
        url=clean_url(pick_field(value, "url")),
        published=published_or_warn(pick_field(value, "published"), zone, name),
        where=where,
    )
