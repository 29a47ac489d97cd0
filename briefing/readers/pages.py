"""Saved web pages: trafilatura finds the story's text and metadata and leaves out the
navigation, ads, related links and readers' comments (in its precision mode: a brief
would rather miss a paragraph than quote an ad).

A story the page holds is never lost for that caution: when precision mode finds no
story, or much less than the page's own JSON-LD `articleBody`, trafilatura's recall mode,
its baseline extractor and then the `articleBody` itself are tried, in that order.

Not every saved page is an article. Error pages, home and section pages of teasers,
video and photo-gallery pages, recipe cards, event notices and listings are skipped with
a warning naming the file. The signals are general: the type the page declares (Open
Graph `og:type`, JSON-LD and microdata `@type`, a `content-type` meta tag), an error
title, and the text found (too little prose, or mostly the text of links).

htmldate (trafilatura's date finder) keeps only the day, and a 24-hour window needs the
hour, so the publication time is read first from the page's own markup (Open Graph and
`<meta>` tags, JSON-LD, `<time datetime>`), with htmldate's day as the fallback.

The outlet is `og:site_name`, else the JSON-LD publisher's name, else the page's host;
the headline loses that name when the page's title carries it as a prefix or suffix.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from briefing.readers.common import (
    Record,
    clean_label,
    clean_url,
    decode_entities,
    parse_published,
)

log = logging.getLogger(__name__)

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
# htmldate's options: markup only (no guessing from prose) and no "today" bound, so the
# answer never depends on the day the brief is built.
_DATE_OPTIONS = {"extensive_search": False, "original_date": True, "max_date": "2999-12-31"}
_EXTRACTION_OPTIONS: dict[str, Any] = {
    "with_metadata": True,
    "include_comments": False,
    "include_tables": False,
    "include_images": False,
    "date_extraction_params": _DATE_OPTIONS,
}

# --- Page furniture pruned before extraction -------------------------------------------
# A class or id token equal to one of these, or starting with it and `-` or `_`, marks
# an element that is not the story. Trafilatura's own rules know many ad names (`ad-`,
# `dfpAd`, `outbrain`, …); these are the ones it misses.
_AD_MARKERS = (
    "advert",
    "advertisement",
    "advertising",
    "sponsor",
    "sponsored",
    "promo",
    "promotion",
    "adslot",
    "ad-slot",
    "pitch",
)
_BIO_MARKERS = ("bio", "biography", "author-bio", "authorbio", "author-box", "about-author")
_CAPTION_MARKERS = (
    "caption",
    "wp-caption-text",
    "credit",
    "credits",
    "image-credit",
    "photo-credit",
    "media-credit",
)
# An element around a picture: with little text of its own it holds only the picture's
# caption and credit ("Shamil Zhumatov/REUTERS" glued to the first paragraph's text).
_PICTURE_MARKERS = ("image", "img", "photo", "picture", "media", "figure", "wp-caption")
_PICTURE_TEXT_WORDS = 40
_NEVER_PRUNED = frozenset({"html", "body", "article", "main"})

# --- What counts as an article ----------------------------------------------------------
# Declared kinds of page or content that are not a news article.
_NONARTICLE_KINDS = frozenset(
    """video recipe gallery photo music book profile event place game product audio
    podcast slideshow""".split()
)
# schema.org types (JSON-LD, microdata) of the article family, and of pages that are not.
_ARTICLE_TYPE = re.compile(r"(?:Article|BlogPosting|LiveBlogPosting|SocialMediaPosting|Report)$")
_NONARTICLE_TYPE = re.compile(
    r"^(?:Recipe|VideoObject|CollectionPage|ImageGallery|MediaGallery|VideoGallery"
    r"|SearchResultsPage|ProfilePage|\w*Event)$"
)
# Path segments of media pages: a weak signal, taken only with another one.
_MEDIA_PATH_SEGMENTS = frozenset(
    "video videos watch gallery galleries slideshow slideshows photos photo-gallery".split()
)
# The title (or a part of it) of an error page.
_ERROR_TITLE = re.compile(
    r"""^(?:
        (?:(?:http\s+)?(?:error|status)\s*)?(?:400|401|403|404|410|451|500|502|503)\b.{0,40}
      | (?:error|page|file|article|content|story|document)\s+(?:was\s+)?not\s+found
      | not\s+found | access\s+denied | forbidden | error
      | (?:this\s+|the\s+)?page\s+(?:you\s+requested\s+)?(?:cannot|can'?t|could\s+not|
        couldn'?t|does\s+not|doesn'?t)\s+(?:be\s+found|exist)
      | (?:this\s+|the\s+)?(?:page|content|article|story)\s+is\s+(?:no\s+longer|not)\s+available
    )[.!]?$""",
    re.IGNORECASE | re.VERBOSE,
)
# An article has at least this much prose: sentences of six words or more, ending in
# sentence punctuation, mostly of lower-case words (not a title-case list of names).
_MIN_SENTENCES = 2
_MIN_PROSE_WORDS = 40
_SENTENCE = re.compile(r"[^.!?…]+(?:[.!?…]+[\"'”’)\]]*|$)")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
# A page whose text is mostly the text of its links is a page of teasers.
_MAX_LINK_SHARE = 0.5
# …and so is one where many of the lines are linked headlines (with a summary each).
_MIN_TEASERS = 5
_TEASER_SHARE = 0.4
# Where the story ends and the page's reference list begins.
_REFERENCES_HEADING = re.compile(
    r"^(?:sources?|references?|bibliography|works\s+cited|citations?|footnotes)\s*:?$",
    re.IGNORECASE,
)
# Separators between a headline and the site's name.
_TITLE_SEPARATOR = re.compile(r"\s+(?:[|»·•–—-]|::?)\s+|:\s+")


@dataclass
class _PageFacts:
    """What the page's markup states about itself."""

    meta: dict[str, str] = field(default_factory=dict)
    json_ld: list[dict[str, Any]] = field(default_factory=list)
    json_ld_scripts: list[Any] = field(default_factory=list)  # each script's JSON, parsed
    item_types: list[str] = field(default_factory=list)
    title: str | None = None
    headings: list[str] = field(default_factory=list)
    canonical: str | None = None

    @property
    def og_type(self) -> str:
        return self.meta.get("og:type", "").strip().lower()

    @property
    def url(self) -> str | None:
        return clean_url(self.canonical) or clean_url(self.meta.get("og:url"))

    def schema_types(self) -> list[str]:
        types = [t for node in self.json_ld for t in _types_of(node)]
        return types + self.item_types

    def declares_article(self) -> bool:
        return any(_ARTICLE_TYPE.search(t) for t in self.schema_types())

    def site_names(self) -> list[str]:
        """Names the site goes by: og:site_name, the JSON-LD publisher, the host."""
        names = [self.meta.get("og:site_name"), self.publisher()]
        host = _host(self.url)
        names += [host, host.split(".")[0] if host else None]
        return [n for n in (clean_label(name) for name in names) if n]

    def publisher(self) -> str | None:
        for node in self.json_ld:
            publisher = node.get("publisher")
            if isinstance(publisher, list) and publisher:
                publisher = publisher[0]
            if isinstance(publisher, dict):
                publisher = publisher.get("name")
            if name := clean_label(publisher):
                return decode_entities(name)
        return None


