from __future__ import annotations

import itertools
import math
import subprocess
import sys
import textwrap

import networkx as nx
import numpy as np
import pytest
from brieftest import assert_same_matrix, assert_same_terms, random_counts
from scipy import sparse
from sumy.models.dom import ObjectDocumentModel, Paragraph
from sumy.models.dom import Sentence as SumySentence
from sumy.nlp.stemmers import Stemmer
from sumy.summarizers.text_rank import TextRankSummarizer

from briefing import rank
from briefing.model import TopicSet
from briefing.rank import (
    TextRankGraph,
    centrality_in_article,
    distinct,
    index_terms,
    join_term_indexes,
    percentiles,
    percentiles_within,
    rank_order,
    similarity_matrix,
    term_matrix,
    term_matrix_and_terms,
    terms_matrix,
    terms_of,
    textrank_scores,
    unit_rows,
    within_blocks,
)
from briefing.routing import assign_topics
from briefing.segment import STOP_WORDS, Sentence, SumyTokenizer

TOPIC_IDS = ("defence", "syria", "reset")


def test_similarity_matrix_matches_the_textrank_formula_with_repeats() -> None:
    terms = [["putin", "jet", "putin"], ["putin", "deal"], ["idlib"], ["idlib"], ["trade"]]
    weights = similarity_matrix(terms).toarray()
    log = math.log
    expected = np.zeros((5, 5))
    # shared = sum over words of count_i * count_j; norm = log|Si| + log|Sj|
    expected[0, 0] = (2 * 2 + 1 * 1) / (log(3) + log(3))
    expected[0, 1] = expected[1, 0] = (2 * 1) / (log(3) + log(2))
    expected[1, 1] = (1 + 1) / (log(2) + log(2))
    # Two one-word sentences: log 1 + log 1 = 0, so the weight is the shared count itself.
    expected[2, 2] = expected[3, 3] = expected[2, 3] = expected[3, 2] = 1.0
    expected[4, 4] = 1.0
    np.testing.assert_allclose(weights, expected)


def test_similarity_matrix_equals_sumy_edge_rating() -> None:
    terms = [["a", "b", "a"], ["a", "c"], ["d"], ["d"], ["b", "b", "c", "e"]]
    weights = similarity_matrix(terms).toarray()
    for i, words_i in enumerate(terms):
        for j, words_j in enumerate(terms):
            sumy_weight = TextRankSummarizer._rate_sentences_edge(words_i, words_j)
            assert weights[i, j] == pytest.approx(sumy_weight), (i, j)


def test_textrank_scores_sum_to_one_and_favour_the_central_sentence() -> None:
    scores = textrank_scores([["a", "b"], ["a", "b", "c"], ["c", "d"], ["x"]])
    assert scores.sum() == pytest.approx(1.0)
    assert rank_order(scores)[0] == 1


def test_textrank_graph_multiplies_like_the_similarity_matrix() -> None:
    terms = [["a", "b", "a"], ["a", "c"], ["d"], ["d"], ["b", "b", "c", "e"], [], ["e"]]
    vector = np.arange(1.0, len(terms) + 1)
    np.testing.assert_allclose(TextRankGraph(terms) @ vector, similarity_matrix(terms) @ vector)


def test_textrank_graph_sums_each_product_in_the_order_of_a_scatter_add() -> None:
    """The graph's two sparse products add a slot's (or a sentence's) entries in entry
    order: the bits of the scatter-adds (`np.bincount`) they replaced, on which the
    briefs' byte identity rests."""
    rng = np.random.default_rng(11)
    for _ in range(40):
        counts = random_counts(rng, ties=True)
        counts.data = np.ceil(counts.data * 3)  # whole counts, some above 1
        vector = rng.random(counts.shape[0])
        lengths = np.asarray(counts.sum(axis=1)).ravel().round().astype(np.int64)
        distinct, group = np.unique(np.maximum(lengths, 1), return_inverse=True)
        logs = np.log(distinct.astype(np.float64))
        norm = logs[:, None] + logs[None, :]
        factor = np.where(norm == 0.0, 1.0, 1.0 / np.where(norm == 0.0, 1.0, norm))
        coo = counts.tocoo()
        slot = coo.col * len(distinct) + group.ravel()[coo.row]
        by_group = np.bincount(
            slot, weights=coo.data * vector[coo.row], minlength=counts.shape[1] * len(distinct)
        )
        mixed = (by_group.reshape(counts.shape[1], len(distinct)) @ factor).ravel()
        expected = np.bincount(coo.row, weights=coo.data * mixed[slot], minlength=counts.shape[0])
        found = TextRankGraph(None, counts) @ vector
        assert found.tobytes() == expected.tobytes()


