from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import pytest
from brieftest import FURNITURE, REPO, SEED_TITLES, SEEDS, SOURCE_FIXTURES

from briefing.errors import InputError
from briefing.ingest import (
    Article,
    drop_duplicates,
    find_article_files,
    is_furniture,
    normalise_url,
    parse_article,
    read_articles,
)
from briefing.segment import segment_articles
from briefing.standalone import stands_alone

# An invented live-blog page that carries one of each kind of furniture around its story.
LIVE_BLOG = REPO / "tests" / "data" / "furniture" / "harbour-live.txt"
LIVE_BLOG_STORY = (
    "The port of Porthaven reopened on Sunday after dock workers accepted a new pay offer "
    "from the harbour board.",
    "The harbour board said the first ships would be unloaded by Monday evening.",
    "The union said its members voted by a large majority to accept the offer of a 6 percent rise.",
    "Shipping firms had diverted more than forty vessels to other ports during the strike.",
    "Fishing crews are expected to return to the inner basin later this week.",
)


def parse(text: str) -> Article:
    article = parse_article(text, "a", "a.txt")
    assert article is not None
    return article


def body_text(article: Article) -> str:
    return "\n".join(article.paragraphs)


@pytest.mark.parametrize(
    "line",
    [
        "Share",
        "Advertisement",
        "Accessibility links",
        "Breaking News",
        "Updated",
        "Send in e-mailSend in e-mail",
        "XS",
        "SM",
        "MD",
        "LG",
        "• 16x9 Image",
        "  share  ",
        "ADVERTISEMENT",
    ],
)
def test_furniture_line_is_recognised(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "Share prices fell sharply on Monday.",
        "Updated figures show growth.",
        "Putin and Erdogan move towards repairing ties amid tension with West",
        "MD5 hashes are weak.",
    ],
)
def test_prose_is_not_furniture(line: str) -> None:
    assert not is_furniture(line)


def test_furniture_lines_are_removed_and_headline_found_below_them() -> None:
    article = parse(
        "Accessibility links\n\nBreaking News\n\nShare\n\n"
        "Leaders meet in Ankara\n\nUpdated\n\n"
        "The two leaders met on Monday.\n\nAdvertisement\n\n"
        "Send in e-mailSend in e-mail\n\nThey agreed to talk again.\n\nXS\nSM\nMD\nLG\n"
    )
    assert article.title == "Leaders meet in Ankara"
    assert article.paragraphs == ("The two leaders met on Monday.", "They agreed to talk again.")


def test_credit_line_cuts_the_footer() -> None:
    article = parse(
        "Headline of the day\n\nFirst paragraph.\n\nSecond paragraph.\n\nThird paragraph.\n\n"
        "With reporting by AFP, AP and Reuters\n\n"
        "The outlet reports the news in 27 languages.\n\nDeclared undesirable.\n"
    )
    assert article.paragraphs == ("First paragraph.", "Second paragraph.", "Third paragraph.")


def test_image_placeholder_cuts_the_footer() -> None:
    article = parse(
        "Headline of the day\n\nFirst paragraph.\n\nSecond paragraph.\n\nThird paragraph.\n\n"
        "  • 16x9 Image\n\n    RFE/RL\n\n    Our journalists report the news.\n"
    )
    assert article.paragraphs == ("First paragraph.", "Second paragraph.", "Third paragraph.")


def test_repeated_caption_line_is_dropped_but_a_repeated_headline_is_kept() -> None:
    caption = "The two presidents watch planes at the air show."
    article = parse(
        f"Air show diplomacy\n\n{caption}\n{caption}\n\n"
        "Putin met Erdogan at the air show.\n\nAir show diplomacy\n\nThey discussed jets.\n"
    )
    assert article.title == "Air show diplomacy"
    assert caption not in body_text(article)
    assert article.paragraphs == ("Putin met Erdogan at the air show.", "They discussed jets.")


def test_seed_titles_are_the_real_headlines(seed_articles: list[Article]) -> None:
    assert tuple(a.title for a in seed_articles) == SEED_TITLES


