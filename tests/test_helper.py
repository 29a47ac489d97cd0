"""The per-article stages with a forked helper taking half (briefing/helper.py): the
same articles, sentences, ranks and warnings as one process, a helper that fails costs
only time, and a helper never outlives the build that forked it. Real processes: each
test forks real helpers (counted, so that a test cannot pass without one)."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pypdf
import pytest
from brieftest import (
    MALFORMED,
    SEEDS,
    assert_collected_then_segmented,
    assert_same_terms,
    counted_forks,
)
from scipy import sparse

from briefing import helper
from briefing.helper import Helper, halfway
from briefing.ingest import read_articles
from briefing.model import Brief
from briefing.pdf import html_to_pdf
from briefing.rank import centrality_in_article, index_terms, unit_rows
from briefing.render import render_html
from briefing.routing import _nearest, _nearest_through_terms
from briefing.segment import segment_articles


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every day forks a helper, and each one forked is counted here."""
    return counted_forks(monkeypatch)


def test_halves_are_contiguous_and_of_about_equal_size() -> None:
    assert halfway([]) == 0
    assert halfway([5]) == 1  # a lone item goes to the first half
    assert halfway([1, 1, 1, 1]) == 2
    assert halfway([10, 1, 1, 1]) == 1
    assert halfway([1, 1, 1, 10]) == 3
    assert halfway([3, 4, 3]) in (1, 2)


def test_a_day_read_in_two_processes_is_the_day_read_in_one(forks: list[int]) -> None:
    here = read_articles([SEEDS])
    both = read_articles([SEEDS], workers=Helper())
    assert both == here and forks


def test_sentences_and_ranks_from_two_processes_are_those_of_one(forks: list[int]) -> None:
    articles = read_articles([SEEDS])
    sentences = segment_articles(articles)
    both, rank, index, stems = Helper().segment_articles(articles)
    assert both == sentences and forks
    assert_same_terms(index, index_terms([s.terms for s in sentences]))
    assert_same_terms(stems, index_terms([s.stems for s in sentences]))
    expected = centrality_in_article([s.terms for s in sentences], [s.article for s in sentences])
    np.testing.assert_array_equal(rank, expected)


def test_a_day_read_and_segmented_at_once_is_the_day_collected_then_segmented(
    forks: list[int],
) -> None:
    assert_collected_then_segmented(Helper())
    assert forks


def test_a_small_day_read_and_segmented_here_is_the_day_collected_then_segmented() -> None:
    assert_collected_then_segmented(Helper())


