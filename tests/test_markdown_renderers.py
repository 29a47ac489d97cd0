"""The Markdown brief in both citation styles, rendered by three real renderers
(Python-Markdown, markdown-it-py with its footnote plugin, GitHub's cmark-gfm): every
sentence shows exactly as quoted, and every citation leads to the right source."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import markdown
import pytest
from brieftest import DATE, DATE_TEXT, normalise
from cmarkgfm.cmark import Options
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from briefing.compose import Brief, Item
from briefing.pipeline import build_brief
from briefing.render import citation_numbers, render_markdown, reported_by
from briefing.topics import parse_topics


def python_markdown(text: str) -> str:
    return markdown.markdown(text, extensions=["footnotes"])


def markdown_it(text: str) -> str:
    return MarkdownIt("commonmark").use(footnote_plugin).render(text)


def cmark_gfm(text: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_FOOTNOTES)


RENDERERS: dict[str, Callable[[str], str]] = {
    "python-markdown": python_markdown,
    "markdown-it-py": markdown_it,
    "cmark-gfm": cmark_gfm,
}

VOID = {"br", "hr", "img", "input", "meta", "link", "wbr"}
# One footnote marker as a renderer shows it: "3", or "[3]" and "[3:1]" (markdown-it-py).
MARKER = r"\[?\d+(?::\d+)?\]?"


@dataclass
class ListItem:
    text: str
    links: list[str]
    parent: str  # "ul" or "ol"


@dataclass
class _Element:
    tag: str
    id: str | None
    parts: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


class Outline(HTMLParser):
    """What a reader sees of a rendered page: the text of each list item and of each
    element with an id, and the links inside each list item."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[_Element] = []
        self.by_id: dict[str, str] = {}
        self.items: list[ListItem] = []
        self.headings: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        attributes = dict(attrs)
        href = attributes.get("href")
        if tag == "a" and href:
            for element in self.open:
                element.links.append(href)
        self.open.append(_Element(tag, attributes.get("id")))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        element = self.open.pop()
        assert element.tag == tag, (element.tag, tag)
        raw = "".join(element.parts)
        text = normalise(raw)
        if element.id:
            self.by_id[element.id] = text
        if tag == "li":
            self.items.append(ListItem(text, element.links, self.open[-1].tag))
        if tag in ("h1", "h2"):
            self.headings.append(text)
        if self.open:
            self.open[-1].parts.append(raw)

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[-1].parts.append(data)


def reading_order(brief: Brief) -> list[Item]:
    return [*brief.key_points, *(item for s in brief.sections for item in s.items)]


def cites(text: str, brief: Brief, article: int) -> bool:
    """Whether a rendered citation names the article: its headline, and its link or file."""
    source = brief.articles[article]
    return source.title in text and (source.url or source.path) in text


TRICKY = (
    "Erdoğan’s “new era” on the S-400 began in *Moscow* on August_9, officials said.",
    "The [draft] deal, per clause [^2] and [1](http://example.com), covers S-400 systems.",
    "A <b>bold</b> claim & &amp; entity: `code` and ~~strike~~ on the S-400 deal.",
    "# Ankara's C:\\deal\\notes said the S-400 purchase was final.",
    "1) Turkey took delivery of the first S-400 battery in July.",
    "- Greece asked about the S-400 radar range, ** twice.",
)


@pytest.fixture(scope="module")
def tricky_brief(tmp_path_factory: pytest.TempPathFactory) -> Brief:
    folder = tmp_path_factory.mktemp("tricky")
    for number, sentence in enumerate(TRICKY):
        title = f"Report *{number}* on the S-400 [deal] & <more>"
        (folder / f"report-{number}.txt").write_text(f"{title}\n\n{sentence}\n", encoding="utf-8")
    (folder / "sources.toml").write_text(
        '["report-0.txt"]\noutlet = "Hürriyet *Daily* [news]"\n'
        'url = "https://example.com/s_400?a=1&b=2"\npublished = "2026-11-21T10:00:00+03:00"\n',
        encoding="utf-8",
    )
    topics = parse_topics(
        '[[topics]]\nid = "s400"\ntitle = "S-400 *deal*"\nkeywords = ["S-400"]\n', "t.toml"
    )
    brief = build_brief([folder], topics, DATE, per_topic=10)
    assert set(TRICKY) <= {item.text for item in reading_order(brief)}
    assert brief.articles[0].url and brief.articles[0].outlet  # a full citation, too
    return brief


@pytest.fixture(params=["seeds", "tricky"])
def brief(request: pytest.FixtureRequest, seeds_brief: Brief, tricky_brief: Brief) -> Brief:
    return seeds_brief if request.param == "seeds" else tricky_brief