def test_seed_ids_and_paths_follow_the_file_names(seed_articles: list[Article]) -> None:
    files = sorted(SEEDS.glob("*.txt"))
    assert [a.id for a in seed_articles] == [f.stem for f in files]
    assert [Path(a.path).name for a in seed_articles] == [f.name for f in files]


def test_trailing_related_story_headline_is_not_the_title_nor_a_sentence(
    seed_articles: list[Article],
) -> None:
    related = "Turkey's President Erdogan in Moscow to 'reset' Russia ties"
    for path in (SEEDS / "003_3b3976b05db80dbf.txt", SEEDS / "004_f6a2bb8c5d2e93d5.txt"):
        assert path.read_text(encoding="utf-8").rstrip().endswith(related)
    assert all(a.title != related for a in seed_articles)
    assert all(related not in s.text for s in segment_articles(seed_articles))


def test_seed_footer_and_furniture_are_gone(seed_articles: list[Article]) -> None:
    for article in seed_articles:
        for paragraph in article.paragraphs:
            assert paragraph not in FURNITURE
            assert "16x9 Image" not in paragraph
            assert "RFE/RL" not in paragraph
            assert "click here" not in paragraph
    rferl = seed_articles[1]
    assert rferl.paragraphs[-1] == (
        "Ankara has purchased the S-400 system despite strong opposition from Washington, "
        "a NATO ally."
    )


def test_repeated_photo_caption_in_seed_is_dropped(seed_articles: list[Article]) -> None:
    assert not any("watch planes during the MAKS" in p for p in seed_articles[1].paragraphs)


