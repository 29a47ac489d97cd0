"""Routing: which topic each sentence of the day belongs to, and how sure that is.

Keywords are matched on stems, so `sanction` also finds `sanctions` and `sanctioned`; a
keyword of several words matches only as a phrase. An article's own keywords vote on its
topic, and so do its nearest neighbours among the day's articles (label propagation
seeded by the keywords); a sentence then takes its topic from its own keywords and
learned terms, weighed by how much its article is about each topic.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import NamedTuple, overload

import numpy as np
from scipy import sparse

from briefing.model import Article, Routing, Sentence, TermIndex, Topic, TopicSet
from briefing.rank import (
    Each,
    distinct,
    each_here,
    index_terms,
    runs,
    term_matrix,
    term_matrix_and_terms,
    terms_matrix,
    terms_of,
    weighted_unit_rows,
)
from briefing.segment import WordAnalyser


class KeywordMatcher:
    """Finds a topic set's keywords in runs of stems, in one pass over the stems.

    Every keyword is indexed under the first stem of its pattern, so a keyword is looked
    up only where its first stem occurs, and a phrase must follow there word for word.
    Keywords of one topic that stem alike ("vote" and "votes") are one keyword, the one
    listed first: an analyst who lists both forms must not make that word weigh double
    against the topic's other words (an awards story that said "voted" four times read
    as politics). Built once per brief, which asks it about the whole day's sentences at
    once (`found_in`) and about each headline (`hits`).
    """

    def __init__(self, topics: TopicSet, *, exclusions: bool = False) -> None:
        """The topics' keywords, or with `exclusions` their `exclude` words instead."""
        self.topics = topics
        self._names = [t.exclude if exclusions else t.keywords for t in topics.topics]
        index: dict[str, list[tuple[int, int, tuple[str, ...]]]] = {}
        for number, topic in enumerate(topics.topics):
            seen: set[tuple[str, ...]] = set()
            patterns = topic.exclude_patterns if exclusions else topic.patterns
            for keyword, pattern in enumerate(patterns):
                if pattern not in seen:
                    seen.add(pattern)
                    index.setdefault(pattern[0], []).append((number, keyword, pattern))
        self._index = {first: tuple(entries) for first, entries in index.items()}

    def __bool__(self) -> bool:
        return bool(self._index)

    def hits(self, stems: tuple[str, ...]) -> list[list[str]]:
        """For each topic, its keywords found in `stems`, in the topic file's order."""
        firsts = self._index.keys() & stems  # one C-level pass: where a keyword may start
        if not firsts:  # most sentences: no keyword starts anywhere
            return [[] for _ in self.topics.topics]
        found: dict[int, set[int]] = {}
        for first in firsts:
            for number, keyword, pattern in self._index[first]:
                # One word matches wherever it is; a phrase is tried where it starts.
                if len(pattern) == 1 or any(
                    stems[position : position + len(pattern)] == pattern
                    for position, stem in enumerate(stems)
                    if stem == first
                ):
                    found.setdefault(number, set()).add(keyword)
        hits: list[list[str]] = [[] for _ in self.topics.topics]
        for number, keywords in found.items():
            hits[number] = [self._names[number][k] for k in sorted(keywords)]
        return hits

    def found_in(self, stems: TermIndex) -> np.ndarray:
        """`hits` of every sentence of a day at once, from its stems' `TermIndex`: the
        (sentence, topic, keyword) of each keyword found, each once, in that order.

        Positions where some keyword starts are found in one pass over the day's stem
        ids; a phrase is then checked at its first stem's positions, word by word."""
        place = dict(zip(stems.vocabulary, itertools.count()))
        entries = []  # (first stem's id, topic, keyword, the pattern's ids)
        for listed in self._index.values():
            for number, keyword, pattern in listed:
                ids = [place.get(s, -1) for s in pattern]
                if min(ids) >= 0:
                    entries.append((ids[0], number, keyword, np.array(ids[1:], dtype=np.int32)))
        if not entries or not len(stems.ids):
            return np.zeros((0, 3), dtype=np.int64)
        starts_here = np.zeros(len(stems.vocabulary), dtype=bool)
        starts_here[[entry[0] for entry in entries]] = True
        at = np.flatnonzero(starts_here[stems.ids])  # where any keyword may start
        first_id = stems.ids[at]
        order = np.argsort(first_id, kind="stable")
        at, first_id = at[order], first_id[order]
        row = np.searchsorted(stems.starts, at, side="right") - 1  # each position's sentence
        end = stems.starts[row + 1]
        found = []
        for first, number, keyword, rest in entries:
            low, high = np.searchsorted(first_id, [first, first + 1])
            where, rows = at[low:high], row[low:high]
            if len(rest):  # a phrase: the next stems, word by word, inside the sentence
                fits = where + len(rest) < end[low:high]
                where, rows = where[fits], rows[fits]
                for offset, expected in enumerate(rest, 1):
                    same = stems.ids[where + offset] == expected
                    where, rows = where[same], rows[same]
            same_entry = np.full(len(rows), number), np.full(len(rows), keyword)
            found.append(np.stack([rows, *same_entry], axis=1))
        triples = np.concatenate(found)
        # Each keyword once per sentence, in (sentence, topic, keyword) order: sorted as
        # one number per triple.
        topics, keywords = len(self._names), max(map(len, self._names)) + 1
        code = distinct((triples[:, 0] * topics + triples[:, 1]) * keywords + triples[:, 2])
        rest, keyword_of = np.divmod(code, keywords)
        sentence_of, topic_of = np.divmod(rest, topics)
        return np.stack([sentence_of, topic_of, keyword_of], axis=1)

    def name(self, number: int, keyword: int) -> str:
        """The keyword as the topic file lists it (or the excluded word)."""
        return self._names[number][keyword]