@pytest.mark.parametrize("renderer", RENDERERS)
def test_gfm_footnotes_render_intact_and_resolve(brief: Brief, renderer: str) -> None:
    outline = Outline(RENDERERS[renderer](render_markdown(brief, "gfm")))
    assert outline.headings[0] == f"{brief.title} — {DATE_TEXT}"
    numbers = citation_numbers(brief)
    items = reading_order(brief)
    item_lis, source_lis = outline.items[: len(items)], outline.items[len(items) :]
    for item, li in zip(items, item_lis, strict=True):
        text = normalise(item.text)
        assert li.text.startswith(text), (renderer, li.text)
        # Markers right after the text, comma-separated: "1,3" (markdown-it: "[1],[3]",
        # and "[1:1]" for a note's second reference), then "(reported by N outlets)".
        shown = re.fullmatch(
            rf"({MARKER}(?:,{MARKER})*){re.escape(reported_by(item))}", li.text[len(text) :]
        )
        assert shown, (renderer, li.text)
        shown_numbers = [int(n) for n in re.findall(r"(?<![\d:])\d+", shown[1])]
        assert shown_numbers == sorted(numbers[a] for a in item.sources), li.text
        # (cmark-gfm also turns a bare URL in a quote into a link; its text stays as quoted.)
        citations = [link for link in li.links if link.startswith("#")]
        in_order = sorted(item.sources, key=numbers.__getitem__)
        for link, article in zip(citations, in_order, strict=True):
            assert cites(outline.by_id[link[1:]], brief, article), link
    cited = list(citation_numbers(brief))
    assert len(source_lis) == len(cited)
    for li, article in zip(source_lis, cited, strict=True):
        assert cites(li.text, brief, article), li.text


@pytest.mark.parametrize("renderer", RENDERERS)
def test_plain_references_render_intact_and_resolve(brief: Brief, renderer: str) -> None:
    text = render_markdown(brief, "plain")
    assert "[^" not in text.replace("\\[^", "")
    outline = Outline(RENDERERS[renderer](text))
    assert outline.headings[0] == f"{brief.title} — {DATE_TEXT}"
    assert outline.headings[-1] == "Sources"
    numbers = citation_numbers(brief)
    items = reading_order(brief)
    item_lis, source_lis = outline.items[: len(items)], outline.items[len(items) :]
    # The numbered Sources list: the n-th entry is source [n].
    assert len(source_lis) == len(numbers)
    for li, article in zip(source_lis, numbers, strict=True):
        assert cites(li.text, brief, article), li.text
    assert {li.parent for li in source_lis} == {"ol"}
    for item, li in zip(items, item_lis, strict=True):
        refs = ", ".join(str(n) for n in sorted(numbers[a] for a in item.sources))
        assert li.text == f"{normalise(item.text)} [{refs}]{reported_by(item)}", renderer
        assert not [link for link in li.links if link.startswith("#")]  # [n] is text
        for article in item.sources:
            assert cites(source_lis[numbers[article] - 1].text, brief, article)


def test_gfm_output_is_the_default(seeds_brief: Brief) -> None:
    assert render_markdown(seeds_brief) == render_markdown(seeds_brief, "gfm")


def test_plain_style_differs_only_in_citations(seeds_brief: Brief) -> None:
    """`[^1],[^3]` at an item's end becomes ` [1, 3]` (no-break spaces), `[^n]: ` `n. `."""
    gfm, plain = render_markdown(seeds_brief, "gfm"), render_markdown(seeds_brief, "plain")
    refs_at_end = r"((?:\[\^\d+\],)*\[\^\d+\])(?=( \(reported by \d+ outlets\))?$)"

    def as_plain_refs(match: re.Match[str]) -> str:
        return "\u00a0[" + ",\u00a0".join(re.findall(r"\d+", match[1])) + "]"

    as_plain = re.sub(refs_at_end, as_plain_refs, gfm, flags=re.MULTILINE)
    as_plain = re.sub(r"^\[\^(\d+)\]: ", r"\1. ", as_plain, flags=re.MULTILINE)
    assert as_plain == plain


def test_cli_footnotes_option(tmp_path: Path) -> None:
    from brieftest import REPO, run_cli

    result = run_cli(
        "build", "seeds", "--date", DATE_TEXT, "--out", str(tmp_path), "--format", "md",
        "--footnotes", "plain", cwd=REPO,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = (tmp_path / f"brief-{DATE_TEXT}.md").read_text(encoding="utf-8")
    assert "[^" not in text and "\n1. " in text
    bad = run_cli("build", "--footnotes", "wiki", "--out", str(tmp_path), cwd=REPO)
    assert bad.returncode == 2 and "--footnotes" in bad.stderr
