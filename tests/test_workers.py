"""The per-article stages on a real Dask cluster (two worker processes on this machine,
started by the session's `dask_scheduler`): what the workers log reaches the user, a bad
file does not end the batch, a cluster that cannot be reached is one line. That a brief
built there is byte for byte the one built here is in test_identical."""

from __future__ import annotations

import datetime as dt
import logging
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
from brieftest import (
    MALFORMED,
    SEEDS,
    assert_collected_then_segmented,
    assert_same_terms,
    run_cli,
)

import briefing
from briefing import workers
from briefing.ingest import read_articles
from briefing.pipeline import build_brief
from briefing.rank import centrality_in_article, index_terms
from briefing.render import render_brief
from briefing.segment import segment_articles
from briefing.timewindow import FileZone, brief_zone
from briefing.topics import TopicSet
from briefing.workers import ClusterError, cut, open_workers, part_size


def test_parts_are_contiguous_cover_everything_and_are_not_too_small() -> None:
    items = list(range(1000))
    for count_of_workers in (1, 2, 8, 64):
        size = part_size(len(items), count_of_workers)
        parts = list(cut(items, size))
        assert [i for part in parts for i in part] == items
        assert len(parts) <= count_of_workers * workers.PARTS_PER_WORKER
        assert all(len(part) >= workers.MIN_PART for part in parts[:-1])
    assert list(cut([], part_size(0, 2))) == []
    assert list(cut(range(5), part_size(5, 2))) == [[0, 1, 2, 3, 4]]


def test_segmenting_on_workers_gives_the_same_sentences_and_ranks(
    dask_scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "MIN_PART", 1)  # every seed article a part of its own
    articles = read_articles([SEEDS])
    sentences = segment_articles(articles)
    with open_workers(dask_scheduler) as cluster:
        there, rank, index, stems = cluster.segment_articles(articles)
    assert there == sentences
    assert_same_terms(index, index_terms([s.terms for s in sentences]))
    assert_same_terms(stems, index_terms([s.stems for s in sentences]))
    expected = centrality_in_article([s.terms for s in sentences], [s.article for s in sentences])
    np.testing.assert_array_equal(rank, expected)


def test_a_day_read_and_segmented_on_workers_is_the_day_collected_then_segmented(
    dask_scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "MIN_PART", 1)  # parts of a file or two
    with open_workers(dask_scheduler) as cluster:
        assert_collected_then_segmented(cluster)


def test_a_bad_file_read_on_a_worker_is_a_warning_here_and_the_batch_goes_on(
    tmp_path: Path,
    dask_scheduler: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(workers, "MIN_PART", 1)
    for name in ("council.txt", "invalid.rss", "bad-line.jsonl"):
        shutil.copyfile(MALFORMED / name, tmp_path / name)
    local_lines = _warnings(caplog, lambda: read_articles([tmp_path]))
    local = read_articles([tmp_path])
    with open_workers(dask_scheduler) as cluster:
        remote_lines = _warnings(caplog, lambda: read_articles([tmp_path], workers=cluster))
        remote = read_articles([tmp_path], workers=cluster)
    assert remote == local and local  # the good file's article is read
    assert sorted(remote_lines) == sorted(local_lines)  # those read here come first
    assert any("invalid.rss" in line for line in remote_lines)


def _warnings(caplog: pytest.LogCaptureFixture, action: object) -> list[str]:
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="briefing"):
        action()  # type: ignore[operator]
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_an_unreachable_scheduler_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "CONNECT_TIMEOUT_S", 1)
    unreachable = r"--dask tcp://127\.0\.0\.1:9: cannot reach"
    with pytest.raises(ClusterError, match=unreachable), open_workers("tcp://127.0.0.1:9"):
        pass


def test_workers_on_another_briefing_are_one_clear_error(
    dask_scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same code on both sides is what makes the brief the same bytes: workers that
    run another version are refused when connecting (here, this side claims another)."""
    monkeypatch.setattr(briefing, "__version__", "0.0.0")
    with (
        pytest.raises(ClusterError, match=r"the workers run briefing \S+, not 0\.0\.0"),
        open_workers(dask_scheduler),
    ):
        pass


def test_a_part_that_fails_on_a_worker_is_one_clear_error(dask_scheduler: str) -> None:
    def broken(value: int) -> int:
        raise RuntimeError(f"part {value} failed")

    with open_workers(dask_scheduler) as cluster, pytest.raises(ClusterError) as caught:
        cluster._map(broken, [(1,)])
    assert str(caught.value).startswith(f"the Dask cluster at {dask_scheduler} failed: ")
    assert "part 1 failed" in str(caught.value) and "\n" not in str(caught.value)


def test_the_machines_own_zone_travels_to_workers_as_its_rules() -> None:
    zone = brief_zone(None)
    if isinstance(zone, FileZone):
        assert pickle.loads(pickle.dumps(zone)) is zone
    berlin = FileZone.from_bytes(Path("/usr/share/zoneinfo/Europe/Berlin").read_bytes(), "x")
    copy = pickle.loads(pickle.dumps(berlin))
    summer = dt.datetime(2026, 7, 1, 12)
    assert copy.utcoffset(summer) == dt.timedelta(hours=2)


def test_build_with_dask_local_writes_the_same_brief_and_prints_nothing(tmp_path: Path) -> None:
    """`--dask local` from the command line: a cluster of this machine's cores started
    for the build and stopped after it, the brief the same bytes, nothing on stderr."""
    common = ["build", str(SEEDS), "--date", "2026-11-22", "--format", "md,json", "-q"]
    here = run_cli(*common, "--out", str(tmp_path / "here"), cwd=tmp_path)
    there = run_cli(*common, "--out", str(tmp_path / "there"), "--dask", "local", cwd=tmp_path)
    assert here.returncode == there.returncode == 0, there.stderr
    assert there.stdout == there.stderr == ""
    for name in ("brief-2026-11-22.md", "brief-2026-11-22.json"):
        assert (tmp_path / "there" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()


def test_the_python_api_takes_a_scheduler_address(
    dask_scheduler: str, default_topics: TopicSet
) -> None:
    date = dt.date(2026, 11, 22)
    here = build_brief([SEEDS], default_topics, date)
    there = build_brief([SEEDS], default_topics, date, dask=dask_scheduler)
    assert render_brief(there, "json") == render_brief(here, "json")
