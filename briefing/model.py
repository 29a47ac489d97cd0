"""The data every stage passes on: articles, their sentences, the analyst's topics, the
routing of sentences to topics, and the brief of items that quotes them.

Plain frozen dataclasses and nothing else, so any stage (and any user of the Python API)
can import them without importing another stage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only in annotations: the model loads without NumPy
    from collections.abc import Sequence

    import numpy as np
    from scipy import sparse


@dataclass(frozen=True)
class Article:
    """One source article: its headline and body paragraphs, furniture removed, and what
    a citation needs (outlet, link and publication time, when the source states them)."""

    id: str
    path: str
    title: str
    paragraphs: tuple[str, ...]
    outlet: str | None = None
    url: str | None = None
    published: dt.datetime | None = None  # always time-zone aware


@dataclass(frozen=True)
class SentenceWords:
    """The stems of a run of sentences (one segmented part of a day) as numbers, one
    array for all of them: a tuple of strings per sentence was a third of a large day's
    memory, and what made sending segmented parts between processes slow."""

    vocabulary: tuple[str, ...]  # the run's stems
    ids: np.ndarray  # int32: every sentence's stems in order, as places in the vocabulary
    starts: np.ndarray  # int64, one more than the sentences: sentence i's ids begin here
    content: np.ndarray  # bool per id: the stem of a content word (a term, not a stop word)
    tokens: np.ndarray  # int32 per sentence: its words as written, counted at white space

    def stems(self, row: int) -> tuple[str, ...]:
        ids = self.ids[self.starts[row] : self.starts[row + 1]].tolist()
        return tuple(map(self.vocabulary.__getitem__, ids))

    def terms(self, row: int) -> tuple[str, ...]:
        begin, end = self.starts[row], self.starts[row + 1]
        ids = self.ids[begin:end][self.content[begin:end]].tolist()
        return tuple(map(self.vocabulary.__getitem__, ids))


@dataclass(frozen=True, slots=True, eq=False)  # a day holds millions of them
class Sentence:
    """One body sentence of one article, with what later stages compare it by: its
    stems, row `row` of its part's `words`."""

    text: str
    article: int  # index into the list of articles
    position: int  # order of the sentence within its article
    words: SentenceWords = field(repr=False)
    row: int = field(repr=False)

    @property
    def stems(self) -> tuple[str, ...]:
        """Every word's stem, in order: keywords match here."""
        return self.words.stems(self.row)

    @property
    def terms(self) -> tuple[str, ...]:
        """The stems of the content words: TextRank compares these."""
        return self.words.terms(self.row)

    @property
    def length(self) -> int:
        """Its length in words (`len(text.split())`, counted when it was segmented)."""
        return int(self.words.tokens[self.row])

    def _key(self) -> tuple[str, int, int, tuple[str, ...], tuple[str, ...]]:
        return (self.text, self.article, self.position, self.stems, self.terms)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sentence):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> tuple[type[Sentence], tuple[str, int, int, SentenceWords, int]]:
        # Pickled as its fields (workers send sentences back): half the time of the
        # state dictionary a slotted dataclass pickles by default; a part's sentences
        # share one `words`, which pickle sends once.
        return (Sentence, (self.text, self.article, self.position, self.words, self.row))


def sentences_in_rows(
    texts: list[str], articles: list[int], positions: list[int], words: SentenceWords
) -> list[Sentence]:
    """`[Sentence(texts[i], articles[i], positions[i], words, i) for i in ...]`, with each
    slot set through its descriptor: a frozen dataclass sets its fields one
    `object.__setattr__` call at a time, which made building a large day's sentences take
    twice as long (the same objects: `tests/test_segment.py`)."""
    new = object.__new__
    text, article, position, shared, row = (
        Sentence.__dict__[name].__set__ for name in ("text", "article", "position", "words", "row")
    )
    made: list[Sentence] = []
    for number, fields in enumerate(zip(texts, articles, positions, strict=True)):
        sentence = new(Sentence)
        text(sentence, fields[0])
        article(sentence, fields[1])
        position(sentence, fields[2])
        shared(sentence, words)
        row(sentence, number)
        made.append(sentence)
    return made


@dataclass(frozen=True)
class TermIndex:
    """Every sentence's content stems as numbers, made once for the day: each term matrix
    a stage needs (an article's, a topic's, the whole day's) is cut from these arrays
    instead of looking every word up again (`rank.index_terms`, `rank.terms_matrix`)."""

    vocabulary: tuple[str, ...]  # the day's terms, in order of first appearance
    ids: np.ndarray  # int32: every sentence's terms in order, as places in the vocabulary
    starts: np.ndarray  # int64, one more than the sentences: sentence i's ids begin here


@dataclass(frozen=True)
class Topic:
    """One section of the brief, as the analyst named it in the topics file."""

    id: str
    title: str
    keywords: tuple[str, ...]
    patterns: tuple[tuple[str, ...], ...]  # each keyword as its sequence of stems
    exclude: tuple[str, ...] = ()  # words or phrases that keep a sentence out of the topic
    exclude_patterns: tuple[tuple[str, ...], ...] = ()  # each as its sequence of stems
    exclude_articles: bool = False  # an excluded word keeps its whole article out
    description: str | None = None  # free text whose words widen the topic, weakly
    description_terms: tuple[str, ...] = ()  # its content stems that are not keywords


@dataclass(frozen=True)
class TopicSet:
    topics: tuple[Topic, ...]
    title: str | None = None  # a default title for briefs built with this file