def test_utf8_article_is_read_without_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "a.txt").write_text("Erdoğan’s visit\n\nErdoğan arrived.\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="briefing"):
        [article] = read_articles([tmp_path])
    assert article.title == "Erdoğan’s visit"
    assert caplog.records == []


def test_cp1252_article_is_read_with_a_warning_naming_the_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes("Café talks – “done”\n\nThe café closed.\n".encode("cp1252"))
    with caplog.at_level(logging.WARNING, logger="briefing"):
        [article] = read_articles([tmp_path])
    assert article.title == "Café talks – “done”"
    assert article.paragraphs == ("The café closed.",)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert str(path) in warnings[0].getMessage()
    assert "cp1252" in warnings[0].getMessage()


def test_file_with_nul_bytes_is_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"Title\x00\x01\x02\n\nbody\x00")
    (tmp_path / "good.txt").write_text("Good title\n\nGood body.\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="briefing"):
        articles = read_articles([tmp_path])
    assert [a.title for a in articles] == ["Good title"]
    assert any(str(binary) in r.getMessage() for r in caplog.records)


def test_article_files_are_found_recursively_in_sorted_order(tmp_path: Path) -> None:
    names = ("b/2.txt", "a/z.txt", "a/deeper/1.txt", "c.txt", "a/notes.md", "a/x.TXT", "d.jsonl")
    for name in (*names, "a/sources.toml", ".git/HEAD.txt", "a/.hidden.txt"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Title {name}\n\nBody.\n", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in find_article_files([tmp_path])]
    assert found == [
        "a/deeper/1.txt",
        "a/notes.md",
        "a/x.TXT",
        "a/z.txt",
        "b/2.txt",
        "c.txt",
        "d.jsonl",
    ]


def test_same_file_given_twice_is_read_once(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_text("Title\n\nBody.\n", encoding="utf-8")
    assert find_article_files([tmp_path, path]) == [path]


def test_missing_source_raises_input_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(InputError, match="nowhere"):
        find_article_files([missing])


def test_file_of_only_furniture_is_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "empty.txt").write_text("Share\n\nAdvertisement\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="briefing"):
        assert read_articles([tmp_path]) == []
    assert any("empty.txt" in r.getMessage() for r in caplog.records)


def test_same_file_name_in_two_folders_gets_distinct_ids(tmp_path: Path) -> None:
    for folder in ("monday", "tuesday"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "story.txt").write_text(
            f"Story of {folder}\n\nBody.\n", encoding="utf-8"
        )
    articles = read_articles([tmp_path])
    assert [a.id for a in articles] == ["story", "story-2"]
    assert [a.title for a in articles] == ["Story of monday", "Story of tuesday"]


def test_byline_near_the_top_does_not_cut_the_story() -> None:
    """Only a credit line in the second half of the page starts the footer."""
    article = parse("Headline\n\nWritten by Jane Doe\n\nFirst.\n\nSecond.\n\nThird.\n\nFourth.\n")
    assert article.paragraphs[-4:] == ("First.", "Second.", "Third.", "Fourth.")


# --- Every format, one id each, one copy of each article --------------------------------


def test_every_fixture_format_is_read_with_unique_ids() -> None:
    articles = read_articles([SOURCE_FIXTURES])
    assert len(articles) == 14
    assert len({a.id for a in articles}) == len(articles)
    suffixes = {Path(a.path).suffix for a in articles}
    assert suffixes == {".json", ".jsonl", ".rss", ".atom", ".md", ".txt", ".html", ".htm"}


def test_feed_entries_with_the_same_headline_get_distinct_ids(tmp_path: Path) -> None:
    item = "<item><title>Tides</title><description>High tide at six.</description></item>"
    (tmp_path / "tides.rss").write_text(
        f'<rss version="2.0"><channel><title>T</title>{item}{item}</channel></rss>'
    )
    assert [a.id for a in read_articles([tmp_path])] == ["tides-tides", "tides-tides-2"]


def test_same_article_from_a_feed_and_a_saved_page_is_kept_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    articles = read_articles([SOURCE_FIXTURES])
    with caplog.at_level(logging.INFO, logger="briefing"):
        unique = drop_duplicates(articles)
    ids = [a.id for a in unique]
    assert len(unique) == 12
    # The feed's item links to the page (with tracking parameters); the page's full text wins.
    assert "harbour-strike" in ids
    assert "courier-dock-workers-end-nine-day-strike-at-port" not in ids
    # The syndicated copy in the export repeats the wire story; the wire's original wins.
    assert "northstar-storm-warning-issued-for-the-northern" in ids
    assert "newsdesk-storm-warning-issued-for-the-northern" not in ids
    notes = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert len(notes) == 2
    assert all("same article as" in n for n in notes)


def test_the_copy_kept_does_not_depend_on_the_input_order() -> None:
    articles = read_articles([SOURCE_FIXTURES])
    forward = {a.id for a in drop_duplicates(articles)}
    backward = {a.id for a in drop_duplicates(articles[::-1])}
    assert forward == backward


def _copy(article_id: str, text: str, **fields: Any) -> Article:
    return Article(article_id, f"{article_id}.txt", "Quay reopens", (text,), **fields)


def test_syndicated_copies_differing_in_case_and_punctuation_are_one() -> None:
    early = dt.datetime(2026, 11, 15, 8, tzinfo=dt.UTC)
    late = early + dt.timedelta(hours=3)
    wire = _copy("wire", "The quay “reopened” on Friday.", outlet="Wire", published=early)
    paper = _copy("paper", 'The Quay "reopened" on Friday!', outlet="Paper", published=late)
    other = _copy("other", "The quay stays closed.", outlet="Paper", published=late)
    assert [a.id for a in drop_duplicates([paper, other, wire])] == ["other", "wire"]


def test_the_kept_copy_takes_a_missing_date_from_a_copy_at_the_same_link() -> None:
    published = dt.datetime(2026, 11, 15, 8, tzinfo=dt.UTC)
    page = _copy("page", "The quay reopened on Friday after repairs.", url="https://q.example/a")
    entry = _copy(
        "entry", "The quay reopened.", url="http://www.q.example/a/#top", published=published
    )
    [kept] = drop_duplicates([entry, page])
    assert kept.id == "page"
    assert kept.published == published


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://www.Courier.example/news/a/?utm_source=rss&utm_medium=feed",
            "courier.example/news/a",
        ),
        ("http://courier.example/news/a#comments", "courier.example/news/a"),
        ("https://courier.example/news?id=7&fbclid=x", "courier.example/news?id=7"),
    ],
)
def test_links_are_compared_without_scheme_www_fragment_or_tracking(
    url: str, expected: str
) -> None:
    assert normalise_url(url) == expected


