"""The stages in order: ingest → segment → topics → rank → compose."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from briefing.compose import Brief, compose_brief
from briefing.errors import InputError
from briefing.ingest import read_articles
from briefing.segment import segment_articles
from briefing.topics import TopicSet


def build_brief(
    sources: list[Path],
    topics: TopicSet,
    date: dt.date,
    per_topic: int = 5,
    title: str | None = None,
) -> Brief:
    articles = read_articles(sources)
    if not articles:
        names = ", ".join(str(s) for s in sources)
        raise InputError(f"{names}: no articles found (expected .txt files)")
    sentences = segment_articles(articles)
    return compose_brief(articles, sentences, topics, date, per_topic=per_topic, title=title)
