"""Rank: TextRank (Mihalcea & Tarau 2004) over a topic's sentences.

Edge weight between sentences i and j = shared words / (log|Si| + log|Sj|), with words
counted as sumy counts them (stop words out, stems, repeats kept), so the order equals
sumy's `TextRankSummarizer` for the same tokens. The graph is never built pair by pair:
PageRank multiplies by it through the sentence-by-term count matrix (`TextRankGraph`),
so time and memory grow with the text, not with the square of the sentence count.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

import numpy as np
from scipy import sparse

from briefing.model import Ranking, Routing, Sentence, SentenceWords, TermIndex
from briefing.progress import progress

DAMPING = 0.85
TOL = 1e-12  # per sentence: far below any score gap that could change the order


def term_matrix(term_lists: Sequence[Sequence[str]]) -> sparse.csr_array:
    """Sentence-by-term counts (rows: sentences; columns: distinct terms in order of
    first appearance)."""
    return term_matrix_and_terms(term_lists)[0]


def term_matrix_and_terms(
    term_lists: Sequence[Sequence[str]],
) -> tuple[sparse.csr_array, list[str]]:
    """`term_matrix`, and the term of each of its columns: a caller that needs both
    builds the matrix once."""
    index = index_terms(term_lists)
    return terms_matrix(index.ids, index.starts, index.vocabulary)


def index_terms(term_lists: Sequence[Sequence[str]]) -> TermIndex:
    """The term lists (a day's sentences' content stems) as a `TermIndex`."""
    flat = list(itertools.chain.from_iterable(term_lists))
    column = dict(zip(dict.fromkeys(flat), itertools.count()))
    ids = np.fromiter(map(column.__getitem__, flat), dtype=np.int32, count=len(flat))
    starts = np.zeros(len(term_lists) + 1, dtype=np.int64)
    np.cumsum([len(terms) for terms in term_lists], out=starts[1:])
    return TermIndex(vocabulary=tuple(column), ids=ids, starts=starts)


def first_appearances(ids: np.ndarray, count: int) -> np.ndarray:
    """The ids among 0 .. count - 1 that occur in `ids`, in the order of their first
    occurrence: how the day's indexes number their words."""
    first = np.full(count, len(ids), dtype=np.int64)
    np.minimum.at(first, ids, np.arange(len(ids)))  # where each id first occurs
    used = np.flatnonzero(first < len(ids))
    return used[np.argsort(first[used], kind="stable")]


def index_words(words: SentenceWords) -> tuple[TermIndex, TermIndex]:
    """A segmented part's `TermIndex` of its terms (the same as `index_terms` of its
    sentences' terms: numbered by first appearance) and of all its stems."""
    chosen = words.ids[words.content]  # the terms' ids, as places among all the stems
    counted = np.zeros(len(words.content) + 1, dtype=np.int64)
    np.cumsum(words.content, out=counted[1:])
    starts = counted[words.starts]  # where each sentence's terms begin among the terms
    order = first_appearances(chosen, len(words.vocabulary))
    place = np.full(len(words.vocabulary), -1, dtype=np.int32)
    place[order] = np.arange(len(order), dtype=np.int32)
    vocabulary = tuple(words.vocabulary[i] for i in order.tolist())
    terms = TermIndex(vocabulary=vocabulary, ids=place[chosen], starts=starts)
    return terms, TermIndex(vocabulary=words.vocabulary, ids=words.ids, starts=words.starts)


def join_term_indexes(parts: Sequence[TermIndex]) -> TermIndex:
    """The index of the parts' sentences one after the other: the same as `index_terms`
    of all of them (a part's new terms come after the earlier parts', in its order)."""
    known: dict[str, int] = {}
    ids, starts = [np.zeros(0, dtype=np.int32)], [np.zeros(1, dtype=np.int64)]
    offset = 0
    for part in parts:
        place = np.fromiter(
            (known.setdefault(term, len(known)) for term in part.vocabulary),
            np.int32,
            len(part.vocabulary),
        )
        ids.append(place[part.ids])
        starts.append(part.starts[1:] + offset)
        offset += int(part.starts[-1])
    return TermIndex(
        vocabulary=tuple(known), ids=np.concatenate(ids), starts=np.concatenate(starts)
    )


