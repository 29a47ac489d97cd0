"""Routing with article context: what an article is about decides for its sentences."""

from __future__ import annotations

import numpy as np
import pytest
from brieftest import (
    BBC_DEV,
    BENCH,
    SEEDS,
    WAR_AND_TRADE,
    assert_same_matrix,
    one_sentence,
    random_counts,
)
from scipy import sparse

from briefing import routing
from briefing.ingest import read_articles
from briefing.model import Article, Sentence, TopicSet
from briefing.rank import centrality_in_article, index_terms, percentiles, term_matrix_and_terms
from briefing.routing import (
    NEIGHBOURS,
    KeywordMatcher,
    _nearest,
    _nearest_through_terms,
    _tfidf,
    article_term_counts,
    assign_topics,
    keyword_hits,
    matched_keywords,
    route_sentences,
)
from briefing.segment import content_stems, segment_articles, tokenize_words
from briefing.topics import load_topics, parse_topics

TOPICS = parse_topics(
    """
[[topics]]
id = "markets"
title = "Markets"
keywords = ["shares", "investors", "stock market"]

[[topics]]
id = "elections"
title = "Elections"
keywords = ["election", "voters", "ballot"]
""",
    "topics.toml",
)


def article(number: int, title: str, *paragraphs: str) -> Article:
    return Article(id=f"a{number}", path=f"a{number}.txt", title=title, paragraphs=paragraphs)


MARKET_DAY = [
    article(
        1,
        "Shares rally as investors return",
        "Shares in London rose sharply on Monday as investors returned to the stock market.",
        "Traders said the rally in bank shares had surprised investors.",
        "The index closed at its highest level since the spring.",
    ),
    article(
        2,
        "Investors pile into mining shares",
        "Mining shares climbed for a third day as investors bet on higher metal prices.",
        "The index of mining companies gained four percent in the week.",
        "Analysts expect the rally in shares to continue into the summer.",
    ),
    article(
        3,
        "Voters head to the polls",
        "Voters in the north went to the polls in the regional election on Sunday.",
        "Turnout in the election was higher than at the last ballot.",
        "The count of every ballot will finish on Tuesday.",
    ),
    article(
        4,
        "Striker scores twice in cup win",
        "The striker scored twice as the club reached the cup final on Saturday.",
        "Fans sang in the stands long after the final whistle.",
        "The club said ticket sales for the final would open to investors in the club first.",
        "The manager praised the defence and the goalkeeper after the match.",
    ),
    article(
        5,
        "Goalkeeper saves penalty in derby",
        "The goalkeeper saved a late penalty as the derby ended in a draw.",
        "The manager said the club would not sell its young striker this season.",
        "Fans of both clubs filled the stadium for the derby.",
    ),
]


def route(articles: list[Article]) -> tuple[list, list]:
    sentences = segment_articles(articles)
    return sentences, route_sentences(articles, sentences, TOPICS).topic_of


def test_an_on_topic_article_lends_its_topic_to_sentences_without_keywords() -> None:
    sentences, topic_of = route(MARKET_DAY)
    closing = next(i for i, s in enumerate(sentences) if s.text.startswith("The index closed"))
    assert topic_of[closing] == 0


def test_a_stray_keyword_in_an_off_topic_article_does_not_pull_a_sentence_in() -> None:
    sentences, topic_of = route(MARKET_DAY)
    stray = next(i for i, s in enumerate(sentences) if "ticket sales" in s.text)
    assert topic_of[stray] is None
    football = [t for s, t in zip(sentences, topic_of, strict=True) if s.article in (3, 4)]
    assert set(football) == {None}


def test_each_topic_keeps_its_own_articles() -> None:
    sentences, topic_of = route(MARKET_DAY)
    for sentence, topic in zip(sentences, topic_of, strict=True):
        if sentence.article in (0, 1):
            assert topic == 0, sentence.text
        if sentence.article == 2:
            assert topic == 1, sentence.text


