"""Stories: the day's articles grouped by the event they tell.

Several outlets telling one event use its names, places and figures, words the rest of
the day rarely uses; so articles are compared by the cosine of their content stems
(headline and body), each weighted by how rare it is in the day (`article_vectors`).
Two articles can be one story only when one is among the other's nearest neighbours
with a cosine of `LINK` or more and, when both state a publication time, they are at
most `WINDOW` apart. Neighbours are found as routing finds them: exactly up to 3,000
articles, through the articles' strongest terms beyond, so the day's articles are never
compared all against all.

Linking every such pair and taking connected components would chain stories together
(a court story shares a judge with a second case, which shares a city with a storm).
So inside each connected group, stories are formed by average linkage: two groups of
articles are one story only while the mean cosine over all their cross pairs is still
`LINK` or more, which a single bridging pair cannot achieve.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from scipy import sparse

from briefing.model import Article, Sentence, Stories, Story
from briefing.rank import Each, distinct, each_here, weighted_unit_rows
from briefing.routing import (
    _nearest,
    _nearest_through_terms,
    article_term_counts,
)

LINK = 0.12  # mean cosine (1 + log tf, IDF²) at which articles are one story
NEIGHBOURS = 10  # nearest articles each article may be linked to directly
WINDOW = dt.timedelta(hours=48)  # dated articles further apart are never linked
EXACT_NEIGHBOURS = 3000  # beyond this many articles, neighbours are searched through terms
LARGEST_GROUP = 1000  # linked articles clustered at once (a dense block of this squared)
STEP = 0.04  # how much a larger group's own link threshold rises before it is split again


def outlet_keys(articles: list[Article]) -> tuple[str, ...]:
    """Per article, what identifies its outlet: entries and pages of one outlet share a
    key; an article that names no outlet is one of its own (stories and items count
    their outlets by it)."""
    return tuple(
        " ".join(a.outlet.casefold().split()) if a.outlet else f"\x00{index}"
        for index, a in enumerate(articles)
    )


def article_vectors(
    articles: list[Article],
    sentences: list[Sentence],
    counts: sparse.csr_array | None = None,
    *,
    consume: bool = False,
) -> sparse.csr_array:
    """Unit rows, one per article, over its headline's and its sentences' content stems:
    1 + log(count) times the square of the day's inverse document frequency.

    Squared, the IDF lets an event's own names and particulars outweigh what the day's
    articles on one subject share: the seeds' two Putin-Erdogan meetings, three years
    apart, share Putin, Erdogan, Turkey and Syria (a cosine of 0.19 between the two
    groups with plain TF-IDF, while their own articles score 0.16 to 0.40); with IDF²
    the groups fall apart and the Multi-News stories still hold together."""
    if counts is None:  # `counts`: routing's articles x terms, the very same matrix
        counts = article_term_counts(articles, sentences)[0]
    # (`consume`: the vectors are made in the counts' own arrays, when nothing else
    # needs them: a large day's matrix is hundreds of MB)
    counts = counts.tocsr(copy=not consume)
    counts.data = 1.0 + np.log(counts.data)
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1.0 + counts.shape[0]) / (1.0 + df)) + 1.0
    return weighted_unit_rows(counts, idf**2)


def _times(articles: list[Article]) -> np.ndarray:
    """Publication times as seconds since the epoch; NaN for an undated article."""
    return np.array(
        [a.published.timestamp() if a.published else np.nan for a in articles], dtype=np.float64
    )


def _apart(times: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Whether each pair is dated on both sides and more than WINDOW apart."""
    with np.errstate(invalid="ignore"):
        return np.abs(times[rows] - times[cols]) > WINDOW.total_seconds()


