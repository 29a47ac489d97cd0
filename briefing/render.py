"""Render: a composed brief as Markdown, HTML, PDF and JSON.

Markdown is the master copy: the HTML is Python-Markdown's rendering of it (with line
breaking around citations and source paths set, `typeset_html`) and the PDF is
WeasyPrint's rendering of that HTML, so all three say the same thing. Renderers return
text or bytes; writing files is the caller's job.
"""

from __future__ import annotations

import json
import logging
import re
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from briefing import __version__
from briefing.config import UNSAFE_CHARACTERS
from briefing.model import Article, Brief, Item, Story
from briefing.options import DEFAULT_FOOTNOTES, FootnoteStyle, Format

if TYPE_CHECKING:
    from collections.abc import Sequence

    import jinja2

log = logging.getLogger(__name__)

NBSP = "\u00a0"


def citation_numbers(brief: Brief) -> dict[int, int]:
    """Footnote number of each cited article: 1..k in order of first citation, top stories
    first; a source cited again keeps its number."""
    numbers: dict[int, int] = {}
    for item in _items_in_reading_order(brief):
        for source in item.sources:
            numbers.setdefault(source, len(numbers) + 1)
    for events in brief.timeline:  # the timeline comes after the sections
        for event in events:
            numbers.setdefault(event.source, len(numbers) + 1)
    return numbers


def _items_in_reading_order(brief: Brief) -> list[Item]:
    return [*brief.key_points, *(item for s in brief.sections for item in s.items)]


# --- Markdown -------------------------------------------------------------------------

_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]])")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
_LINE_START = re.compile(r"^(?:(#|>|[+-](?=\s))|(\d+)(?=[.)]\s))")


def escape_markdown(text: str) -> str:
    """Escape text so every Markdown renderer shows it exactly as written.

    Only what could start markup is escaped, so the source stays readable when pasted:
    `\\ ` * _ [ ]` everywhere, `<`, `~` and entity-like `&` as character references
    (Python-Markdown has no backslash escape for them), and block markers at the start.
    """
    text = _ENTITY_LIKE.sub("&amp;", text)
    text = text.replace("<", "&lt;").replace("~", "&#126;")
    text = _INLINE_SPECIALS.sub(r"\\\1", text)
    # "# x" -> "\\# x"; "1. x" -> "1\\. x" (the marker after the number is what counts).
    return _LINE_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\", text)


_UNSAFE = re.compile(f"[{UNSAFE_CHARACTERS}]")
_UNSAFE_RUN = re.compile(f" *[{UNSAFE_CHARACTERS}][{UNSAFE_CHARACTERS} ]*")


def one_line(text: str) -> str:
    """TEXT as one line: every run of control characters and line separators (with the
    spaces around it) becomes one space. Text without any is returned as it is."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE_RUN.sub(" ", text).strip()


def visible(text: str) -> str:
    """TEXT with each control character or line separator written as its escape (`\\n`,
    `\\x1b`, `\\u2028`), for names that must stay recognisable, such as file paths."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def escape_metadata(text: str) -> str:
    """A title, outlet or headline from the sources, as one line of escaped Markdown."""
    return escape_markdown(one_line(text))


def escape_heading(text: str) -> str:
    """A heading's text: one line, escaped, and a trailing `#` kept (not read as the
    heading's closing sequence)."""
    escaped = escape_metadata(text)
    return escaped[:-1] + "\\#" if escaped.endswith("#") else escaped


def _code_span(text: str) -> str:
    """A code span showing TEXT (a file path) exactly: its fence is longer than any run of
    backticks inside, and control characters and line breaks are shown as escapes, so
    nothing in a name can end the span, the line or the paragraph."""
    text = visible(text)
    if "`" not in text:
        return f"`{text}`"
    fence = "`" * (max(len(run) for run in re.findall("`+", text)) + 1)
    return f"{fence} {text} {fence}"