def test_the_helpers_warnings_are_logged_here_in_the_order_of_one_process(
    tmp_path: Path, forks: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    names = ["council.txt", "invalid.rss", "bad-line.jsonl"]
    for number, name in enumerate(names):
        shutil.copyfile(MALFORMED / name, tmp_path / f"{number}-{name}")
    # The largest, bad-line.jsonl, is the helper's half: its warning is logged there.
    assert halfway([(MALFORMED / name).stat().st_size for name in names]) == 2
    with caplog.at_level(logging.WARNING, logger="briefing"):
        here = read_articles([tmp_path])
        alone = [r.getMessage() for r in caplog.records]
        caplog.clear()
        both = read_articles([tmp_path], workers=Helper())
        shared = [r.getMessage() for r in caplog.records]
    assert both == here and here and forks
    assert shared == alone
    assert any("invalid.rss" in line for line in shared[:-1]) and "bad-line" in shared[-1]


def test_warnings_of_files_read_in_parts_by_two_processes_come_in_the_files_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from briefing.pipeline import collect_segmented

    names = ["council.txt", "invalid.rss", "bad-line.jsonl", "council.txt", "invalid.rss"]
    for number, name in enumerate(names):
        shutil.copyfile(MALFORMED / name, tmp_path / f"{number}-{name}")
    for number, seed in enumerate(sorted(SEEDS.glob("*.txt"))):
        shutil.copyfile(seed, tmp_path / f"{number}-seed-{seed.name}")
    with caplog.at_level(logging.WARNING, logger="briefing"):
        alone = collect_segmented([tmp_path], dt.UTC, None, None, Helper())
        lines = [r.getMessage() for r in caplog.records]
        caplog.clear()
        forks = counted_forks(monkeypatch)
        monkeypatch.setattr(helper, "READ_SHARE", 1000)  # a file per part
        monkeypatch.setattr(helper, "READ_PART_FILES", 1)
        both = collect_segmented([tmp_path], dt.UTC, None, None, Helper())
        shared = [r.getMessage() for r in caplog.records]
    assert forks and len(lines) >= 3
    assert shared == lines
    assert both[0] == alone[0] and both[1][0] == alone[1][0]


def test_a_helper_that_fails_costs_only_time(forks: list[int]) -> None:
    parent = os.getpid()

    def halve(values: list[int]) -> list[int]:
        if os.getpid() != parent:
            raise RuntimeError("the helper fails")
        return [value // 2 for value in values]

    assert helper._split(halve, ([2, 4],), ([6, 8],)) == [1, 2, 3, 4]
    killed = helper._Child(time.sleep, 30)
    os.kill(killed.pid, signal.SIGKILL)
    assert killed.result() is None


def test_when_this_half_fails_the_helper_is_stopped_and_the_error_raised(
    forks: list[int],
) -> None:
    parent = os.getpid()

    def halve(values: list[int]) -> list[int]:
        if os.getpid() == parent:
            raise ValueError("this half fails")
        time.sleep(30)
        return values

    with pytest.raises(ValueError, match="this half fails"):
        helper._split(halve, ([2],), ([4],))
    assert forks and not _alive(forks[0])


def test_a_helper_dies_with_the_build_that_forked_it(tmp_path: Path) -> None:
    """A build killed with SIGKILL cannot stop its helper itself: the kernel does."""
    script = textwrap.dedent(
        """
        import sys, time
        from briefing import helper
        child = helper._Child(time.sleep, 60)
        print(child.pid, flush=True)
        time.sleep(60)
        """
    )
    build = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert build.stdout is not None
    child = int(build.stdout.readline())
    assert _alive(child)
    build.kill()
    build.wait()
    deadline = time.monotonic() + 10.0
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting for its parent's reaper does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_each_item_mapped_in_two_processes_in_order(forks: list[int]) -> None:
    parent = os.getpid()

    def square(n: int) -> tuple[int, bool]:
        time.sleep(0.02)
        return n * n, os.getpid() == parent

    mapped = Helper().each(square, list(range(20)))
    assert [square for square, _ in mapped] == [n * n for n in range(20)] and forks
    # This process took items from the front, the helper from the back.
    here = [here for _, here in mapped]
    assert here == sorted(here, reverse=True) and any(here) and not all(here)


def test_the_faster_process_maps_more_items(forks: list[int]) -> None:
    parent = os.getpid()

    def mapped_here(n: int) -> bool:
        time.sleep(0.002 if os.getpid() == parent else 0.05)
        return os.getpid() == parent

    assert sum(Helper().each(mapped_here, list(range(60)))) >= 45 and forks


def test_the_items_of_a_helper_that_dies_are_mapped_here(forks: list[int]) -> None:
    parent = os.getpid()

    def square(n: int) -> int:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(0.01)
        return n * n

    assert Helper().each(square, list(range(12))) == [n * n for n in range(12)] and forks


def test_neighbours_searched_in_blocks_by_two_processes_are_those_of_one(
    forks: list[int],
) -> None:
    """Past the exact search, a large day's blocks are shared with a helper
    (`Workers.each`): the same neighbours and the same cosines, bit for bit, however
    the blocks fall."""
    rng = np.random.default_rng(3)
    vectors = unit_rows(sparse.random_array((300, 80), density=0.1, rng=rng).tocsr())
    alone = _nearest_through_terms(vectors, 5)
    for block in (7, 64, 512):
        both = _nearest_through_terms(vectors, 5, block, Helper().each)
        np.testing.assert_array_equal(both[0], alone[0])
        np.testing.assert_array_equal(both[1], alone[1])
    # Each search shares its two sorts (queries, postings) with a helper, and its blocks
    # too but for the last size, one block, searched here.
    assert len(forks) == 3 + 2


def test_exact_neighbours_searched_in_blocks_by_two_processes_are_those_of_one(
    forks: list[int],
) -> None:
    """Up to the exact search's limit, the blocks are shared with a helper too."""
    rng = np.random.default_rng(4)
    vectors = unit_rows(sparse.random_array((300, 80), density=0.1, rng=rng).tocsr())
    alone = _nearest(vectors, 5)
    both = _nearest(vectors, 5, 64, Helper().each)
    np.testing.assert_array_equal(both[0], alone[0])
    np.testing.assert_array_equal(both[1], alone[1])
    assert len(forks) == 1


# --- The PDF press ------------------------------------------------------------------------


def pdf_lines(data: bytes) -> list[str]:
    """The PDF's text, line by line, as pypdf reads it back."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [line for page in reader.pages for line in page.extract_text().splitlines()]


def test_a_pdf_pressed_in_a_helper_reads_as_the_pdf_laid_out_here(
    seeds_brief: Brief, forks: list[int]
) -> None:
    page = render_html(seeds_brief, print_css=True)
    with helper.pdf_press(True) as press:
        assert press is not None and forks
        press.submit(page)
        pressed = press.pdf()
    here = html_to_pdf(page)
    assert pressed.startswith(b"%PDF-") and pdf_lines(pressed) == pdf_lines(here)
    assert len(pypdf.PdfReader(io.BytesIO(pressed)).pages) >= 2


def test_a_press_whose_helper_dies_lays_the_pdf_out_here(
    seeds_brief: Brief, forks: list[int]
) -> None:
    page = render_html(seeds_brief, print_css=True)
    with helper.pdf_press(True) as press:
        assert press is not None and forks
        os.kill(forks[0], signal.SIGKILL)
        press.submit(page)  # to a helper gone: the pipe's reader has ended
        pressed = press.pdf()
    assert pdf_lines(pressed) == pdf_lines(html_to_pdf(page))


def test_a_press_left_unused_ends_its_helper(forks: list[int]) -> None:
    """A build that fails before its PDF (or wants none after all) leaves no process."""
    with pytest.raises(ValueError, match="no page"), helper.pdf_press(True) as press:
        assert press is not None and forks
        press.pdf()
    assert not _alive(forks[0])
    with helper.pdf_press(True) as press:
        assert press is not None
    assert len(forks) == 2 and not _alive(forks[1])


def test_no_press_is_forked_without_a_pdf_to_make(forks: list[int]) -> None:
    with helper.pdf_press(False) as press:
        assert press is None
    assert forks == []