def keyword_hits(stems: tuple[str, ...], topics: TopicSet) -> list[list[str]]:
    """For each topic, its keywords found in a run of stems (see `KeywordMatcher`)."""
    return KeywordMatcher(topics).hits(stems)


def matched_keywords(stems: tuple[str, ...], topic: Topic) -> list[str]:
    """The topic's keywords found in a sentence, in the topic file's order."""
    return keyword_hits(stems, TopicSet(topics=(topic,)))[0]


NEIGHBOURS = 5  # articles that vote on an article's topic
OWN_WEIGHT = 0.25  # weight of an article's own keywords against its neighbours' votes
SEED_WEIGHT = 0.15  # a seed keeps part of its own label (a topic one article covers)
EVIDENCE_FOR_CERTAINTY = 4  # keyword hits that make an article's own vote certain
SEED_KEYWORDS = 2  # different keywords of its topic a seed article uses
SEED_MARGIN = 2.0  # a seed article has this many times more hits for its topic than any other
LEARNED_TERMS = 15  # terms learned per topic
LEARNED_WEIGHT = 0.5  # a learned term counts half a keyword
DESCRIPTION_WEIGHT = 0.5  # a sentence with words of the topic's description: half a hit
ON_TOPIC = 0.6  # article affinity that makes an article clearly about a topic
THRESHOLD = 0.5  # sentence score needed to enter a section
IN_SCOPE = 0.5  # an article with less affinity than this for "none" is about the topics
EXPLICIT_HITS = 1  # distinct keywords that name a sentence's topic outright
EXPLICIT_FLOOR = 0.25  # the affinity such a sentence gets for its topic in an in-scope article
HEADLINE_FLOOR = 0.5  # the affinity a headline's topic lends a body that names no topic itself


def _tfidf(documents: list[list[str]]) -> sparse.csr_array:
    return _tfidf_of(term_matrix(documents).tocsr())


def _tfidf_of(counts: sparse.csr_array) -> sparse.csr_array:
    """TF-IDF unit rows of a documents-by-terms count matrix (which it consumes)."""
    counts.data = 1.0 + np.log(counts.data)
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1.0 + counts.shape[0]) / (1.0 + df)) + 1.0
    return weighted_unit_rows(counts, idf)


