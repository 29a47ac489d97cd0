"""Stories within a day: the same event told by several outlets is one story."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest
from scipy import sparse

import briefing.stories as stories_module
from briefing.model import Article, Stories
from briefing.segment import segment_articles
from briefing.stories import LINK, article_vectors, find_stories

UTC = dt.UTC
NOON = dt.datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def article(
    number: int,
    title: str,
    *paragraphs: str,
    outlet: str | None = None,
    published: dt.datetime | None = None,
) -> Article:
    return Article(
        id=f"a{number}",
        path=f"a{number}.txt",
        title=title,
        paragraphs=paragraphs,
        outlet=outlet,
        published=published,
    )


FERRY = (
    "The Port Ellis island ferry returned to its full timetable on Saturday after the "
    "harbour dredging finished.",
    "Islanders had waited three weeks for the Kestrel ferry to sail from Port Ellis again.",
    "The harbour master said the dredged channel is now deep enough at low tide.",
)
FERRY_RETOLD = (
    "Ferry crossings from Port Ellis to the island are back to the full timetable, the "
    "harbour master said.",
    "The Kestrel ferry was kept in port for three weeks while the channel was dredged.",
    "Islanders said the low tide crossings had been missed most.",
)
MINE = (
    "Rescuers reached eleven miners trapped by a roof collapse at the Karrow coal pit.",
    "The Karrow mine's owner said ventilation shafts kept fresh air reaching the miners.",
    "Rescue teams drilled through the night towards the collapsed coal seam.",
)
MINE_RETOLD = (
    "Eleven coal miners trapped at the Karrow pit were reached by rescue teams at dawn.",
    "Drilling towards the collapsed seam went on through the night, the mine owner said.",
    "Fresh air reached the trapped miners through the ventilation shafts.",
)
MINE_AGAIN = (
    "All eleven Karrow miners are safe after the rescue teams reached the collapsed seam.",
    "The coal pit's owner thanked the rescue teams who drilled through the night.",
)
UNRELATED = [
    (
        "Chess prodigy wins the city championship",
        "A twelve-year-old won the city chess championship with a queen sacrifice in the final.",
        "Her coach said the opening had been prepared for months.",
    ),
    (
        "Bakers revive a medieval rye loaf",
        "Bakers at the abbey museum revived a medieval rye loaf from a monk's recipe.",
        "Visitors queued for slices of the dark sourdough bread.",
    ),
    (
        "Orchestra plays a lost symphony",
        "The regional orchestra played a symphony lost for two centuries in a library attic.",
        "Musicologists found the score among bundles of old sermons.",
    ),
]


def day() -> list[Article]:
    """Two events told by several outlets among unrelated news."""
    return [
        article(0, "Port Ellis ferry back on full timetable", *FERRY, outlet="Island Courier"),
        article(1, UNRELATED[0][0], *UNRELATED[0][1:], outlet="City Post"),
        article(2, "Rescuers reach trapped Karrow miners", *MINE, outlet="Valley News"),
        article(3, "Kestrel ferry sails again from Port Ellis", *FERRY_RETOLD, outlet="Coast FM"),
        article(4, UNRELATED[1][0], *UNRELATED[1][1:]),
        article(5, "Karrow pit rescue reaches eleven miners", *MINE_RETOLD, outlet="Valley News"),
        article(6, "All Karrow miners safe", *MINE_AGAIN, outlet=" valley  NEWS "),
        article(7, UNRELATED[2][0], *UNRELATED[2][1:], outlet="Arts Weekly"),
    ]


def stories_of(articles: list[Article]) -> Stories:
    return find_stories(articles, segment_articles(articles))


def groups(result: Stories) -> list[tuple[int, ...]]:
    return sorted(story.articles for story in result.stories)


def test_two_outlets_telling_the_same_event_become_one_story_citing_both() -> None:
    result = stories_of(day())
    ferry = result.stories[result.story_of[0]]
    assert ferry.articles == (0, 3)
    assert ferry.outlets == 2
    assert ferry.outlet_names == ("Island Courier", "Coast FM")


def test_unrelated_articles_stay_apart() -> None:
    result = stories_of(day())
    assert groups(result) == [(0, 3), (1,), (2, 5, 6), (4,), (7,)]
    for index in (1, 4, 7):
        assert result.stories[result.story_of[index]].outlets == 1


def test_two_entries_of_one_outlet_count_as_one_outlet() -> None:
    result = stories_of(day())
    mine = result.stories[result.story_of[2]]
    assert mine.articles == (2, 5, 6)
    # "Valley News" and " valley  NEWS " are one outlet, named as first spelled.
    assert mine.outlets == 1
    assert mine.outlet_names == ("Valley News",)


def test_an_article_without_an_outlet_counts_as_an_outlet_of_its_own() -> None:
    articles = day()
    articles[3] = article(3, articles[3].title, *FERRY_RETOLD)
    ferry = stories_of(articles).stories[0]
    assert ferry.articles == (0, 3)
    assert ferry.outlets == 2
    assert ferry.outlet_names == ("Island Courier",)


def test_a_label_is_the_headline_of_the_story_article_closest_to_the_others() -> None:
    articles = day()
    result = stories_of(articles)
    vectors = article_vectors(articles, segment_articles(articles)).toarray()
    for story in result.stories:
        assert story.label == articles[story.central].title
        assert story.central in story.articles
        # Reference: summed cosine with the story's other articles, pair by pair.
        summed = {
            i: sum(float(vectors[i] @ vectors[j]) for j in story.articles if j != i)
            for i in story.articles
        }
        best = max(summed.values())
        assert story.central == min(i for i in story.articles if summed[i] >= best - 1e-9)


def test_a_story_holding_its_articles_together_has_their_mean_pair_cosine() -> None:
    articles = day()
    result = stories_of(articles)
    vectors = article_vectors(articles, segment_articles(articles)).toarray()
    for story in result.stories:
        pairs = list(itertools.combinations(story.articles, 2))
        expected = np.mean([vectors[i] @ vectors[j] for i, j in pairs]) if pairs else 1.0
        assert story.cohesion == pytest.approx(expected, abs=1e-6)
        if pairs:
            assert story.cohesion >= LINK


def test_stories_come_most_outlets_first_then_in_the_order_of_their_first_article() -> None:
    result = stories_of(day())
    keys = [(-story.outlets, story.articles[0]) for story in result.stories]
    assert keys == sorted(keys)
    assert [story.articles for story in result.stories] == [(0, 3), (1,), (2, 5, 6), (4,), (7,)]
    for index, story in enumerate(result.stories):
        assert all(result.story_of[i] == index for i in story.articles)
    assert sorted(i for story in result.stories for i in story.articles) == list(range(8))


def test_the_same_articles_give_the_same_stories_in_the_same_order() -> None:
    assert stories_of(day()) == stories_of(day())


def test_a_story_spans_its_first_and_last_publication_times() -> None:
    articles = day()
    hours = {2: 1, 5: 5, 6: 3}
    for index, hour in hours.items():
        articles[index] = article(
            index,
            articles[index].title,
            *articles[index].paragraphs,
            outlet=articles[index].outlet,
            published=NOON + dt.timedelta(hours=hour),
        )
    result = stories_of(articles)
    mine = result.stories[result.story_of[2]]
    assert mine.articles == (2, 5, 6)
    assert (mine.first, mine.last) == (NOON + dt.timedelta(hours=1), NOON + dt.timedelta(hours=5))
    ferry = result.stories[result.story_of[0]]
    assert (ferry.first, ferry.last) == (None, None)


def test_the_same_event_told_days_apart_is_two_stories() -> None:
    articles = day()
    for index, offset in ((0, dt.timedelta(0)), (3, dt.timedelta(days=5))):
        articles[index] = article(
            index,
            articles[index].title,
            *articles[index].paragraphs,
            outlet=articles[index].outlet,
            published=NOON + offset,
        )
    assert (0,) in groups(stories_of(articles)) and (3,) in groups(stories_of(articles))
    articles[3] = article(3, articles[3].title, *FERRY_RETOLD, outlet="Coast FM", published=NOON)
    assert (0, 3) in groups(stories_of(articles))


def test_an_article_sharing_words_with_two_stories_does_not_chain_them() -> None:
    articles = day()
    bridge = article(
        8,
        "A week on the coast",
        "Weekend news from the coast: the Kestrel ferry sails from Port Ellis again.",
        "Inland, rescuers reached the trapped Karrow miners.",
        "The county fair opens on Friday with a brass band.",
    )
    articles.append(bridge)
    vectors = article_vectors(articles, segment_articles(articles)).toarray()
    cosine = vectors @ vectors.T
    # Linked pair by pair, the bridge would join the ferry and the mine stories.
    assert cosine[8, 0] >= LINK and cosine[8, 2] >= LINK
    found = groups(stories_of(articles))
    ferry = next(g for g in found if 0 in g)
    mine = next(g for g in found if 2 in g)
    assert ferry != mine
    assert set(ferry) - {8} == {0, 3} and set(mine) - {8} == {2, 5, 6}


def test_past_the_exact_threshold_neighbours_through_terms_give_the_same_stories(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    exact = stories_of(day())
    calls: list[str] = []
    original = stories_module._nearest_through_terms

    def through_terms(
        vectors: sparse.csr_array, k: int, each: object = None
    ) -> tuple[np.ndarray, np.ndarray]:
        calls.append("through terms")
        return original(vectors, k)

    monkeypatch.setattr(stories_module, "EXACT_NEIGHBOURS", 4)
    monkeypatch.setattr(stories_module, "_nearest_through_terms", through_terms)
    monkeypatch.setattr(stories_module, "_nearest", None)  # the exact search is never used
    assert stories_of(day()) == exact
    assert calls == ["through terms"]


def test_a_linked_group_larger_than_the_limit_is_split_at_a_higher_threshold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With a limit of two, the three Karrow articles are one group too many: the group
    # is split where its links are weakest, and no story is larger than the limit.
    monkeypatch.setattr(stories_module, "LARGEST_GROUP", 2)
    result = stories_of(day())
    assert max(len(story.articles) for story in result.stories) <= 2
    assert (0, 3) in groups(result)


def test_no_articles_give_no_stories_and_an_empty_article_is_a_story_of_its_own() -> None:
    assert find_stories([], []) == Stories(stories=(), story_of=())
    articles = [*day(), article(8, "", "")]
    result = stories_of(articles)
    empty = result.stories[result.story_of[8]]
    assert empty.articles == (8,) and empty.cohesion == 1.0


def test_a_candidate_link_is_the_exact_cosine_of_a_close_pair_counted_once() -> None:
    articles = day()
    vectors = article_vectors(articles, segment_articles(articles))
    times = np.full(len(articles), np.nan)
    links = stories_module.candidate_links(vectors, times).toarray()
    cosine = (vectors @ vectors.T).toarray()
    # Eight articles: every other article is a neighbour, so the links are exactly the
    # pairs at LINK or more (pair by pair, no diagonal), with their cosines.
    expected = np.where(cosine >= LINK, cosine, 0.0)
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_allclose(links, expected, atol=1e-12)


def test_row_products_block_by_block_are_the_whole_products_bit_for_bit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from brieftest import random_counts

    monkeypatch.setattr(stories_module, "PRODUCT_ROWS", 5)
    rng = np.random.default_rng(5)
    for _ in range(60):
        left = random_counts(rng)
        right = sparse.csr_array(left.toarray()[rng.permutation(left.shape[0])])
        rows = rng.integers(0, left.shape[0], left.shape[0])
        expected = np.asarray(left.multiply(right[rows]).sum(axis=1)).ravel()
        found = stories_module._row_products(left, right, rows)
        np.testing.assert_array_equal(found, expected, strict=True)


def test_connected_groups_are_scipys_connected_components_numbered_alike() -> None:
    from scipy.sparse.csgraph import connected_components

    rng = np.random.default_rng(2)
    for case in range(300):
        n = int(rng.integers(1, 300))
        if case % 4 == 0:  # a long path, its nodes in scattered order
            order = rng.permutation(n)
            rows, cols = order[:-1], order[1:]
        else:
            edges = int(rng.integers(0, 2 * n + 1))
            rows, cols = rng.integers(0, n, edges), rng.integers(0, n, edges)
        links = sparse.coo_array((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
        links = (links + links.T).tocsr()
        count, label = connected_components(links, directed=False)
        found_count, found_label = stories_module.connected_groups(links)
        assert found_count == count
        np.testing.assert_array_equal(found_label, label)


def _same_partition(left: np.ndarray, right: np.ndarray) -> bool:
    pairs = set(zip(left.tolist(), right.tolist(), strict=True))
    return len(pairs) == len(set(left.tolist())) == len(set(right.tolist()))


def test_flat_average_linkage_is_scipys_average_linkage_cut_at_the_same_height() -> None:
    from scipy.cluster.hierarchy import fcluster, linkage

    rng = np.random.default_rng(7)
    cutoff = 1.0 - LINK + 1e-9
    for case in range(1500):
        n = int(rng.integers(3, 70))
        count = n * (n - 1) // 2
        if case % 3 == 0:  # distances as the stories' cosines give them
            condensed = 1.0 - rng.random(count) * 0.4
        elif case % 3 == 1:  # many exact ties, and heights at the cutoff
            condensed = np.round(rng.random(count) * 8) / 8 * 1.76
        else:  # pairs too far apart in time (1.0) among close ones
            condensed = np.where(rng.random(count) < 0.5, 1.0, rng.random(count) * 0.9)
        rows, cols = np.triu_indices(n, k=1)
        square = np.full((n, n), np.inf)
        square[rows, cols] = square[cols, rows] = condensed
        expected = fcluster(linkage(condensed, method="average"), t=cutoff, criterion="distance")
        found = stories_module.flat_average_linkage(square, cutoff)
        assert _same_partition(found, expected), case
        assert all(found[found == value].min() == value for value in found)