def networkx_pagerank(weights: sparse.csr_array | np.ndarray, tol: float) -> np.ndarray:
    if isinstance(weights, np.ndarray):
        graph = nx.from_numpy_array(weights)
    else:
        graph = nx.from_scipy_sparse_array(weights)
    scores = nx.pagerank(graph, alpha=0.85, weight="weight", tol=tol, max_iter=1000)
    return np.array([scores[i] for i in range(len(scores))])


def test_textrank_scores_equal_networkx_pagerank_on_bbc_dev(
    bbc_dev_sentences: list[Sentence],
) -> None:
    """The graph-free power method gives networkx's PageRank of the full graph."""
    terms = [s.terms for s in bbc_dev_sentences[:1500]]
    expected = networkx_pagerank(similarity_matrix(terms), tol=1e-12)
    ours = textrank_scores(terms)
    np.testing.assert_allclose(ours, expected, rtol=1e-7)
    assert rank_order(ours) == rank_order(np.round(expected * len(terms), 9))


def test_centrality_in_article_equals_networkx_lexrank_per_article(
    bbc_dev_sentences: list[Sentence],
) -> None:
    """All articles' LexRank graphs ranked in one pass give, bit for bit, the
    percentiles of networkx's PageRank run on each article alone."""
    sentences = bbc_dev_sentences[:1200]
    terms = [s.terms for s in sentences]
    articles = np.array([s.article for s in sentences])
    unit = unit_rows(term_matrix(terms).tocsr())
    expected = np.zeros(len(sentences))
    for article in np.unique(articles):
        members = np.flatnonzero(articles == article)
        cosine = (unit[members] @ unit[members].T).toarray()
        np.fill_diagonal(cosine, 0.0)
        expected[members] = percentiles(networkx_pagerank(cosine, tol=1e-10))
    np.testing.assert_array_equal(centrality_in_article(terms, articles.tolist()), expected)


def pairwise_centrality(term_lists: list[list[str]], articles: list[int]) -> np.ndarray:
    """In-article LexRank as it was computed before issue 11: every pair of an article's
    sentences in one sparse matrix (memory the square of the longest article)."""
    _, blocks = np.unique(np.asarray(articles), return_inverse=True)
    blocks = blocks.ravel()
    cosine = within_blocks(unit_rows(term_matrix(term_lists).tocsr()), blocks).tocoo()
    off = cosine.row != cosine.col
    weights = sparse.csr_array(
        (cosine.data[off], (cosine.row[off], cosine.col[off])), shape=cosine.shape
    )
    out_weight = np.asarray(weights.sum(axis=1)).ravel()
    inverse = np.zeros_like(out_weight)
    np.divide(1.0, out_weight, out=inverse, where=out_weight != 0)
    normalised = (sparse.diags_array(inverse) @ weights).tocsr()
    scores = rank.pagerank(lambda x: x @ normalised, out_weight, blocks, 1e-10)
    return scores, blocks


@pytest.mark.parametrize("corpus", ["seeds", "bbc-dev"])
def test_centrality_in_article_is_bit_for_bit_the_pairwise_one(
    corpus: str, seed_sentences: list[Sentence], bbc_dev_sentences: list[Sentence]
) -> None:
    sentences = seed_sentences if corpus == "seeds" else bbc_dev_sentences
    terms = [list(s.terms) for s in sentences]
    articles = [s.article for s in sentences]
    scores, blocks = pairwise_centrality(terms, articles)
    expected = percentiles_within(scores, blocks)
    np.testing.assert_array_equal(centrality_in_article(terms, articles), expected)