def candidate_links(
    vectors: sparse.csr_array, times: np.ndarray, each: Each | None = None
) -> sparse.csr_array:
    """Symmetric articles x articles cosines of the pairs that may be one story: nearest
    neighbours at LINK or more, in time with each other (a large day's searched by
    `each`, see `routing._nearest_through_terms`)."""
    n = vectors.shape[0]
    k = min(NEIGHBOURS, n - 1)
    if k <= 0:
        return sparse.csr_array((n, n))
    if n > EXACT_NEIGHBOURS:
        index, weight = _nearest_through_terms(vectors, k, each=each)
    else:
        index, weight = _nearest(vectors, k, each=each)
    rows = np.repeat(np.arange(n), k)
    cols = index.ravel()
    weights = weight.ravel()
    keep = (weights >= LINK) & (rows != cols)
    rows, cols, weights = rows[keep], cols[keep], weights[keep]
    keep = ~_apart(times, rows, cols)
    rows, cols, weights = rows[keep], cols[keep], weights[keep]
    # A pair found from both sides counts once: keep each pair as (smaller, larger) once.
    low, high = np.minimum(rows, cols), np.maximum(rows, cols)
    _, first = np.unique(low * n + high, return_index=True)
    low, high, weights = low[first], high[first], weights[first]
    links = sparse.coo_array(
        (
            np.concatenate([weights, weights]),
            (np.concatenate([low, high]), np.concatenate([high, low])),
        ),
        shape=(n, n),
    ).tocsr()
    return links


def connected_groups(links: sparse.csr_array) -> tuple[int, np.ndarray]:
    """The connected components of an undirected graph, numbered as scipy's
    `connected_components` numbers them (in the order of their first node), without
    loading `scipy.sparse.csgraph`, which is a twentieth of a small day's build.

    Each node takes the smallest label among its own and its neighbours', then the
    label of its label (pointer jumping), until nothing changes: every node ends with
    its component's first node."""
    n = links.shape[0]
    coo = links.tocoo()
    ends = np.concatenate([coo.row, coo.col]).astype(np.int64)
    starts = np.concatenate([coo.col, coo.row]).astype(np.int64)
    label = np.arange(n)
    while True:
        lowest = label.copy()
        np.minimum.at(lowest, ends, label[starts])
        lowest = lowest[lowest]
        if np.array_equal(lowest, label):
            break
        label = lowest
    firsts, numbered = np.unique(label, return_inverse=True)
    return len(firsts), numbered.ravel()


def _groups(links: sparse.csr_array) -> list[np.ndarray]:
    """Connected groups of linked articles (two or more), none larger than
    LARGEST_GROUP: a larger one is split by raising its own threshold step by step."""
    found: list[np.ndarray] = []
    pending: list[tuple[np.ndarray, float]] = [(np.arange(links.shape[0]), LINK)]
    while pending:
        members, threshold = pending.pop()
        inner = links[members][:, members].tocsr() if len(members) < links.shape[0] else links
        inner = inner.copy()
        inner.data[inner.data < threshold] = 0.0
        inner.eliminate_zeros()
        count, label = connected_groups(inner)
        sizes = np.bincount(label, minlength=count)
        order = np.argsort(label, kind="stable")
        bounds = np.cumsum(sizes)[:-1]
        for part, size in zip(np.split(members[order], bounds), sizes, strict=True):
            if size < 2:
                continue
            if size > LARGEST_GROUP:
                pending.append((part, threshold + STEP))
            else:
                found.append(part)
    return found


def _average_linkage(
    vectors: sparse.csr_array, times: np.ndarray, members: np.ndarray
) -> list[np.ndarray]:
    """A linked group's stories: average-linkage clustering cut at LINK (pairs more than
    WINDOW apart count as unrelated)."""
    if len(members) == 2:
        return [members]
    block = vectors[members]
    similar = (block @ block.T).toarray()
    # The upper triangle's cosines, mirrored: the product's two halves may differ in
    # their last bits, and the clustering was defined on the upper one.
    rows, cols = np.triu_indices(len(members), k=1)
    pairs = 1.0 - similar[rows, cols]
    pairs[_apart(times, members[rows], members[cols])] = 1.0
    np.clip(pairs, 0.0, 2.0, out=pairs)
    distances = np.full(similar.shape, np.inf)
    distances[rows, cols] = pairs
    distances[cols, rows] = pairs
    label = flat_average_linkage(distances, 1.0 - LINK + 1e-9)
    return [members[label == value] for value in distinct(label)]


