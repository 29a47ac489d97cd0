"""Compose: ranked sentences into a brief of items, one item per fact.

Outlets retell the same fact in nearly the same words. Such near-duplicates are
grouped across the whole day, so a fact becomes a single item that quotes one
source verbatim and cites every source that carries it, and it can appear in only one
section.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse

from briefing.corroborate import corroborates
from briefing.model import (
    Article,
    Brief,
    History,
    Item,
    Novelty,
    PastStory,
    Ranking,
    Retelling,
    Routing,
    Section,
    Sentence,
    Stories,
    TermIndex,
    TopicSet,
    TopStory,
)
from briefing.novelty import NEAR_DUPLICATE  # one measure of "the same fact", today and since
from briefing.options import DEFAULT_PER_TOPIC, DEFAULT_TITLE
from briefing.rank import (
    distinct,
    index_terms,
    percentiles,
    term_matrix,
    terms_matrix,
    unit_rows,
)
from briefing.standalone import stands_alone
from briefing.stories import outlet_keys

TOP_STORIES = 3  # stories the brief opens with
# A pick's relevance blends these signals of the topic's pool (each 0 = worst, 1 = best).
RELEVANCE_WEIGHTS = {
    "topic_rank": 0.15,  # TextRank centrality among the topic's sentences
    # Centrality in its own article: what its source considered the story. The heavier
    # weight: a sentence central to many articles of the topic but peripheral to its own
    # is often background (a figure, a quote) that every article repeats.
    "article_rank": 0.35,
    "on_topic": 0.25,  # how much its article is about the topic (routing affinity)
    "length": 0.25,  # longer sentences carry more of the story
    # How early in its article, for a story several outlets tell (else 0): each outlet
    # opens with what it considers the news, so the leads of a widely told story are its
    # summary, where centrality in one article picks the detail its own account dwells on.
    "lead": 0.2,
}
TOLD_BY = 3  # independent outlets a story needs before its articles' leads count as its summary
REDUNDANCY_PENALTY = 0.05  # MMR: relevance lost per unit of similarity to an item already picked
MOSTLY_ON_TOPIC = 0.5  # an article at least this much about a topic is one of its stories
PARTLY_ON_TOPIC = 0.25  # ... and one this much about it still covers part of the topic
PER_ARTICLE = 2  # items one article may give a section while other articles have one to give


LINK_BLOCK = 64  # sentences whose links are followed at once (memory: their pairs)
LINK_PAIRS = 1 << 21  # and at most this many of their pairs, unless one has more
FACT_LIMIT = 256  # sentences one fact's search reaches before it stops following links


class NearDuplicates:
    """Which sentences of the day tell the same fact.

    Two sentences are linked when their content-stem sets have a cosine of
    NEAR_DUPLICATE or more, and a fact is a connected component of those links (a
    retelling of a retelling is the same fact). A component is found on demand, by
    following links out from one of its sentences, so only the facts the brief quotes
    are ever searched: with thousands of articles nearly every pair of sentences shares
    some word, and comparing all of them would grow with the square of the day. A search
    stops growing past FACT_LIMIT sentences (a chain, not one fact).
    """

    def __init__(self, sentences: list[Sentence], terms: TermIndex | None = None) -> None:
        """`terms`: the sentences' `TermIndex`, when made already."""
        terms = index_terms([s.terms for s in sentences]) if terms is None else terms
        # Which terms each sentence uses, as float32 ones (exact, in half the memory).
        present = terms_matrix(terms.ids, terms.starts, terms.vocabulary, np.float32)[0]
        present.data[:] = 1.0
        self._present = present
        self._postings = present.T.tocsr()  # term -> the sentences that use it
        self._users = np.diff(self._postings.indptr).astype(np.float64)  # per term
        self._sizes = np.diff(present.indptr).astype(np.float64)
        self._fact = np.full(len(sentences), -1, dtype=np.int64)
        self._members: list[np.ndarray] = []

    def linked(self, indices: np.ndarray) -> np.ndarray:
        """Sentences linked to any of `indices` (themselves excluded), in input order.

        In blocks of at most LINK_BLOCK sentences and LINK_PAIRS pairs: a sentence
        shares some word with a large share of a large day, so a long frontier at once
        would hold all of those pairs together (a chain of short retellings at 100,000
        articles asked for 1.5 GB per array)."""
        found = [np.zeros(0, dtype=np.int64)]
        # Each sentence's pairs at most: the sentences using each of its terms.
        reach = self._present[indices] @ self._users
        start = 0
        while start < len(indices):
            pairs = np.cumsum(reach[start : start + LINK_BLOCK])
            stop = start + max(1, int(np.searchsorted(pairs, LINK_PAIRS, side="right")))
            block = indices[start:stop]
            start = stop
            shared = (self._present[block] @ self._postings).tocoo()
            source = block[shared.row]
            size = np.maximum(self._sizes[source] * self._sizes[shared.col], 1.0)
            similar = (shared.data / np.sqrt(size) >= NEAR_DUPLICATE) & (shared.col != source)
            found.append(shared.col[similar].astype(np.int64))
        return distinct(np.concatenate(found))

    def members(self, index: int) -> np.ndarray:
        """Every sentence of `index`'s fact, `index` included, in input order."""
        fact = int(self._fact[index])
        if fact < 0:
            found = np.array([index], dtype=np.int64)
            frontier = found
            # A chain of loosely similar short sentences can reach across a large day;
            # past FACT_LIMIT sentences it is no longer one fact, and it stops growing.
            while len(frontier) and len(found) < FACT_LIMIT:
                frontier = np.setdiff1d(self.linked(frontier), found, assume_unique=True)
                found = np.union1d(found, frontier)
            fact = len(self._members)
            self._members.append(found)
            self._fact[found] = fact
        return self._members[fact]