def test_topics_are_widened_with_terms_from_clearly_on_topic_articles() -> None:
    sentences = segment_articles(MARKET_DAY)
    routing = route_sentences(MARKET_DAY, sentences, TOPICS)
    assert "ralli" in routing.learned[0]  # "rally": in both market stories, nowhere else
    assert not set(routing.learned[0]) & {"share", "investor"}  # keywords are not "learned"


def test_a_lone_article_with_a_keyword_is_routed() -> None:
    lone = [article(1, "Plan", "Voters will decide the plan next week.")]
    _, topic_of = route(lone)
    assert topic_of == [1]


def test_percentiles_rank_best_as_one_and_average_ties() -> None:
    assert percentiles(np.array([0.1, 0.5, 0.3])).tolist() == [0.0, 1.0, 0.5]
    assert percentiles(np.array([0.2, 0.2, 0.9])).tolist() == [0.25, 0.25, 1.0]
    assert percentiles(np.array([3.0])).tolist() == [1.0]


def test_centrality_in_article_is_computed_per_article() -> None:
    terms = [("a", "b"), ("a", "b", "c"), ("z",), ("x", "y"), ("x", "y", "w"), ("q",)]
    central = centrality_in_article(terms, [0, 0, 0, 1, 1, 1])
    assert central[0] == central[1] > central[2] == 0.0  # an unconnected sentence ranks last
    assert central[3] == central[4] > central[5] == 0.0


def test_a_sentence_that_names_another_topic_goes_there_in_an_on_topic_article() -> None:
    """A market story that reports on the election: the article lends "markets" to its
    plain sentences, but the one that names the election outright is an election item."""
    day = [
        *MARKET_DAY,
        article(
            6,
            "Shares slip before the vote",
            "Shares fell in early trading as investors waited for the result.",
            "Turnout in the regional election was the highest for twenty years, officials said.",
            "Bank shares led the fall as investors sold the stock market's biggest names.",
        ),
    ]
    sentences, topic_of = route(day)
    turnout = next(i for i, s in enumerate(sentences) if "highest for twenty" in s.text)
    assert sentences[turnout].article == 5
    assert topic_of[turnout] == 1
    assert {t for s, t in zip(sentences, topic_of, strict=True) if s.article == 5} == {0, 1}


def test_a_short_entry_whose_headline_names_a_topic_is_routed_there() -> None:
    entry = article(
        6,
        "Election count delayed in the north",
        "Officials said the results would now come on Wednesday after a recount in two towns.",
    )
    sentences, topic_of = route([*MARKET_DAY, entry])
    recount = next(i for i, s in enumerate(sentences) if "recount" in s.text)
    assert topic_of[recount] == 1
    routing = route_sentences([*MARKET_DAY, entry], sentences, TOPICS)
    assert routing.evidence[recount][:1] == ("election",)


AWARDS_DAY = [
    *MARKET_DAY,
    article(
        6,
        "Adventure tale tops book awards",
        "Young readers voted a tale of a boy's adventure the best book of the year.",
        "The voters, aged six to eight, chose it from a shortlist of six books.",
        "More than a thousand voters took part, the organisers of the book awards said.",
        "Last year's voters picked a story about a dragon and a lighthouse.",
    ),
    article(
        7,
        "Poet wins book prize",
        "A first collection of poems won the book prize on Thursday.",
        "The judges praised the poems for their humour and their warmth.",
        "The prize for a first book is worth five thousand pounds.",
    ),
    article(
        8,
        "Novel shortlisted for book awards",
        "A novel about a lighthouse keeper was shortlisted for the book awards.",
        "The judges will name the winner of the book prize next month.",
    ),
]