# Characters a link is percent-encoded for: whatever could end an autolink or start
# Markdown inside one, white space, controls and separators.
_URL_UNSAFE = re.compile(f'[\\s<>"`\\\\\\[\\]{{}}|^{UNSAFE_CHARACTERS}\u00a0]')


def _link(url: str) -> str:
    """A source's link: an `<https://…>` autolink, with anything that could end it or
    start markup percent-encoded; a link of any other scheme is shown as text."""
    if not re.match(r"(?i)https?://", url):
        return escape_metadata(url)
    return "<" + _URL_UNSAFE.sub(lambda m: quote(m.group(), safe=""), url) + ">"


def _template_environment() -> jinja2.Environment:
    import jinja2  # JSON needs no templates: a JSON-only brief never loads Jinja

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load_template),
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = escape_markdown
    env.filters["code"] = _code_span
    env.filters["meta"] = escape_metadata
    env.filters["heading"] = escape_heading
    env.filters["link"] = _link
    env.filters["one_line"] = one_line
    return env


def _load_template(name: str) -> str:
    return resources.files("briefing.templates").joinpath(name).read_text(encoding="utf-8")


def reported_by(item: Item) -> str:
    """The corroboration marker after an item told by more than one outlet (entries and
    pages of one outlet count once)."""
    return f" (reported by {item.outlets} outlets)" if item.outlets > 1 else ""


def status_mark(brief: Brief, item: Item) -> str:
    """What is new since the last briefs (with a history that knew one): " — new", or
    " — update, reported since DATE" for a known story or a fact more outlets now carry."""
    if not brief.follows_history or not item.status:
        return ""
    if item.status == "update" and item.first_reported is not None:
        return f" — update, reported since {item.first_reported.isoformat()}"
    return f" — {item.status}"


def carried_by(story: Story) -> str:
    """Who carries a top story: "3 outlets: A, B, C", or "3 outlets, among them A" when
    some of its articles name no outlet."""
    count = f"{story.outlets} outlet{'s' if story.outlets != 1 else ''}"
    names = ", ".join(story.outlet_names)
    if not names:
        return count
    return (
        f"{count}: {names}"
        if len(story.outlet_names) == story.outlets
        else f"{count}, among them {names}"
    )


def citation_markers(numbers: list[int], footnotes: FootnoteStyle = DEFAULT_FOOTNOTES) -> str:
    """An item's citations, written after its last word: `[^1],[^3]` (gfm) or
    ` [1, 3]` (plain), the numbers in ascending order.

    A comma keeps neighbouring markers apart, so ¹ and ³ never read as ¹³. In the plain
    style the spaces are no-break spaces (U+00A0): a marker never wraps onto a line of its
    own. A gfm marker follows the word directly, which no renderer breaks apart except
    WeasyPrint; the HTML joins them for it (`typeset_html`).
    """
    if footnotes == "plain":
        return NBSP + "[" + f",{NBSP}".join(str(n) for n in numbers) + "]"
    return ",".join(f"[^{n}]" for n in numbers)


def render_markdown(brief: Brief, footnotes: FootnoteStyle = DEFAULT_FOOTNOTES) -> str:
    """`gfm` cites with `[^n]` footnotes; `plain` with `[n]` references to a numbered
    Sources list, for wikis whose Markdown has no footnotes."""
    numbers = citation_numbers(brief)

    def refs(item: Item) -> str:
        return citation_markers(sorted(numbers[a] for a in item.sources), footnotes)

    template = _template_environment().get_template("brief.md.j2")
    return template.render(
        reported=reported_by,
        title=brief.title,  # each title is made one line and escaped by the template
        date=brief.date.isoformat(),
        articles=brief.articles,
        top_stories=brief.top_stories,
        carried=carried_by,
        status=lambda item: status_mark(brief, item),
        timeline=[
            (section, events)
            for section, events in zip(brief.sections, brief.timeline, strict=True)
            if events
        ]
        if brief.timeline
        else [],
        cite=lambda source: citation_markers([numbers[source]], footnotes),
        sections=brief.sections,
        cited=[brief.articles[a] for a in numbers],
        refs=refs,
        footnotes=footnotes,
    )