def _nearest(
    vectors: sparse.csr_array, k: int, block: int = 512, each: Each | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The k most similar other articles of each article, and their cosines: compared
    with every other article, block by block (searched by `each`: on a large day, half
    of the blocks in a helper), or through terms past EXACT_NEIGHBOURS articles."""
    n = vectors.shape[0]
    k = min(k, n - 1)
    if k <= 0:
        return np.zeros((n, max(k, 0)), dtype=np.int64), np.zeros((n, max(k, 0)))
    if n > EXACT_NEIGHBOURS:
        return _nearest_through_terms(vectors, k, each=each)
    transposed = vectors.T.tocsr()  # (once: the product would convert it per block)

    def search(start: int) -> tuple[np.ndarray, np.ndarray]:
        sims = (vectors[start : start + block] @ transposed).toarray()
        rows = np.arange(sims.shape[0])
        sims[rows, rows + start] = -1.0
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        return top.astype(np.int64), np.maximum(sims[rows[:, None], top], 0.0)

    found = (each or each_here)(search, range(0, n, block), n)
    return np.concatenate([i for i, _ in found]), np.concatenate([w for _, w in found])


# Comparing every pair of articles grows with the square of the day; beyond this many
# articles, neighbours are searched through the articles' strongest terms instead.
EXACT_NEIGHBOURS = 3000
STRONGEST_TERMS = 30  # an article's terms of most weight, through which it searches
TERM_POSTINGS = 64  # the articles each term weighs most in, among which it searches


def _strongest(matrix: sparse.csr_array, keep: int, first_row: int = 0) -> sparse.csr_array:
    """Each row's `keep` largest entries (entries lie in [0, 1]: rows are unit vectors),
    a block of rows at a time: a large day's matrix has tens of millions of entries,
    and sorting them all at once took several copies of it. (`first_row`: the number
    of the matrix's first row, when it is a block of a larger one's.)"""
    matrix = matrix.tocsr()
    return _matrix([_strongest_entries(matrix, keep, first_row)], matrix.shape)


Entries = tuple[np.ndarray, np.ndarray, np.ndarray]  # a sparse matrix's values, rows, columns


def _strongest_entries(matrix: sparse.csr_array, keep: int, first_row: int = 0) -> Entries:
    """`_strongest` as its entries, in the order the matrix is made from them (rows
    numbered from 0 in `matrix`)."""
    indptr, data = matrix.indptr, matrix.data
    rows, places = [np.zeros(0, dtype=matrix.indices.dtype)], [np.zeros(0, dtype=np.int64)]
    for start in range(0, matrix.shape[0], _STRONGEST_ROWS):
        stop = min(start + _STRONGEST_ROWS, matrix.shape[0])
        low, high = int(indptr[start]), int(indptr[stop])
        numbers = np.arange(start, stop, dtype=matrix.indices.dtype)
        row = np.repeat(numbers, np.diff(indptr[start : stop + 1]))
        # Largest first within each row, ties in column order: the key's row part keeps
        # rows apart (entries differ by less than 2), and is the whole matrix's row number.
        order = np.argsort((row + first_row) * 2.0 + (1.0 - data[low:high]), kind="stable")
        rank = np.arange(len(order)) - (indptr[row[order]] - low)  # place within its row
        chosen = order[rank < keep]
        rows.append(row[chosen])
        places.append(chosen + low)
    row, place = np.concatenate(rows), np.concatenate(places)
    return data[place], row, matrix.indices[place]


def _matrix(parts: Sequence[Entries], shape: tuple[int, int]) -> sparse.csr_array:
    """The CSR matrix of entries given in parts, one after the other."""
    if not parts:
        return sparse.csr_array(shape)
    data, rows, columns = (np.concatenate(arrays) for arrays in zip(*parts, strict=True))
    return sparse.csr_array((data, (rows, columns)), shape=shape)


_STRONGEST_ROWS = 1 << 12  # rows sorted at once


def _column_blocks(matrix: sparse.csr_array) -> list[tuple[int, int]]:
    """Blocks of columns holding about _STRONGEST_ENTRIES entries each."""
    columns = matrix.shape[1]
    users = np.bincount(matrix.indices, minlength=columns)
    bounds = np.searchsorted(np.cumsum(users), np.arange(0, matrix.nnz, _STRONGEST_ENTRIES))
    bounds = distinct(np.concatenate([[0], bounds[1:], [columns]])).tolist()
    return list(itertools.pairwise(bounds))


def _strongest_in_columns(matrix: sparse.csr_array, keep: int, low: int, high: int) -> Entries:
    """The entries of `_strongest(matrix.T.tocsr(), keep)` in the columns low .. high
    (as rows of the transposed matrix), cut from `matrix` without transposing it whole."""
    data, rows, columns = _strongest_entries(matrix[:, low:high].T.tocsr(), keep, first_row=low)
    return data, rows + low, columns


_STRONGEST_ENTRIES = 1 << 20  # entries of a block of columns sorted at once


def _nearest_through_terms(
    vectors: sparse.csr_array, k: int, block: int = 512, each: Each | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """`_nearest` for a large day, in time linear in its articles.

    Two articles are candidates when one of the first's strongest terms is among the
    terms the second weighs most in; they score by the weight they share there, and
    the k best candidates are kept with their exact cosines. Near neighbours share
    their distinctive terms, so on the 200 bbc-dev articles this finds neighbours with
    96% of the exact neighbours' mean cosine. Blocks of articles are searched by `each`
    (on a large day, half of them in a helper): a block's rows depend on it alone.
    """
    n = vectors.shape[0]
    queries, postings = _strongest_both(vectors, each)

    def search(start: int) -> tuple[np.ndarray, np.ndarray]:
        return _near_block(vectors, queries, postings, start, block, k)

    found = (each or each_here)(search, range(0, n, block), n)
    if not found:
        return np.zeros((0, k), dtype=np.int64), np.zeros((0, k))
    return np.concatenate([i for i, _ in found]), np.concatenate([w for _, w in found])


def _strongest_both(
    vectors: sparse.csr_array, each: Each | None = None
) -> tuple[sparse.csr_array, sparse.csr_array]:
    """The articles' strongest terms (`_strongest`) and the terms' strongest articles
    (`_strongest` of the transposed matrix), by `each` in blocks of rows and of columns
    (no transposed copy of the whole matrix is made): on a large day
    this process sorts blocks of rows while a helper sorts blocks of columns, and the two
    meet where the blocks run out (with one task each, the sorting of the columns, 70%
    more work, was waited for)."""
    n, terms = vectors.shape
    rows = [(low, min(low + _QUERY_ROWS, n)) for low in range(0, n, _QUERY_ROWS)]
    blocks = [(False, low, high) for low, high in rows]
    blocks += [(True, low, high) for low, high in _column_blocks(vectors)]

    def strongest(block: tuple[bool, int, int]) -> Entries:
        by_columns, low, high = block
        if by_columns:
            return _strongest_in_columns(vectors, TERM_POSTINGS, low, high)
        data, row, column = _strongest_entries(vectors[low:high], STRONGEST_TERMS, low)
        return data, row + low, column

    found = (each or each_here)(strongest, blocks, n)
    return _matrix(found[: len(rows)], (n, terms)), _matrix(found[len(rows) :], (terms, n))


_QUERY_ROWS = _STRONGEST_ROWS  # rows of a block of `_strongest_both`' queries


def _near_block(
    vectors: sparse.csr_array,
    queries: sparse.csr_array,
    postings: sparse.csr_array,
    start: int,
    block: int,
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The neighbours and cosines of the articles start .. start + block."""
    scores = (queries[start : start + block] @ postings).tocsr()
    rows = scores.shape[0]
    length = np.diff(scores.indptr)
    row = np.repeat(np.arange(rows), length)
    width = max(int(length.max(initial=0)), k + 1)
    # Each row's candidates in its first slots, negated for argpartition; empty slots
    # and the article itself score -1: never chosen before a real candidate.
    negated = np.full((rows, width), 1.0)
    negated[np.arange(width) < length[:, None]] = -np.where(
        scores.indices == row + start, -1.0, scores.data
    )
    top = np.argpartition(negated, k - 1, axis=1)[:, :k]
    # The article in a chosen slot; an empty slot's is the article itself.
    filled = top < length[:, None]
    where = np.where(filled, scores.indptr[:-1, None] + top, 0)
    found = scores.indices[where] if scores.nnz else np.zeros_like(where)
    itself = np.arange(start, start + rows)[:, None]
    index = np.where(filled, found, itself).astype(np.int64)
    # An article without k candidates keeps itself in the spare places, with weight 0.
    # The exact cosines rank by rank: a whole copy of the matrix per neighbour rank was
    # the largest memory of a large day's routing.
    weight = np.zeros((rows, k))
    mine = vectors[start : start + rows]
    for j in range(k):
        weight[:, j] = np.asarray(mine.multiply(vectors[index[:, j]]).sum(axis=1)).ravel()
    weight[index == itself] = 0.0
    return index, np.maximum(weight, 0.0)


def _weight_by_rarity(article_hits: np.ndarray, hits: np.ndarray) -> np.ndarray:
    """Keyword hits weighted by how few of the day's articles carry the keyword: a
    keyword found in most articles ("firm", "market") says little about any one of
    them. The total per article is kept, so it still measures how much evidence there is.
    `hits`: the (article, topic, keyword) of every keyword found in a sentence."""
    n = len(article_hits)
    weighted = np.zeros_like(article_hits)
    if len(hits):
        keywords = int(hits[:, 2].max()) + 1
        topics = article_hits.shape[1]
        key = hits[:, 1] * keywords + hits[:, 2]  # (topic, keyword) as one number
        # Each keyword's carriers: the distinct articles it is found in.
        carried = distinct(hits[:, 0] * (topics * keywords) + key) % (topics * keywords)
        keys, carriers = np.unique(carried, return_counts=True)
        rarity = np.array(
            [1.0 + np.log((1.0 + n) / (1.0 + int(c))) for c in carriers.tolist()],
            dtype=np.float64,
        )
        # Each hit adds its keyword's rarity to its article's cell, in the hits' order.
        cells = (hits[:, 0], hits[:, 1])
        np.add.at(weighted, cells, rarity[np.searchsorted(keys, key)])
    total = article_hits.sum(axis=1, keepdims=True)
    return weighted * total / np.maximum(weighted.sum(axis=1, keepdims=True), 1e-12)


def article_affinity(
    hits: np.ndarray,
    neighbours: np.ndarray,
    weights: np.ndarray,
    lengths: np.ndarray,
    distinct: np.ndarray,
) -> np.ndarray:
    """How much each article is about each topic (rows sum to 1; last column: none).

    An article's own keywords vote, and so do its nearest neighbours: articles with a
    clear keyword majority are seeds for their topic, articles with no keyword at all
    are seeds for "none". A stray keyword in an article whose neighbours are all about
    something else therefore does not make it on-topic. A seed uses at least
    SEED_KEYWORDS different keywords of its topic (`distinct`, articles x topics): an
    awards story that says "voted" four times is not a politics story, and as a seed it
    would pull its neighbours, the other awards stories, along.
    """
    n, k = hits.shape
    total = hits.sum(axis=1)
    # A short article needs fewer keywords to be plainly about something.
    certainty = np.minimum(total / np.minimum(EVIDENCE_FOR_CERTAINTY, lengths), 1.0)
    own = np.zeros((n, k + 1))
    own[:, :k] = hits / np.maximum(total, 1.0)[:, None] * certainty[:, None]
    own[:, k] = 1.0 - certainty
    seeds = np.zeros((n, k + 1))
    ordered = np.sort(hits, axis=1)
    runner_up = ordered[:, -2] if k > 1 else np.zeros(n)
    best = np.argmax(hits, axis=1)
    clear = (ordered[:, -1] >= 2) & (ordered[:, -1] >= SEED_MARGIN * runner_up)
    clear &= distinct[np.arange(n), best] >= SEED_KEYWORDS
    seeds[clear, best[clear]] = 1.0
    seeds[total == 0, k] = 1.0
    affinity = seeds
    for _ in range(2):
        votes = (weights[:, :, None] * affinity[neighbours]).sum(axis=1)
        votes /= np.maximum(votes.sum(axis=1, keepdims=True), 1e-12)
        affinity = votes + OWN_WEIGHT * own + SEED_WEIGHT * seeds
        affinity /= affinity.sum(axis=1, keepdims=True)
    return affinity


def learn_terms(
    documents: list[list[str]], affinity: np.ndarray, excluded: set[str]
) -> list[dict[str, float]]:
    """Per topic, the terms far more common in its clearly on-topic articles than in
    the others: the words that keep company with the analyst's keywords."""
    counts, names = term_matrix_and_terms(documents)
    return _learn_terms(counts.tocsr(), names, affinity, excluded)


def _learn_terms(
    counts: sparse.csr_array, vocabulary: list[str], affinity: np.ndarray, excluded: set[str]
) -> list[dict[str, float]]:
    """`learn_terms` from the documents' term counts (sorted indices, which it leaves as
    they are) and the terms of its columns: routing builds that matrix once, for this
    and for the neighbours."""
    names = np.array(vocabulary, dtype=object)
    learned: list[dict[str, float]] = []
    topics = affinity.shape[1] - 1
    row_of = np.repeat(np.arange(counts.shape[0], dtype=np.int32), np.diff(counts.indptr))
    everywhere = np.bincount(counts.indices, minlength=counts.shape[1])
    for topic in range(topics):
        inside = affinity[:, topic] >= ON_TOPIC
        if inside.sum() < 2 or (~inside).sum() == 0:
            learned.append({})
            continue
        # The share of the documents in and out of the topic that use each term.
        within = np.bincount(counts.indices[inside[row_of]], minlength=counts.shape[1])
        rate_in = _share(within, int(inside.sum()))
        rate_out = _share(everywhere - within, int((~inside).sum()))
        gain = rate_in - rate_out
        gain[rate_in < 0.34] = 0.0
        order = np.argsort(-gain, kind="stable")
        terms: dict[str, float] = {}
        for column in order:
            if gain[column] <= 0.2 or len(terms) == LEARNED_TERMS:
                break
            if names[column] not in excluded:
                terms[str(names[column])] = float(gain[column])
        learned.append(terms)
    return learned


def _share(users: np.ndarray, documents: int) -> np.ndarray:
    """`users / documents` as scipy's column mean of the binary rows computes it, bit for
    bit: the sum of `users` copies of 1 / documents, added one at a time (the mean of a
    copy of the rows was a large day's largest array in routing)."""
    steps = np.zeros(documents + 1)
    np.cumsum(np.full(documents, 1.0 / documents), out=steps[1:])  # cumsum adds in turn
    return steps[users]


def _exclusions(
    topics: TopicSet, stems: TermIndex, headlines: TermIndex, of_article: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sentences x topics: the sentence names a word the topic excludes (or its article
    does, where the topic excludes whole articles); and articles x topics: the article
    is kept out of the topic. Its headline counts as a sentence of it. `stems`: the
    sentences' stems, `headlines`: the articles' (one row per article)."""
    k = len(topics.topics)
    barred = np.zeros((len(of_article), k), dtype=bool)
    barred_articles = np.zeros((len(headlines.starts) - 1, k), dtype=bool)
    excluder = KeywordMatcher(topics, exclusions=True)
    if not excluder:
        return barred, barred_articles
    found = excluder.found_in(stems)
    barred[found[:, 0], found[:, 1]] = True
    named = np.zeros_like(barred_articles)
    found = excluder.found_in(headlines)
    named[found[:, 0], found[:, 1]] = True
    np.logical_or.at(named, of_article, barred)
    whole = np.array([t.exclude_articles for t in topics.topics], dtype=bool)
    barred_articles = named & whole
    barred |= barred_articles[of_article]
    return barred, barred_articles


def _description_hits(
    articles: list[Article],
    sentences: list[Sentence],
    topics: TopicSet,
    terms: TermIndex | None = None,
) -> np.ndarray:
    """Articles x topics: how many sentences of the article use words of the topic's
    description (each sentence counts once per topic), from the day's `terms`."""
    hits = np.zeros((len(articles), len(topics.topics)))
    described = [(t, set(e.description_terms)) for t, e in enumerate(topics.topics)]
    described = [(topic, words) for topic, words in described if words]
    if not described or not sentences:
        return hits
    index = index_terms([s.terms for s in sentences]) if terms is None else terms
    of_article = np.fromiter((s.article for s in sentences), np.int64, len(sentences))
    row = np.repeat(np.arange(len(sentences)), np.diff(index.starts))
    for topic, words in described:
        member = np.fromiter(map(words.__contains__, index.vocabulary), bool, len(index.vocabulary))
        using = distinct(row[member[index.ids]])  # each sentence once
        np.add.at(hits[:, topic], of_article[using], 1.0)
    return hits


class _Evidence(NamedTuple):
    """Per sentence (rows) and per article, what `_assign` weighs."""

    of_article: np.ndarray  # sentence -> its article
    counts: np.ndarray  # sentences x topics: distinct keywords found
    barred: np.ndarray  # sentences x topics: an exclude word keeps it out
    headline_only: np.ndarray  # per article: only its headline names a topic
    headline_topic: np.ndarray  # per article: that topic


class _LearnedUse(NamedTuple):
    """Each (sentence, learned term) pair of the day, the term as a place in `names`."""

    sentence: np.ndarray
    term: np.ndarray
    names: list[str]

    def of(self, sentence: int) -> set[str]:
        """The learned terms `sentence` uses (the pairs are in sentence order)."""
        low, high = np.searchsorted(self.sentence, [sentence, sentence + 1])
        return {self.names[t] for t in self.term[low:high].tolist()}


def _learned_counts(
    sentences: list[Sentence], learned: list[dict[str, float]], index: TermIndex | None = None
) -> tuple[np.ndarray, _LearnedUse]:
    """Sentences x topics: how many of each topic's learned terms a sentence uses (each
    once), from one pass over the day's terms (its `index`, when made) instead of a set
    per sentence; and which sentence uses which learned term (`_assign` asks which of
    them its topic learned)."""
    k = len(learned)
    found = np.zeros((len(sentences), k))
    known = {term: number for number, term in enumerate(dict.fromkeys(itertools.chain(*learned)))}
    if not known or not sentences:
        return found, _LearnedUse(np.zeros(0, np.int64), np.zeros(0, np.int64), [])
    member = np.zeros((len(known), k), dtype=bool)
    for topic, terms in enumerate(learned):
        member[[known[t] for t in terms], topic] = True
    index = index_terms([s.terms for s in sentences]) if index is None else index
    lengths = np.diff(index.starts)
    place = np.fromiter(map(known.get, index.vocabulary, itertools.repeat(-1)), np.int64)
    term = place[index.ids]
    row = np.repeat(np.arange(len(sentences)), lengths)
    hit = term >= 0
    pairs = distinct(row[hit] * len(known) + term[hit])  # a term used twice counts once
    row, term = np.divmod(pairs, len(known))
    for topic in range(k):
        found[:, topic] = np.bincount(row, weights=member[term, topic], minlength=len(sentences))
    return found, _LearnedUse(row, term, list(known))


def _assign(
    sentences: list[Sentence],
    hits: np.ndarray,
    matcher: KeywordMatcher,
    headline_keywords: list[list[list[str]]],
    given: _Evidence,
    affinity: np.ndarray,
    learned: list[dict[str, float]],
    term_index: TermIndex | None = None,
) -> tuple[list[int | None], Sequence[tuple[str, ...]]]:
    """Each sentence's topic and the words that name it, for all sentences at once: its
    keywords (`hits`, found by `matcher`) and learned terms (`strength`), weighed by
    what its article lends it."""
    k = len(learned)
    n = len(sentences)
    if k == 0:
        return [None] * n, [()] * n
    counts, of_article = given.counts, given.of_article
    found, learned_use = _learned_counts(sentences, learned, term_index)
    strength = counts + LEARNED_WEIGHT * np.minimum(found, 2)
    lent = affinity[of_article, :k]  # a copy: fancy indexing
    headline = given.headline_only[of_article]
    rows = np.flatnonzero(headline)
    columns = given.headline_topic[of_article[rows]]
    lent[rows, columns] = np.maximum(lent[rows, columns], HEADLINE_FLOOR)
    # The article is about the brief's topics; a sentence that names some of them
    # outright belongs to one of those, whichever topic the article leans to.
    explicit = ~headline & (affinity[of_article, k] < IN_SCOPE)
    explicit &= counts.max(axis=1) >= EXPLICIT_HITS
    named = counts[explicit] >= EXPLICIT_HITS
    lent[explicit] = np.where(named, np.maximum(lent[explicit], EXPLICIT_FLOOR), 0.0)
    scores = np.where(given.barred, 0.0, lent * (1.0 + strength))
    best = np.argmax(scores, axis=1)
    chosen = scores[np.arange(n), best] >= THRESHOLD
    routed = np.flatnonzero(chosen)
    topic_of: list[int | None] = [None] * n
    for index, topic in zip(routed.tolist(), best[routed].tolist(), strict=True):
        topic_of[index] = topic
    learns = np.zeros(n, dtype=bool)
    learns[routed] = found[routed, best[routed]] > 0
    evidence = TopicEvidence(
        topic_of, hits, matcher, headline_keywords, of_article, learned, learned_use, learns
    )
    return topic_of, evidence


class TopicEvidence(Sequence[tuple[str, ...]]):
    """Per sentence, the words that name its topic: its keywords (or its headline's),
    then the topic's learned terms it uses; () for a sentence in no topic. Made when
    asked for, from the day's hits: a brief asks for its items' alone, and a tuple per
    routed sentence was a second of a large day."""

    def __init__(
        self,
        topic_of: list[int | None],
        hits: np.ndarray,
        matcher: KeywordMatcher,
        headline_keywords: list[list[list[str]]],
        of_article: np.ndarray,
        learned: list[dict[str, float]],
        learned_use: _LearnedUse,
        learns: np.ndarray,
    ) -> None:
        self._topic_of = topic_of
        self._hits = hits  # (sentence, topic, keyword), in sentence order
        self._matcher = matcher
        self._headline_keywords = headline_keywords
        self._of_article = of_article
        self._learned = learned
        self._use = learned_use  # (sentence, term) pairs, in sentence order
        self._learns = learns  # the sentence uses its topic's learned terms

    def __len__(self) -> int:
        return len(self._topic_of)

    @overload
    def __getitem__(self, index: int) -> tuple[str, ...]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[str, ...]]: ...

    def __getitem__(self, index: int | slice) -> tuple[str, ...] | list[tuple[str, ...]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        topic = self._topic_of[index]
        if topic is None:
            return ()
        index = range(len(self))[index]  # (a negative index counts from the end)
        low, high = np.searchsorted(self._hits[:, 0], [index, index + 1])
        named = [
            self._matcher.name(topic, keyword)
            for _, found, keyword in self._hits[low:high].tolist()
            if found == topic
        ]
        words = named or self._headline_keywords[int(self._of_article[index])][topic]
        if self._learns[index]:
            terms = self._use.of(index)
            words = [*words, *(t for t in self._learned[topic] if t in terms)]
        return tuple(words)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  # (a sequence made to be read, not hashed)


HeadlineWords = list[tuple[tuple[str, ...], tuple[str, ...]]]


def headline_words(articles: list[Article]) -> HeadlineWords:
    """Each headline's stems and its content words' stems (`WordAnalyser.stems`): routing
    finds keywords in the first, the article term counts count the second, and the
    day's headlines are stemmed once for both."""
    words = WordAnalyser()  # (a day's headlines repeat their words too)
    return [words.stems(article.title) for article in articles]


def article_term_counts(
    articles: list[Article],
    sentences: list[Sentence],
    terms: TermIndex | None = None,
    headlines: HeadlineWords | None = None,
) -> tuple[sparse.csr_array, list[str]]:
    """Articles x terms: how often each article's headline and sentences use each content
    stem, and the term of each column. Routing's neighbour search and learned terms are
    made from it, and the day's stories (`stories.find_stories`). `terms`: the day's
    `TermIndex`, when made already (the sentences in article order, as segmented), and
    `headlines` its `headline_words`."""
    headlines = headline_words(articles) if headlines is None else headlines
    titles = [content for _, content in headlines]
    terms = index_terms([s.terms for s in sentences]) if terms is None else terms
    known = dict(zip(terms.vocabulary, itertools.count()))
    vocabulary = list(terms.vocabulary)
    for term in itertools.chain.from_iterable(titles):
        if term not in known:
            known[term] = len(vocabulary)
            vocabulary.append(term)
    # The sentences' ids article by article: as segmented, they are in that order already.
    of_article = np.fromiter((s.article for s in sentences), np.int64, len(sentences))
    in_order, sentence_starts = terms.ids, terms.starts
    if np.any(of_article[1:] < of_article[:-1]):
        order = np.argsort(of_article, kind="stable")
        in_order, sentence_starts = terms_of(terms, order)
        of_article = of_article[order]
    bounds = sentence_starts[np.searchsorted(of_article, np.arange(len(articles) + 1))]
    # Each article's headline ids, then its sentences', placed in one array.
    title_ids = np.fromiter(map(known.__getitem__, itertools.chain.from_iterable(titles)), np.int32)
    title_lengths = np.fromiter(map(len, titles), np.int64, len(titles))
    body_lengths = np.diff(bounds)
    starts = np.zeros(len(articles) + 1, dtype=np.int64)
    np.cumsum(title_lengths + body_lengths, out=starts[1:])
    ids = np.empty(int(starts[-1]), dtype=in_order.dtype)
    ids[runs(starts[:-1], title_lengths)] = title_ids
    ids[runs(starts[:-1] + title_lengths, body_lengths)] = in_order[bounds[0] : bounds[-1]]
    return terms_matrix(ids, starts, vocabulary)


def article_neighbours(
    counts: sparse.csr_array, each: Each | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Each article's NEIGHBOURS most similar articles and their cosines (TF-IDF), from
    `article_term_counts`: the articles that vote on its topic."""
    return _nearest(_tfidf_of(counts.tocsr(copy=True)), NEIGHBOURS, each=each)


def route_sentences(
    articles: list[Article],
    sentences: list[Sentence],
    topics: TopicSet,
    term_counts: tuple[sparse.csr_array, list[str]] | None = None,
    terms: TermIndex | None = None,
    each: Each | None = None,
    stems: TermIndex | None = None,
    headlines: HeadlineWords | None = None,
) -> Routing:
    """Each sentence's topic, from its own keywords and learned terms weighed by how
    much its article is about the topic; None when the evidence is too weak.
    `term_counts` (`article_term_counts`) and `terms` (the `TermIndex`): the day's, when
    already made; `each` searches a large day's neighbours (`Workers.each`); `stems`:
    the `TermIndex` of the sentences' stems, which keywords are found in, and
    `headlines` the day's `headline_words`, when made already."""
    k = len(topics.topics)
    n = len(sentences)
    matcher = KeywordMatcher(topics)
    stems = index_terms([s.stems for s in sentences]) if stems is None else stems
    of_article = np.fromiter((s.article for s in sentences), np.int64, n)
    headlines = headline_words(articles) if headlines is None else headlines
    headline_index = index_terms([every for every, _ in headlines])
    barred, barred_articles = _exclusions(topics, stems, headline_index, of_article)
    # The (sentence, topic, keyword) of every keyword found, in that order; an excluded
    # sentence's keywords are no evidence for the topic.
    hits = matcher.found_in(stems)
    hits = hits[~barred[hits[:, 0], hits[:, 1]]]
    counts = np.zeros((n, k))
    np.add.at(counts, (hits[:, 0], hits[:, 1]), 1.0)  # distinct keywords per sentence
    headline_keywords: list[list[list[str]]] = [[[] for _ in range(k)] for _ in articles]
    headline_hits = np.zeros((len(articles), k))
    for index, topic, keyword in matcher.found_in(headline_index).tolist():
        headline_keywords[index][topic].append(matcher.name(topic, keyword))
        headline_hits[index, topic] += 1.0
    headline_hits[barred_articles] = 0.0
    article_hits = headline_hits.copy()
    np.add.at(article_hits, of_article, counts)  # whole counts: the order of sums is moot
    # The keywords each article uses, per topic: its headline's and its sentences'.
    used = [[set(keywords) for keywords in hits] for hits in headline_keywords]
    by_article = np.column_stack([of_article[hits[:, 0]], hits[:, 1], hits[:, 2]])
    for index, topic, keyword in np.unique(by_article, axis=0).tolist():
        used[index][topic].add(matcher.name(topic, keyword))
    distinct = np.array([[len(keywords) for keywords in per] for per in used], dtype=float)
    # An article whose body names no topic but whose headline does (a short feed entry)
    # is about the headline's topic: its sentences get that topic from the headline.
    headline_only = (article_hits == headline_hits).all(axis=1) & (headline_hits.sum(axis=1) > 0)
    headline_topic = np.argmax(headline_hits, axis=1)
    article_hits = _weight_by_rarity(article_hits, by_article)
    article_hits += DESCRIPTION_WEIGHT * _description_hits(articles, sentences, topics, terms)
    article_hits[barred_articles] = 0.0
    lengths = 1.0 + np.bincount(of_article, minlength=len(articles))
    # One count matrix of the documents, for the neighbour search and the learned terms.
    document_counts, vocabulary = term_counts or article_term_counts(articles, sentences, terms)
    nearest, weights = article_neighbours(document_counts, each)
    affinity = article_affinity(article_hits, nearest, weights, lengths, distinct.reshape(-1, k))
    if barred_articles.any():  # what an excluded article had for the topic goes to "none"
        affinity[:, k] += np.where(barred_articles, affinity[:, :k], 0.0).sum(axis=1)
        affinity[:, :k] = np.where(barred_articles, 0.0, affinity[:, :k])
    keyword_stems = {s for topic in topics.topics for p in topic.patterns for s in p}
    # (the counts go on to the stories)
    learned = _learn_terms(document_counts, vocabulary, affinity, keyword_stems)
    for entry, gains in zip(topics.topics, learned, strict=True):
        for term in entry.description_terms:  # a description's words count as learned
            gains.setdefault(term, 0.0)
    topic_of, evidence = _assign(
        sentences,
        hits,
        matcher,
        headline_keywords,
        _Evidence(of_article, counts, barred, headline_only, headline_topic),
        affinity,
        learned,
        terms,
    )
    return Routing(
        topic_of=topic_of,
        evidence=evidence,
        affinity=affinity,
        learned=tuple(tuple(t) for t in learned),
        keywords=tuple(tuple(tuple(sorted(found)) for found in per_topic) for per_topic in used),
        headline_keywords=tuple(tuple(tuple(h) for h in hits) for hits in headline_keywords),
        neighbours=nearest,
        neighbour_weights=weights,
    )


def assign_topics(sentences: list[Sentence], topics: TopicSet) -> list[int | None]:
    """For each sentence, the index of its best topic, or None when no keyword matches.

    Best = most distinct keywords matched; a tie goes to the topic listed first.
    """
    matcher = KeywordMatcher(topics)
    assignment: list[int | None] = []
    for sentence in sentences:
        best, best_hits = None, 0
        for index, found in enumerate(matcher.hits(sentence.stems)):
            if len(found) > best_hits:
                best, best_hits = index, len(found)
        assignment.append(best)
    return assignment
