"""Novelty: which of today's sentences retell a fact an earlier brief reported, and which
of today's stories are continuing ones.

A sentence retells a past fact when their content-stem sets have a cosine of at least
NEAR_DUPLICATE, the measure compose makes one item of a fact by within a day. A story
is a known one when it holds an article an earlier brief's story held, or a sentence that
retells one of that story's facts; otherwise it is new today.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np

from briefing.model import Article, History, Novelty, Sentence, Stories, TermIndex
from briefing.rank import index_terms, join_term_indexes, terms_matrix

NEAR_DUPLICATE = 0.6  # cosine of content-stem sets; same-fact retellings score 0.65-0.8


def assess_novelty(
    articles: list[Article],
    sentences: list[Sentence],
    stories: Stories,
    history: History,
    date: dt.date,
    terms: TermIndex | None = None,
) -> Novelty:
    """Which sentences retell a fact of the history, and which stories are new today.
    `terms`: the sentences' `TermIndex`, when made already."""
    repeat_of = np.full(len(sentences), -1, dtype=np.int64)
    if history.facts and sentences:
        # One vocabulary for today's sentences and the past facts; binary rows.
        # (cut from the day's index: the same matrix as from the words, bit for bit)
        today_terms = index_terms([s.terms for s in sentences]) if terms is None else terms
        joined = join_term_indexes([today_terms, index_terms([f.terms for f in history.facts])])
        present = terms_matrix(joined.ids, joined.starts, joined.vocabulary)[0].tocsr()
        present.data[:] = 1.0
        today, past = present[: len(sentences)], present[len(sentences) :]
        sizes = np.diff(present.indptr).astype(np.float64)
        shared = (today @ past.T).tocoo()  # sentences x past facts: words in common
        cosine = shared.data / np.sqrt(
            np.maximum(sizes[shared.row] * sizes[len(sentences) + shared.col], 1.0)
        )
        hit = cosine >= NEAR_DUPLICATE
        # The closest past fact of each sentence that retells one.
        order = np.lexsort((-cosine[hit], shared.row[hit]))
        rows, cols = shared.row[hit][order], shared.col[hit][order]
        first = np.unique(rows, return_index=True)[1]
        repeat_of[rows[first]] = cols[first]
    by_article = {a: p.key for p in history.stories for a in p.articles}
    first_seen = {p.key: p.first_reported for p in history.stories}
    for fact in history.facts:
        first_seen.setdefault(fact.story, fact.first_reported)
    article_of = np.array([s.article for s in sentences], dtype=np.int64)
    keys, firsts, known = [], [], []
    for story in stories.stories:
        votes: Counter[str] = Counter(
            by_article[articles[a].id] for a in story.articles if articles[a].id in by_article
        )
        members = np.isin(article_of, story.articles) & (repeat_of >= 0)
        votes.update(history.facts[int(i)].story for i in repeat_of[members])
        if votes:
            key = min(votes, key=lambda k: (-votes[k], k))
            keys.append(key)
            firsts.append(first_seen.get(key, date))
            known.append(True)
        else:
            keys.append(f"{date.isoformat()} {story.label}")
            firsts.append(date)
            known.append(False)
    return Novelty(
        repeat_of=repeat_of,
        story_key=tuple(keys),
        first_reported=tuple(firsts),
        known=tuple(known),
    )