def test_an_articles_centrality_does_not_depend_on_the_articles_ranked_with_it(
    bbc_dev_sentences: list[Sentence], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ranked in contiguous parts (as workers rank them), every score is the same bits
    as ranked all at once, short articles and long ones alike."""
    terms = [s.terms for s in bbc_dev_sentences]
    articles = [s.article for s in bbc_dev_sentences]
    for pairs_up_to in (rank.PAIRS_UP_TO, 0):
        monkeypatch.setattr(rank, "PAIRS_UP_TO", pairs_up_to)
        whole = centrality_in_article(terms, articles)
        cuts = [0, 7, 200, 201, 950, len(terms)]
        cuts = sorted(
            {
                next(
                    i
                    for i in range(c, len(terms) + 1)
                    if i == len(terms) or i == 0 or articles[i] != articles[i - 1]
                )
                for c in cuts
            }
        )
        parts = [
            centrality_in_article(terms[a:b], articles[a:b]) for a, b in itertools.pairwise(cuts)
        ]
        np.testing.assert_array_equal(np.concatenate(parts), whole)


@pytest.mark.parametrize("seed", range(5))
def test_private_columns_keep_each_blocks_products_and_nothing_across_blocks(seed: int) -> None:
    """P Pᵀ is A Aᵀ on the pairs of one block and 0 elsewhere, for consecutive blocks
    (articles' sentences) and for blocks in any order; a column repeated through a long
    block stays one column."""
    rng = np.random.default_rng(seed)
    n, m = 120, 30
    dense = sparse.random_array((n, m), density=0.15, rng=rng).toarray()
    dense[:, 3] = 1.0  # one column in every row: long runs of it in each block
    vectors = sparse.csr_array(dense)
    entries = vectors.tocoo()
    for blocks in (np.sort(rng.integers(0, 25, n)), rng.integers(0, 25, n)):
        same = blocks[:, None] == blocks[None, :]
        expected = np.where(same, (vectors @ vectors.T).toarray(), 0.0)
        private = rank.private_columns(vectors.copy(), blocks)
        np.testing.assert_allclose((private @ private.T).toarray(), expected)
        pairs = set(zip(blocks[entries.row].tolist(), entries.col.tolist(), strict=True))
        assert private.shape[1] == len(pairs)


def test_long_articles_rank_as_their_pairs_would(
    bbc_dev_sentences: list[Sentence], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every article taken as long (no pairs listed): the factorised graph gives the
    pairwise percentiles once scores are settled, so that ties stay ties."""
    monkeypatch.setattr(rank, "PAIRS_UP_TO", 0)
    terms = [list(s.terms) for s in bbc_dev_sentences]
    articles = [s.article for s in bbc_dev_sentences]
    scores, blocks = pairwise_centrality(terms, articles)
    expected = percentiles_within(rank.settled(scores, blocks), blocks)
    np.testing.assert_array_equal(centrality_in_article(terms, articles), expected)


def test_a_long_article_keeps_unconnected_sentences_last(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rank, "PAIRS_UP_TO", 2)
    terms = [("a", "b"), ("a", "b", "c"), ("z",), ("x", "y"), ("x", "y", "w"), ("q",), ()]
    central = centrality_in_article(terms, [0, 0, 0, 1, 1, 1, 1])
    assert central[0] == central[1] > central[2] == 0.0
    assert central[3] == central[4] > central[5] == central[6]  # two unconnected: tied last


MEMORY_PROBE = textwrap.dedent(
    """
    import sys, tracemalloc
    from briefing.rank import centrality_in_article
    n = int(sys.argv[1])
    terms = [["harbour", "board", "met", "day", str(i), "approv", "plan", "number", "port"]
             for i in range(n)]
    tracemalloc.start()
    centrality_in_article(terms, [0] * n)
    print(tracemalloc.get_traced_memory()[1])
    """
)


def peak_bytes(sentences: int) -> int:
    """Peak memory traced while ranking one article of this many sentences, measured in
    a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(sentences)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(result.stdout)


def test_one_long_article_ranks_in_memory_linear_in_its_length() -> None:
    """Its pairs would take 16 times the memory for 4 times the sentences (8,000 took
    4 GB); the ranking takes about 4 times, and a few megabytes."""
    small, large = peak_bytes(4000), peak_bytes(16000)
    assert large < 6 * small, (small, large)
    assert large < 64 * 2**20, large


def test_percentiles_within_blocks_equal_percentiles_of_each_block() -> None:
    rng = np.random.default_rng(7)
    values = rng.integers(0, 5, 200).astype(float)  # many ties
    blocks = rng.integers(0, 30, 200)
    result = percentiles_within(values, blocks)
    for block in np.unique(blocks):
        members = blocks == block
        np.testing.assert_array_equal(result[members], percentiles(values[members]))


def test_textrank_of_nothing_is_empty() -> None:
    assert textrank_scores([]).shape == (0,)


def test_rank_order_breaks_ties_by_input_order() -> None:
    assert rank_order(np.array([0.2, 0.5, 0.2, 0.5, 0.1])) == [1, 3, 0, 2, 4]


def topic_pool(sentences: list[Sentence], topics: TopicSet, topic_id: str) -> list[Sentence]:
    index = [t.id for t in topics.topics].index(topic_id)
    return [
        s for s, a in zip(sentences, assign_topics(sentences, topics), strict=True) if a == index
    ]


def sumy_document(pool: list[Sentence]) -> ObjectDocumentModel:
    tokenizer = SumyTokenizer()
    return ObjectDocumentModel([Paragraph([SumySentence(s.text, tokenizer) for s in pool])])


def sumy_textrank() -> TextRankSummarizer:
    summarizer = TextRankSummarizer(Stemmer("english"))
    summarizer.stop_words = STOP_WORDS
    return summarizer


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_ranking_equals_sumy_converged_textrank_on_seed_topic(
    seed_sentences: list[Sentence], default_topics: TopicSet, topic_id: str
) -> None:
    """sumy's default power-method epsilon (1e-4) stops before convergence, so on
    near-ties its order can differ from converged PageRank; at 1e-8 (still sumy's own
    matrix and power method) the full order must match ours exactly."""
    pool = topic_pool(seed_sentences, default_topics, topic_id)
    assert len(pool) >= 5
    document = sumy_document(pool)
    summarizer = sumy_textrank()
    summarizer.epsilon = 1e-8
    ratings = summarizer.rate_sentences(document)
    sumy_order = sorted(range(len(pool)), key=lambda i: (-ratings[document.sentences[i]], i))
    assert rank_order(textrank_scores([s.terms for s in pool])) == sumy_order


@pytest.mark.parametrize("topic_id", TOPIC_IDS)
def test_top_five_equal_sumy_default_summary_on_seed_topic(
    seed_sentences: list[Sentence], default_topics: TopicSet, topic_id: str
) -> None:
    pool = topic_pool(seed_sentences, default_topics, topic_id)
    document = sumy_document(pool)
    picked = sumy_textrank()(document, 5)
    sumy_top = sorted(document.sentences.index(s) for s in picked)
    ours = rank_order(textrank_scores([s.terms for s in pool]))
    assert sumy_top == sorted(ours[:5])


def _same_matrix(found: sparse.csr_array, expected: sparse.csr_array) -> None:
    assert found.shape == expected.shape
    assert found.indices.dtype == expected.indices.dtype
    for name in ("indptr", "indices", "data"):
        np.testing.assert_array_equal(getattr(found, name), getattr(expected, name))


def test_a_term_matrix_cut_from_the_day_index_is_bit_for_bit_the_one_made_from_words(
    bbc_dev_sentences: list[Sentence],
) -> None:
    """Any rows of the day (a topic's pool, the whole day) give, from the index, the very
    matrix and columns `term_matrix_and_terms` makes from their words."""
    terms = [s.terms for s in bbc_dev_sentences]
    index = index_terms(terms)
    rng = np.random.default_rng(7)
    for rows in (
        np.arange(len(terms)),
        np.sort(rng.choice(len(terms), size=500, replace=False)),
        np.arange(100, 101),
    ):
        matrix, names = terms_matrix(*terms_of(index, rows), index.vocabulary)
        expected, expected_names = term_matrix_and_terms([terms[i] for i in rows])
        _same_matrix(matrix, expected)
        assert names == expected_names


def test_term_indexes_of_contiguous_parts_join_into_the_whole_days(
    bbc_dev_sentences: list[Sentence],
) -> None:
    terms = [s.terms for s in bbc_dev_sentences]
    cuts = [0, 1, 40, 41, 900, len(terms)]
    parts = [index_terms(terms[a:b]) for a, b in itertools.pairwise(cuts)]
    assert_same_terms(join_term_indexes(parts), index_terms(terms))
    assert_same_terms(join_term_indexes([index_terms([])]), index_terms([]))
    articles = [s.article for s in bbc_dev_sentences]
    np.testing.assert_array_equal(
        centrality_in_article(terms, articles, index_terms(terms)),
        centrality_in_article(terms, articles),
    )


def test_weighted_unit_rows_made_in_place_are_the_product_and_scaling_bit_for_bit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rank, "_CHUNK", 64)  # many chunks even in small matrices
    monkeypatch.setattr(rank, "_ROWS", 3)
    rng = np.random.default_rng(7)
    for _ in range(100):
        counts = random_counts(rng)
        weights = rng.random(counts.shape[1]) * 4.0 + 1.0
        expected = rank.unit_rows((counts @ sparse.diags_array(weights)).tocsr())
        assert_same_matrix(rank.weighted_unit_rows(counts.copy(), weights), expected)


def test_distinct_values_are_numpys_unique_ones() -> None:
    rng = np.random.default_rng(7)
    for values in (
        np.zeros(0, dtype=np.int64),
        np.array([5]),
        rng.integers(0, 10, 1000),
        rng.integers(0, 10**12, 5000),
        np.arange(100, dtype=np.int32)[::-1],
    ):
        found = distinct(values)
        assert found.dtype == values.dtype
        np.testing.assert_array_equal(found, np.unique(values))