def test_an_article_that_repeats_one_keyword_is_not_a_seed_for_its_topic() -> None:
    """ "voters" in every sentence of an awards story, and no other election word: its
    neighbours (other awards stories) decide, and they are about none of the topics."""
    sentences, topic_of = route(AWARDS_DAY)
    awards = [t for s, t in zip(sentences, topic_of, strict=True) if s.article >= 5]
    assert set(awards) == {None}
    election = [t for s, t in zip(sentences, topic_of, strict=True) if s.article == 2]
    assert set(election) == {1}


KEYWORD_TOPICS = WAR_AND_TRADE


@pytest.fixture
def keyword_topics() -> TopicSet:
    return parse_topics(KEYWORD_TOPICS, "analyst-topics.toml")


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
    keyword_topics: TopicSet, text: str, expected: list[str]
) -> None:
    assert matched_keywords(one_sentence(text).stems, keyword_topics.topics[0]) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Washington threatened sanctions.",
        "Russia was sanctioned.",
        "SANCTION them.",
        "The sanction stays.",
    ],
)
def test_keyword_matches_on_stems_case_insensitively(keyword_topics: TopicSet, text: str) -> None:
    assert matched_keywords(one_sentence(text).stems, keyword_topics.topics[0]) == ["Sanction"]


def test_model_name_keyword_matches_as_one_word(keyword_topics: TopicSet) -> None:
    assert matched_keywords(
        one_sentence("Turkey bought the S-400.").stems, keyword_topics.topics[0]
    ) == ["S-400"]
    assert (
        matched_keywords(one_sentence("Turkey bought 400 S jets.").stems, keyword_topics.topics[0])
        == []
    )


def test_assign_topics_picks_the_topic_with_most_keywords_or_none(keyword_topics: TopicSet) -> None:
    sentences = [
        one_sentence("The civil war brought sanctions."),  # war: 2, trade: 1
        one_sentence("Sanctions hit trade and the pipeline."),  # war: 1, trade: 3
        one_sentence("Sanctions were announced."),  # tie 1-1: first topic listed
        one_sentence("The weather was fine."),
    ]
    assert assign_topics(sentences, keyword_topics) == [0, 1, 0, None]


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
        '[[topics]]\nid = "politics"\nkeywords = ["vote", "votes", "Vote", "party"]\n', "t.toml"
    )
    stems = one_sentence("Fans voted twice, and the votes went to a party.").stems
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


def matched_one_by_one(matcher: KeywordMatcher, sentences: list[Sentence]) -> list[tuple]:
    return [
        (row, topic, keyword)
        for row, s in enumerate(sentences)
        for topic, found in enumerate(matcher.hits(s.stems))
        for keyword in found
    ]


def test_a_day_matched_at_once_finds_what_each_sentence_matched_alone_finds(
    bbc_dev_sentences: list[Sentence], default_topics: TopicSet
) -> None:
    stems = index_terms([s.stems for s in bbc_dev_sentences])
    for topics in (load_topics(BENCH / "topics.toml"), default_topics):
        for exclusions in (False, True):
            matcher = KeywordMatcher(topics, exclusions=exclusions)
            found = [
                (row, topic, matcher.name(topic, keyword))
                for row, topic, keyword in matcher.found_in(stems).tolist()
            ]
            assert found == matched_one_by_one(matcher, bbc_dev_sentences)


def test_a_phrase_is_found_within_one_sentence_and_never_across_two() -> None:
    sentences = segment_articles(
        [
            article(1, "T", "Investors bought stock. Market prices fell."),
            article(2, "T", "Prices fell on the stock market."),  # the day's last stems
        ]
    )
    matcher = KeywordMatcher(TOPICS)
    found = [
        (row, topic, matcher.name(topic, keyword))
        for row, topic, keyword in matcher.found_in(
            index_terms([s.stems for s in sentences])
        ).tolist()
    ]
    expected = [(0, 0, "investors"), (2, 0, "stock market")]
    assert found == expected == matched_one_by_one(matcher, sentences)