def runs(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """starts[0], starts[0] + 1, … (lengths[0] places), then starts[1], … and so on: the
    places of runs of an array, one after the other."""
    offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(starts, lengths) + offsets


def distinct(values: np.ndarray) -> np.ndarray:
    """`np.unique(values)`, found by sorting: NumPy's plain `unique` hashes, which took
    fifty times as long on the millions of distinct numbers of a large day."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    first = np.empty(len(ordered), dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


def terms_of(index: TermIndex, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ids of the sentences `rows` (in that order), one after the other, and where
    each sentence's begin (one more than the rows)."""
    lengths = index.starts[rows + 1] - index.starts[rows]
    starts = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    return index.ids[runs(index.starts[rows], lengths)], starts


def terms_matrix(
    ids: np.ndarray,
    starts: np.ndarray,
    vocabulary: Sequence[str],
    dtype: type[np.floating] = np.float64,
) -> tuple[sparse.csr_array, list[str]]:
    """`term_matrix_and_terms` of rows given as ids (`terms_of`): the same matrix, bit
    for bit, its columns numbered by first appearance in these rows. (`dtype`: of the
    counts; float32 holds counts exactly in half the memory.)"""
    count = len(vocabulary)
    order = first_appearances(ids, count)
    index_type = np.int32 if len(ids) < np.iinfo(np.int32).max else np.int64
    column = np.full(count, -1, dtype=index_type)
    column[order] = np.arange(len(order), dtype=index_type)
    matrix = sparse.csr_array(
        (np.ones(len(ids), dtype=dtype), column[ids], starts.astype(index_type)),
        shape=(len(starts) - 1, max(len(order), 1)),
    )
    matrix.sum_duplicates()
    return matrix, [vocabulary[i] for i in order.tolist()]


def sorted_term_matrix(
    term_lists: Sequence[Sequence[str]], index: TermIndex | None = None
) -> sparse.csr_array:
    """`term_matrix` with its columns in the terms' sorted order: each row's sums then
    run over its terms in an order that depends on its own terms alone, so an article's
    scores are the same bits whichever other articles are ranked with it (on one machine
    or split over workers)."""
    index = index_terms(term_lists) if index is None else index  # (when made already)
    counts, terms = terms_matrix(index.ids, index.starts, index.vocabulary)
    order = np.argsort(np.array(terms, dtype=object), kind="stable")
    rank = np.empty(len(terms), dtype=counts.indices.dtype)
    rank[order] = np.arange(len(terms))
    counts.indices = rank[counts.indices]  # renumbered in place, then each row re-sorted
    counts.has_sorted_indices = False
    counts.sort_indices()
    return counts


def unit_rows(matrix: sparse.csr_array) -> sparse.csr_array:
    """Rows scaled to length 1 (empty rows stay empty): dot products become cosines."""
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    return (sparse.diags_array(1.0 / np.maximum(norms, 1e-12)) @ matrix).tocsr()


def weighted_unit_rows(counts: sparse.csr_array, weights: np.ndarray) -> sparse.csr_array:
    """`unit_rows(counts @ diags(weights))`, made in `counts`' own arrays (which it
    consumes): a large day's articles-by-terms matrix is hundreds of MB, and the product
    and its scaled copy were two more of it. The same bits: each entry is the same one
    product, each row's length summed over the same squares in the same (column) order;
    `counts` must have sorted indices and no zero products (counts and weights > 0)."""
    if not counts.has_canonical_format:
        return unit_rows((counts @ sparse.diags_array(weights)).tocsr())
    data = counts.data
    for start in range(0, len(data), _CHUNK):  # (in chunks: the gathered weights are temporary)
        stop = start + _CHUNK
        data[start:stop] *= weights[counts.indices[start:stop]]
    norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
    scale = 1.0 / np.maximum(norms, 1e-12)
    lengths = np.diff(counts.indptr)
    for start in range(0, len(norms), _ROWS):
        stop = min(start + _ROWS, len(norms))
        data[counts.indptr[start] : counts.indptr[stop]] *= np.repeat(
            scale[start:stop], lengths[start:stop]
        )
    return counts


_CHUNK = 1 << 20  # entries of a large matrix changed at once
_ROWS = 1 << 12  # rows of a large matrix scaled at once


def similarity_matrix(term_lists: Sequence[Sequence[str]]) -> sparse.csr_array:
    """TextRank edge weights, self-similarity on the diagonal as in sumy (all pairs:
    for tests and small inputs; ranking uses `TextRankGraph`, which never builds this)."""
    counts = term_matrix(term_lists)
    shared = (counts @ counts.T).tocoo()
    lengths = np.array([len(t) for t in term_lists], dtype=np.float64)
    logs = np.log(np.maximum(lengths, 1.0))
    norm = logs[shared.row] + logs[shared.col]
    # Two one-word sentences: log 1 + log 1 = 0, and sumy takes the shared count itself.
    weights = np.where(np.isclose(norm, 0.0), shared.data, shared.data / np.where(norm, norm, 1))
    return sparse.csr_array((weights, (shared.row, shared.col)), shape=shared.shape)


class TextRankGraph:
    """The TextRank similarity graph as an operator, without its n² edges.

    Almost any two sentences share a word, so the graph is nearly complete. But its
    weight, shared_ij / (log|Si| + log|Sj|), has a numerator that is a product of the
    count matrix with itself and a denominator that depends only on the two sentence
    lengths. Grouping sentences by length, W = Σ_gh F[g, h] · C_g C_hᵀ, with
    F[g, h] = 1 / (log g + log h): multiplying W by a vector costs two passes over the
    counts and one (terms × lengths) by (lengths × lengths) product, so PageRank runs
    in time linear in the text, with exactly the weights of `similarity_matrix`.
    """

    def __init__(
        self, term_lists: Sequence[Sequence[str]] | None, counts: sparse.csr_array | None = None
    ) -> None:
        """`counts`: the lists' `term_matrix`, when made already (then the lists may be
        None: a sentence's length is its row's sum, a whole number of terms)."""
        if counts is None:
            assert term_lists is not None
            counts = term_matrix(term_lists)
        if term_lists is None:
            lengths = np.asarray(counts.sum(axis=1)).ravel().round().astype(np.int64)
        else:
            lengths = np.array([len(t) for t in term_lists], dtype=np.int64)
        counts = counts.tocsr()
        distinct, group = np.unique(np.maximum(lengths, 1), return_inverse=True)
        logs = np.log(distinct.astype(np.float64))
        norm = logs[:, None] + logs[None, :]
        # Two one-word sentences: log 1 + log 1 = 0, and sumy takes the shared count itself.
        self._factor = np.where(norm == 0.0, 1.0, 1.0 / np.where(norm == 0.0, 1.0, norm))
        self._terms, self._groups = counts.shape[1], len(distinct)
        # One slot per (term, length group): where a sentence's counts meet its group's.
        # `spread` holds each sentence's counts in its slots; C_hᵀ x for every group h at
        # once is `gather @ x`, and Σ_g C_g y_g is `spread @ y`. Each product sums a
        # row's entries in their order, as a scatter-add over the entries would: the
        # same bits, in a quarter of the time.
        slots = self._terms * self._groups
        wide = max(slots, counts.nnz) >= np.iinfo(np.int32).max
        index_type = np.int64 if wide else np.int32
        slot = counts.indices.astype(np.int64) * self._groups
        slot += np.repeat(group.ravel(), np.diff(counts.indptr))
        self._spread = sparse.csr_array(
            (counts.data, slot.astype(index_type), counts.indptr.astype(index_type)),
            shape=(len(lengths), slots),
        )
        self._gather = self._spread.T.tocsr()

    def __matmul__(self, vector: np.ndarray) -> np.ndarray:
        """W @ vector."""
        by_group = (self._gather @ vector).reshape(self._terms, self._groups)
        return self._spread @ (by_group @ self._factor).ravel()


Propagate = Callable[[np.ndarray], np.ndarray]


def pagerank(
    propagate: Propagate,
    out_weight: np.ndarray,
    blocks: np.ndarray,
    tol: float,
    max_iter: int = 1000,
    restrict: Callable[[np.ndarray], Propagate] | None = None,
) -> np.ndarray:
    """PageRank of every block of a block-diagonal graph at once.

    Step for step what `networkx.pagerank` does for each block on its own (uniform
    teleport, dangling nodes spread over their block, stop when the block's summed
    change is below tol per node), so the scores and their order are networkx's.
    `propagate(x)` returns x @ P for the row-normalised weight matrix P; `out_weight`
    holds each node's weight sum; `blocks` labels each node's block 0..b-1.

    Blocks settle at different speeds (most articles' in a few dozen steps, the slowest
    in a hundred or more). With `restrict(nodes)`, the `propagate` of the graph cut down
    to those nodes (whole blocks, in order), the steps go on over the unsettled blocks
    only once they are under half of the nodes stepped: every sum runs over the same
    terms in the same order as over the whole graph, so the scores are the same bits.
    """
    sizes = np.bincount(blocks)
    teleport = 1.0 / sizes[blocks]
    is_dangling = out_weight == 0
    dangling = np.flatnonzero(is_dangling)
    x = teleport.copy()
    scores = x  # every node's score; `x` holds those of `nodes` (all, until cut down)
    nodes: np.ndarray | None = None
    active = np.ones(len(sizes), dtype=bool)
    for _ in range(max_iter):
        spread = np.bincount(blocks[dangling], weights=x[dangling], minlength=len(sizes))
        step = DAMPING * (propagate(x) + spread[blocks] * teleport) + (1 - DAMPING) * teleport
        change = np.bincount(blocks, weights=np.abs(step - x), minlength=len(sizes))
        x = np.where(active[blocks], step, x)
        active &= change >= sizes * tol
        if not active.any():
            break
        live = active[blocks]
        if restrict is not None and 2 * np.count_nonzero(live) < len(x):
            if nodes is None:
                scores = x
            else:
                scores[nodes] = x
            keep = np.flatnonzero(live)
            nodes = keep if nodes is None else nodes[keep]
            x, blocks, teleport = x[keep], blocks[keep], teleport[keep]
            dangling = np.flatnonzero(is_dangling[nodes])
            propagate = restrict(nodes)
    if nodes is None:
        return x
    scores[nodes] = x
    return scores


def _inverse(values: np.ndarray) -> np.ndarray:
    inverse = np.zeros_like(values)
    np.divide(1.0, values, out=inverse, where=values != 0)
    return inverse


def textrank_scores(
    term_lists: Sequence[Sequence[str]] | None, counts: sparse.csr_array | None = None
) -> np.ndarray:
    """PageRank score of each sentence, in input order (the scores sum to 1); `counts`:
    the lists' `term_matrix`, when made already (the lists may then be None).

    Scores are settled to 1e-9 of the average score, well inside the power method's
    own error: sentences that tie exactly (the same words, say) would otherwise differ
    in the last bit by the order of summation, and a tie keeps input order as in sumy.
    """
    n = len(term_lists) if term_lists is not None else 0 if counts is None else counts.shape[0]
    if n == 0:
        return np.zeros(0)
    graph = TextRankGraph(term_lists, counts)
    out_weight = graph @ np.ones(n)
    scale = _inverse(out_weight)
    # W is symmetric, so x @ (D⁻¹ W) = W @ (x / d).
    scores = pagerank(lambda x: graph @ (x * scale), out_weight, np.zeros(n, np.int64), TOL)
    return np.round(scores * n, 9) / n


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


def private_columns(vectors: sparse.csr_array, blocks: np.ndarray) -> sparse.csr_array:
    """`vectors` with each block's terms given columns of their own, so that rows of
    different blocks share no column: `P @ P.T` is `vectors @ vectors.T` restricted to
    pairs in the same block. A block's columns keep their order, numbered after the
    previous block's (so each row's entries stay in the same order)."""
    vectors = vectors.tocsr()
    if not vectors.has_sorted_indices:  # a sorted copy: the caller's matrix stays as it is
        vectors = vectors.sorted_indices()
    if len(blocks) and np.all(blocks[1:] >= blocks[:-1]):
        # Blocks of consecutive rows (articles' sentences): the distinct columns of each
        # block are the pattern of one row per block, and an entry's new column is found
        # by a binary search among them, in a fraction of the memory of sorting every
        # entry; the entries keep their order, so the matrix is built in place.
        starts = np.flatnonzero(np.r_[True, blocks[1:] != blocks[:-1]])
        pattern = sparse.csr_array(
            (
                np.ones(vectors.nnz, dtype=bool),
                vectors.indices.copy(),  # summing duplicates sorts them in place
                vectors.indptr[np.r_[starts, len(blocks)]],
            ),
            shape=(len(starts), vectors.shape[1]),
        )
        pattern.sum_duplicates()
        width = np.int64(vectors.shape[1])
        block_of_row = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(blocks)]))
        distinct = np.repeat(np.arange(len(starts), dtype=np.int64), np.diff(pattern.indptr))
        distinct = distinct * width + pattern.indices
        key = np.repeat(block_of_row, np.diff(vectors.indptr)).astype(np.int64) * width
        key += vectors.indices
        column = np.searchsorted(distinct, key).astype(vectors.indices.dtype)
        return sparse.csr_array(
            (vectors.data, column, vectors.indptr), shape=(vectors.shape[0], len(distinct))
        )
    coo = vectors.tocoo()
    key = blocks[coo.row].astype(np.int64) * vectors.shape[1] + coo.col
    _, column = np.unique(key, return_inverse=True)
    return sparse.csr_array(
        (coo.data, (coo.row, column.ravel())),
        shape=(vectors.shape[0], int(column.max(initial=-1)) + 1),
    )


