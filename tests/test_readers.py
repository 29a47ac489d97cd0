"""Each reader on the invented fixtures: clean text, and the metadata a citation needs."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from brieftest import MALFORMED, SOURCE_FIXTURES

from briefing.ingest import Article, read_articles
from briefing.readers import reader_for
from briefing.readers.common import (
    Record,
    body_paragraphs,
    clean_url,
    html_to_paragraphs,
    parse_published,
    publisher_name,
    slugify,
)
from briefing.readers.pages import strip_site_name

BERLIN = ZoneInfo("Europe/Berlin")


def offset(hours: float) -> dt.timezone:
    return dt.timezone(dt.timedelta(hours=hours))


def read(relative: str, zone: dt.tzinfo = dt.UTC) -> list[Record]:
    path = SOURCE_FIXTURES / relative
    reader = reader_for(path)
    assert reader is not None
    return reader(path, path.read_bytes(), zone)


def articles_of(relative: str, zone: dt.tzinfo = dt.UTC) -> list[Article]:
    return read_articles([SOURCE_FIXTURES / relative], zone)


def assert_no_chrome(article: Article, chrome: tuple[str, ...]) -> None:
    text = "\n".join([article.title, *article.paragraphs])
    for fragment in chrome:
        assert fragment not in text, fragment


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


# --- Saved pages ------------------------------------------------------------------------

HARBOUR_CHROME = (
    "cookies",
    "Subscribe",
    "Business",
    "Lantern Furniture",  # ads
    "Brightwave",
    "Lighthouse Spa",
    "Advertisement",
    "harbourwatcher",  # comments
    "far too little",
    "every cent",
    "Related stories",
    "Ships queue outside",
    "Cranes stood idle",  # photo caption
    "Share on social media",
    "Privacy policy",
    "All rights reserved",
    "tracking pixel",
)


def test_saved_page_gives_the_story_and_nothing_else() -> None:
    [article] = articles_of("pages/harbour-strike.html")
    assert article.id == "harbour-strike"
    assert article.title == "Dock workers end nine-day strike at Port Meridian"
    assert article.paragraphs[0].startswith("Dock workers at Port Meridian voted on Saturday")
    assert article.paragraphs[-1].startswith("Under the agreement, the authority will also hire")
    assert len(article.paragraphs) == 5
    assert_no_chrome(article, HARBOUR_CHROME)


def test_saved_page_metadata_comes_from_its_markup() -> None:
    [article] = articles_of("pages/harbour-strike.html")
    assert article.outlet == "Meridian Courier"
    assert article.url == "https://courier.example/news/2026/11/14/dock-strike-ends"
    assert article.published == dt.datetime(2026, 11, 14, 18, 30, tzinfo=offset(1))
    assert article.published.utcoffset() == dt.timedelta(hours=1)


def test_page_of_another_layout_loses_its_menu_ads_and_comments() -> None:
    [article] = articles_of("pages/tram-line.htm")
    assert article.title == "New tram line to the ferry terminal opens a year early"
    assert article.outlet == "The Lowland Ledger"
    assert article.url == "https://ledger.example/city/tram-line-opens-early"
    assert article.published == dt.datetime(2026, 11, 15, 7, 15, tzinfo=offset(-5))
    assert len(article.paragraphs) == 5
    assert_no_chrome(
        article,
        (
            "Puzzles",
            "Log in",
            "Quayside Bank",
            "Gull's Nest",
            "Sponsored",
            "newsletter",
            "Most read",
            "Parking fines",
            "tramfan88",
            "packed every single morning",
            "Cookie settings",
            "Jonas Perrault",
        ),
    )


def test_page_time_from_markup_beats_htmldate_day(tmp_path: Path) -> None:
    """The hour matters for a 24-hour window; a page with only a day gets midnight."""
    body = "<article><h1>Quay reopens</h1><p>The quay reopened on Friday after repairs.</p>"
    body += "<p>Repairs took three months and cost four million euros in total.</p>"
    body += "<p>Ferries that had moored at the old pier since the summer will return to the "
    body += "quay from Monday, the harbour authority said.</p></article>"
    dated = tmp_path / "dated.html"
    dated.write_text(
        f'<html><head><meta itemprop="datePublished" content="2026-11-13T21:05:00-03:00">'
        f"</head><body>{body}</body></html>",
        encoding="utf-8",
    )
    [record] = reader_for(dated)(dated, dated.read_bytes(), BERLIN)
    assert record.published == dt.datetime(2026, 11, 13, 21, 5, tzinfo=offset(-3))
    day_only = tmp_path / "day-only.html"
    day_only.write_text(
        f'<html><head><meta name="date" content="2026-11-13"></head><body>{body}</body></html>',
        encoding="utf-8",
    )
    [record] = reader_for(day_only)(day_only, day_only.read_bytes(), BERLIN)
    assert record.published == dt.datetime(2026, 11, 13, tzinfo=BERLIN)


# --- Feeds ------------------------------------------------------------------------------


def test_rss_items_are_articles_with_outlet_link_and_date() -> None:
    records = read("feeds/courier.rss")
    assert [r.title for r in records] == [
        "Dock workers end nine-day strike at Port Meridian",
        "Island ferry returns to its full timetable",
        "Council delays vote on harbour bridge tolls",
    ]
    assert {r.outlet for r in records} == {"Meridian Courier"}
    assert [r.where for r in records] == ["entry 1", "entry 2", "entry 3"]
    assert records[1].url == "https://courier.example/news/2026/11/15/ferry-timetable-restored"
    assert [r.published for r in records] == [
        dt.datetime(2026, 11, 14, 17, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 15, 9, 5, tzinfo=offset(1)),
        dt.datetime(2026, 11, 12, 16, 0, tzinfo=offset(1)),
    ]


def test_rss_full_content_is_preferred_to_the_description() -> None:
    articles = articles_of("feeds/courier.rss")
    ferry = articles[1]
    assert ferry.id == "courier-island-ferry-returns-to-its-full"
    assert len(ferry.paragraphs) == 4
    assert ferry.paragraphs[0].startswith("The island ferry returned to its full timetable")
    assert_no_chrome(ferry, ("figcaption", "morning ferry leaves", "<p>", "img"))
    # An item with HTML only in its description still gives clean paragraphs.
    assert articles[2].paragraphs == (
        "The city council postponed its vote on tolls for the harbour bridge until January, "
        "saying it needed a new study of traffic on the coast road.",
        "Drivers would pay two euros a crossing under the plan, which the council's finance "
        "committee approved last month.",
    )


def test_atom_entries_give_content_or_summary_with_their_own_offsets() -> None:
    storm, grain = articles_of("feeds/northstar.atom")
    assert storm.outlet == grain.outlet == "Northstar Wire"
    assert storm.title == "Storm warning issued for the northern coast"
    assert storm.url == "https://northstar.example/wire/2026/11/15/storm-warning-north-coast"
    assert storm.published == dt.datetime(2026, 11, 15, 8, 30, tzinfo=offset(9))
    assert len(storm.paragraphs) == 4
    assert storm.paragraphs[2].startswith("“People living near the dunes")  # entities decoded
    assert grain.published == dt.datetime(2026, 11, 15, 6, 0, tzinfo=dt.UTC)  # <updated> only
    assert grain.paragraphs[0].startswith("Grain exports through Port Meridian fell by a third")


def test_file_that_is_no_feed_is_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "config.xml"
    path.write_text('<?xml version="1.0"?><settings><colour>blue</colour></settings>\n')
    with caplog.at_level(logging.WARNING, logger="briefing"):
        assert read_articles([path]) == []
    assert warnings_of(caplog) == [f"{path}: skipped, not an RSS or Atom feed"]


# --- Exports ----------------------------------------------------------------------------


def test_jsonl_records_accept_the_common_field_names() -> None:
    crane, ferry, storm, museum = articles_of("exports/newsdesk.jsonl")
    assert crane.title == "Crane operators to get a safety review after the strike"  # headline
    assert crane.outlet == "Harbour Radio"  # source: {"name": …}
    assert crane.url == "https://harbourradio.example/news/crane-safety-review"  # link
    assert crane.published == dt.datetime(2026, 11, 15, 4, 30, tzinfo=dt.UTC)  # publishedAt
    assert len(crane.paragraphs) == 3  # body, blank-line paragraphs
    assert ferry.outlet == "Eastbay Times"  # site_name
    assert ferry.published == dt.datetime(2026, 11, 15, 23, 30, tzinfo=offset(-5))  # date
    assert len(ferry.paragraphs) == 3  # content given as HTML
    assert_no_chrome(ferry, ("<p>", "</p>"))
    assert storm.outlet == "Eastbay Times"  # outlet
    assert museum.outlet == "Harbour Radio"  # source as a string
    assert museum.url is None and museum.published is None
    assert len(museum.paragraphs) == 3  # one paragraph per line


def test_jsonl_ids_are_the_file_stem_and_headline() -> None:
    ids = [a.id for a in articles_of("exports/newsdesk.jsonl")]
    assert ids == [
        "newsdesk-crane-operators-to-get-a-safety-review",
        "newsdesk-night-ferry-trial-to-start-on-monday",
        "newsdesk-storm-warning-issued-for-the-northern",
        "newsdesk-lighthouse-museum-reopens-after-repairs",
    ]


def test_json_export_with_an_article_list_and_a_truncation_note() -> None:
    [article] = articles_of("exports/coastline.json")
    assert article.title == "Fish market moves to the new quay"
    assert article.outlet == "Coastline Today"
    assert article.published == dt.datetime(2026, 11, 15, 11, 20, tzinfo=dt.UTC)
    assert "[+640 chars]" not in article.paragraphs[0]
    assert article.paragraphs[0].endswith("they will lose passing trade from")


def test_json_file_with_one_record_or_a_bare_list(tmp_path: Path) -> None:
    one = tmp_path / "one.json"
    one.write_text('{"headline": "Quay opens", "text": "The quay opened."}', encoding="utf-8")
    many = tmp_path / "many.json"
    many.write_text('[{"title": "A", "body": "One."}, {"title": "B", "body": "Two."}]')
    assert [a.title for a in read_articles([one, many])] == ["Quay opens", "A", "B"]


# --- Plain text and Markdown with front matter and manifests ----------------------------


def test_markdown_front_matter_and_no_markup_in_the_text() -> None:
    [article] = articles_of("notes/harbour-briefing.md", BERLIN)
    assert article.title == "Harbour authority outlines its winter plan"
    assert article.outlet == "Port Meridian Harbour Authority"
    assert article.url == "https://harbour.example/press/winter-plan-2026"
    assert article.published == dt.datetime(2026, 11, 15, 10, 0, tzinfo=BERLIN)  # naive: zone
    assert article.paragraphs[0] == (
        "The harbour authority said on Sunday that it would keep the container terminal open "
        "around the clock until the backlog left by the strike is cleared."
    )
    assert "published on the authority's website." in article.paragraphs[1]
    assert article.paragraphs[2:] == (
        "Pilots will work extra shifts until mid-December.",
        "The grain quay will stay open on Sundays.",
    )
    assert_no_chrome(article, ("*", "#", "](", "tags", "---"))


def test_manifest_gives_a_plain_text_file_its_citation() -> None:
    [article] = articles_of("notes/radio-transcript.txt", BERLIN)
    assert article.title == "Coast guard rescues two fishermen off the breakwater"
    assert article.outlet == "Harbour Radio"
    assert article.url == "https://harbourradio.example/news/fishermen-rescued"
    assert article.published == dt.datetime(2026, 11, 14, tzinfo=BERLIN)  # a bare date
    assert len(article.paragraphs) == 3


@pytest.mark.parametrize(
    "front",
    [
        "---\ntitle: Quay reopens\noutlet: 'Harbour Radio'\npublished: 2026-11-13T09:00Z\n---\n",
        '+++\ntitle = "Quay reopens"\noutlet = "Harbour Radio"\n'
        "published = 2026-11-13T09:00:00Z\n+++\n",
    ],
    ids=["yaml", "toml"],
)
def test_text_front_matter(tmp_path: Path, front: str) -> None:
    path = tmp_path / "quay.txt"
    path.write_text(front + "\nQuay reopens\n\nThe quay reopened on Friday.\n", encoding="utf-8")
    [article] = read_articles([path])
    assert (article.title, article.outlet) == ("Quay reopens", "Harbour Radio")
    assert article.published == dt.datetime(2026, 11, 13, 9, 0, tzinfo=dt.UTC)
    assert article.paragraphs == ("The quay reopened on Friday.",)  # headline not repeated


def test_text_opening_with_a_rule_is_not_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "rule.txt"
    path.write_text("---\nQuay reopens\n---\n\nThe quay reopened on Friday.\n", encoding="utf-8")
    [article] = read_articles([path])
    assert article.outlet is None
    assert "The quay reopened on Friday." in article.paragraphs


def test_manifest_problems_are_warnings_and_the_rest_applies(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "a.txt").write_text("Quay reopens\n\nThe quay reopened.\n", encoding="utf-8")
    (tmp_path / "sources.toml").write_text(
        '["a.txt"]\noutlet = "Harbour Radio"\nauthor = "J. Doe"\npublished = "soon"\n'
        '["gone.txt"]\noutlet = "Nobody"\n',
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="briefing"):
        [article] = read_articles([tmp_path])
    assert article.outlet == "Harbour Radio"
    assert article.published is None
    messages = warnings_of(caplog)
    assert len(messages) == 3
    assert all(str(tmp_path / "sources.toml") in m for m in messages)
    assert any("unknown key 'author'" in m for m in messages)
    assert any("published ignored" in m for m in messages)
    assert any("'gone.txt'" in m and "no such file" in m for m in messages)


def test_unreadable_manifest_is_ignored_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "a.txt").write_text("Quay reopens\n\nThe quay reopened.\n", encoding="utf-8")
    (tmp_path / "sources.toml").write_text('["a.txt"\noutlet = \n', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="briefing"):
        [article] = read_articles([tmp_path])
    assert article.title == "Quay reopens"
    [message] = warnings_of(caplog)
    assert "sources.toml" in message and "line 1" in message


# --- Malformed input: a warning naming the file (and line), the rest is read -----------


def test_each_malformed_file_is_named_in_a_warning_and_the_rest_is_read(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="briefing"):
        articles = read_articles([MALFORMED])
    assert [a.title for a in articles] == [
        "Tug crews back at work",
        "Car carrier berths at the inner harbour",
        "Council approves winter budget for the port",
    ]
    messages = warnings_of(caplog)
    expected = {
        "bad-line.jsonl: line 2: skipped, not valid JSON",
        "broken.html: skipped, no article text found in the page",
        "invalid.rss: malformed feed (line 6: not well-formed",
        "minutes.docx: skipped, unknown file type",
    }
    for fragment in expected:
        assert any(f"{MALFORMED}/{fragment}" in m for m in messages), (fragment, messages)


def test_binary_file_with_an_article_extension_is_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "photo.jsonl").write_bytes(b"\x89PNG\x00\x00\x00")
    with caplog.at_level(logging.WARNING, logger="briefing"):
        assert read_articles([tmp_path]) == []
    assert any("photo.jsonl: skipped, looks like a binary file" in m for m in warnings_of(caplog))


def test_jsonl_record_without_text_or_not_an_object_is_named_by_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text('["a list"]\n{"title": "Only a title"}\n{"title": "T", "text": "Fine."}\n')
    with caplog.at_level(logging.WARNING, logger="briefing"):
        assert [a.title for a in read_articles([path])] == ["T"]
    assert warnings_of(caplog) == [
        f"{path}: line 1: skipped, not a JSON object",
        f"{path}: line 2: skipped, no article text",
    ]


def test_unreadable_date_is_a_warning_and_the_article_is_undated(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text('{"title": "T", "text": "Fine.", "date": "last Tuesday"}\n')
    with caplog.at_level(logging.WARNING, logger="briefing"):
        [article] = read_articles([path])
    assert article.published is None
    assert warnings_of(caplog) == [
        f"{path}: line 1: unreadable date 'last Tuesday', treated as undated"
    ]


# --- Shared helpers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-15T08:30:00+09:00", dt.datetime(2026, 11, 15, 8, 30, tzinfo=offset(9))),
        ("2026-11-15T08:30:00Z", dt.datetime(2026, 11, 15, 8, 30, tzinfo=dt.UTC)),
        ("2026-11-15 08:30", dt.datetime(2026, 11, 15, 8, 30, tzinfo=BERLIN)),
        ("2026-11-15", dt.datetime(2026, 11, 15, tzinfo=BERLIN)),
        ("Sun, 15 Nov 2026 09:05:00 +0100", dt.datetime(2026, 11, 15, 9, 5, tzinfo=offset(1))),
        ("Sun, 15 Nov 2026 09:05:00 GMT", dt.datetime(2026, 11, 15, 9, 5, tzinfo=dt.UTC)),
        (dt.date(2026, 11, 15), dt.datetime(2026, 11, 15, tzinfo=BERLIN)),
        (1794729600, dt.datetime(2026, 11, 15, 8, 0, tzinfo=dt.UTC)),
        (1794729600000, dt.datetime(2026, 11, 15, 8, 0, tzinfo=dt.UTC)),
        ("yesterday", None),
        ("", None),
        (True, None),
        (None, None),
    ],
)
def test_publication_times_are_read_time_zone_aware(value: object, expected: object) -> None:
    parsed = parse_published(value, BERLIN)
    assert parsed == expected
    if parsed is not None:
        assert parsed.tzinfo is not None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://courier.example/a?b=1", "https://courier.example/a?b=1"),
        ("  http://x.example/y  ", "http://x.example/y"),
        ("javascript:alert(1)", None),
        ("/relative/path", None),
        ("https://x.example/a b", None),
        ("https://x.example/<script>", None),
        (42, None),
    ],
)
def test_only_absolute_web_links_are_kept(value: object, expected: str | None) -> None:
    assert clean_url(value) == expected


def test_slug_is_ascii_and_cut_at_a_word() -> None:
    assert slugify("Erdoğan’s visit: what “reset” means") == "erdogans-visit-what-reset-means"
    assert slugify("Erdogan's visit") == "erdogans-visit"
    assert slugify("a" * 10 + " " + "b" * 40) == "a" * 10
    assert slugify("Москва") == ""


def test_html_fragment_blocks_skip_scripts_and_captions() -> None:
    fragment = (
        "<p>One &amp; <b>two</b>.</p><script>x()</script><figure><img src=a>"
        "<figcaption>A caption.</figcaption></figure><ul><li>Three.</li><li>Four.</li></ul>"
        "Five.<br>Six."
    )
    assert html_to_paragraphs(fragment) == ["One & two.", "Three.", "Four.", "Five.", "Six."]


def test_text_fields_split_into_paragraphs_however_they_are_written() -> None:
    assert body_paragraphs("One.\n\nTwo\nstill two.") == ["One.", "Two still two."]
    assert body_paragraphs("One.\nTwo.") == ["One.", "Two."]
    assert body_paragraphs("<p>One.</p><p>Two.</p>") == ["One.", "Two."]
    assert body_paragraphs("5 < 6 and 7 > 3.") == ["5 < 6 and 7 > 3."]


# --- Issue 10: feeds quote the story, not its photo, and name the publisher -------------

CAPTIONED_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
<channel>
<title>Harbour Gazette &gt; World News</title>
<link>https://gazette.example/section/world</link>
<item>
<title>Ferry operators agree on a winter timetable</title>
<link>https://gazette.example/2026/11/15/winter-timetable</link>
<description>The three ferry operators agreed on Sunday to share a winter timetable.</description>
<media:content url="https://gazette.example/photo.jpg" medium="image"/>
<media:credit>Ana Lopes/Gazette</media:credit>
<media:description>A ferry leaves the inner harbour at dawn on Saturday.</media:description>
</item>
<item>
<title>Lighthouse keepers honoured</title>
<media:text>Keepers gather by the lamp room before the ceremony.</media:text>
<description>Two lighthouse keepers were honoured for forty years of service.</description>
</item>
<item>
<title>Photo of the day</title>
<media:description>Gulls over the breakwater at sunset.</media:description>
</item>
</channel>
</rss>
"""