# --- HTML and PDF ---------------------------------------------------------------------


def markdown_to_html(text: str) -> str:
    import markdown  # only HTML and PDF need it

    return markdown.markdown(text, extensions=["footnotes"], output_format="html")


# Python-Markdown's rendering of a footnote reference `[^3]` (the second use of a note
# gets the id `fnref2:3`, and so on).
_FOOTNOTE_REF = r'<sup id="fnref\d*:\d+"><a class="footnote-ref" href="#fn:\d+">\d+</a></sup>'
# The word before an item's markers and the markers, `,`-separated (`citation_markers`).
_CITED_WORD = re.compile(rf"(?<![^\s>])[^\s<>]*(?:{_FOOTNOTE_REF},)*{_FOOTNOTE_REF}")
# A source's file, `(<code>…</code>)`, and its link, an autolink `<a href="URL">URL</a>`.
_FILE_REF = re.compile(r"\(<code>([^<]*)</code>\)")
_LINK_REF = re.compile(r'<a href="([^"]+)">\1</a>')
# A "/" that ends a path's part: not one of the two in `https://`, not a leading or a
# trailing one.
_PATH_BREAK = re.compile(r"(?<=[^/])/(?=[^/])")
_ORIGIN = re.compile(r"(?i)https?://[^/]*/?")


def typeset_html(body: str) -> str:
    """Typesetting the rendered Markdown needs in HTML and PDF; no visible text changes.

    - Each run of footnote markers is kept on one line with the word before it
      (`<span class="cited">`): WeasyPrint would otherwise break before a superscript or
      after the comma between two, leaving `¹` or `³` alone on a line. The comma is
      raised with them (`¹,³`).
    - A source's file and link (`<span class="source-ref">`, `<a class="source-ref">`)
      move whole to the next line when they do not fit at the end of one; only one
      longer than a whole line breaks: after a `/` (`<wbr>`) or at a hyphen of the
      name, never inside `https://host/` (`<span class="origin">`).
    """
    body = _CITED_WORD.sub(_cited, body)
    body = _FILE_REF.sub(
        lambda m: f'<span class="source-ref">(<code>{_breakable(m[1])}</code>)</span>', body
    )
    return _LINK_REF.sub(
        lambda m: f'<a class="source-ref" href="{m[1]}">{_breakable(m[1])}</a>', body
    )


def _cited(match: re.Match[str]) -> str:
    markers = match.group().replace("</sup>,<sup", "</sup><sup>,</sup><sup")
    return f'<span class="cited">{markers}</span>'


def _breakable(path: str) -> str:
    """PATH (HTML text) with a break opportunity after each part's "/", and a link's
    `scheme://host/` kept whole, so no line ends in `https://`."""
    origin = _ORIGIN.match(path)
    if origin is None:
        return _PATH_BREAK.sub("/<wbr>", path)
    rest = path[origin.end() :]
    return f'<span class="origin">{origin.group()}</span>' + (
        "<wbr>" + _PATH_BREAK.sub("/<wbr>", rest) if rest else ""
    )


def render_html(brief: Brief, *, print_css: bool = False) -> str:
    return markdown_page(
        render_markdown(brief), brief.title, brief.date.isoformat(), print_css=print_css
    )


def markdown_page(markdown_text: str, title: str, date: str, *, print_css: bool = False) -> str:
    """A brief's Markdown as a styled HTML page (also the HTML body of the email)."""
    from markupsafe import Markup  # Jinja's own, loaded with it

    css = _load_template("brief.css")
    css += "\n" + _load_template("print.css" if print_css else "screen.css")
    template = _template_environment().get_template("brief.html.j2")
    return template.render(
        title=one_line(title),
        date=date,
        version=__version__,
        css=Markup(css),
        body=Markup(typeset_html(markdown_to_html(markdown_text))),
    )


