"""Citations that read right, in every output: several sources on one item show as
separate markers in ascending order (Markdown in both styles, HTML, PDF, the email), a
marker never wraps onto a line of its own, and a source's file or link moves whole to the
next line or breaks after a "/". The PDF is read back with pypdf and laid out by
WeasyPrint itself; the Markdown is rendered by Python-Markdown."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import re

import pypdf
import pytest
import tinycss2
import weasyprint
from brieftest import (
    DATE_TEXT,
    PORT_DATE,
    PORT_TOPICS,
    SOURCE_FIXTURES,
    RenderedPdf,
    html_to_text,
    normalise,
)

from briefing.compose import Brief, Item
from briefing.deliver import build_message
from briefing.pipeline import build_brief
from briefing.render import markdown_to_html, render_html, render_markdown
from briefing.topics import load_topics

NBSP = "\u00a0"
# The seeds' Putin quote on Idlib is told by two outlets; its Sources entries are 1 (the
# Su-35 article, 002) and 4 (RFE/RL, 001), as the README's excerpt shows.
IDLIB_END = "Putin told a joint briefing with Erdogan."
REPORTED = " (reported by 2 outlets)"


def reading_order(brief: Brief) -> list[Item]:
    return [*brief.key_points, *(item for s in brief.sections for item in s.items)]


def pdf_lines(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [line for page in reader.pages for line in page.extract_text().splitlines()]


def body_of(page: str) -> str:
    match = re.search(r"<body>(.*)</body>", page, re.DOTALL)
    assert match is not None
    return match[1]


def pdf_at_width(page: str, width: str, media: str = "print", css: str = "") -> bytes:
    """PAGE laid out by WeasyPrint on pages WIDTH wide (and as tall as A4)."""
    sized = page.replace("</head>", f"<style>@page {{ size: {width} 297mm; }} {css}</style></head>")
    return weasyprint.HTML(string=sized, media_type=media).write_pdf()


@pytest.fixture(scope="module")
def port_brief() -> Brief:
    return build_brief([SOURCE_FIXTURES], load_topics(PORT_TOPICS), PORT_DATE, zone=dt.UTC)


# --- Separate markers in ascending order ------------------------------------------------


def test_two_sources_are_cited_as_separate_ascending_markers_in_gfm_markdown(
    seeds_brief: Brief,
) -> None:
    lines = [line for line in render_markdown(seeds_brief).splitlines() if IDLIB_END in line]
    assert lines and all(line.endswith(f"{IDLIB_END}[^1],[^4]{REPORTED}") for line in lines)


def test_two_sources_are_cited_as_one_bracket_with_no_break_spaces_in_plain_markdown(
    seeds_brief: Brief,
) -> None:
    text = render_markdown(seeds_brief, "plain")
    lines = [line for line in text.splitlines() if IDLIB_END in line]
    assert lines and all(line.endswith(f"{IDLIB_END}{NBSP}[1,{NBSP}4]{REPORTED}") for line in lines)
    assert f"{NBSP}[4]\n" in text  # one source: the same no-break space before it


def test_the_html_shows_the_markers_of_several_sources_separated(seeds_brief: Brief) -> None:
    page = render_html(seeds_brief)
    shown = [html_to_text(li) for li in re.findall(r"<li>(.*?)</li>", page, re.DOTALL)]
    assert sum(li.endswith(f"{IDLIB_END}1,4{REPORTED}") for li in shown) == 1
    # Every item's markers: ascending numbers, one comma between two.
    for item in reading_order(seeds_brief):
        [li] = {li for li in shown if li.startswith(normalise(item.text))}
        markers = li[len(normalise(item.text)) :].removesuffix(REPORTED)
        assert re.fullmatch(r"\d+(,\d+)*", markers), li
        numbers = [int(n) for n in markers.split(",")]
        assert numbers == sorted(numbers) and len(numbers) == len(item.sources)


def test_the_pdf_text_shows_the_markers_of_several_sources_separated(
    seeds_pdf: RenderedPdf,
) -> None:
    text = normalise(" ".join(pdf_lines(seeds_pdf.data)))
    assert text.count(f"{IDLIB_END}1,4{REPORTED}") == 1
    assert f"{IDLIB_END}31" not in text and f"{IDLIB_END}13" not in text


def test_the_email_shows_separated_ascending_markers_in_its_text_and_html(
    seeds_brief: Brief, seeds_pdf: RenderedPdf
) -> None:
    for style, in_text in (("gfm", "[^1],[^4]"), ("plain", f"{NBSP}[1,{NBSP}4]")):
        message = build_message(
            markdown_text=render_markdown(seeds_brief, style),
            title=seeds_brief.title,
            date=DATE_TEXT,
            pdf=seeds_pdf.data,
            pdf_name=f"brief-{DATE_TEXT}.pdf",
            sender="briefing@example.com",
            to=("analyst@example.com",),
            now=dt.datetime(2026, 11, 22, 7, 0, tzinfo=dt.UTC),
        )
        received = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
        plain, page = received.get_body(("plain",)), received.get_body(("html",))
        assert plain is not None and page is not None
        assert plain.get_content().count(f"{IDLIB_END}{in_text}{REPORTED}") == 1, style
        in_html = "1,4" if style == "gfm" else " [1, 4]"  # (the no-break spaces normalised)
        assert html_to_text(page.get_content()).count(f"{IDLIB_END}{in_html}") == 1, style


# --- Line breaking ------------------------------------------------------------------------


def test_typesetting_changes_no_visible_text_and_no_link(
    seeds_brief: Brief, port_brief: Brief
) -> None:
    for brief in (seeds_brief, port_brief):
        text = render_markdown(brief)
        page, plain = body_of(render_html(brief)), markdown_to_html(text)
        assert html_to_text(page) == html_to_text(plain)
        hrefs = re.compile(r'href="([^"]*)"')
        assert hrefs.findall(page) == hrefs.findall(plain)
        assert page.count('<span class="cited">') == len(reading_order(brief))


@pytest.mark.parametrize("width", ["100mm", "115mm", "140mm", "195mm", "210mm"])
def test_a_marker_never_stands_alone_on_a_line_of_the_pdf(seeds_brief: Brief, width: str) -> None:
    """At A4 width (210 mm) the seeds' brief once put `¹` alone under "hardware."; at each
    of these widths, without the joining, some item's marker ends up alone on a line.
    No line of the PDF is made of markers only."""
    lines = pdf_lines(pdf_at_width(render_html(seeds_brief, print_css=True), width))
    assert [line for line in lines if re.fullmatch(r"[\d,\s]+", line)] == []


def _broken_sensibly(lines: list[str], target: str) -> bool:
    """Whether TARGET is on one line, or split over lines each of which (but the last)
    ends with a "/" or a hyphen of its own, and the first of which holds its
    `https://host/` whole."""
    text = "\n".join(line.strip() for line in lines)
    match = re.search("\n?".join(re.escape(c) for c in target), text)
    assert match is not None, target
    pieces = match[0].split("\n")
    origin = re.match(r"https?://[^/]+/", target)
    return (origin is None or pieces[0].startswith(origin[0])) and all(
        p.endswith(("/", "-")) and not p.endswith("//") for p in pieces[:-1]
    )


@pytest.mark.parametrize("width", ["120mm", "210mm"])
def test_a_source_link_moves_whole_to_the_next_line_or_breaks_after_a_slash(
    port_brief: Brief, width: str
) -> None:
    lines = pdf_lines(pdf_at_width(render_html(port_brief, print_css=True), width))
    urls = [a.url for a in port_brief.articles if a.url and a.url in render_markdown(port_brief)]
    assert len(urls) >= 5
    for url in urls:
        assert _broken_sensibly(lines, url), url
    if width == "210mm":  # A4: every link fits on a line of its own, so none is broken
        assert all(any(url in line for line in lines) for url in urls)


def test_a_source_file_is_never_split_after_its_folder(
    seeds_brief: Brief, seeds_pdf: RenderedPdf
) -> None:
    """`(seeds/003_….txt)` used to end one line with `(seeds/` and start the next with
    the file's name; now it moves whole to the next line."""
    lines = pdf_lines(seeds_pdf.data)
    files = re.findall(r"\(`([^`]+)`\)", render_markdown(seeds_brief))
    assert len(files) == 5
    for path in files:
        assert any(f"({path})" in line for line in lines), path