def market_topics(extra: str) -> TopicSet:
    return parse_topics(
        f"""
[[topics]]
id = "markets"
title = "Markets"
keywords = ["shares", "investors", "stock market"]
{extra}

[[topics]]
id = "elections"
title = "Elections"
keywords = ["election", "voters", "ballot"]
""",
        "topics.toml",
    )


def routed(articles: list[Article], topics: TopicSet) -> dict[str, int | None]:
    sentences = segment_articles(articles)
    topic_of = route_sentences(articles, sentences, topics).topic_of
    return {s.text: t for s, t in zip(sentences, topic_of, strict=True)}


def test_an_exclude_word_keeps_a_sentence_out_of_its_topic() -> None:
    bank = "Traders said the rally in bank shares had surprised investors."
    assert routed(MARKET_DAY, market_topics(""))[bank] == 0
    after = routed(MARKET_DAY, market_topics('exclude = ["bank shares"]'))
    assert after[bank] is None
    # the rest of its article, and the other article, are still about markets
    assert after["The index closed at its highest level since the spring."] == 0
    assert after["Analysts expect the rally in shares to continue into the summer."] == 0


def test_exclude_articles_keeps_a_whole_article_out_of_its_topic() -> None:
    topics = market_topics('exclude = ["mining"]\nexclude_articles = true')
    sentences = segment_articles(MARKET_DAY)
    routing = route_sentences(MARKET_DAY, sentences, topics)
    mining = [t for s, t in zip(sentences, routing.topic_of, strict=True) if s.article == 1]
    assert set(mining) == {None}  # "Analysts expect the rally in shares..." too
    assert routing.affinity[1, 0] == 0.0
    assert routing.affinity[1].sum() == pytest.approx(1.0)
    first = [t for s, t in zip(sentences, routing.topic_of, strict=True) if s.article == 0]
    assert set(first) == {0}


COPPER = article(
    9,
    "Copper dealers stock up",
    "Commodity dealers bought copper ahead of the winter, brokers in Shanghai said.",
    "Warehouse stocks of copper in Shanghai fell to their lowest in a decade.",
)


def test_a_description_widens_a_topic_more_weakly_than_keywords() -> None:
    day = [*MARKET_DAY[2:], COPPER]  # no market story to lean on: keywords alone decide
    lead = COPPER.paragraphs[0]
    assert routed(day, market_topics(""))[lead] is None
    described = market_topics('description = "Copper and other commodity dealers\' trade."')
    assert described.topics[0].description_terms == ("copper", "commod", "dealer", "trade")
    assert routed(day, described)[lead] == 0
    # the description does not pull in what shares none of its words
    assert routed(day, described)["Fans sang in the stands long after the final whistle."] is None


def test_article_term_counts_are_each_headline_then_its_sentences_in_any_order() -> None:
    """The articles' counts from the day's term index: the matrix made from each article's
    headline words and then its sentences' terms, bit for bit, whether or not the
    sentences come in article order (as segmented, or reversed)."""
    articles = read_articles([SEEDS])
    segmented = segment_articles(articles)
    for sentences in (segmented, segmented[::-1]):
        documents = [list(content_stems(tokenize_words(a.title))) for a in articles]
        for sentence in sentences:
            documents[sentence.article].extend(sentence.terms)
        expected, names = term_matrix_and_terms(documents)
        counts, columns = article_term_counts(articles, sentences)
        assert columns == names
        for field in ("indptr", "indices", "data"):
            np.testing.assert_array_equal(getattr(counts, field), getattr(expected, field))


def strongest_all_at_once(matrix: sparse.csr_array, keep: int) -> sparse.csr_array:
    """Each row's `keep` largest entries, ties in column order, sorting every entry."""
    coo = matrix.tocoo()
    order = np.argsort(coo.row * 2.0 + (1.0 - coo.data), kind="stable")
    row = coo.row[order]
    chosen = order[np.arange(len(row)) - np.searchsorted(row, row) < keep]
    triples = (coo.data[chosen], (coo.row[chosen], coo.col[chosen]))
    return sparse.csr_array(triples, shape=matrix.shape)


