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