# --- Phone width --------------------------------------------------------------------------


def narrow_screen_rules(page: str) -> str:
    """The rules the page gives a narrow screen (its `@media screen and (max-width: …)`
    blocks), read by tinycss2 as a browser reads them. WeasyPrint evaluates no media
    features, so the test lays the page out with these rules applied directly."""
    css = re.search(r"<style>(.*?)</style>", page, re.DOTALL)
    assert css is not None
    rules = tinycss2.parse_stylesheet(css[1], skip_comments=True, skip_whitespace=True)
    narrow = [
        rule
        for rule in rules
        if rule.type == "at-rule"
        and rule.lower_at_keyword == "media"
        and "max-width" in tinycss2.serialize(rule.prelude)
    ]
    assert narrow, "no rules for narrow screens"
    return "".join(tinycss2.serialize(rule.content or []) for rule in narrow)


def test_the_html_page_has_a_viewport_and_fits_a_phone_screen(port_brief: Brief) -> None:
    page = render_html(port_brief)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    phone = "360px"  # a common phone's CSS width
    document = weasyprint.HTML(
        string=page.replace(
            "</head>",
            f"<style>@page {{ size: {phone} 4000px; margin: 0 }} "
            f"{narrow_screen_rules(page)}</style></head>",
        ),
        media_type="screen",
    ).render()
    rectangles = [link[2] for p in document.pages for link in p.links]
    assert len(rectangles) >= 10  # markers and the sources' links
    for left, _, right, _ in rectangles:  # (x1, y1, x2, y2), in CSS pixels
        assert 0 <= left <= right <= 360 + 0.5, (left, right)
    # The margins go to the text: each item starts close to the screen's left edge.
    data = document.write_pdf()
    starts = item_starts(data, reading_order(port_brief))
    assert starts and max(starts) < 0.12 * 270, starts  # 360 px are 270 pt
    text = normalise(" ".join(pdf_lines(data)))
    for item in reading_order(port_brief):
        assert normalise(item.text) in text


def item_starts(data: bytes, items: list[Item]) -> list[float]:
    """Where, in points from the page's left edge, the first line of each item starts."""
    openings = {item.text[:12] for item in items}
    starts: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text[:12] in openings:
            starts.append(tm[4] * cm[0] + cm[4])

    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        page.extract_text(visitor_text=visit)
    return starts
