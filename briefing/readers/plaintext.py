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

from briefing.readers.common import (
    MAX_LOOSE_TAGS,
    Record,
    clean_label,
    clean_url,
    decode_text,
    html_to_paragraphs,
    loose_tag_openings,
    pick_field,
    published_or_warn,
)

log = logging.getLogger(__name__)

_YAML_BLOCK = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_TOML_BLOCK = re.compile(r"\A\+\+\+[ \t]*\n(.*?)\n\+\+\+[ \t]*(?:\n|\Z)", re.DOTALL)
# The value is stripped in Python: `(.*?)[ \t]*$` retries the spaces at every character.
_KEY_VALUE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(.*)$")


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
                fields[pair.group(1)] = _unquote(pair.group(2).strip(" \t"))
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
    blocks = render_markdown(body, str(path))
    return [record_from_fields(fields, path, "\n\n".join(blocks), zone, str(path))]


# Python-Markdown's link and footnote patterns are quadratic in the `[` of a block (16 KB of
# `[` take half a minute), and its HTML pass in the loose `<` of the whole text. A block
# with more than this many `[`, or any loose `<` when the text holds many, is read as plain
# text instead, with a warning: its words are the same, only its markup is not rendered.
MAX_BRACKETS_PER_BLOCK = 32
_BLOCK_BREAK = re.compile(r"(\n[ \t]*\n)")


def render_markdown(body: str, name: str) -> list[str]:
    """The paragraphs of a Markdown text, rendered; a block too costly to render is one
    paragraph of its plain text."""
    import markdown  # here: a day without Markdown files does not import it

    loose = len(loose_tag_openings(body))
    if body.count("[") <= MAX_BRACKETS_PER_BLOCK and loose <= MAX_LOOSE_TAGS:
        return html_to_paragraphs(markdown.markdown(body, output_format="html"))
    pieces = _BLOCK_BREAK.split(body)
    plain: dict[str, str] = {}
    stem = "briefingplainblock"
    while stem in body:
        stem += "x"
    for index in range(0, len(pieces), 2):
        block = pieces[index]
        if block.count("[") > MAX_BRACKETS_PER_BLOCK or (
            loose > MAX_LOOSE_TAGS and loose_tag_openings(block)
        ):
            token = f"{stem}{len(plain)}z"
            plain[token] = " ".join(block.split())
            pieces[index] = token
    if not plain:
        return html_to_paragraphs(markdown.markdown(body, output_format="html"))
    log.warning(
        "%s: %d Markdown block%s read as plain text (too much link or tag markup to render)",
        name,
        len(plain),
        "s" if len(plain) != 1 else "",
    )
    rendered = html_to_paragraphs(markdown.markdown("".join(pieces), output_format="html"))
    token_pattern = re.compile(re.escape(stem) + r"\d+z")
    paragraphs = []
    for paragraph in rendered:
        text = token_pattern.sub(lambda m: plain.get(m.group(), m.group()), paragraph)
        if text.strip():
            paragraphs.append(text)
    return paragraphs