def briefing_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Warnings of the briefing package (trafilatura has its own)."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and r.name.startswith("briefing")
    ]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_feed_photo_captions_never_stand_in_for_the_description(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path, "gazette.xml", CAPTIONED_FEED)
    with caplog.at_level(logging.WARNING, logger="briefing"):
        ferry, keepers = read_articles([path])
    assert ferry.paragraphs == (
        "The three ferry operators agreed on Sunday to share a winter timetable.",
    )
    assert keepers.paragraphs == (
        "Two lighthouse keepers were honoured for forty years of service.",
    )
    # The item that has nothing but a caption has no text of its own.
    assert briefing_warnings(caplog) == [f"{path}: entry 3: skipped, no text"]


def test_double_escaped_feed_entities_are_decoded_once_in_titles_and_text(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        "escaped.rss",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Coast FM</title><item>'
        "<title>R&amp;amp;B night returns to the state&amp;rsquo;s harbour</title>"
        "<description>The R&amp;amp;B night returns to the state&amp;rsquo;s oldest "
        "harbour on Friday.</description></item></channel></rss>",
    )
    [article] = read_articles([path])
    assert article.title == "R&B night returns to the state’s harbour"
    assert article.paragraphs == ("The R&B night returns to the state’s oldest harbour on Friday.",)