def test_each_rows_strongest_entries_found_block_by_block_are_those_found_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(routing, "_STRONGEST_ROWS", 7)
    rng = np.random.default_rng(3)
    for case in range(150):
        matrix = random_counts(rng, ties=case % 2 == 0)
        matrix.data /= matrix.data.max()  # entries in [0, 1], as in unit rows
        keep = int(rng.integers(1, 12))
        assert_same_matrix(routing._strongest(matrix, keep), strongest_all_at_once(matrix, keep))


def test_a_terms_share_of_documents_is_scipys_column_mean_of_binary_rows_bit_for_bit() -> None:
    rng = np.random.default_rng(11)
    for _ in range(150):
        rows, columns = int(rng.integers(2, 2500)), int(rng.integers(1, 120))
        density = float(rng.random()) * 0.5
        counts = sparse.random_array((rows, columns), density=density, format="csr", rng=rng)
        counts.sum_duplicates()
        inside = rng.random(rows) < 0.3
        if not inside.any():
            continue
        binary = counts.copy()
        binary.data[:] = 1.0
        expected = np.asarray(binary[inside].mean(axis=0)).ravel()
        users = np.asarray((binary[inside] != 0).sum(axis=0)).ravel().astype(np.int64)
        found = routing._share(users, int(inside.sum()))
        np.testing.assert_array_equal(found, expected, strict=True)


def test_the_strongest_entries_of_rows_and_of_columns_found_in_blocks_are_those_found_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from briefing.helper import Helper

    monkeypatch.setattr(routing, "_STRONGEST_ENTRIES", 16)  # many blocks of columns
    monkeypatch.setattr(routing, "_QUERY_ROWS", 5)  # and of rows
    rng = np.random.default_rng(4)
    for case in range(150):
        matrix = random_counts(rng, ties=case % 2 == 0)
        matrix.data /= matrix.data.max()
        queries, postings = routing._strongest_both(matrix)
        assert_same_matrix(queries, routing._strongest(matrix, routing.STRONGEST_TERMS))
        expected = routing._strongest(matrix.T.tocsr(), routing.TERM_POSTINGS)
        assert_same_matrix(postings, expected)
    # The blocks shared with a helper (a large day's size) give the same matrices.
    matrix = random_counts(rng, ties=True)
    matrix.data /= matrix.data.max()
    shared = routing._strongest_both(
        matrix, lambda task, items, _: Helper().each(task, items, 10**6)
    )
    for found, expected in zip(shared, routing._strongest_both(matrix), strict=True):
        assert_same_matrix(found, expected)


def test_each_sentences_evidence_is_its_keywords_or_its_headlines_then_its_learned_terms(
    bbc_dev_sentences: list[Sentence],
) -> None:
    articles = read_articles([BBC_DEV / "articles"])
    topics = load_topics(BENCH / "topics.toml")
    sentences = bbc_dev_sentences
    routing = route_sentences(articles, sentences, topics)
    assert any(routing.learned) and sum(t is not None for t in routing.topic_of) > 100
    assert len(routing.evidence) == len(sentences)
    for index, (sentence, topic) in enumerate(zip(sentences, routing.topic_of, strict=True)):
        if topic is None:
            assert routing.evidence[index] == ()
            continue
        entry = topics.topics[topic]
        words = matched_keywords(sentence.stems, entry) or list(
            routing.headline_keywords[sentence.article][topic]
        )
        used = set(sentence.terms)
        words += [t for t in routing.learned[topic] if t in used]
        assert routing.evidence[index] == tuple(words), sentence.text
    assert routing.evidence[-1] == routing.evidence[len(sentences) - 1]
    assert list(routing.evidence[:3]) == [routing.evidence[i] for i in range(3)]