@dataclass(frozen=True)
class Routing:
    """Which topic each sentence belongs to, and the evidence for it."""

    topic_of: list[int | None]  # per sentence: topic index, or None
    evidence: Sequence[tuple[str, ...]]  # per sentence: matched keywords and learned terms
    affinity: np.ndarray  # articles x (topics + 1): how much each article is about each
    # topic; the last column is "none of them"
    learned: tuple[tuple[str, ...], ...]  # per topic: terms learned from on-topic articles
    # What `--explain` shows of an article's leaning (articles x topics, then neighbours):
    keywords: tuple[tuple[tuple[str, ...], ...], ...] = ()  # its keywords, headline included
    headline_keywords: tuple[tuple[tuple[str, ...], ...], ...] = ()  # its headline's
    neighbours: np.ndarray | None = None  # articles x NEIGHBOURS: its most similar articles
    neighbour_weights: np.ndarray | None = None  # their cosines


@dataclass(frozen=True)
class Ranking:
    """How central each sentence is: among its topic's sentences, and in its own article."""

    pools: tuple[tuple[int, ...], ...]  # per topic: the sentences routed to it, in order
    topic_scores: tuple[np.ndarray, ...]  # per topic: TextRank score of each pool sentence
    article_rank: np.ndarray  # per sentence: percentile of its centrality in its article
    pool_counts: tuple[sparse.csr_array, ...] = ()  # per topic: its pool's term counts


@dataclass(frozen=True)
class Retelling:
    """A near-duplicate merged into an item. `cited` when it states the item's fact (its
    article is then a source of the item); `reason` says why or why not."""

    text: str
    article: int
    cited: bool = True
    reason: str = ""


@dataclass(frozen=True)
class Item:
    text: str  # verbatim sentence of sources[0]
    sources: tuple[int, ...]  # article indices; every one carries this fact
    score: float  # TextRank score relative to the topic's average sentence (1.0)
    sentence: int  # index of the quoted sentence
    outlets: int = 1  # distinct outlets among the sources (a source without one counts alone)
    keywords: tuple[str, ...] = ()  # the topic's keywords the sentence matched
    learned: tuple[str, ...] = ()  # terms learned for the topic that the sentence has (stems)
    relevance: tuple[tuple[str, float], ...] = ()  # the ranks its selection weighed
    retellings: tuple[Retelling, ...] = ()  # near-duplicates merged into it
    terms: tuple[str, ...] = ()  # the quoted sentence's content stems, once each, sorted
    story: str = ""  # the key of its story, across days (with a history)
    status: str = ""  # "new" or "update" (a known story, or a fact more outlets now carry)
    first_reported: dt.date | None = None  # when its story (or fact) was first reported


@dataclass(frozen=True)
class Section:
    topic: Topic
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Brief:
    title: str
    date: dt.date
    sections: tuple[Section, ...]
    key_points: tuple[Item, ...]  # the top stories' items, in their order
    articles: tuple[Article, ...]
    top_stories: tuple[TopStory, ...] = ()
    routing: Routing | None = field(default=None, compare=False, repr=False)  # for --explain
    story_records: tuple[PastStory, ...] = ()  # its stories, as the history keeps them
    follows_history: bool = False  # an earlier brief was known: items carry new/update
    timeline: tuple[tuple[TimelineEvent, ...], ...] = ()  # per section (with --timeline)


@dataclass(frozen=True)
class TimelineEvent:
    """A dated event of a topic: the date a sentence states, and the sentence, verbatim."""

    date: dt.date
    text: str
    source: int  # the article it is quoted from


@dataclass(frozen=True)
class TopStory:
    """A story on the brief's first lines: the story, and the best item quoted from it."""

    story: Story
    item: Item


@dataclass(frozen=True)
class Story:
    """One event of the day as several articles tell it (`briefing/stories.py`): what a
    brief needs to rank it by independent outlets and to name it."""

    articles: tuple[int, ...]  # indices into the day's articles, ascending
    label: str  # headline of its most central article
    central: int  # that article
    outlets: int  # distinct outlets (entries of one outlet count once, an unnamed one alone)
    outlet_names: tuple[str, ...]  # the named outlets, as first spelled, in article order
    first: dt.datetime | None  # earliest publication time among its dated articles
    last: dt.datetime | None  # latest one
    cohesion: float  # mean cosine of its articles' pairs (1.0 for one article)


@dataclass(frozen=True)
class Stories:
    """Every article of the day in exactly one story (most stories are one article)."""

    stories: tuple[Story, ...]  # most independent outlets first, then by first article
    story_of: tuple[int, ...]  # per article, the index of its story


@dataclass(frozen=True)
class PastFact:
    """A fact an earlier brief quoted, as the history keeps it."""

    date: dt.date
    story: str
    first_reported: dt.date
    outlets: int
    terms: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class PastStory:
    """A story an earlier brief (or this one) quoted: its key across days, when it was
    first reported, its label and its articles' ids."""

    key: str
    first_reported: dt.date
    label: str
    articles: tuple[str, ...]


@dataclass(frozen=True)
class History:
    """What the briefs of the last days reported (`briefing/history.py`)."""

    facts: tuple[PastFact, ...] = ()
    stories: tuple[PastStory, ...] = ()


@dataclass(frozen=True)
class Novelty:
    """What is new today against the history (`briefing/novelty.py`)."""

    repeat_of: np.ndarray  # per sentence: the past fact it retells (index), or -1
    story_key: tuple[str, ...]  # per story of the day: its key across days
    first_reported: tuple[dt.date, ...]  # per story: when it was first reported
    known: tuple[bool, ...]  # per story: an earlier brief reported it