@pytest.mark.parametrize(
    ("title", "link", "outlet"),
    [
        ("Harbour Gazette > World News", None, "Harbour Gazette"),
        ("Coast Radio.com - RSS Channel - HP Hero", None, "Coast Radio.com"),
        ("Lowland Ledger - Home", None, "Lowland Ledger"),
        ("Top Stories | Northstar Wire", None, "Northstar Wire"),
        ("Latest News : Eastbay Times", None, "Eastbay Times"),
        ("Weather - Meridian Courier", "https://courier.example/weather", "Meridian Courier"),
        ("Meridian Courier", None, "Meridian Courier"),
    ],
)
def test_feed_outlet_is_the_publisher_without_section_or_channel(
    title: str, link: str | None, outlet: str
) -> None:
    assert publisher_name(title, link) == outlet


def test_feed_outlet_comes_off_the_channel_title(tmp_path: Path) -> None:
    path = write(tmp_path, "gazette.xml", CAPTIONED_FEED)
    assert {a.outlet for a in read_articles([path])} == {"Harbour Gazette"}


def test_manifest_names_the_outlet_of_a_feed_and_only_that(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path, "gazette.xml", CAPTIONED_FEED)
    write(
        tmp_path,
        "sources.toml",
        '["gazette.xml"]\noutlet = "The Harbour Gazette"\ntitle = "One title for all"\n',
    )
    with caplog.at_level(logging.WARNING, logger="briefing"):
        articles = read_articles([tmp_path])
    assert {a.outlet for a in articles} == {"The Harbour Gazette"}
    assert [a.title for a in articles] == [
        "Ferry operators agree on a winter timetable",
        "Lighthouse keepers honoured",
    ]
    assert any("sources.toml" in m and "title ignored" in m for m in warnings_of(caplog))


