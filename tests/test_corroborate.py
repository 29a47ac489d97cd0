from __future__ import annotations

import datetime as dt

import pytest
from brieftest import compose_day

from briefing.compose import outlet_keys
from briefing.corroborate import corroborates, figures, named_actors
from briefing.ingest import Article
from briefing.render import render_markdown, reported_by
from briefing.segment import segment_articles
from briefing.topics import parse_topics

STOCK_A = (
    "Trading volume in Acme Industries shares was 31% below its average of 2.1 million "
    "shares on Tuesday as the stock slipped."
)
STOCK_B = (
    "Trading volume in Acme Industries shares was 12% below its average of 1.4 million "
    "shares on Tuesday as the stock slipped."
)
AIR_SHOW = (
    "Erdogan spoke after the leaders visited an air show outside the Russian capital where "
    "Sukhoi Su-57 stealth fighter jets performed demonstration flights and the Turkish "
    "leader inspected aircraft."
)
AIR_SHOW_PART = (
    "Sukhoi Su-57 stealth fighter jets performed demonstration flights during the air show."
)


def test_figures_are_the_numbers_counts_and_scales_a_sentence_states() -> None:
    assert figures(STOCK_A) == {"31", "2.1", "million"}
    assert figures("Sales rose to 1,200 units, up two points.") == {"1200", "two"}
    assert figures("It was one of the best days.") == frozenset()


def test_named_actors_are_the_heads_of_capitalised_runs_after_the_first_word() -> None:
    actors = named_actors("The talks between President Vladimir Putin and Erdogan ended.")
    assert actors == {"putin", "erdogan"}


def test_a_retelling_with_other_figures_is_another_fact() -> None:
    verdict = corroborates(STOCK_A, STOCK_B)
    assert not verdict.cited
    assert verdict.reason.startswith("other figures")


def test_a_retelling_of_one_clause_does_not_corroborate_the_whole_sentence() -> None:
    verdict = corroborates(AIR_SHOW, AIR_SHOW_PART)
    assert not verdict.cited
    assert "part of the fact" in verdict.reason


def test_a_template_sentence_about_another_company_is_another_fact() -> None:
    verdict = corroborates(
        "Shares of Zulily dropped sharply in early trading after the retailer cut its outlook.",
        "Shares of Etsy dropped sharply in early trading after the retailer cut its outlook.",
    )
    assert not verdict.cited
    assert verdict.reason == "other actors (etsi)"


@pytest.mark.parametrize(
    ("quoted", "retelling"),
    [
        (
            "The ministry said the new port will open in March and employ 400 workers.",
            "The new port will open in March and employ 400 workers, the ministry said.",
        ),
        (
            '"We will neutralize the threat and normalize trade," Putin told reporters.',
            '"We will neutralise the threat and normalise trade," Putin told reporters.',
        ),
    ],
)
def test_a_retelling_in_other_words_or_spelling_corroborates(quoted: str, retelling: str) -> None:
    verdict = corroborates(quoted, retelling)
    assert verdict.cited, verdict.reason


def _article(index: int, outlet: str | None, text: str) -> Article:
    return Article(
        id=f"a{index}",
        path=f"a{index}.txt",
        title=f"Port report {index}",
        paragraphs=(text, "The harbour board meets again next week to discuss the budget."),
        outlet=outlet,
    )


TOPICS = parse_topics(
    '[[topics]]\nid = "port"\ntitle = "Port"\nkeywords = ["port", "harbour"]\n', "topics.toml"
)
PORT = "The harbour board approved the new port plan on Monday after a long debate in the city."


def _brief(articles: list[Article]):
    return compose_day(
        articles, segment_articles(articles), TOPICS, dt.date(2026, 1, 5), per_topic=3
    )


def test_entries_of_one_outlet_count_once_and_sources_without_outlet_count_alone() -> None:
    articles = [
        _article(0, "Harbour News", PORT),
        _article(1, "harbour  news", PORT.replace("Monday", "Monday,").replace(",", "", 1)),
        _article(2, None, PORT),
    ]
    assert outlet_keys(articles)[0] == outlet_keys(articles)[1]
    brief = _brief(articles)
    item = next(i for i in brief.sections[0].items if i.text == PORT)
    assert set(item.sources) == {0, 1, 2}
    assert item.outlets == 2
    assert reported_by(item) == " (reported by 2 outlets)"
    assert "(reported by 2 outlets)" in render_markdown(brief)


def test_two_entries_of_one_outlet_alone_make_no_corroboration_marker() -> None:
    articles = [_article(0, "Harbour News", PORT), _article(1, "Harbour News", PORT)]
    item = next(i for i in _brief(articles).sections[0].items if i.text == PORT)
    assert len(item.sources) == 2
    assert reported_by(item) == ""


def test_a_near_duplicate_with_other_figures_is_merged_but_not_cited() -> None:
    articles = [
        _article(0, "Harbour News", PORT.replace("new port plan", "new port plan for 2026")),
        _article(1, "Coast Daily", PORT.replace("new port plan", "new port plan for 2027")),
    ]
    brief = _brief(articles)
    item = brief.sections[0].items[0]
    assert len(item.sources) == 1
    assert [r.cited for r in item.retellings] == [False]
    assert item.retellings[0].reason.startswith("other figures")
