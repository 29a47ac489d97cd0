"""Each reader on the invented fixtures: clean text, and the metadata a citation needs."""

from __future__ import annotations

import datetime as dt
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
    slugify,
)

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