# --- Issue 10: saved pages keep the story and nothing but the story ----------------------

STORY = (
    "<p>The harbour authority opened the new grain quay on Saturday, two months ahead of "
    "the date it had set when building began last spring.</p>"
    "<p>Ships of up to two hundred metres can now berth at the quay, which the authority "
    "says will double the port's grain exports within three years.</p>"
    "<p>Dock workers, who ended a nine-day strike last week, will staff the quay in three "
    "shifts, according to the agreement signed with their union.</p>"
    "<p>The first ship to berth, a bulk carrier from Rotterdam, loaded wheat for "
    "twelve hours before it sailed for the Baltic on Sunday morning.</p>"
)


def page(head: str, body: str) -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def read_page_text(tmp_path: Path, name: str, html: str) -> list[Record]:
    path = write(tmp_path, name, html)
    return reader_for(path)(path, path.read_bytes(), dt.UTC)


def test_article_classed_not_promoted_is_not_taken_for_a_promotion(tmp_path: Path) -> None:
    html = page(
        "<title>Grain quay opens early</title>",
        '<article class="node node-article node-not-promoted"><h1>Grain quay opens early</h1>'
        f"{STORY}</article>"
        '<div class="promo-box"><p>Subscribe today and save half on a year of the Courier, '
        "the best news from the whole coast delivered to your door.</p></div>",
    )
    [record] = read_page_text(tmp_path, "quay.html", html)
    assert record.text.split("\n\n")[1].startswith("The harbour authority opened the new")
    assert "bulk carrier from Rotterdam" in record.text
    assert "Subscribe" not in record.text