def read_page(path: Path, data: bytes, zone: dt.tzinfo) -> list[Record]:
    from trafilatura.utils import load_html

    tree = load_html(data)
    if tree is None:
        log.warning("%s: skipped, no article text found in the page", path)
        return []
    facts = _page_facts(tree)
    if reason := _declared_nonarticle(facts):
        log.warning("%s: skipped, not an article (%s)", path, reason)
        return []
    marked_times = list(_marked_publication_times(tree, facts))
    document, lines = _story(_pruned(tree), facts)
    if document is None or not lines:
        log.warning("%s: skipped, no article text found in the page", path)
        return []
    if reason := _text_nonarticle(lines, tree):
        log.warning("%s: skipped, not an article (%s)", path, reason)
        return []
    published = next(
        (p for raw in [*marked_times, document.date] if (p := parse_published(raw, zone))), None
    )
    return [
        Record(
            path=str(path),
            id_hint=path.stem,
            text="\n\n".join(lines),
            title=_headline(facts, document),
            outlet=_outlet(facts, document),
            url=clean_url(document.url) or facts.url,
            published=published,
        )
    ]


# --- The page's own statements -------------------------------------------------------


def _page_facts(tree: Any) -> _PageFacts:
    facts = _PageFacts()
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        content = element.get("content")
        if content is None:
            content = element.get("value")
        if key and content and content.strip():
            facts.meta.setdefault(key.strip().lower(), content.strip())
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() == "application/ld+json":
            try:
                value = json.loads(script.text or "")
            except (ValueError, RecursionError):
                continue
            facts.json_ld_scripts.append(value)
            facts.json_ld.extend(_json_ld_nodes(value))
    for element in tree.xpath("//*[@itemtype]"):
        facts.item_types.extend(
            kind.rstrip("/").rsplit("/", 1)[-1] for kind in element.get("itemtype", "").split()
        )
    title = tree.find(".//title")
    if title is not None:
        facts.title = clean_label(title.text_content())
    facts.headings = [text for h1 in tree.iter("h1") if (text := clean_label(h1.text_content()))][
        :3
    ]
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            facts.canonical = link.get("href")
            break
    return facts


