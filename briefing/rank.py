"""Rank: TextRank (Mihalcea & Tarau 2004) over a topic's sentences.

Edge weight between sentences i and j = shared words / (log|Si| + log|Sj|), with words
counted as sumy counts them (stop words out, stems, repeats kept), so the order equals
sumy's `TextRankSummarizer` for the same tokens. The weights come from one sparse
product of the sentence-by-term count matrix; no Python loop over sentence pairs.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np
from scipy import sparse

DAMPING = 0.85


def term_matrix(term_lists: Sequence[Sequence[str]]) -> sparse.csr_array:
    """Sentence-by-term counts (rows: sentences; columns: distinct terms)."""
    vocabulary: dict[str, int] = {}
    indptr = [0]
    indices: list[int] = []
    for terms in term_lists:
        indices.extend(vocabulary.setdefault(t, len(vocabulary)) for t in terms)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float64)
    matrix = sparse.csr_array(
        (data, np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(len(term_lists), max(len(vocabulary), 1)),
    )
    matrix.sum_duplicates()
    return matrix


def unit_rows(matrix: sparse.csr_array) -> sparse.csr_array:
    """Rows scaled to length 1 (empty rows stay empty): dot products become cosines."""
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    return (sparse.diags_array(1.0 / np.maximum(norms, 1e-12)) @ matrix).tocsr()


def similarity_matrix(term_lists: Sequence[Sequence[str]]) -> sparse.csr_array:
    """TextRank edge weights, self-similarity on the diagonal as in sumy."""
    counts = term_matrix(term_lists)
    shared = (counts @ counts.T).tocoo()
    lengths = np.array([len(t) for t in term_lists], dtype=np.float64)
    logs = np.log(np.maximum(lengths, 1.0))
    norm = logs[shared.row] + logs[shared.col]
    # Two one-word sentences: log 1 + log 1 = 0, and sumy takes the shared count itself.
    weights = np.where(np.isclose(norm, 0.0), shared.data, shared.data / np.where(norm, norm, 1))
    return sparse.csr_array((weights, (shared.row, shared.col)), shape=shared.shape)


def textrank_scores(term_lists: Sequence[Sequence[str]]) -> np.ndarray:
    """PageRank score of each sentence, in input order (the scores sum to 1)."""
    n = len(term_lists)
    if n == 0:
        return np.zeros(0)
    graph = nx.from_scipy_sparse_array(similarity_matrix(term_lists))
    scores = nx.pagerank(graph, alpha=DAMPING, weight="weight", tol=1e-12, max_iter=1000)
    return np.array([scores[i] for i in range(n)])


def rank_order(scores: np.ndarray) -> list[int]:
    """Indices best first; ties keep input order (as sumy's stable sort does)."""
    return sorted(range(len(scores)), key=lambda i: (-scores[i], i))


def percentiles(values: np.ndarray) -> np.ndarray:
    """Rank of each value as a fraction of the range: 1.0 best, 0.0 worst, ties averaged."""
    n = len(values)
    if n <= 1:
        return np.ones(n)
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    first = np.concatenate(([0], np.cumsum(counts)[:-1]))
    average_rank = first + (counts - 1) / 2.0
    return average_rank[inverse] / (n - 1.0)


def centrality_in_article(
    term_lists: Sequence[Sequence[str]], articles: Sequence[int]
) -> np.ndarray:
    """Each sentence's centrality within its own article, as a percentile.

    LexRank with continuous cosine weights (Erkan & Radev 2004) over the article's
    sentences: how much a sentence says what its whole article is about. A topic's
    TextRank alone favours sentences that echo the other articles; this keeps each
    pick anchored in what its own source considered its story.
    """
    result = np.zeros(len(term_lists))
    members: dict[int, list[int]] = {}
    for index, article in enumerate(articles):
        members.setdefault(article, []).append(index)
    unit = unit_rows(term_matrix(term_lists).tocsr())
    for indices in members.values():
        block = unit[indices]
        cosine = (block @ block.T).toarray()
        np.fill_diagonal(cosine, 0.0)
        graph = nx.from_numpy_array(cosine)
        scores = nx.pagerank(graph, alpha=DAMPING, weight="weight", tol=1e-10, max_iter=1000)
        result[indices] = percentiles(np.array([scores[i] for i in range(len(indices))]))
    return result