# --- Only the story is article text ----------------------------------------------------


def story(*lines: str) -> tuple[str, ...]:
    """The paragraphs read from a page of a headline, a first and a last story paragraph and
    the given lines between them."""
    first = "The port reopened on Sunday after a nine-day strike."
    last = "Ships will be unloaded from Monday."
    return parse("\n\n".join(("Port reopens", first, *lines, last))).paragraphs


STORY = (
    "The port reopened on Sunday after a nine-day strike.",
    "Ships will be unloaded from Monday.",
)


@pytest.mark.parametrize(
    "line",
    [
        "Image copyright Harbour Press Image caption Cranes stood idle for nine days",
        "Image caption Cranes stood idle for nine days …",
        "Dock workers walk along the quay, Saturday, Nov. 14, 2026, in Porthaven.... (Wire Press)",
        "Ships wait outside the harbour, Saturday, Nov. 14, 2026. The strike left... (Wire Press)",
        "A crane lifts the first container, Sunday, Nov. 15, 2026. (AP Photo/Jane Roe)",
        "Photo credit: Jane Roe for the Harbour Press",
        "Photograph: Jane Roe/Harbour Press",
        "Jane Roe/REUTERS",
        "Jane Roe/AFP/Getty Images",
    ],
)
def test_photo_captions_and_credits_are_not_article_text(line: str) -> None:
    assert story(line) == STORY


def test_a_caption_on_the_first_line_of_a_plain_text_file_stays_its_title() -> None:
    caption = "Image copyright Harbour Press Image caption Cranes stood idle"
    article = parse(f"{caption}\n\nThe port reopened on Sunday.\n\nShips are unloaded.\n")
    assert article.title == caption
    assert article.paragraphs == ("The port reopened on Sunday.", "Ships are unloaded.")


@pytest.mark.parametrize(
    "line", ["10:14 a.m.", "5:35 p.m.", "19:29", "Update, 3:45 p.m.:", "Updated 8:55 a.m. PST"]
)
def test_live_blog_time_stamps_are_not_article_text(line: str) -> None:
    assert story(line) == STORY


@pytest.mark.parametrize(
    "line",
    [
        "Correction: An earlier version of this article gave the wrong date for the vote.",
        "Clarification: The board, not the union, set the deadline.",
        "Editor's note: This report has been updated with comment from the union.",
        "This article has been updated to include the result of the vote.",
    ],
)
def test_corrections_and_editors_notes_are_not_article_text(line: str) -> None:
    assert story(line) == STORY


@pytest.mark.parametrize(
    "lines",
    [
        ("(Read more: How the strike began at the container terminal)",),
        ("See also: Ferry fares rise again",),
        ("More must-reads:", "The quiet harbours of the north", "Why ferry fares rise"),
        ("RELATED:", "Harbour weather centre", "Latest warnings, advisories"),
    ],
)
def test_links_to_other_stories_are_not_article_text(lines: tuple[str, ...]) -> None:
    assert story(*lines) == STORY


def test_the_sentence_after_a_list_of_links_is_article_text() -> None:
    paragraphs = story(
        "More must-reads:", "Why ferry fares rise", "Fishing crews return this week."
    )
    assert "Fishing crews return this week." in paragraphs
    assert "Why ferry fares rise" not in paragraphs


@pytest.mark.parametrize(
    "line",
    [
        "Sign up for our Harbour Daily newsletter and get the news in your inbox every morning.",
        "Breaking News Emails Get breaking news alerts and special reports.",
        "Newsletter Sign Up Continue reading the main story",
        "We use cookies to improve your experience on our site.",
        "By using this site you agree to our terms.",
        "Comments are moderated and may take a day to appear.",
        "Leave a comment",
        "Share this article",
        "Follow Jane Roe on Twitter: @janeroe",
    ],
)
def test_newsletter_cookie_and_comment_policy_notices_are_not_article_text(line: str) -> None:
    assert story(line) == STORY


