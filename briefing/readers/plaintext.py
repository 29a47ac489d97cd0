"""Plain-text and Markdown articles, with optional front matter.

Without front matter a file is what it always was: the headline on the first real line,
then paragraphs. Front matter (a `---` block of `key: value` lines, or a `+++` TOML block)
can name the title, outlet, link and publication time.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import tomllib
from pathlib import Path
from typing import Any

import markdown

from briefing.readers.common import (
    Record,
    clean_label,
    clean_url,
    decode_text,
    html_to_paragraphs,
    pick_field,
    published_or_warn,
)

log = logging.getLogger(__name__)

_YAML_BLOCK = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_TOML_BLOCK = re.compile(r"\A\+\+\+[ \t]*\n(.*?)\n\+\+\+[ \t]*(?:\n|\Z)", re.DOTALL)
_KEY_VALUE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*$")


def split_front_matter(text: str, name: str) -> tuple[dict[str, Any], str]:
    """(front-matter fields, the text after it); no front matter gives ({}, text).

    The `---` block is read as flat `key: value` lines (no YAML library: only scalars
    matter here); a block with no such line is a horizontal rule, not front matter.
    """
    if match := _TOML_BLOCK.match(text):
        try:
            return tomllib.loads(match.group(1)), text[match.end() :]
        except tomllib.TOMLDecodeError as exc:
            log.warning("%s: front matter is not valid TOML (%s); read as text", name, exc)
            return {}, text
    if match := _YAML_BLOCK.match(text):
        fields = {}
        for line in match.group(1).split("\n"):
            if pair := _KEY_VALUE.match(line):
                fields[pair.group(1)] = _unquote(pair.group(2))
        if fields:
            return fields, text[match.end() :]
    return {}, text


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def record_from_fields(
    fields: dict[str, Any], path: Path, text: str, zone: dt.tzinfo, name: str
) -> Record:
    """A single-article record whose metadata comes from front matter fields."""
    return Record(
        path=str(path),
        id_hint=path.stem,
        text=text,
        title=clean_label(pick_field(fields, "title")),
        outlet=clean_label(pick_field(fields, "outlet")),
        url=clean_url(pick_field(fields, "url")),
        published=published_or_warn(pick_field(fields, "published"), zone, name),
    )


def read_text(path: Path, data: bytes, zone: dt.tzinfo) -> list[Record]:
    text = decode_text(data, str(path))
    if text is None:
        return []
    fields, body = split_front_matter(text, str(path))
    return [record_from_fields(fields, path, body, zone, str(path))]


def read_markdown(path: Path, data: bytes, zone: dt.tzinfo) -> list[Record]:
    """Markdown is rendered and its blocks read as paragraphs, so `# Headline` is the
    headline and no markup reaches a quoted sentence."""
    text = decode_text(data, str(path))
    if text is None:
        return []
    fields, body = split_front_matter(text, str(path))
    blocks = html_to_paragraphs(markdown.markdown(body, output_format="html"))
    return [record_from_fields(fields, path, "\n\n".join(blocks), zone, str(path))]
