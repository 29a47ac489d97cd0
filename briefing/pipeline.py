"""The stages in order: ingest (with duplicates and the time window) → segment → topics →
rank → compose."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from briefing.compose import Brief, compose_brief
from briefing.errors import InputError
from briefing.ingest import ARTICLE_SUFFIXES, drop_duplicates, read_articles
from briefing.segment import segment_articles
from briefing.timewindow import Window, keep_in_window
from briefing.topics import TopicSet


def build_brief(
    sources: list[Path],
    topics: TopicSet,
    date: dt.date,
    per_topic: int = 5,
    title: str | None = None,
    *,
    zone: dt.tzinfo = dt.UTC,
    window: Window | None = None,
) -> Brief:
    articles = drop_duplicates(read_articles(sources, zone))
    names = ", ".join(str(s) for s in sources)
    if not articles:
        expected = ", ".join(ARTICLE_SUFFIXES)
        raise InputError(f"{names}: no articles found (expected {expected} files)")
    if window is not None:
        articles = keep_in_window(articles, window)
        if not articles:
            raise InputError(f"{names}: no article published in the window {window}")
    sentences = segment_articles(articles)
    return compose_brief(articles, sentences, topics, date, per_topic=per_topic, title=title)
