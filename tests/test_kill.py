"""A killed `briefing run` never blocks the next one (issue 11, item 1).

A day of some 7,000 sentences, large enough that a forked helper reads and segments half
of it (briefing/helper.py), is briefed by `briefing run` in a session of its own; the run
is killed with SIGTERM or SIGKILL early (reading), midway and late (ranking). Then nothing
of it may be left: no process of its session (the helper included), no lock held, and
the next run succeeds at once.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from brieftest import BENCH, DATE_TEXT

sys.path.insert(0, str(BENCH))
from corpus import generate_corpus

from briefing.helper import HELPER_FROM

ARTICLES = 420  # bbc-dev's shapes, some 7,000 sentences: past helper.HELPER_FROM
RUN_TIMEOUT = 180.0  # seconds; a run takes a few
CONFIG = 'sources = ["articles"]\nformats = ["md", "json"]\n'


def command(config: Path) -> list[str]:
    return [sys.executable, "-m", "briefing", "run", "--config", str(config), "--date", DATE_TEXT]


def in_session(session: int) -> list[int]:
    """Processes alive (zombies aside) whose session is `session`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # state, ppid, pgrp, session, ...
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def wait_until_gone(session: int, seconds: float = 10.0) -> list[int]:
    """The session's processes still alive after up to `seconds`."""
    deadline = time.monotonic() + seconds
    left = in_session(session)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = in_session(session)
    return left


@pytest.fixture(scope="module")
def job(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kill") / "job"
    sentences = generate_corpus(folder / "articles", ARTICLES)
    assert ARTICLES >= HELPER_FROM  # the helper forks
    assert sentences >= 5000
    (folder / "briefing.toml").write_text(CONFIG, encoding="utf-8")
    return folder


def run_whole(job: Path) -> subprocess.CompletedProcess[str]:
    """One whole run of the job, to its end."""
    return subprocess.run(
        command(job / "briefing.toml"),
        cwd=job,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


@pytest.fixture(scope="module")
def run_seconds(job: Path) -> float:
    """Wall time of one whole run, to place the kills in it."""
    start = time.monotonic()
    result = run_whole(job)
    assert result.returncode == 0, result.stderr
    return time.monotonic() - start


@pytest.fixture
def started(job: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Runs started by a test; whatever is left of their sessions is killed after it."""
    runs: list[subprocess.Popen[bytes]] = []
    yield runs
    for run in runs:
        for pid in in_session(run.pid):
            os.kill(pid, signal.SIGKILL)
        if run.poll() is None:
            run.kill()
            run.wait(timeout=10)


def lock_is_free(out: Path) -> bool:
    with (out / ".briefing.lock").open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(lock, fcntl.LOCK_UN)
        return True


@pytest.mark.parametrize("when", [0.25, 0.6, 0.9], ids=["reading", "midway", "ranking"])
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_killed_run_leaves_nothing_behind(
    job: Path,
    run_seconds: float,
    started: list[subprocess.Popen[bytes]],
    when: float,
    how: signal.Signals,
) -> None:
    run = subprocess.Popen(
        command(job / "briefing.toml"),
        cwd=job,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    started.append(run)
    try:
        run.wait(timeout=when * run_seconds)
    except subprocess.TimeoutExpired:
        run.send_signal(how)
    run.wait(timeout=30)
    assert wait_until_gone(run.pid) == [], "a process of the killed run is still alive"
    assert lock_is_free(job / "out"), "the killed run's lock is still held"
    again = run_whole(job)
    assert again.returncode == 0, again.stderr
    assert (job / "out" / f"brief-{DATE_TEXT}.json").exists()
