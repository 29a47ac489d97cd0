"""Shared paths and helpers for the test suite (imported by conftest and the tests)."""

from __future__ import annotations

import datetime as dt
import html
import logging
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from briefing.compose import compose_brief
from briefing.model import Article, Brief, Sentence, SentenceWords, TermIndex, TopicSet
from briefing.rank import rank_sentences
from briefing.routing import route_sentences
from briefing.stories import find_stories

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
BBC_DEV = REPO / "tests" / "data" / "bbc-dev"
BENCH = REPO / "bench"
# Invented articles in every supported format, dated 14-15 November 2026 in several zones.
SOURCE_FIXTURES = REPO / "tests" / "data" / "sources"
PORT_TOPICS = REPO / "tests" / "data" / "port-topics.toml"
PORT_DATE = dt.date(2026, 11, 15)
# One broken file of each kind, and one good plain-text article.
MALFORMED = REPO / "tests" / "data" / "malformed"

DATE = dt.date(2026, 11, 22)
DATE_TEXT = DATE.isoformat()

SEED_TITLES = (
    "Video of Putin Buying Erdogan Ice Cream at Russian Airshow Goes Viral",
    "Putin, Erdogan Discuss Syria, Defense Cooperation",
    "Moscow, Ankara discussing joint production of Su-35 jets",
    "Putin and Erdogan move towards repairing ties amid tension with West",
    "Turkey’s Erdogan pivots to Putin as tensions rise with the West",
)

# Page chrome found in the seeds; none of it may surface as an item or a title.
FURNITURE = (
    "Share",
    "Advertisement",
    "Accessibility links",
    "Breaking News",
    "Updated",
    "Send in e-mailSend in e-mail",
    "XS",
    "SM",
    "MD",
    "LG",
    "16x9 Image",
    "To find out more, click here.",
    "RFE/RL",
)

# WeasyPrint's notice that the system lacks libharfbuzz-subset; an environment matter,
# not a rendering problem of the brief.
HARFBUZZ_NOTICE = "instead of HarfBuzz-Subset"


def normalise(text: str) -> str:
    """Collapse every run of whitespace (including no-break spaces) to one space."""
    return re.sub(r"\s+", " ", text).strip()


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment: tags stripped, entities decoded, whitespace collapsed."""
    return normalise(html.unescape(re.sub(r"<[^>]+>", "", fragment)))


def run_cli(
    *args: str,
    cwd: Path,
    umask: int = -1,
    env: dict[str, str] | None = None,
    inherit_env: bool = True,
) -> subprocess.CompletedProcess[str]:
    """The real command line, in a child process, as a user (or cron) would run it: no
    terminal, nothing on stdin. `umask=-1` leaves the umask as it is; `env` adds to the
    environment, or is all of it with `inherit_env=False`."""
    return subprocess.run(
        [sys.executable, "-m", "briefing", *args],
        cwd=cwd,
        env={**(os.environ if inherit_env else {}), **(env or {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
        check=False,
        umask=umask,
    )


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    weasyprint_records: list[logging.LogRecord]


@dataclass(frozen=True)
class CliBuild:
    result: subprocess.CompletedProcess[str]
    out: Path


def compose_day(
    articles: list[Article],
    sentences: list[Sentence],
    topics: TopicSet,
    date: dt.date,
    per_topic: int = 5,
    title: str | None = None,
) -> Brief:
    """Route, rank and compose sentences a test segmented, as the pipeline does."""
    routing = route_sentences(articles, sentences, topics)
    ranking = rank_sentences(sentences, routing, len(topics.topics))
    stories = find_stories(articles, sentences)
    return compose_brief(
        articles, sentences, topics, routing, ranking, stories, date, per_topic, title
    )


# A topics file of two topics that share a keyword ("sanction"), for the topics and
# routing tests.
WAR_AND_TRADE = """
title = "Test brief"

[[topics]]
id = "war"
title = "The war"
keywords = ["civil war", "Sanction", "S-400"]