def _retellings(members: list[int], quoted: int, sentences: list[Sentence]) -> list[Retelling]:
    """Every other sentence of the quoted one's fact, each checked against it: only a
    retelling that states the same fact makes its article a source of the item."""
    first = sentences[quoted].article
    retellings = []
    for member in members:
        if member == quoted:
            continue
        sentence = sentences[member]
        if sentence.article == first:
            verdict_cited, reason = False, "same article as the quoted sentence"
        else:
            verdict = corroborates(sentences[quoted].text, sentence.text)
            verdict_cited, reason = verdict.cited, verdict.reason
        retellings.append(Retelling(sentence.text, sentence.article, verdict_cited, reason))
    return retellings


def _sources(
    quoted: int, retellings: list[Retelling], sentences: list[Sentence]
) -> tuple[int, ...]:
    first = sentences[quoted].article
    others = sorted({r.article for r in retellings if r.cited} - {first})
    return (first, *others)


def _unit_rows(
    sentences: list[Sentence], pool: list[int], counts: sparse.csr_array | None = None
) -> sparse.csr_array:
    """Unit rows of the pool's term sets (from its term `counts`, when made already)."""
    present = term_matrix([sentences[i].terms for i in pool]) if counts is None else counts
    present = present.tocsr(copy=True)
    present.data[:] = 1.0
    return unit_rows(present)


@dataclass(frozen=True)
class Signals:
    """What selection knows of every sentence of the day, whatever its topic."""

    facts: NearDuplicates  # which sentences tell the same fact
    article_rank: np.ndarray  # percentile of centrality within its own article (rank)
    headlines: dict[str, frozenset[int]]  # each title of the day -> the articles it heads
    words: np.ndarray  # length in words, counted when first asked for (-1 until then):
    # only the topics' pools are, a small share of a large day
    outlets: tuple[str, ...]  # per article, its outlet's key (see outlet_keys)
    lead: np.ndarray  # 1 for an article's first sentence .. 0 for its last; 0 outside a
    # story TOLD_BY outlets or more tell


def _leads(sentences: list[Sentence], stories: Stories | None, articles: int) -> np.ndarray:
    """Per sentence, how early it comes in its article (1.0 first, 0.0 last), for the
    articles of a story TOLD_BY independent outlets or more tell; 0 for the others (a
    lone article's lead is no more the day's news than its other sentences)."""
    if stories is None or not sentences:
        return np.zeros(len(sentences))
    told_by = np.array([stories.stories[s].outlets for s in stories.story_of])
    article = np.array([s.article for s in sentences], dtype=np.int64)
    position = np.array([s.position for s in sentences], dtype=float)
    size = np.bincount(article, minlength=articles).astype(float)
    early = 1.0 - position / np.maximum(size[article] - 1.0, 1.0)
    return np.where(told_by[article] >= TOLD_BY, early, 0.0)


def sentence_signals(
    articles: list[Article],
    sentences: list[Sentence],
    ranking: Ranking,
    stories: Stories | None = None,
    terms: TermIndex | None = None,
) -> Signals:
    headlines: dict[str, set[int]] = {}
    for index, article in enumerate(articles):
        headlines.setdefault(article.title.strip(), set()).add(index)
    return Signals(
        facts=NearDuplicates(sentences, terms),
        article_rank=ranking.article_rank,
        headlines={title: frozenset(heads) for title, heads in headlines.items()},
        words=np.full(len(sentences), -1.0),
        outlets=outlet_keys(articles),
        lead=_leads(sentences, stories, len(articles)),
    )