def within_blocks(vectors: sparse.csr_array, blocks: np.ndarray) -> sparse.csr_array:
    """vectors @ vectors.T restricted to pairs in the same block, in one sparse product
    (all pairs: for tests and small inputs; ranking uses `BlockCosineGraph`)."""
    private = private_columns(vectors, blocks)
    return (private @ private.T).tocsr()


PAIRS_UP_TO = 100  # sentences: a longer article's LexRank never lists its pairs


def _rows(matrix: sparse.coo_array, keep: np.ndarray) -> sparse.csr_array:
    """The matrix with only the rows where `keep` is true (the others empty)."""
    mask = keep[matrix.row]
    return sparse.csr_array(
        (matrix.data[mask], (matrix.row[mask], matrix.col[mask])), shape=matrix.shape
    )


class BlockCosineGraph:
    """LexRank's graph of every block (article) at once: W, the cosines of the unit rows
    of two sentences of one block, no edge from a sentence to itself.

    A block of up to `pairs_up_to` sentences lists its pairs, one sparse product as
    reference implementations compute them: at most that many pairs per sentence. A
    longer block never does, since its pairs grow with the square of its length (the
    8,000 sentences of one long file took 4 GB): there W = P Pᵀ − D, with P the block's
    unit rows in columns of its own (`private_columns`) and D the diagonal of P Pᵀ, so
    multiplying by W costs two passes over its counts and memory grows with the text.
    `propagate(x)` is x @ D⁻¹W, with D the degrees (`out_weight`), for `pagerank`.
    """

    def __init__(
        self, unit: sparse.csr_array, blocks: np.ndarray, pairs_up_to: int = PAIRS_UP_TO
    ) -> None:
        self.long = np.bincount(blocks)[blocks] > pairs_up_to
        self._size = len(blocks)
        self._any_long = bool(self.long.any())
        private = private_columns(unit, blocks)
        short = _rows(private.tocoo(), ~self.long) if self._any_long else private
        cosine = (short @ short.T).tocoo()
        off_diagonal = cosine.row != cosine.col
        weights = sparse.csr_array(
            (cosine.data[off_diagonal], (cosine.row[off_diagonal], cosine.col[off_diagonal])),
            shape=cosine.shape,
        )
        self.out_weight = np.asarray(weights.sum(axis=1)).ravel()
        if self._any_long:
            self._long_rows(private.tocoo())
        self._scale = _inverse(self.out_weight)
        self._normalised = (sparse.diags_array(self._scale) @ weights).tocsr()

    def _long_rows(self, private: sparse.coo_array) -> None:
        """The factors of the long blocks' W, and their degrees added to `out_weight`."""
        self._long = _rows(private, self.long)
        self._long_t = self._long.T.tocsr()
        self._self = np.asarray(self._long.multiply(self._long).sum(axis=1)).ravel()
        degree = self._long_product(np.ones(len(self.long)))
        # A sentence that shares no term with another of its block has no edge at all:
        # its degree is 0 exactly, not the rounding left by subtracting its self-loop.
        column_rows = np.bincount(self._long.indices, minlength=self._long.shape[1])
        shared = np.bincount(
            private.row,
            weights=self.long[private.row] & (column_rows[private.col] > 1),
            minlength=len(self.long),
        )
        degree[shared == 0] = 0.0
        self.out_weight = self.out_weight + degree

    def _long_product(self, vector: np.ndarray) -> np.ndarray:
        """W @ vector over the long blocks (0 in the rows of short ones)."""
        return self._long @ (self._long_t @ vector) - self._self * vector

    def propagate(self, x: np.ndarray) -> np.ndarray:
        """x @ D⁻¹W (W is symmetric: over the long blocks, W @ (x / d))."""
        if not self._any_long:
            return x @ self._normalised
        return x @ self._normalised + self._long_product(x * self._scale)

    def restricted(self, nodes: np.ndarray) -> Propagate:
        """`propagate` over `nodes` alone (whole blocks, ascending), for `pagerank`: the
        rows kept in order and their columns renumbered, so each sum meets the same
        terms in the same order as over the whole graph."""
        position = np.full(self._size, -1, dtype=np.int64)
        position[nodes] = np.arange(len(nodes))
        normalised = self._normalised[nodes]
        normalised = sparse.csr_array(
            (normalised.data, position[normalised.indices], normalised.indptr),
            shape=(len(nodes), len(nodes)),
        )
        if not self._any_long:
            return lambda x: x @ normalised
        long = self._long[nodes]
        long_t = long.T.tocsr()
        own, scale = self._self[nodes], self._scale[nodes]

        def propagate(x: np.ndarray) -> np.ndarray:
            weighted = x * scale
            return x @ normalised + (long @ (long_t @ weighted) - own * weighted)

        return propagate


