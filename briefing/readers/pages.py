"""Saved web pages: trafilatura finds the story's text and metadata and leaves out the
navigation, ads, related links and readers' comments (in its precision mode: a brief
would rather miss a paragraph than quote an ad).

htmldate (trafilatura's date finder) keeps only the day, and a 24-hour window needs the
hour, so the publication time is read first from the page's own markup (Open Graph and
`<meta>` tags, JSON-LD, `<time datetime>`), with htmldate's day as the fallback.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from briefing.readers.common import Record, clean_label, clean_url, parse_published

log = logging.getLogger(__name__)

# A page whose extracted lines have no sentence in them (only menu items, a "Loading"
# placeholder) holds no article, however lenient the extractor was.
_PROSE_END = re.compile(r"[.!?…][\"'”’)\]]*$")

# <meta> names and properties that carry the first publication time, most specific first.
_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "publishdate",
    "publish-date",
    "pubdate",
    "dcterms.issued",
    "dc.date.issued",
    "parsely-pub-date",
    "sailthru.date",
    "dcterms.created",
    "dc.date",
)
# Ad containers trafilatura's own rules miss (it knows `ad-`, `dfpAd`, `outbrain`, …).
_AD_MARKERS = ("advert", "sponsor", "promo", "adslot", "ad-slot")
_PRUNE_ADS = [
    f"//*[contains(@class, '{marker}') or contains(@id, '{marker}')]" for marker in _AD_MARKERS
]
# htmldate's options: markup only (no guessing from prose) and no "today" bound, so the
# answer never depends on the day the brief is built.
_DATE_OPTIONS = {"extensive_search": False, "original_date": True, "max_date": "2999-12-31"}


def read_page(path: Path, data: bytes, zone: dt.tzinfo) -> list[Record]:
    import trafilatura
    from trafilatura.utils import load_html

    tree = load_html(data)
    document = None
    marked_times: list[str] = []
    if tree is not None:
        marked_times = list(_marked_publication_times(tree))
        document = trafilatura.bare_extraction(
            tree,
            with_metadata=True,
            favor_precision=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            prune_xpath=_PRUNE_ADS,
            date_extraction_params=_DATE_OPTIONS,
        )
    text = getattr(document, "text", None) or ""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if document is None or not any(_PROSE_END.search(line) for line in lines):
        log.warning("%s: skipped, no article text found in the page", path)
        return []
    published = next(
        (p for raw in [*marked_times, document.date] if (p := parse_published(raw, zone))), None
    )
    return [
        Record(
            path=str(path),
            id_hint=path.stem,
            text="\n\n".join(lines),
            title=clean_label(document.title),
            outlet=clean_label(document.sitename),
            url=clean_url(document.url),
            published=published,
        )
    ]


def _marked_publication_times(tree: Any) -> Iterator[str]:
    """Publication times the page states in its markup, best first."""
    meta: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        content = element.get("content")
        if key and content:
            meta.setdefault(key.strip().lower(), content.strip())
    yield from (meta[name] for name in _PUBLISHED_META if name in meta)
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() == "application/ld+json":
            try:
                yield from _json_ld_dates(json.loads(script.text or ""))
            except ValueError:
                continue
    for element in tree.iter("time"):
        stamp = element.get("datetime")
        if stamp and (element.get("itemprop") == "datePublished" or "pubdate" in element.attrib):
            yield stamp
    for element in tree.xpath("//article//time[@datetime] | //main//time[@datetime]"):
        yield element.get("datetime")


def _json_ld_dates(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("datePublished"), str):
            yield node["datePublished"]
        for value in node.values():
            yield from _json_ld_dates(value)
    elif isinstance(node, list):
        for value in node:
            yield from _json_ld_dates(value)