def test_story_only_in_the_json_ld_article_body_is_read(tmp_path: Path) -> None:
    body = (
        "The harbour authority opened the new grain quay on Saturday, two months early.\n"
        "Ships of up to two hundred metres can now berth at the quay, the authority said.\n"
        "Dock workers will staff the quay in three shifts under their new agreement."
    )
    ld = json.dumps({"@type": "NewsArticle", "headline": "Grain quay opens", "articleBody": body})
    html = page(
        f'<title>Grain quay opens</title><script type="application/ld+json">{ld}</script>',
        '<div id="app"><span>Loading</span></div>',
    )
    [record] = read_page_text(tmp_path, "app.html", html)
    assert record.text.split("\n\n") == body.split("\n")


def test_photo_credit_caption_and_author_bio_are_not_article_text(tmp_path: Path) -> None:
    html = page(
        "<title>Grain quay opens early</title>",
        "<article><h1>Grain quay opens early</h1>"
        '<p><span class="image-container"><img src="q.jpg" alt="">'
        '<span class="source">Ana Lopes/COURIER</span>'
        '<span class="caption">The quay at dawn.</span></span>'
        "Ships of up to two hundred metres can now berth at the new grain quay, the "
        "authority said on Saturday.</p>"
        f"{STORY}"
        '<div class="author-bio"><p>Ana Lopes covers the port for the Courier. Her book '
        "on the strike of 1998, Quayside, came out last year to wide acclaim.</p></div>"
        "</article>",
    )
    [record] = read_page_text(tmp_path, "credit.html", html)
    assert record.text.split("\n\n")[1].startswith("Ships of up to two hundred metres")
    for furniture in ("Ana Lopes", "COURIER", "The quay at dawn", "Quayside"):
        assert furniture not in record.text