def _json_ld_nodes(value: Any) -> Iterator[dict[str, Any]]:
    """The JSON-LD objects that have a type: top-level ones, list items and `@graph`
    (walked with a stack, not recursion: JSON nests as deep as its parser allows)."""
    stack: list[Iterator[Any]] = [iter([value])]
    while stack:
        node = next(stack[-1], _END)
        if node is _END:
            stack.pop()
        elif isinstance(node, list):
            stack.append(iter(node))
        elif isinstance(node, dict):
            if "@type" in node:
                yield node
            if "@graph" in node:
                stack.append(iter([node["@graph"]]))


_END = object()


def _types_of(node: dict[str, Any]) -> list[str]:
    kinds = node.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return [k.rsplit("/", 1)[-1] for k in kinds if isinstance(k, str)]


def _host(url: str | None) -> str:
    if not url:
        return ""
    return urlsplit(url).netloc.lower().split(":")[0].removeprefix("www.")


def _kind_tokens(value: str) -> set[str]:
    return set(re.split(r"[^a-z]+", value.lower())) - {""}


def _declared_nonarticle(facts: _PageFacts) -> str | None:
    """Why the page's markup says it is no article (an error page, a video, a recipe, a
    gallery, …), or None."""
    for text in [facts.title, facts.meta.get("og:title"), *facts.headings]:
        if text and any(_ERROR_TITLE.match(part) for part in _title_parts(text)):
            return f"an error page: {text!r}"
    if facts.declares_article():
        return None
    og_kinds = _kind_tokens(facts.og_type) & _NONARTICLE_KINDS
    if og_kinds:
        return f"og:type {facts.og_type!r}"
    for key, value in facts.meta.items():
        typed = re.search(r"(?:^|[:._-])(?:content|page)[-_]?type$", key)
        if typed and _kind_tokens(value) & _NONARTICLE_KINDS:
            return f"{key} {value!r}"
    kinds = [t for t in facts.schema_types() if _NONARTICLE_TYPE.match(t)]
    if kinds:
        return f"the page declares a {kinds[0]}"
    if facts.meta.get("twitter:card", "").lower() == "player":
        return "a video player page"
    segments = set(urlsplit(facts.url or "").path.lower().split("/"))
    if segments & _MEDIA_PATH_SEGMENTS and "og:video" in facts.meta:
        return "a video page"
    home = facts.url and urlsplit(facts.url).path.strip("/") in ("", "index.html", "index.php")
    if home and facts.og_type != "article":
        return "the site's home page"
    return None


def _title_parts(title: str) -> list[str]:
    return [title, *(p.strip() for p in _TITLE_SEPARATOR.split(title) if p.strip())]


# --- Pruning -----------------------------------------------------------------------------


def _tokens(element: Any) -> list[str]:
    return f"{element.get('class') or ''} {element.get('id') or ''}".lower().split()


def _marked(tokens: list[str], markers: tuple[str, ...]) -> bool:
    return any(
        token == marker or token.startswith((f"{marker}-", f"{marker}_"))
        for token in tokens
        for marker in markers
    )


def _words(element: Any) -> int:
    return len(element.text_content().split())


def _pruned(tree: Any) -> Any:
    """A copy of the page without ads, promotions, author bios and picture captions, never
    cutting out the element that holds the story (an `<article>` or `<main>`, or an
    element with most of the page's text)."""
    tree = copy.deepcopy(tree)
    body = tree.find(".//body")
    page_words = _words(body if body is not None else tree)
    doomed = []
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in _NEVER_PRUNED:
            continue
        tokens = _tokens(element)
        if not tokens:
            continue
        if _marked(tokens, _AD_MARKERS + _BIO_MARKERS + _CAPTION_MARKERS) or (
            _marked(tokens, _PICTURE_MARKERS)
            and element.tag != "p"
            and element.find(".//img") is not None
            and _words(element) <= _PICTURE_TEXT_WORDS
        ):
            doomed.append(element)
    for element in doomed:
        if _holds_story(element, page_words):
            continue
        parent = element.getparent()
        if parent is not None:
            _drop_keeping_tail(element)
    return tree