[[topics]]
id = "trade"
keywords = ["trade", "pipeline", "sanction"]
"""


def one_sentence(text: str) -> Sentence:
    """TEXT as the one sentence of an article, segmented as a brief segments it."""
    from briefing.segment import segment_articles

    [only] = segment_articles([Article("a", "a.txt", "Title", (text,))])
    return only


def sentence_of_terms(text: str, article: int, terms: tuple[str, ...]) -> Sentence:
    """A sentence whose stems are `terms`, all of them content words (to build a case
    that no text segments into)."""
    vocabulary = tuple(dict.fromkeys(terms))
    words = SentenceWords(
        vocabulary=vocabulary,
        ids=np.array([vocabulary.index(t) for t in terms], dtype=np.int32),
        starts=np.array([0, len(terms)], dtype=np.int64),
        content=np.ones(len(terms), dtype=bool),
        tokens=np.array([len(text.split())], dtype=np.int32),
    )
    return Sentence(text, article, 0, words, 0)


def assert_same_terms(found: TermIndex, expected: TermIndex) -> None:
    """Two `TermIndex`es hold the same vocabulary, ids and starts."""
    assert found.vocabulary == expected.vocabulary
    assert found.ids.dtype == expected.ids.dtype
    np.testing.assert_array_equal(found.ids, expected.ids)
    np.testing.assert_array_equal(found.starts, expected.starts)


def counted_forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """From now on every day forks a helper (briefing/helper.py), and each one forked is
    counted (its pid) in the list returned: a test cannot pass without one. A process
    with another thread running never forks, so the caller must have none."""
    from briefing import helper

    if threading.active_count() > 1:  # e.g. a Dask cluster of an earlier test
        pytest.fail("forking a helper needs a process of one thread")
    monkeypatch.setattr(helper, "HELPER_FROM", 1)
    forked: list[int] = []

    class CountedChild(helper._Child):  # type: ignore[type-arg]
        def __init__(self, *args: object, **options: int) -> None:
            super().__init__(*args, **options)  # type: ignore[arg-type]
            forked.append(self.pid)

    monkeypatch.setattr(helper, "_Child", CountedChild)
    return forked


def assert_same_matrix(found: Any, expected: Any) -> None:
    """Two CSR matrices with the same arrays, bit for bit: entries, order and types."""
    assert found.shape == expected.shape
    for name in ("indptr", "indices", "data"):
        mine, theirs = getattr(found, name), getattr(expected, name)
        assert mine.dtype == theirs.dtype, name
        np.testing.assert_array_equal(mine, theirs, strict=True)


def random_counts(rng: np.random.Generator, ties: bool = False) -> Any:
    """A small random CSR matrix of positive entries with sorted indices (`ties`: values
    rounded so that rows hold equal entries)."""
    from scipy import sparse

    shape = (int(rng.integers(1, 120)), int(rng.integers(1, 160)))
    matrix = sparse.random_array(shape, density=float(rng.random()) * 0.4, format="csr", rng=rng)
    matrix.data = np.round(matrix.data, 1) + 0.1 if ties else matrix.data + 0.01
    matrix.sum_duplicates()
    return matrix


def assert_collected_then_segmented(workers: Any) -> None:
    """A day read and segmented in one go by `workers` is the day collected (one copy
    of each article, in the window), then segmented."""
    from zoneinfo import ZoneInfo

    from briefing.ingest import read_articles
    from briefing.pipeline import collect_articles, collect_segmented
    from briefing.timewindow import brief_moment, window_ending
    from briefing.workers import segment_part

    zone = ZoneInfo("Europe/Berlin")
    window = window_ending(brief_moment(PORT_DATE, zone), length="24h", since=None)
    expected = collect_articles([SOURCE_FIXTURES], zone, window)
    sentences, rank, terms, stems = segment_part(expected, 0)
    # (the fixtures hold copies of one article and articles outside the window)
    assert len(expected) < len(read_articles([SOURCE_FIXTURES], zone)) - 2
    articles, (found, found_rank, found_terms, found_stems) = collect_segmented(
        [SOURCE_FIXTURES], zone, window, None, workers
    )
    assert articles == expected
    assert found == sentences
    np.testing.assert_array_equal(found_rank, rank)
    assert_same_terms(found_terms, terms)
    assert_same_terms(found_stems, stems)
