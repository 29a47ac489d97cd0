from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from brieftest import BENCH

from briefing.errors import InputError
from briefing.ingest import Article
from briefing.segment import Sentence, segment_articles
from briefing.topics import (
    NEIGHBOURS,
    TopicSet,
    _nearest,
    _nearest_through_terms,
    _tfidf,
    assign_topics,
    keyword_hits,
    load_topics,
    matched_keywords,
    parse_topics,
)

NAME = "analyst-topics.toml"

TOPICS = """
title = "Test brief"

[[topics]]
id = "war"
title = "The war"
keywords = ["civil war", "Sanction", "S-400"]

[[topics]]
id = "trade"
keywords = ["trade", "pipeline", "sanction"]
"""


def sentence(text: str) -> Sentence:
    [only] = segment_articles([Article("a", "a.txt", "Title", (text,))])
    return only


@pytest.fixture
def topics() -> TopicSet:
    return parse_topics(TOPICS, NAME)


def test_parse_topics_reads_ids_titles_and_keywords(topics: TopicSet) -> None:
    assert topics.title == "Test brief"
    assert [t.id for t in topics.topics] == ["war", "trade"]
    assert [t.title for t in topics.topics] == ["The war", "trade"]
    assert topics.topics[0].keywords == ("civil war", "Sanction", "S-400")
    assert topics.topics[0].patterns[0] == ("civil", "war")


def test_default_topics_file_is_valid(default_topics: TopicSet) -> None:
    assert [t.id for t in default_topics.topics] == ["defence", "syria", "reset"]
    assert default_topics.title == "Russia–Turkey brief"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The civil war ended in 2011.", ["civil war"]),
        ("The Civil Wars of the region ended.", ["civil war"]),
        ("The war was not civil.", []),
        ("A civil servant went to war.", []),
    ],
)
def test_phrase_keyword_matches_only_as_a_phrase(
    topics: TopicSet, text: str, expected: list[str]
) -> None:
    assert matched_keywords(sentence(text).stems, topics.topics[0]) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Washington threatened sanctions.",
        "Russia was sanctioned.",
        "SANCTION them.",
        "The sanction stays.",
    ],
)
def test_keyword_matches_on_stems_case_insensitively(topics: TopicSet, text: str) -> None:
    assert matched_keywords(sentence(text).stems, topics.topics[0]) == ["Sanction"]


def test_model_name_keyword_matches_as_one_word(topics: TopicSet) -> None:
    assert matched_keywords(sentence("Turkey bought the S-400.").stems, topics.topics[0]) == [
        "S-400"
    ]
    assert matched_keywords(sentence("Turkey bought 400 S jets.").stems, topics.topics[0]) == []


def test_assign_topics_picks_the_topic_with_most_keywords_or_none(topics: TopicSet) -> None:
    sentences = [
        sentence("The civil war brought sanctions."),  # war: 2, trade: 1
        sentence("Sanctions hit trade and the pipeline."),  # war: 1, trade: 3
        sentence("Sanctions were announced."),  # tie 1-1: first topic listed
        sentence("The weather was fine."),
    ]
    assert assign_topics(sentences, topics) == [0, 1, 0, None]


def test_load_topics_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "topics.toml"
    path.write_text(TOPICS, encoding="utf-8")
    assert [t.id for t in load_topics(path).topics] == ["war", "trade"]