def settled(scores: np.ndarray, blocks: np.ndarray) -> np.ndarray:
    """Scores rounded to 1e-9 of their block's average score, well inside the power
    method's own error (tol 1e-10 per node): sentences that tie exactly would otherwise
    differ in the last bit by the order of summation, and percentiles average ties."""
    size = np.bincount(blocks)[blocks]
    return np.round(scores * size, 9) / size


def percentiles_within(values: np.ndarray, blocks: np.ndarray) -> np.ndarray:
    """`percentiles` of each block's values, for all blocks at once."""
    n = len(values)
    if n == 0:
        return np.zeros(0)
    order = np.lexsort((values, blocks))
    block, value = blocks[order], values[order]
    new_block = np.r_[True, block[1:] != block[:-1]]
    new_run = new_block | np.r_[True, value[1:] != value[:-1]]
    block_start = np.maximum.accumulate(np.where(new_block, np.arange(n), 0))
    run_id = np.cumsum(new_run) - 1
    run_first = np.flatnonzero(new_run)
    run_last = np.r_[run_first[1:], n] - 1
    average_rank = (run_first + run_last)[run_id] / 2.0 - block_start
    size = np.bincount(block)[block]
    result = np.empty(n)
    result[order] = np.where(size > 1, average_rank / np.maximum(size - 1.0, 1.0), 1.0)
    return result


