"""The stages in order: ingest (with duplicates and the time window) → segment → topics →
rank → compose."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.archive import archive_articles
from briefing.compose import Brief, compose_brief
from briefing.errors import InputError
from briefing.gcpause import cycle_collector_paused
from briefing.helper import Helper
from briefing.history import read_history
from briefing.ingest import (
    ARTICLE_SUFFIXES,
    MAX_FILE_BYTES,
    Article,
    find_article_files,
    identity_keys,
    kept_copies,
    name_entries,
    read_articles,
)
from briefing.model import History
from briefing.novelty import assess_novelty
from briefing.options import DEFAULT_NOVELTY_DAYS, DEFAULT_PER_TOPIC
from briefing.rank import rank_sentences
from briefing.routing import article_term_counts, headline_words, route_sentences
from briefing.stories import find_stories
from briefing.timeline import build_timeline
from briefing.timewindow import Window, places_in_window
from briefing.topics import TopicSet
from briefing.workers import Segmented, segment_read, select_segmented

if TYPE_CHECKING:
    from briefing.workers import Workers


def collect_articles(
    sources: list[Path],
    zone: dt.tzinfo,
    window: Window | None = None,
    *,
    keep_duplicates: bool = False,
    archive: Path | None = None,
    workers: Workers | None = None,
) -> list[Article]:
    """The articles a brief over `sources` (and the `archive`'s articles of the window)
    would be built from, in reading order, the files' first: one copy of each (unless
    `keep_duplicates`), in the window when one is given. An InputError when none is left,
    worded as `build` words it. With `workers` (a Dask cluster, or a forked helper taking
    half of a large day), the files are read there."""
    articles = read_articles(sources, zone, workers=workers) if sources else []
    if archive is not None:
        articles += archive_articles(archive, window, [a.id for a in articles])
    keys = None if keep_duplicates else (workers or Helper()).each(identity_keys, articles)
    return [article for _, article in _kept(articles, keys, sources, window, archive)]


def collect_segmented(
    sources: list[Path],
    zone: dt.tzinfo,
    window: Window | None,
    archive: Path | None,
    workers: Workers,
) -> tuple[list[Article], Segmented]:
    """`collect_articles`, and the articles' sentences (`Workers.segment_articles`). Each
    part of the files is segmented where it is read, as soon as it is read; the
    sentences of the copies and the articles then left out go with them."""
    paths = find_article_files(sources) if sources else []
    parts = workers.read_segmented(paths, zone, MAX_FILE_BYTES, window)
    articles = name_entries([entry for part in parts for entry in part.entries])
    if archive is not None:
        kept = archive_articles(archive, window, [a.id for a in articles])
        parts.append(segment_read([("", article) for article in kept], window))
        articles += kept
    keys = [key for part in parts for key in part.keys]
    chosen = _kept(articles, keys, sources, window, archive)
    segmented = select_segmented(parts, [place for place, _ in chosen])
    return [article for _, article in chosen], segmented


def _kept(
    articles: list[Article],
    keys: list[list[str]] | None,
    sources: list[Path],
    window: Window | None,
    archive: Path | None,
) -> list[tuple[int, Article]]:
    """The articles a brief keeps, each with its place among `articles`: one copy of
    each (`keys`: their identity keys, or None to keep every copy), in the window."""
    chosen = kept_copies(articles, keys) if keys is not None else list(enumerate(articles))
    names = ", ".join(str(s) for s in [*sources, *([archive] if archive else [])])
    if not chosen:
        expected = ", ".join(ARTICLE_SUFFIXES)
        raise InputError(f"{names}: no articles found (expected {expected} files)")
    if window is not None:
        chosen = [chosen[i] for i in places_in_window([a for _, a in chosen], window)]
        if not chosen:
            raise InputError(f"{names}: no article published in the window {window}")
    return chosen


def build_brief(
    sources: list[Path],
    topics: TopicSet,
    date: dt.date,
    per_topic: int = DEFAULT_PER_TOPIC,
    title: str | None = None,
    *,
    zone: dt.tzinfo = dt.UTC,
    window: Window | None = None,
    archive: Path | None = None,
    history: Path | None = None,
    novelty_days: int = DEFAULT_NOVELTY_DAYS,
    timeline: bool = False,
    dask: str | None = None,
) -> Brief:
    """The brief of `date` over SOURCES (folders, files) and the ARCHIVE, if given: read,
    keep one copy of each article (in the window, when one is given), then build; with
    a HISTORY file, against what the briefs of the last `novelty_days` reported. With
    `dask` (a scheduler's address, or "local"), the per-article stages run on a Dask
    cluster: the same brief, byte for byte."""
    with cycle_collector_paused(), _workers(dask) as workers:
        # (the sentences in a list of one, that the build can let go of what it is done with)
        articles, *segmented = collect_segmented(sources, zone, window, archive, workers)
        past = read_history(history, date, novelty_days) if history is not None else None
        return _brief(articles, topics, date, per_topic, title, past, timeline, workers, segmented)


def _workers(dask: str | None) -> AbstractContextManager[Workers]:
    """A Dask cluster when one is named; otherwise this machine's second core, where a
    large day's per-article stages take half the time in a forked helper."""
    if dask is None:
        return nullcontext(Helper())
    from briefing.workers import open_workers  # Dask loads only when asked for

    return open_workers(dask)


def brief_from_articles(
    articles: list[Article],
    topics: TopicSet,
    date: dt.date,
    per_topic: int = DEFAULT_PER_TOPIC,
    title: str | None = None,
    *,
    history: History | None = None,
    timeline: bool = False,
    workers: Workers | None = None,
    segmented: Segmented | None = None,
) -> Brief:
    """Every stage after reading, in order: segment → route → rank → stories (→ novelty,
    with a history) → compose (→ the timeline, when asked for). Each article is segmented
    and ranked within itself by `workers` (a Dask cluster), or here with a forked helper
    sharing a large day, unless that was done as it was read (`segmented`)."""
    held = [segmented] if segmented is not None else []
    return _brief(articles, topics, date, per_topic, title, history, timeline, workers, held)


def _brief(
    articles: list[Article],
    topics: TopicSet,
    date: dt.date,
    per_topic: int,
    title: str | None,
    history: History | None,
    timeline: bool,
    workers: Workers | None,
    segmented: list[Segmented],
) -> Brief:
    """`brief_from_articles`, the articles' sentences taken out of `segmented` (when it
    holds them), so that the day's stem index goes once routing is done with it."""
    workers = workers or Helper()
    sentences, article_rank, terms, stems = (
        segmented.pop() if segmented else workers.segment_articles(articles)
    )
    headlines = headline_words(articles)  # (stemmed once, for the counts and for routing)
    term_counts = article_term_counts(articles, sentences, terms, headlines)  # the stories' too
    # The stories and routing's neighbours ran in helpers beside routing on a large day:
    # 16% faster at 20,000 articles, but 66% more real memory (their working sets on top
    # of routing's, and the pages routing touched copied). They run here, in turn; only
    # their neighbour searches (block by block) and the stories' clustering of linked
    # groups share a helper (`workers.each`).
    routing = route_sentences(
        articles, sentences, topics, term_counts, terms, workers.each, stems, headlines
    )
    del stems  # only routing looks in the day's stems (150 MB at 100,000 articles)
    ranking = rank_sentences(
        sentences, routing, len(topics.topics), article_rank, terms, workers.each
    )
    # The stories' vectors are made in the counts' arrays: nothing needs them after.
    stories = find_stories(articles, sentences, term_counts[0], workers.each, consume=True)
    novelty = (
        assess_novelty(articles, sentences, stories, history, date, terms)
        if history is not None
        else None
    )
    brief = compose_brief(
        articles,
        sentences,
        topics,
        routing,
        ranking,
        stories,
        date,
        per_topic=per_topic,
        title=title,
        history=history,
        novelty=novelty,
        terms=terms,
    )
    if timeline:
        brief = replace(brief, timeline=build_timeline(brief, articles, sentences, ranking))
    return brief