def test_missing_topics_file_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing-topics.toml"
    with pytest.raises(InputError) as caught:
        load_topics(missing)
    assert str(caught.value).startswith(f"{missing}: ")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param('[[topics]\nid = "x"', "not valid TOML", id="invalid-toml"),
        pytest.param('title = "Only a title"\n', "no [[topics]]", id="no-topics"),
        pytest.param("topics = []\n", "no [[topics]]", id="empty-topics"),
        pytest.param('[[topics]]\nkeywords = ["a"]\n', "'id'", id="missing-id"),
        pytest.param('[[topics]]\nid = "two words"\nkeywords = ["a"]\n', "'id'", id="bad-id"),
        pytest.param(
            '[[topics]]\nid = "x"\nkeywords = ["a"]\n[[topics]]\nid = "x"\nkeywords = ["b"]\n',
            "duplicate id",
            id="duplicate-id",
        ),
        pytest.param('[[topics]]\nid = "x"\nkeywords = []\n', "keywords", id="empty-keywords"),
        pytest.param('[[topics]]\nid = "x"\nkeywords = "a"\n', "keywords", id="string-keywords"),
        pytest.param('[[topics]]\nid = "x"\n', "keywords", id="missing-keywords"),
        pytest.param('[[topics]]\nid = "x"\nkeywords = ["a", 3]\n', "keywords", id="non-string"),
        pytest.param('[[topics]]\nid = "x"\nkeywords = ["!!"]\n', "no words", id="no-words"),
        pytest.param(
            '[[topics]]\nid = "x"\nkeywords = ["a"]\nkeyword = ["b"]\n',
            "unknown key 'keyword'",
            id="unknown-topic-key",
        ),
        pytest.param(
            'titel = "Typo"\n[[topics]]\nid = "x"\nkeywords = ["a"]\n',
            "unknown setting 'titel'",
            id="unknown-file-key",
        ),
    ],
)
def test_bad_topics_file_raises_input_error_naming_the_file(text: str, problem: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_topics(text, NAME)
    message = str(caught.value)
    assert message.startswith(f"{NAME}: ")
    assert problem in message
    assert "\n" not in message


def test_unreadable_topics_file_names_the_file(tmp_path: Path) -> None:
    legacy = tmp_path / "legacy-topics.toml"
    legacy.write_bytes('[[topics]]\nid = "x"\nkeywords = ["Erdoğan"]\n'.encode("cp1254"))
    folder = tmp_path / "a-folder.toml"
    folder.mkdir()
    for path in (legacy, folder):
        with pytest.raises(InputError) as caught:
            load_topics(path)
        assert str(caught.value).startswith(f"{path}: ")


def test_neighbours_through_strongest_terms_are_nearly_as_close_as_the_exact_ones(
    bbc_dev_sentences: list[Sentence],
) -> None:
    """Beyond EXACT_NEIGHBOURS articles, neighbours are searched through each article's
    strongest terms; on bbc-dev they must be almost as similar as the true nearest."""
    documents: list[list[str]] = [[] for _ in range(bbc_dev_sentences[-1].article + 1)]
    for s in bbc_dev_sentences:
        documents[s.article].extend(s.terms)
    vectors = _tfidf(documents)
    exact_index, exact_weight = _nearest(vectors, NEIGHBOURS)
    index, weight = _nearest_through_terms(vectors, NEIGHBOURS)
    assert not (index == np.arange(len(documents))[:, None]).any()
    assert weight.mean() >= 0.95 * exact_weight.mean()
    found = [len(set(a) & set(b)) for a, b in zip(index, exact_index, strict=True)]
    assert np.mean(found) >= 0.7 * NEIGHBOURS


def reference_matches(stems: tuple[str, ...], patterns: tuple[tuple[str, ...], ...]) -> list[int]:
    """Keyword numbers found, the plain way: every keyword tried at every position (a
    keyword that stems like one listed before it is that keyword)."""
    return [
        number
        for number, pattern in enumerate(patterns)
        if pattern not in patterns[:number]
        and any(stems[i : i + len(pattern)] == pattern for i in range(len(stems)))
    ]


def test_keywords_that_stem_alike_count_as_one_keyword() -> None:
    topics = parse_topics(
        '[[topics]]\nid = "politics"\nkeywords = ["vote", "votes", "Vote", "party"]\n', NAME
    )
    stems = sentence("Fans voted twice, and the votes went to a party.").stems
    assert keyword_hits(stems, topics) == [["vote", "party"]]


def test_one_pass_keyword_matching_equals_trying_every_keyword(
    bbc_dev_sentences: list[Sentence], default_topics: TopicSet
) -> None:
    for topics in (load_topics(BENCH / "topics.toml"), default_topics):
        for s in bbc_dev_sentences:
            expected = [
                [topic.keywords[k] for k in reference_matches(s.stems, topic.patterns)]
                for topic in topics.topics
            ]
            assert keyword_hits(s.stems, topics) == expected, s.text