def render_pdf(brief: Brief) -> bytes:
    """PDF of the HTML brief; WeasyPrint is imported only when a PDF is asked for."""
    from briefing.pdf import html_to_pdf

    return html_to_pdf(render_html(brief, print_css=True))


# --- JSON -----------------------------------------------------------------------------


def _item_json(brief: Brief, item: Item, explain: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "text": item.text,
        "sources": [brief.articles[a].id for a in item.sources],
        "score": item.score,
    }
    if item.status:
        data["story"] = item.story
        data["status"] = item.status
        data["first_reported"] = item.first_reported.isoformat() if item.first_reported else None
    if explain:
        data["explain"] = explanation(brief, item)
    return data


def explanation(brief: Brief, item: Item) -> dict[str, Any]:
    """Why an item is in the brief: what routed it to its topic, how its selection
    weighed it, and which retellings of the same fact it stands for."""
    return {
        "keywords": list(item.keywords),
        "learned_terms": list(item.learned),
        "article": article_leaning(brief, item.sources[0]),
        "relevance": dict(item.relevance),
        "outlets": item.outlets,
        "merged": [
            {
                "text": r.text,
                "source": brief.articles[r.article].id,
                "cited": r.cited,
                "why": r.reason,
            }
            for r in item.retellings
        ],
    }


def article_leaning(brief: Brief, article: int) -> dict[str, Any]:
    """Why an article leaned to its topics: its affinity for each (and for none), the
    keywords it and its headline use, and its nearest articles with the topic each leans
    to; what an analyst needs to fix a topics file."""
    routing = brief.routing
    if routing is None or routing.neighbours is None or routing.neighbour_weights is None:
        return {}
    topics = [section.topic for section in brief.sections]

    def leans_to(index: int) -> str:
        row = routing.affinity[index]
        best = int(row.argmax())
        return topics[best].id if best < len(topics) else "none"

    neighbours = [
        {
            "id": brief.articles[int(other)].id,
            "cosine": round(float(weight), 3),
            "leans_to": leans_to(int(other)),
            "affinity": round(float(routing.affinity[int(other)].max()), 3),
        }
        for other, weight in zip(
            routing.neighbours[article], routing.neighbour_weights[article], strict=True
        )
        if weight > 0
    ]
    return {
        "id": brief.articles[article].id,
        "affinity": {
            **{t.id: round(float(routing.affinity[article, i]), 3) for i, t in enumerate(topics)},
            "none": round(float(routing.affinity[article, len(topics)]), 3),
        },
        "keywords": {
            t.id: list(routing.keywords[article][i])
            for i, t in enumerate(topics)
            if routing.keywords[article][i]
        },
        "headline_keywords": {
            t.id: list(routing.headline_keywords[article][i])
            for i, t in enumerate(topics)
            if routing.headline_keywords[article][i]
        },
        "neighbours": neighbours,
    }


def _source_json(article: Article) -> dict[str, Any]:
    """What a citation needs; outlet, url and published are null when the source is silent."""
    return {
        "id": article.id,
        "title": article.title,
        "path": article.path,
        "outlet": article.outlet,
        "url": article.url,
        "published": article.published.isoformat() if article.published else None,
    }


def render_json(brief: Brief, explain: bool = False) -> str:
    """The contract other tools rely on; `sources` lists every article read. With
    `explain`, each item also says why it was picked.

    The text is `json.dumps(brief_json(brief, explain), ensure_ascii=False, indent=2)`,
    with the sources written by `_sources_text`: the standard library indents in Python,
    which took 0.6 s for the 100,000 sources of a large day, against 0.2 s."""
    text = json.dumps(brief_json(brief, explain, sources=False), ensure_ascii=False, indent=2)
    place = json.dumps(_SOURCES_PLACE)
    if text.count(place) != 1:  # (no other value can be the place, but never guess)
        return json.dumps(brief_json(brief, explain), ensure_ascii=False, indent=2) + "\n"
    return text.replace(place, _sources_text(brief.articles)) + "\n"