def _heads_another_article(sentence: Sentence, signals: Signals) -> bool:
    """A sentence that is another article's headline is a related-story link, not
    reporting. Its own article's headline is its lead: a body line that only repeated the
    headline is gone already (ingest), so the sentence opens a paragraph of the story."""
    heads = signals.headlines.get(sentence.text.strip(), frozenset())
    return bool(heads - {sentence.article})


def select_items(
    sentences: list[Sentence],
    pool: list[int],
    scores: np.ndarray,  # TextRank score of each pool sentence among the pool
    signals: Signals,
    on_topic: np.ndarray,
    used: set[int],  # sentences of the facts already quoted; grows with each pick
    per_topic: int,
    evidence: Sequence[tuple[str, ...]] | None = None,
    learned: tuple[str, ...] = (),
    reported: Callable[[int, int], bool] | None = None,
    *,
    leaning: np.ndarray | None = None,
    counts: sparse.csr_array | None = None,
) -> list[Item]:
    """Pick a topic's items by maximal marginal relevance, one per fact.

    `on_topic` holds, per pool sentence, how much its article is about the topic.
    Relevance blends ranks within the pool (see RELEVANCE_WEIGHTS); each pick then
    lowers the relevance of sentences like it. Only sentences that stand alone are
    quoted (checked as each comes up, so a day's other sentences never are), and a fact
    already quoted in another section is not quoted again. A section covers several
    stories: an article gives at most PER_ARTICLE items while another article at least
    partly about the topic still has a sentence to give, and articles mostly about the
    topic come before those in the pool only for a sentence's own keywords. `leaning`
    marks the pool sentences whose article is about this topic more than any other: of
    the articles partly about the topic, those come first, so a section is not filled
    from a story that belongs to another section while its own stories have more to say.
    `counts`: the pool's term counts, when made already (`Ranking.pool_counts`).
    """
    if not pool:
        return []
    evidence = evidence or [()] * len(sentences)
    at = np.asarray(pool)
    uncounted = at[signals.words[at] < 0].tolist()
    signals.words[uncounted] = [sentences[i].length for i in uncounted]
    relative = scores * len(pool)
    ranks = {
        "topic_rank": percentiles(scores),
        "article_rank": signals.article_rank[at],
        "on_topic": percentiles(on_topic),
        "length": percentiles(signals.words[at]),
        "lead": signals.lead[at],
    }
    relevance = sum(RELEVANCE_WEIGHTS[name] * rank for name, rank in ranks.items())
    vectors = _unit_rows(sentences, pool, counts)
    redundancy = np.zeros(len(pool))
    available = ~np.isin(at, list(used))
    article_of = np.array([sentences[i].article for i in pool], dtype=np.int64)
    given: dict[int, int] = {}  # article -> items it has given this section
    leaning = np.ones(len(pool), dtype=bool) if leaning is None else leaning
    mostly = on_topic >= MOSTLY_ON_TOPIC
    partly = on_topic >= PARTLY_ON_TOPIC
    items: list[Item] = []
    while len(items) < per_topic and available.any():
        gain = np.where(available, relevance - REDUNDANCY_PENALTY * redundancy, -np.inf)
        full = np.isin(article_of, [a for a, n in given.items() if n >= PER_ARTICLE])
        # First an article mostly about the topic that has not given its share, then one
        # partly about it and about no other topic more, then one partly about it, then
        # any article mostly about it, then the others (in the pool on their own keywords).
        for tier in (
            available & ~full & mostly,
            available & ~full & partly & leaning,
            available & ~full & partly,
            available & mostly,
            available & ~full,
        ):
            if tier.any():
                gain[~tier] = -np.inf
                break
        position = int(np.argmax(gain))  # ties: the earlier sentence
        index = pool[position]
        if _heads_another_article(sentences[index], signals) or not stands_alone(
            sentences[index].text
        ):
            available[position] = False
            continue
        members = signals.facts.members(index)
        available &= ~np.isin(at, members)
        used.update(members.tolist())
        retellings = _retellings(members.tolist(), index, sentences)
        sources = _sources(index, retellings, sentences)
        outlets = len({signals.outlets[a] for a in sources})
        if reported is not None and reported(index, outlets):
            continue  # an earlier brief told this fact, by as many outlets: not again
        redundancy = np.maximum(redundancy, (vectors @ vectors[position].T).toarray().ravel())
        given[sources[0]] = given.get(sources[0], 0) + 1
        items.append(
            Item(
                text=sentences[index].text,
                sources=sources,
                score=round(float(relative[position]), 4),
                sentence=index,
                outlets=outlets,
                terms=tuple(sorted(set(sentences[index].terms))),
                keywords=tuple(t for t in evidence[index] if t not in learned),
                learned=tuple(t for t in evidence[index] if t in learned),
                relevance=(
                    ("relevance", round(float(relevance[position]), 4)),
                    *((name, round(float(rank[position]), 4)) for name, rank in ranks.items()),
                ),
                retellings=tuple(retellings),
            )
        )
    return items