def _holds_story(element: Any, page_words: int) -> bool:
    if element.xpath(".//article | .//main | .//*[@itemprop='articleBody']"):
        return True
    return page_words > 0 and _words(element) >= page_words / 2


def _drop_keeping_tail(element: Any) -> None:
    """Remove an element but keep the text that follows it inside its parent."""
    parent = element.getparent()
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


# --- The story's text ------------------------------------------------------------------


def _story(tree: Any, facts: _PageFacts) -> tuple[Any, list[str]]:
    """(trafilatura's document, the story's lines): precision mode first; when it finds
    no prose, or less than half of the page's JSON-LD articleBody, the articleBody
    itself, then trafilatura's recall mode, then its baseline extractor."""
    import trafilatura

    document = trafilatura.bare_extraction(tree, favor_precision=True, **_EXTRACTION_OPTIONS)
    body = _article_body(facts)
    body_words = _prose_words(body)
    candidates = [_lines(getattr(document, "text", None))]
    if _prose_sentences(candidates[0]) and _prose_words(candidates[0]) * 2 >= body_words:
        # Precision mode found prose, and no less than half the articleBody: its
        # judgement stands, however short the text (a gallery's one-line introduction
        # is no story, and the extractors that keep more would only add captions).
        return document, candidates[0]
    if _is_story(body, body_words):
        # The publisher's own statement of the story, paragraphs and all.
        return document, body
    recall = trafilatura.bare_extraction(tree, favor_recall=True, **_EXTRACTION_OPTIONS)
    candidates.append(_lines(getattr(recall, "text", None)))
    document = document or recall
    try:
        _, baseline_text, _ = trafilatura.baseline(copy.deepcopy(tree))
    except Exception:
        baseline_text = ""
    candidates.append(_lines(baseline_text))
    for lines in candidates[1:]:
        if _is_story(lines, body_words):
            return document, lines
    return document, max([*candidates, body], key=_prose_words)