_SOURCES_PLACE = "\x00sources\x00"  # where the sources go in the indented text


def _sources_text(articles: Sequence[Article]) -> str:
    """The sources' list (each one's `_source_json`) as `json.dumps(indent=2)` writes it
    as a value of the brief's top level: each key and string as its encoder writes it
    (`encode_basestring`), each null as `null`."""
    if not articles:
        return "[]"
    from json.encoder import encode_basestring

    def value(text: str | None) -> str:
        return "null" if text is None else encode_basestring(text)

    # One template of the fields `_source_json` gives, in its order (its braces doubled).
    keys = [value(key) for key in _source_json(articles[0])]
    entry = "{{\n      " + ",\n      ".join(f"{key}: {{}}" for key in keys) + "\n    }}"
    entries = [entry.format(*map(value, _source_json(a).values())) for a in articles]
    return "[\n    " + ",\n    ".join(entries) + "\n  ]"


def brief_json(brief: Brief, explain: bool = False, *, sources: bool = True) -> dict[str, Any]:
    """The data `render_json` writes (`sources`: with the list of every article read)."""
    topic_of = {
        item.sentence: section.topic.id for section in brief.sections for item in section.items
    }
    data = {
        "date": brief.date.isoformat(),
        "title": one_line(brief.title),
        "topics": [
            {
                "id": section.topic.id,
                "title": one_line(section.topic.title),
                "items": [_item_json(brief, item, explain) for item in section.items],
            }
            for section in brief.sections
        ],
        "top_stories": [
            {
                "label": one_line(top.story.label),
                "outlets": top.story.outlets,
                "outlet_names": [one_line(name) for name in top.story.outlet_names],
                "articles": [brief.articles[a].id for a in top.story.articles],
                "first": top.story.first.isoformat() if top.story.first else None,
                "last": top.story.last.isoformat() if top.story.last else None,
                "item": {
                    "topic": topic_of[top.item.sentence],
                    **_item_json(brief, top.item, explain),
                },
            }
            for top in brief.top_stories
        ],
        # (without `sources`, the place `render_json` writes them in)
        "sources": [_source_json(a) for a in brief.articles] if sources else _SOURCES_PLACE,
    }
    if brief.timeline:  # with --timeline
        data["timeline"] = [
            {
                "topic": section.topic.id,
                "events": [
                    {
                        "date": event.date.isoformat(),
                        "text": event.text,
                        "source": brief.articles[event.source].id,
                    }
                    for event in events
                ],
            }
            for section, events in zip(brief.sections, brief.timeline, strict=True)
        ]
    if brief.story_records:  # with a history: the stories it now remembers
        data["stories"] = [
            {
                "story": story.key,
                "label": one_line(story.label),
                "first_reported": story.first_reported.isoformat(),
                "articles": list(story.articles),
            }
            for story in brief.story_records
        ]
    return data


def render_explanation(brief: Brief) -> str:
    """A plain-text account of every pick, for an analyst tuning the topics file."""
    template = _template_environment().get_template("explain.txt.j2")
    return template.render(
        sections=brief.sections,
        articles=brief.articles,
        explain=lambda item: explanation(brief, item),
        ids=lambda item: ", ".join(brief.articles[a].id for a in item.sources),
    )


def render_brief(
    brief: Brief,
    fmt: Format,
    *,
    footnotes: FootnoteStyle = DEFAULT_FOOTNOTES,
    explain: bool = False,
) -> bytes:
    """The brief as the bytes of one output format (`footnotes` shapes the Markdown,
    `explain` adds the reasons for each pick to the JSON)."""
    rendered: str | bytes
    if fmt == "md":
        rendered = render_markdown(brief, footnotes)
    elif fmt == "json":
        rendered = render_json(brief, explain=explain)
    elif fmt == "html":
        rendered = render_html(brief)
    else:
        rendered = render_pdf(brief)
    return rendered.encode("utf-8") if isinstance(rendered, str) else rendered
