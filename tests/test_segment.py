from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import nltk
import pytest
from brieftest import BBC_DEV, BENCH, SEEDS
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.nlp.stemmers import Stemmer as SumyStemmer
from sumy.parsers.plaintext import PlaintextParser
from sumy.utils import get_stop_words

from briefing import segment
from briefing.ingest import Article
from briefing.segment import (
    STOP_WORDS,
    SumyTokenizer,
    WordAnalyser,
    article_sentences,
    content_stems,
    forget_words,
    is_sentence,
    segment_articles,
    sentence_stems,
    split_sentences,
    stem,
    tokenize_words,
)


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        (
            "Mr. Putin met Mrs. Smith in St. Petersburg on Monday. They spoke.",
            ["Mr. Putin met Mrs. Smith in St. Petersburg on Monday.", "They spoke."],
        ),
        ("the U.S. Senate voted.", ["the U.S. Senate voted."]),
        (
            "Washington warned of U.S. sanctions. Ankara went ahead.",
            ["Washington warned of U.S. sanctions.", "Ankara went ahead."],
        ),
        (
            "The dispute has strained ties with the U.S. The talks went on.",
            ["The dispute has strained ties with the U.S.", "The talks went on."],
        ),
        (
            "Russia showed the Su-57. Turkey bought the S-400. Both said so.",
            ["Russia showed the Su-57.", "Turkey bought the S-400.", "Both said so."],
        ),
        ('"Is it?" he asked.', ['"Is it?" he asked.']),
        ('He said "no." Then he left.', ['He said "no."', "Then he left."]),
        (
            '"We are ready," Putin said. "We agree." Erdogan nodded.',
            ['"We are ready," Putin said.', '"We agree."', "Erdogan nodded."],
        ),
        (
            "One post got over 1.4 million views. It went viral.",
            ["One post got over 1.4 million views.", "It went viral."],
        ),
        ("Did they agree? Yes! Talks resume.", ["Did they agree?", "Yes!", "Talks resume."]),
        (
            "Gen. Smith spoke to George W. Bush at No. 10 on Jan. 5 today.",
            ["Gen. Smith spoke to George W. Bush at No. 10 on Jan. 5 today."],
        ),
        (
            "Shares of Zulily Inc. (NASDAQ: ZU) dropped 5% today. Acme Corp. (ACME) rose.",
            ["Shares of Zulily Inc. (NASDAQ: ZU) dropped 5% today.", "Acme Corp. (ACME) rose."],
        ),
        (
            "It was bought by Widgets Ltd. in May. The deal closed.",
            ["It was bought by Widgets Ltd. in May.", "The deal closed."],
        ),
        (
            "The phone is made by Apple Inc. Sales rose.",
            ["The phone is made by Apple Inc.", "Sales rose."],
        ),
    ],
)
def test_split_sentences(paragraph: str, expected: list[str]) -> None:
    assert split_sentences(paragraph) == expected


def test_split_sentences_collapses_whitespace_but_keeps_text_verbatim() -> None:
    assert split_sentences("  Putin\u00a0arrived\n on  Tuesday.   He left.  ") == [
        "Putin arrived on Tuesday.",
        "He left.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Putin and Erdogan move towards repairing ties amid tension with West",
        "With reporting by AFP",
    ],
)
def test_headline_without_final_period_is_not_a_sentence(text: str) -> None:
    assert not is_sentence(text)


@pytest.mark.parametrize(
    "text",
    ["He left.", "Did he?", "Go!", 'He said "no."', "“We agree”.", "He said “no.”", "(He left.)"],
)
def test_terminated_text_is_a_sentence(text: str) -> None:
    assert is_sentence(text)


def test_titles_are_not_body_sentences() -> None:
    article = Article("a", "a.txt", "Leaders meet", ("Related headline here", "They met."))
    assert [s.text for s in segment_articles([article])] == ["They met."]


def test_paragraph_broken_mid_sentence_is_mended() -> None:
    assert article_sentences(["Turkey took delivery of the", "missiles on Tuesday. Done."]) == [
        "Turkey took delivery of the missiles on Tuesday.",
        "Done.",
    ]


def test_tokenize_words_keeps_model_names_and_splits_hyphenated_words() -> None:
    assert tokenize_words("The Su-57 and S-400 aid de-escalation.") == [
        "The",
        "Su-57",
        "and",
        "S-400",
        "aid",
        "de",
        "escalation",
    ]


def test_tokenize_words_drops_possessives_and_bare_numbers() -> None:
    assert tokenize_words("Russia’s and Turkey's 800 firms in 2019") == [
        "Russia",
        "and",
        "Turkey",
        "firms",
        "in",
    ]


def _load_splitter_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_splitter", BENCH / "splitter.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while building classes
    spec.loader.exec_module(module)
    return module


def test_splitter_cuts_bbc_reference_sentences_exactly() -> None:
    """The bbc-dev summaries are article sentences glued together; the splitter must
    recover at least 99.5% of them as exact sentences."""
    score = _load_splitter_bench().score_splitter(Path(BBC_DEV))
    print(
        f"splitter: exact={score.exact} total={score.total} rate={score.rate:.4f} "
        f"unverifiable={score.unverifiable}"
    )
    assert score.total >= 1000
    assert score.rate >= 0.995, score.misses[:10]