def centrality_in_article(
    term_lists: Sequence[Sequence[str]],
    articles: Sequence[int] | np.ndarray,
    index: TermIndex | None = None,
) -> np.ndarray:
    """Each sentence's centrality within its own article, as a percentile.

    LexRank with continuous cosine weights (Erkan & Radev 2004) over the article's
    sentences: how much a sentence says what its whole article is about. A topic's
    TextRank alone favours sentences that echo the other articles; this keeps each
    pick anchored in what its own source considered its story. Every article's graph
    is one block of a single graph (`BlockCosineGraph`), ranked in one pass, in memory
    linear in the text however long one article is.
    """
    if len(articles) == 0:  # (`term_lists` may be left empty where `index` is given)
        return np.zeros(0)
    _, blocks = np.unique(np.asarray(articles), return_inverse=True)
    blocks = blocks.ravel()
    graph = BlockCosineGraph(unit_rows(sorted_term_matrix(term_lists, index)), blocks, PAIRS_UP_TO)
    scores = pagerank(graph.propagate, graph.out_weight, blocks, 1e-10, restrict=graph.restricted)
    # Ties in a long block are ties: its sums run in another order than its pairs would.
    scores = np.where(graph.long, settled(scores, blocks), scores)
    return percentiles_within(scores, blocks)