def flat_average_linkage(distances: np.ndarray, cutoff: float) -> np.ndarray:
    """Per point, the least point of its cluster: average linkage over the symmetric
    `distances` (infinite on the diagonal; overwritten), cut at `cutoff`.

    This is the partition of scipy's `fcluster(linkage(d, "average"), cutoff,
    "distance")`, computed as scipy computes it so that every merge height has the same
    bits: the nearest-neighbour chain (a tie goes to the lowest index, and the chain's
    previous link wins a tie), the same update, the merges then taken in order of height,
    and a cluster cut wherever the highest merge beneath it is above `cutoff`. Loading
    scipy.cluster took 0.13 s, more than most days' clustering; a loop step per merge
    costs less than scipy's checks for groups of up to about 20 points."""
    n = len(distances)
    size = [1] * n
    chain: list[int] = []
    merges: list[tuple[float, int, int]] = []
    first = 0
    for _ in range(n - 1):
        if not chain:
            while size[first] == 0:
                first += 1
            chain.append(first)
        while True:  # follow nearest neighbours until two are each other's
            x = chain[-1]
            row = distances[x]
            nearest = int(row.argmin())
            if len(chain) > 1:
                y = chain[-2]
                if not row[nearest] < row[y]:
                    break
            chain.append(nearest)
        del chain[-2:]
        x, y = min(x, y), max(x, y)
        merges.append((float(distances[x, y]), x, y))
        # Lance-Williams for the average: the new cluster (kept at y) is at the
        # size-weighted mean of its parts' distances; x is gone (infinitely far).
        nx, ny = size[x], size[y]
        size[x], size[y] = 0, nx + ny
        merged = (nx * distances[x] + ny * distances[y]) / (nx + ny)
        merged[y] = np.inf
        distances[x] = np.inf
        distances[:, x] = np.inf
        distances[y] = merged
        distances[:, y] = merged
    merges.sort(key=lambda merge: merge[0])  # stable, as scipy sorts its merges
    tree = list(range(n))  # the merges so far, as a forest: each point's parent
    highest = [-np.inf] * n  # per tree root, the highest merge beneath it
    flat = list(range(n))  # the clusters under the cut, each rooted at its least point
    for height, x, y in merges:
        top_x, top_y = _root(tree, x), _root(tree, y)
        tree[top_y] = top_x
        highest[top_x] = max(height, highest[top_x], highest[top_y])
        if highest[top_x] <= cutoff:
            low, high = sorted((_root(flat, x), _root(flat, y)))
            flat[high] = low
    return np.array([_root(flat, point) for point in range(n)])


def _root(parent: list[int], point: int) -> int:
    """The root of `point` in a forest of parent links, halving the path on the way."""
    while parent[point] != point:
        parent[point] = parent[parent[point]]
        point = parent[point]
    return point


def _story(
    articles: list[Article],
    keys: tuple[str, ...],
    chosen: list[int],
    central: int,
    cohesion: float,
) -> Story:
    """The story of the articles `chosen` (ascending)."""
    if len(chosen) == 1:  # most of a day's stories: what the loop below makes of one
        article = articles[chosen[0]]
        return Story(
            articles=(chosen[0],),
            label=articles[central].title,
            central=central,
            outlets=1,
            outlet_names=(article.outlet,) if article.outlet else (),
            first=article.published,
            last=article.published,
            cohesion=cohesion,
        )
    names: dict[str, str] = {}
    for index in chosen:
        outlet = articles[index].outlet
        if outlet:
            names.setdefault(keys[index], outlet)
    dates = [d for d in (articles[i].published for i in chosen) if d is not None]
    return Story(
        articles=tuple(chosen),
        label=articles[central].title,
        central=central,
        outlets=len({keys[i] for i in chosen}),
        outlet_names=tuple(names.values()),
        first=min(dates) if dates else None,
        last=max(dates) if dates else None,
        cohesion=cohesion,
    )