@pytest.mark.parametrize(
    "line",
    [
        "© 2026 Harbour Press. All rights reserved.",
        "Copyright 2026 The Wire Press. All rights reserved.",
        "(c) 2026 Harbour Press",
        "This material may not be published, broadcast, rewritten or redistributed.",
        "The Wire Press contributed to this report.",
    ],
)
def test_copyright_lines_are_not_article_text(line: str) -> None:
    assert story(line) == STORY


def test_a_promotion_that_asks_for_a_click_is_not_article_text() -> None:
    promotion = (
        "Our analyst just published a brand-new research report on the port's top stock. "
        "To get the full story -- completely free -- simply click here."
    )
    assert story(promotion) == STORY


@pytest.mark.parametrize(
    "line", ["HBR 1,204.5 +12.25 +1.03% PTV 88.10 -0.40 -0.45%", "DOW 17,832.99 -331.34 -1.82%"]
)
def test_stock_ticker_and_widget_lines_are_not_article_text(line: str) -> None:
    assert story(line) == STORY


def test_a_reference_list_in_the_second_half_cuts_the_footer() -> None:
    article = parse(
        "Headline of the day\n\nFirst.\n\nSecond.\n\nThird.\n\nSources:\n\n"
        "Roe, J. Harbour strikes. Port Studies. 2025. 12:1-9.\n"
    )
    assert article.paragraphs == ("First.", "Second.", "Third.")


@pytest.mark.parametrize(
    "line",
    [
        "Those who sign up can get e-mail or text alerts when a ship docks.",
        "Correction of the error took the harbour board three weeks.",
        "Copyright law gives the harbour board rights over the photographs.",
        "Shares in the port operator rose 1.25% to 1,204.5 on Monday.",
        "Updated figures show the strike cost the port £4m.",
        "(More than forty ships were diverted to other ports.)",
        "Related talks between the board and the union will resume in March.",
    ],
)
def test_prose_that_resembles_furniture_is_article_text(line: str) -> None:
    assert line in story(line)


def test_only_the_story_of_the_live_blog_page_is_article_text_and_quotable() -> None:
    [article] = read_articles([LIVE_BLOG])
    assert article.paragraphs == LIVE_BLOG_STORY
    quotable = [s.text for s in segment_articles([article]) if stands_alone(s.text)]
    assert quotable == list(LIVE_BLOG_STORY)


def test_a_headline_that_is_the_lead_sentence_keeps_one_copy_in_the_body() -> None:
    lead = (
        "HARBOURTOWN (Wire) — Dock workers ended their nine-day strike on Sunday after the "
        "harbour board raised its pay offer."
    )
    article = parse(f"{lead}\n\n{lead}\n\n{lead}\n\nShips were unloaded by Monday evening.")
    assert article.title == lead
    assert article.paragraphs == (lead, "Ships were unloaded by Monday evening.")


def test_a_short_headline_repeated_in_the_body_is_dropped_there() -> None:
    article = parse("Strike ends\n\nStrike ends\n\nShips were unloaded by Monday evening.")
    assert article.title == "Strike ends"
    assert article.paragraphs == ("Ships were unloaded by Monday evening.",)


def test_an_articles_plain_words_are_its_runs_of_letters_and_digits_case_folded() -> None:
    import random
    import re

    from briefing.ingest import _COMMON_MARKS, _plain_words

    letters = "abcXYZ019 _-.,'\n\t" + "".join(_COMMON_MARKS) + "éÉßøİ½²٣ツ\u0301\u2009"
    rng = random.Random(5)
    for case in range(3000):
        text = "".join(rng.choice(letters) for _ in range(rng.randrange(0, 40)))
        if case % 3 == 0:  # ASCII apart from the common marks
            text = "".join(c for c in text if c.isascii() or c in _COMMON_MARKS)
        expected = " ".join(re.findall(r"[^\W_]+", text.casefold()))
        assert _plain_words(text) == expected, repr(text)