def test_reference_list_after_the_story_is_not_article_text(tmp_path: Path) -> None:
    html = page(
        "<title>Grain quay opens early</title>",
        f"<article><h1>Grain quay opens early</h1>{STORY}<p><sub>Sources:</sub></p>"
        "<p><sub>Port Authority. Annual report on grain exports. Meridian, 2025.</sub></p>"
        "<p><sub>Lopes, A. The dock strike and its aftermath. Coastal Review 4.</sub></p>"
        "</article>",
    )
    [record] = read_page_text(tmp_path, "refs.html", html)
    assert record.text.endswith("sailed for the Baltic on Sunday morning.")
    assert "Annual report" not in record.text


@pytest.mark.parametrize(
    ("name", "head", "body"),
    [
        (
            "not-found.html",
            "<title>Page not found | Meridian Courier</title>",
            "<h1>Sorry, we could not find that page</h1><p>The page you were looking for has "
            "moved, or never existed. Try the search box above, or go back to the home page "
            "where the latest news from the whole coast is waiting for you.</p>",
        ),
        (
            "denied.html",
            "<title>403 Forbidden</title>",
            "<h1>Access denied</h1><p>You do not have permission to view this page on this "
            "server. If you think this is a mistake, please write to the site's editors and "
            "tell them which page you were trying to reach today.</p>",
        ),
    ],
    ids=["404", "403"],
)
def test_error_page_is_skipped_with_a_warning_naming_the_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str, head: str, body: str
) -> None:
    with caplog.at_level(logging.WARNING, logger="briefing"):
        assert read_page_text(tmp_path, name, page(head, body)) == []
    [message] = briefing_warnings(caplog)
    assert message.startswith(f"{tmp_path / name}: skipped, not an article (an error page")