def compose_brief(
    articles: list[Article],
    sentences: list[Sentence],
    topics: TopicSet,
    routing: Routing,
    ranking: Ranking,
    stories: Stories,
    date: dt.date,
    per_topic: int = DEFAULT_PER_TOPIC,
    title: str | None = None,
    history: History | None = None,
    novelty: Novelty | None = None,
    terms: TermIndex | None = None,
) -> Brief:
    """The compose stage: each topic's items, chosen from its routed and ranked
    sentences, one item per fact across the whole brief, and the day's top stories.
    With a `history` (and its `novelty`), a fact an earlier brief reported is left out
    unless more outlets carry it now, and each item is marked new or update. `terms`: the
    sentences' `TermIndex`, when made already."""
    signals = sentence_signals(articles, sentences, ranking, stories, terms)
    reported = _reported(history, novelty) if history is not None and novelty else None
    article_of = np.array([s.article for s in sentences], dtype=np.int64)
    used: set[int] = set()
    sections = []
    for index, topic in enumerate(topics.topics):
        pool = list(ranking.pools[index])
        affinity = routing.affinity[article_of[pool]]
        on_topic = affinity[:, index]
        leaning = affinity.argmax(axis=1) == index  # its article's strongest topic (or none)
        items = select_items(
            sentences,
            pool,
            ranking.topic_scores[index],
            signals,
            on_topic,
            used,
            per_topic,
            routing.evidence,
            routing.learned[index],
            reported,
            leaning=leaning,
            counts=ranking.pool_counts[index] if ranking.pool_counts else None,
        )
        if history is not None and novelty is not None:
            items = [_mark(item, stories, history, novelty) for item in items]
        sections.append(Section(topic=topic, items=tuple(items)))
    top = top_stories([item for section in sections for item in section.items], stories)
    return Brief(
        title=title or topics.title or DEFAULT_TITLE,
        date=date,
        sections=tuple(sections),
        key_points=tuple(entry.item for entry in top),
        articles=tuple(articles),
        top_stories=top,
        routing=routing,
        story_records=_story_records(sections, articles, stories, novelty),
        follows_history=bool(history and (history.facts or history.stories)),
    )


def _reported(history: History, novelty: Novelty) -> Callable[[int, int], bool]:
    def reported(sentence: int, outlets: int) -> bool:
        past = int(novelty.repeat_of[sentence])
        return past >= 0 and outlets <= history.facts[past].outlets

    return reported


def _mark(item: Item, stories: Stories, history: History, novelty: Novelty) -> Item:
    """An item's story across days and its status: "update" when its story is a known
    one or its fact is one more outlets carry now, else "new"."""
    story = stories.story_of[item.sources[0]]
    past = int(novelty.repeat_of[item.sentence])
    if past >= 0:  # a known fact, newly corroborated
        fact = history.facts[past]
        return replace(item, story=fact.story, status="update", first_reported=fact.first_reported)
    status = "update" if novelty.known[story] else "new"
    return replace(
        item,
        story=novelty.story_key[story],
        status=status,
        first_reported=novelty.first_reported[story],
    )


def _story_records(
    sections: list[Section],
    articles: list[Article],
    stories: Stories,
    novelty: Novelty | None,
) -> tuple[PastStory, ...]:
    """The stories this brief quotes, as the history keeps them."""
    if novelty is None:
        return ()
    quoted = sorted({stories.story_of[i.sources[0]] for s in sections for i in s.items})
    return tuple(
        PastStory(
            key=novelty.story_key[index],
            first_reported=novelty.first_reported[index],
            label=stories.stories[index].label,
            articles=tuple(articles[a].id for a in stories.stories[index].articles),
        )
        for index in quoted
    )


def top_stories(items: list[Item], stories: Stories) -> tuple[TopStory, ...]:
    """The stories carried by the most independent outlets, each with its best item (the
    highest-scored one quoted from any of its articles); a story the brief quotes nothing
    from is left out. Ties keep the stories' own order (their first article)."""
    best: dict[int, Item] = {}
    for item in sorted(items, key=lambda item: (-item.score, item.sentence)):
        best.setdefault(stories.story_of[item.sources[0]], item)
    chosen = [index for index in range(len(stories.stories)) if index in best][:TOP_STORIES]
    return tuple(TopStory(stories.stories[index], best[index]) for index in chosen)