def _lines(text: str | None) -> list[str]:
    lines = [line.strip() for line in (text or "").split("\n") if line.strip()]
    for index in range(len(lines) // 3, len(lines)):
        if _REFERENCES_HEADING.match(lines[index]):
            return lines[:index]
    return lines


def _article_body(facts: _PageFacts) -> list[str]:
    for node in facts.json_ld:
        body = node.get("articleBody")
        if isinstance(body, str) and body.strip():
            return _lines(decode_entities(body))
    return []


def _prose_sentences(lines: list[str]) -> list[str]:
    """The sentences of prose in the text: six words or more, ended by sentence
    punctuation, at least two in five words in lower case."""
    prose = []
    for sentence in _SENTENCE.findall(" ".join(lines)):
        words = sentence.split()
        if len(words) < 6 or not _SENTENCE_END.search(sentence.strip()):
            continue
        lower = sum(word.lstrip("\"'“‘(").islower() for word in words)
        if lower * 5 >= len(words) * 2:
            prose.append(sentence)
    return prose


def _prose_words(lines: list[str]) -> int:
    return sum(len(s.split()) for s in _prose_sentences(lines))


def _has_prose(lines: list[str]) -> bool:
    sentences = _prose_sentences(lines)
    return (
        len(sentences) >= _MIN_SENTENCES
        and sum(len(s.split()) for s in sentences) >= _MIN_PROSE_WORDS
    )


def _is_story(lines: list[str], body_words: int) -> bool:
    """Enough prose, and at least half of what the page's articleBody says it holds."""
    return _has_prose(lines) and _prose_words(lines) * 2 >= body_words


def _text_nonarticle(lines: list[str], tree: Any) -> str | None:
    if not _has_prose(lines):
        return "too little prose for an article"
    links = {
        text
        for a in tree.iter("a")
        if len((text := " ".join(a.text_content().split())).split()) >= 3
    }
    linked_lines = [line for line in lines if " ".join(line.split()) in links]
    total = sum(len(line.split()) for line in lines)
    linked = sum(len(line.split()) for line in linked_lines)
    if total and linked > total * _MAX_LINK_SHARE:
        return "a page of links to other pages"
    teasers = max(len(linked_lines), _teaser_summaries(lines, tree))
    if teasers >= _MIN_TEASERS and teasers >= len(lines) * _TEASER_SHARE:
        return "a page of teasers: linked headlines, each with a summary"
    return None


def _teaser_summaries(lines: list[str], tree: Any) -> int:
    """How many of the lines are the summary right after a linked headline (the teaser
    of another page: `<h2><a>Headline</a></h2><p>Summary</p>`)."""
    wanted = {" ".join(line.split()) for line in lines}
    count = 0
    for heading in tree.xpath("//h1 | //h2 | //h3 | //h4"):
        words = _words(heading)
        linked = heading.xpath("ancestor::a") or any(
            _words(a) * 5 >= words * 4 for a in heading.iter("a")
        )
        if not words or not linked:
            continue
        following = heading.getnext()
        if following is None and heading.getparent() is not None:
            following = heading.getparent().getnext()
        if following is not None and " ".join(following.text_content().split()) in wanted:
            count += 1
    return count


# --- Headline and outlet -----------------------------------------------------------------


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _names_site(part: str, names: list[str]) -> bool:
    letters = _letters(part)
    if len(letters) < 2:
        return False
    for name in names:
        other = _letters(name)
        if len(other) >= 2 and (
            letters == other or (len(letters) >= 3 and other.startswith(letters))
        ):
            return True
    return False


def strip_site_name(title: str, names: list[str]) -> str:
    """The headline without the site's name as its prefix or suffix ("… | WIRED",
    "… - Reuters", "Site | …")."""
    separators = list(_TITLE_SEPARATOR.finditer(title))
    if not separators:
        return title
    last = separators[-1]
    if _names_site(title[last.end() :], names) and title[: last.start()].strip():
        title = title[: last.start()].strip()
        separators = list(_TITLE_SEPARATOR.finditer(title))
    if separators:
        first = separators[0]
        if _names_site(title[: first.start()], names) and title[first.end() :].strip():
            title = title[first.end() :].strip()
    return title


def _headline(facts: _PageFacts, document: Any) -> str | None:
    raw = facts.meta.get("og:title") or getattr(document, "title", None) or facts.title
    title = clean_label(_fully_decoded(raw)) if raw else None
    if title is None:
        return None
    return clean_label(strip_site_name(title, facts.site_names())) or title


def _fully_decoded(text: str) -> str:
    """A page title with its entities decoded however many times its CMS escaped them
    (`&amp;amp;#039;` in an `og:title`); a headline never shows an entity."""
    for _ in range(3):
        decoded = decode_entities(text)
        if decoded == text:
            break
        text = decoded
    return text


def _outlet(facts: _PageFacts, document: Any) -> str | None:
    for name in (facts.meta.get("og:site_name"), facts.publisher()):
        if label := clean_label(name):
            return clean_label(_fully_decoded(label))
    host = _host(facts.url or clean_url(getattr(document, "url", None)))
    return host or clean_label(getattr(document, "sitename", None))


# --- Publication time ----------------------------------------------------------------


def _marked_publication_times(tree: Any, facts: _PageFacts) -> Iterator[str]:
    """Publication times the page states in its markup, best first."""
    meta: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        content = element.get("content")
        if key and content:
            meta.setdefault(key.strip().lower(), content.strip())
    yield from (meta[name] for name in _PUBLISHED_META if name in meta)
    for value in facts.json_ld_scripts:
        yield from _json_ld_dates(value)
    for element in tree.iter("time"):
        stamp = element.get("datetime")
        if stamp and (element.get("itemprop") == "datePublished" or "pubdate" in element.attrib):
            yield stamp
    for element in tree.xpath("//article//time[@datetime] | //main//time[@datetime]"):
        yield element.get("datetime")


def _json_ld_dates(value: Any) -> Iterator[str]:
    """Every `datePublished` string, in document order (depth first, with a stack)."""
    stack: list[Iterator[Any]] = [iter([value])]
    while stack:
        node = next(stack[-1], _END)
        if node is _END:
            stack.pop()
        elif isinstance(node, dict):
            if isinstance(node.get("datePublished"), str):
                yield node["datePublished"]
            stack.append(iter(node.values()))
        elif isinstance(node, list):
            stack.append(iter(node))