def test_section_page_of_teasers_is_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    teasers = [
        (
            "Dock workers end nine-day strike at Port Meridian",
            "Dock workers voted on Saturday to end their strike after the authority agreed.",
        ),
        (
            "Island ferry returns to its full timetable",
            "The island ferry returned to its full timetable on Sunday after two weeks.",
        ),
        (
            "Council delays vote on harbour bridge tolls",
            "The city council postponed its vote on tolls for the harbour bridge until January.",
        ),
        (
            "Storm warning issued for the northern coast",
            "Forecasters warned of gusts of up to one hundred kilometres an hour on Tuesday.",
        ),
        (
            "Grain exports through the port fell by a third",
            "Grain exports through Port Meridian fell by a third in October, figures show.",
        ),
        (
            "Lighthouse museum reopens after two years of repairs",
            "The lighthouse museum reopened on Saturday with a new gallery of ship models.",
        ),
    ]
    blocks = "".join(
        f'<div class="teaser"><h2><a href="/news/{n}">{headline}</a></h2><p>{summary}</p></div>'
        for n, (headline, summary) in enumerate(teasers)
    )
    html = page(
        '<title>News | Meridian Courier</title><meta property="og:type" content="website">'
        '<link rel="canonical" href="https://courier.example/news">',
        f"<main>{blocks}</main>",
    )
    with caplog.at_level(logging.WARNING, logger="briefing"):
        assert read_page_text(tmp_path, "section.html", html) == []
    [message] = briefing_warnings(caplog)
    assert message.startswith(f"{tmp_path / 'section.html'}: skipped, not an article (a page of")


def test_home_page_at_the_site_root_is_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    html = page(
        '<title>Meridian Courier</title><meta property="og:type" content="website">'
        '<link rel="canonical" href="https://courier.example/">',
        f"<main>{STORY}</main>",
    )
    with caplog.at_level(logging.WARNING, logger="briefing"):
        assert read_page_text(tmp_path, "home.html", html) == []
    [message] = briefing_warnings(caplog)
    assert message == f"{tmp_path / 'home.html'}: skipped, not an article (the site's home page)"


def test_link_teasers_are_a_page_of_links_not_an_article() -> None:
    from lxml import html as lxml_html

    from briefing.readers.pages import _text_nonarticle

    teasers = [
        "Dock workers at Port Meridian voted on Saturday to end their nine-day strike.",
        "The island ferry returned to its full timetable on Sunday after repairs.",
        "The city council postponed its vote on tolls for the harbour bridge.",
        "Forecasters warned of gusts of up to one hundred kilometres an hour on Tuesday.",
    ]
    tree = lxml_html.fromstring(
        "<html><body>" + "".join(f'<p><a href="/n">{t}</a></p>' for t in teasers) + "</body></html>"
    )
    assert _text_nonarticle(teasers, tree) == "a page of links to other pages"
    assert _text_nonarticle(teasers, lxml_html.fromstring("<html><body></body></html>")) is None


