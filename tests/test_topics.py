from __future__ import annotations

from pathlib import Path

import pytest
from brieftest import WAR_AND_TRADE

from briefing.errors import InputError
from briefing.model import TopicSet
from briefing.topics import load_topics, parse_topics

NAME = "analyst-topics.toml"

TOPICS = WAR_AND_TRADE


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


def test_load_topics_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "topics.toml"
    path.write_text(TOPICS, encoding="utf-8")
    assert [t.id for t in load_topics(path).topics] == ["war", "trade"]


def test_missing_topics_file_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing-topics.toml"
    with pytest.raises(InputError) as caught:
        load_topics(missing)
    assert str(caught.value).startswith(f"{missing}: ")


X = '[[topics]]\nid = "x"\nkeywords = ["a"]\n'


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
        pytest.param(X + 'exclude = "bird"\n', "'exclude' must be a list", id="string-exclude"),
        pytest.param(X + "exclude = [1]\n", "'exclude' must be a list", id="non-string-exclude"),
        pytest.param(X + 'exclude = ["--"]\n', "exclusion '--' has no words", id="no-word-exclude"),
        pytest.param(
            X + 'exclude = ["bird"]\nexclude_articles = "yes"\n',
            "'exclude_articles' must be true or false",
            id="string-exclude-articles",
        ),
        pytest.param(
            X + "exclude_articles = true\n", "needs an 'exclude' list", id="exclude-articles-alone"
        ),
        pytest.param(X + 'description = ""\n', "'description' must be", id="empty-description"),
        pytest.param(X + "description = 3\n", "'description' must be", id="number-description"),
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


def test_exclusions_and_a_description_are_read_with_their_stems() -> None:
    [turkey] = parse_topics(
        """
[[topics]]
id = "turkey"
keywords = ["Turkey", "Ankara"]
exclude = ["roast turkey", "Thanksgiving"]
exclude_articles = true
description = "Turkish   politics: Erdogan, the lira and Ankara's neighbours."
""",
        NAME,
    ).topics
    assert turkey.exclude == ("roast turkey", "Thanksgiving")
    assert turkey.exclude_patterns == (("roast", "turkey"), ("thanksgiv",))
    assert turkey.exclude_articles is True
    assert turkey.description == "Turkish politics: Erdogan, the lira and Ankara's neighbours."
    # content stems of the description, keywords ("ankara") and stop words left out
    assert turkey.description_terms == ("turkish", "polit", "erdogan", "lira", "neighbour")


def test_a_topic_without_exclusions_or_description_has_none() -> None:
    [topic] = parse_topics(X, NAME).topics
    assert (topic.exclude, topic.exclude_articles, topic.description) == ((), False, None)
