"""`briefing read`: the articles as the brief sees them, after the readers and ingest's
cleaning, as JSON Lines, one JSON array or a readable listing.

The JSON record of an article is what the `.jsonl` and `.json` readers read back into the
same article: `id`, `title`, `outlet`, `url`, `published` (ISO 8601 with the source's
offset), `paragraphs` (a list of strings) and `path` (the file it came from). Only the
CLI writes; these functions return text.
"""

from __future__ import annotations

import json
import textwrap
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from briefing.ingest import Article

LISTING_FORMATS = ("jsonl", "json", "text")
TEXT_WIDTH = 88


def article_record(article: Article) -> dict[str, Any]:
    """The article as a JSON object; `outlet`, `url` and `published` are null when the
    source does not state them."""
    return {
        "id": article.id,
        "title": article.title,
        "outlet": article.outlet,
        "url": article.url,
        "published": article.published.isoformat() if article.published else None,
        "paragraphs": list(article.paragraphs),
        "path": article.path,
    }


def _dumps(value: object, indent: int | None = None) -> str:
    """JSON with its text as UTF-8 characters; text that cannot be written as UTF-8 (a
    lone surrogate from a `\\ud800` escape in an export) stays a JSON escape, so nothing
    is lost."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(value, ensure_ascii=True, indent=indent)
    return text


def render_jsonl(articles: list[Article]) -> str:
    """One JSON object per line, for the `.jsonl` reader and other tools."""
    return "".join(_dumps(article_record(a)) + "\n" for a in articles)


def render_json_list(articles: list[Article]) -> str:
    """One JSON array of the records, indented."""
    return _dumps([article_record(a) for a in articles], indent=2) + "\n"


def _wrapped(text: str, indent: str) -> str:
    return textwrap.fill(
        text,
        width=TEXT_WIDTH,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def render_text(articles: list[Article]) -> str:
    """A listing for a person: per article its id, its citation fields (`-` when the
    source is silent), then its paragraphs, indented and wrapped."""
    blocks = []
    for number, article in enumerate(articles, start=1):
        fields = (
            ("title", article.title),
            ("outlet", article.outlet),
            ("url", article.url),
            ("published", article.published.isoformat() if article.published else None),
            ("path", article.path),
        )
        count = len(article.paragraphs)
        lines = [f"[{number}/{len(articles)}] {article.id}"]
        lines += [f"  {name + ':':<11}{'-' if value is None else value}" for name, value in fields]
        lines.append(f"  {count} paragraph{'s' if count != 1 else ''}:")
        body = "\n\n".join(_wrapped(p, "    ") for p in article.paragraphs)
        blocks.append("\n".join(lines) + "\n\n" + body + "\n")
    return "\n".join(blocks)


RENDERERS = {"jsonl": render_jsonl, "json": render_json_list, "text": render_text}


def render_listing(articles: list[Article], fmt: str) -> bytes:
    """The listing in `fmt` as UTF-8; in text, what UTF-8 cannot carry is escaped."""
    return RENDERERS[fmt](articles).encode("utf-8", "backslashreplace")