@pytest.mark.parametrize(
    ("name", "head"),
    [
        ("recipe.html", '<meta property="og:type" content="recipe">'),
        (
            "gallery.html",
            '<script type="application/ld+json">{"@type": "ImageGallery", "name": "Quay"}</script>',
        ),
        ("video.html", '<meta property="og:type" content="video.other">'),
        (
            "meeting.html",
            '<script type="application/ld+json">{"@type": "BusinessEvent"}</script>',
        ),
    ],
)
def test_recipe_gallery_video_and_event_pages_are_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str, head: str
) -> None:
    html = page(f"<title>Grain quay opens early</title>{head}", f"<article>{STORY}</article>")
    with caplog.at_level(logging.WARNING, logger="briefing"):
        assert read_page_text(tmp_path, name, html) == []
    [message] = briefing_warnings(caplog)
    assert message.startswith(f"{tmp_path / name}: skipped, not an article")


def test_gallery_with_a_one_line_introduction_has_too_little_prose(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    html = page(
        '<title>Going grey</title><meta property="og:type" content="article">',
        "<article><h1>Going grey</h1><p>This season the harbour's boats came back in grey. "
        "The verdict?</p></article>",
    )
    with caplog.at_level(logging.WARNING, logger="briefing"):
        assert read_page_text(tmp_path, "grey.html", html) == []
    [message] = briefing_warnings(caplog)
    assert (
        message
        == f"{tmp_path / 'grey.html'}: skipped, not an article (too little prose for an article)"
    )


@pytest.mark.parametrize(
    ("title", "names", "expected"),
    [
        ("Grain quay opens early | WIRED", ["WIRED"], "Grain quay opens early"),
        ("Grain quay opens early - Reuters", ["Reuters"], "Grain quay opens early"),
        ("Courier | Grain quay opens early", ["Courier"], "Grain quay opens early"),
        ("Grain quay opens early - US News", ["US News & World Report"], "Grain quay opens early"),
        (
            "Grain quay opens early - Courier",
            ["courier.example", "courier"],
            "Grain quay opens early",
        ),
        ("Dock strike - what it means", ["Courier"], "Dock strike - what it means"),
        ("Reuters", ["Reuters"], "Reuters"),
    ],
)
def test_headline_loses_the_site_name_as_prefix_or_suffix(
    title: str, names: list[str], expected: str
) -> None:
    assert strip_site_name(title, names) == expected


def test_page_title_is_decoded_and_loses_the_site_suffix(tmp_path: Path) -> None:
    html = page(
        '<meta property="og:title" content="Keeper &amp;#039;retires&amp;#039; | Courier">'
        '<meta property="og:site_name" content="Courier">',
        f"<article><h1>Keeper 'retires'</h1>{STORY}</article>",
    )
    [record] = read_page_text(tmp_path, "keeper.html", html)
    assert record.title == "Keeper 'retires'"


@pytest.mark.parametrize(
    ("head", "outlet"),
    [
        (
            '<meta property="og:site_name" content="Meridian Courier">'
            '<script type="application/ld+json">'
            '{"@type": "NewsArticle", "publisher": {"name": "Courier Media Group"}}</script>',
            "Meridian Courier",
        ),
        (
            '<script type="application/ld+json">'
            '{"@type": "NewsArticle", "publisher": {"@type": "Organization", '
            '"name": "Courier Media Group"}}</script>'
            '<link rel="canonical" href="https://www.courier.example/quay">',
            "Courier Media Group",
        ),
        ('<link rel="canonical" href="https://www.courier.example/quay">', "courier.example"),
    ],
    ids=["og-site-name", "json-ld-publisher", "host"],
)
def test_page_outlet_is_site_name_else_publisher_else_host(
    tmp_path: Path, head: str, outlet: str
) -> None:
    html = page(f"<title>Grain quay opens early</title>{head}", f"<article>{STORY}</article>")
    [record] = read_page_text(tmp_path, "outlet.html", html)
    assert record.outlet == outlet


def test_empty_feed_file_is_a_warning_not_an_exception(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path, "empty.rss", "")
    with caplog.at_level(logging.WARNING, logger="briefing"):
        assert read_articles([path]) == []
    assert briefing_warnings(caplog) == [f"{path}: skipped, not an RSS or Atom feed"]
