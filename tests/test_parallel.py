from __future__ import annotations

import os

import pytest
from brieftest import DATE

from briefing import compose
from briefing.compose import Brief, compose_brief
from briefing.ingest import Article
from briefing.parallel import concurrently, spare_cores
from briefing.segment import Sentence
from briefing.topics import TopicSet


def test_concurrently_returns_both_results_in_order() -> None:
    first, second = concurrently(lambda: ("child", os.getpid()), lambda: ("here", os.getpid()))
    assert first[0] == "child" and second == ("here", os.getpid())
    if spare_cores():
        assert first[1] != os.getpid(), "the first stage runs in a forked child"


def test_a_failure_in_the_child_is_raised_here() -> None:
    def broken() -> None:
        raise ValueError("bad stage")

    with pytest.raises(ValueError, match="bad stage"):
        concurrently(broken, lambda: None)


def test_serial_when_not_worth_a_process() -> None:
    first, _ = concurrently(os.getpid, lambda: None, worth_it=False)
    assert first == os.getpid()


def test_the_brief_is_the_same_with_stages_side_by_side(
    seed_articles: list[Article],
    seed_sentences: list[Sentence],
    default_topics: TopicSet,
    seeds_brief: Brief,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(compose, "PARALLEL_SENTENCES", 0)
    assert compose_brief(seed_articles, seed_sentences, default_topics, DATE) == seeds_brief