_Item = TypeVar("_Item")
_Found = TypeVar("_Found")


class Each(Protocol):
    """A map over a list (`Workers.each`: on a large day, items shared with a helper)."""

    def __call__(
        self, task: Callable[[_Item], _Found], items: Sequence[_Item], size: int | None = None
    ) -> list[_Found]:
        """`[task(item) for item in items]`; `size`: the articles the work covers."""


def each_here(
    task: Callable[[_Item], _Found], items: Sequence[_Item], size: int | None = None
) -> list[_Found]:
    return [task(item) for item in items]


def rank_sentences(
    sentences: list[Sentence],
    routing: Routing,
    topic_count: int,
    article_rank: np.ndarray | None = None,
    terms: TermIndex | None = None,
    each: Each | None = None,
) -> Ranking:
    """The rank stage: TextRank over each topic's sentences, and every sentence's
    centrality in its own article (what selection weighs besides the topic), unless
    `article_rank` brings it, computed where the articles were segmented. `terms`: the
    day's `TermIndex`, when made already; `each` ranks a large day's topics
    (`Workers.each`: some of them in a helper)."""
    pools: list[list[int]] = [[] for _ in range(topic_count)]
    for index, topic in enumerate(routing.topic_of):
        if topic is not None:
            pools[topic].append(index)
    # Each pool's term counts, made once: TextRank's graph, then composing's redundancy.
    terms = index_terms([s.terms for s in sentences]) if terms is None else terms
    cut = (terms_of(terms, np.array(pool, dtype=np.int64)) for pool in pools)
    counts = tuple(terms_matrix(*ids, terms.vocabulary)[0] for ids in cut)
    ranking = progress(range(topic_count), total=topic_count, description="ranking", unit="topic")

    def scored(topic: int) -> np.ndarray:
        return textrank_scores(None, counts[topic])

    articles = len(routing.affinity)
    found = (each or each_here)(scored, range(topic_count), articles)
    scores = tuple(found[topic] for topic in ranking)
    return Ranking(
        pools=tuple(tuple(pool) for pool in pools),
        topic_scores=scores,
        pool_counts=counts,
        article_rank=centrality_in_article(
            [s.terms for s in sentences], [s.article for s in sentences], terms
        )
        if article_rank is None
        else article_rank,
    )