@pytest.fixture
def no_nltk_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hide any NLTK data installed on this machine: a lookup (punkt) would fail."""
    monkeypatch.setattr(nltk.data, "path", [])


@pytest.mark.usefixtures("no_nltk_data")
def test_sumy_tokenizer_feeds_sumy_plaintext_parser_without_nltk_data() -> None:
    text = "Mr. Putin met Erdogan in St. Petersburg. They discussed the S-400.\n"
    document = PlaintextParser.from_string(text, SumyTokenizer()).document
    assert [str(s) for s in document.sentences] == [
        "Mr. Putin met Erdogan in St. Petersburg.",
        "They discussed the S-400.",
    ]
    assert document.sentences[1].words == ("They", "discussed", "the", "S-400")


@pytest.mark.usefixtures("no_nltk_data")
def test_sumy_tokenizer_feeds_sumy_object_document_model_without_nltk_data() -> None:
    tokenizer = SumyTokenizer()
    text = "The Senate voted on the Su-57 de-escalation."
    document = ObjectDocumentModel([Paragraph([Sentence(text, tokenizer)])])
    assert document.words == (
        "The",
        "Senate",
        "voted",
        "on",
        "the",
        "Su-57",
        "de",
        "escalation",
    )


def _bbc_dev_and_seed_words() -> set[str]:
    files = [*Path(BBC_DEV).rglob("*.txt"), *SEEDS.glob("*.txt")]
    return {w for f in files for w in tokenize_words(f.read_text(encoding="utf-8"))}


def test_stems_equal_sumy_stems_on_the_bbc_dev_and_seed_vocabulary() -> None:
    """PyStemmer stands in for sumy's stemmer (NLTK's Snowball English, slow to import);
    every word of bbc-dev and the seeds, as written, must stem the same."""
    sumy_stem = SumyStemmer("english")
    words = _bbc_dev_and_seed_words() | {"O’Neill", "Turkey’s", "added", "university", "Café"}
    assert len(words) > 10_000
    different = [(w, stem(w), sumy_stem(w)) for w in sorted(words) if stem(w) != sumy_stem(w)]
    assert different == []


def test_stop_words_are_sumys() -> None:
    assert frozenset(w.lower() for w in get_stop_words("english")) == STOP_WORDS


def test_memoised_sentence_stems_equal_stemming_word_by_word(
    bbc_dev_sentences: list[segment.Sentence],
) -> None:
    forget_words()
    analyser = WordAnalyser(memo=2000)  # small: the memo also starts afresh on the way
    for sentence in bbc_dev_sentences[:1500]:
        words = tokenize_words(sentence.text)
        expected = (tuple(stem(w) for w in words), content_stems(words))
        assert analyser.stems(sentence.text) == expected, sentence.text
        assert sentence_stems(sentence.text) == expected, sentence.text


def test_a_sentences_length_is_its_words_as_written(
    seed_sentences: list[segment.Sentence],
) -> None:
    assert [s.length for s in seed_sentences] == [len(s.text.split()) for s in seed_sentences]


def test_sentences_made_in_rows_are_the_sentences_the_constructor_makes(
    seed_sentences: list[segment.Sentence],
) -> None:
    import dataclasses
    import pickle

    from briefing.model import sentences_in_rows

    words = seed_sentences[0].words
    part = [s for s in seed_sentences if s.words is words]
    made = sentences_in_rows(
        [s.text for s in part], [s.article for s in part], [s.position for s in part], words
    )
    built = [segment.Sentence(s.text, s.article, s.position, words, s.row) for s in part]
    assert made == built == part
    assert [(s.words, s.row) for s in made] == [(words, row) for row in range(len(part))]
    assert pickle.loads(pickle.dumps(made)) == made
    with pytest.raises(dataclasses.FrozenInstanceError):
        made[0].text = "changed"  # type: ignore[misc]


def test_sentences_kept_of_some_articles_are_those_articles_segmented_alone() -> None:
    import numpy as np

    from briefing.ingest import read_articles
    from briefing.segment import segment_columns

    articles = read_articles([BBC_DEV])[:40]
    columns = segment_columns(articles)
    for kept in ([0, 1, 2], list(range(0, 40, 3)), [39], list(range(40))):
        keep = np.zeros(len(articles), dtype=bool)
        keep[kept] = True
        numbers = np.cumsum(keep) - 1
        found = columns.kept(keep[columns.articles], numbers)
        alone = segment_columns([articles[i] for i in kept])
        assert found.texts == alone.texts
        np.testing.assert_array_equal(found.articles, alone.articles)
        np.testing.assert_array_equal(found.positions, alone.positions)
        assert found.words.vocabulary == alone.words.vocabulary
        for name in ("ids", "starts", "content", "tokens"):
            expected = getattr(alone.words, name)
            assert getattr(found.words, name).dtype == expected.dtype
            np.testing.assert_array_equal(getattr(found.words, name), expected)
        assert found.sentences() == alone.sentences()