def _row_products(left: sparse.csr_array, right: sparse.csr_array, rows: np.ndarray) -> np.ndarray:
    """Each row of `left` dotted with row `rows[i]` of `right`, a block of rows at a
    time: the whole product's copies of a large day's matrix were its largest memory."""
    found = np.zeros(left.shape[0])
    for start in range(0, left.shape[0], PRODUCT_ROWS):
        stop = start + PRODUCT_ROWS
        paired = left[start:stop].multiply(right[rows[start:stop]])
        found[start:stop] = np.asarray(paired.sum(axis=1)).ravel()
    return found


PRODUCT_ROWS = 1 << 11  # rows of the stories' vectors multiplied at once


def find_stories(
    articles: list[Article],
    sentences: list[Sentence],
    counts: sparse.csr_array | None = None,
    each: Each | None = None,
    *,
    consume: bool = False,
) -> Stories:
    """The day's stories: every article in one, the stories most outlets carry first.
    `each` searches a large day's candidate pairs (`Workers.each`: shared with a helper).
    `counts` is routing's article-by-term count matrix (headline and body content stems),
    which the stories' vectors are made from (in its own arrays with `consume`, when
    it is not needed after); without it they are counted here.

    Ties keep the order of the stories' first articles, so the same articles always give
    the same stories in the same order. A story's label is the headline of its most
    central article (the greatest cosine with the story's other articles)."""
    n = len(articles)
    if n == 0:
        return Stories(stories=(), story_of=())
    vectors = article_vectors(articles, sentences, counts, consume=consume)
    times = _times(articles)
    label = np.arange(n)  # each article its own story, named by its first article

    def cluster(group: np.ndarray) -> list[np.ndarray]:
        return _average_linkage(vectors, times, group)

    # Each linked group is clustered alone: on a large day, half of them in a helper.
    groups = _groups(candidate_links(vectors, times, each))
    for found in (each or each_here)(cluster, groups, n):
        for story in found:
            label[story] = story.min()
    _, story_of = np.unique(label, return_inverse=True)
    count = int(story_of.max()) + 1
    membership = sparse.csr_array((np.ones(n), (story_of, np.arange(n))), shape=(count, n))
    sums = (membership @ vectors).tocsr()  # per story, the sum of its unit vectors
    # An article's centrality: its summed cosine with the story's other articles.
    centrality = _row_products(vectors, sums, story_of) - 1.0
    sizes = np.bincount(story_of)
    squared = _row_products(sums, sums, np.arange(count))
    pairs = sizes * (sizes - 1.0)
    cohesion = np.where(sizes > 1, (squared - sizes) / np.maximum(pairs, 1.0), 1.0)
    # Per story the most central article, the first of them on a tie.
    order = np.lexsort((np.arange(n), -np.round(centrality, 9), story_of))
    central = order[np.searchsorted(story_of[order], np.arange(count))]
    keys = outlet_keys(articles)
    ordered = np.argsort(story_of, kind="stable").tolist()  # each story's, ascending
    ends = np.cumsum(sizes).tolist()
    made = [
        _story(articles, keys, ordered[end - size : end], middle, round(value, 6))
        for end, size, middle, value in zip(
            ends, sizes.tolist(), central.tolist(), cohesion.tolist(), strict=True
        )
    ]
    ranked = sorted(range(count), key=lambda s: (-made[s].outlets, made[s].articles[0]))
    position = np.empty(count, dtype=np.int64)
    position[ranked] = np.arange(count)
    return Stories(
        stories=tuple(made[s] for s in ranked),
        story_of=tuple(int(position[s]) for s in story_of),
    )
