"""Byte-identity of whole briefs: speed work must not change one byte of what is written.

The seeds' brief and the brief of a generated day (bench/corpus.py: 400 articles of
bbc-dev's shapes and words, bench/topics.toml) are built by the command in this process,
Markdown and JSON with `--explain`, and compared byte for byte with the files saved in
tests/data/identical/. The generated day is built a second time with routing's exact
neighbour search cut to 100 articles, so the search through terms that days past 3,000
articles take is held to its bytes too. `bench/identical.py` checks many more days
(bbc-dev, realworld-dev) against hashes.

A change that is meant to change the briefs rewrites the saved files:

    BRIEFING_WRITE_IDENTICAL=1 .venv/bin/pytest tests/test_identical.py
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from brieftest import counted_forks
from click.testing import CliRunner

from briefing import routing, workers
from briefing.cli import cli

REPO = Path(__file__).resolve().parent.parent
SAVED = REPO / "tests" / "data" / "identical"
WRITE = os.environ.get("BRIEFING_WRITE_IDENTICAL") == "1"
GENERATED_ARTICLES = 400

CASES = {
    # name: (sources, options, date)
    "seeds": ("seeds", [], "2026-11-22"),
    "generated": ("generated", ["--topics", "topics.toml"], "2005-01-03"),
    "generated-through-terms": ("generated", ["--topics", "topics.toml"], "2005-01-03"),
}
# The same days with the per-article stages on a Dask cluster of two workers, each day's
# files and articles cut into parts of 16: the same saved bytes.
ON_DASK = {"seeds-on-dask": "seeds", "generated-on-dask": "generated"}


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the seeds, a generated day and its topics, under relative names
    (the briefs cite the sources' paths as given)."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from corpus import generate_corpus
    finally:
        sys.path.remove(str(REPO / "bench"))
    folder = tmp_path_factory.mktemp("identical")
    shutil.copytree(REPO / "seeds", folder / "seeds")
    shutil.copyfile(REPO / "bench" / "topics.toml", folder / "topics.toml")
    generate_corpus(folder / "generated", GENERATED_ARTICLES)
    return folder


def _build(folder: Path, name: str, *extra: str) -> dict[str, bytes]:
    sources, options, date = CASES[name]
    out = Path("out") / (name + ("-" + "-".join(extra) if extra else ""))
    arguments = ["build", sources, "--date", date, "--tz", "UTC", "--format", "md,json"]
    arguments += ["--out", str(out), "--explain", *options, *extra]
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(cli, arguments, catch_exceptions=False)
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    return {p.name: p.read_bytes() for p in sorted((folder / out).glob("brief-*"))}


@pytest.mark.parametrize("name", list(CASES))
def test_brief_is_byte_identical(name: str, day: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if name == "generated-through-terms":
        monkeypatch.setattr(routing, "EXACT_NEIGHBOURS", 100)
    built = _build(day, name)
    assert set(built) == {f"brief-{CASES[name][2]}.md", f"brief-{CASES[name][2]}.json"}
    saved = SAVED / name
    if WRITE:
        shutil.rmtree(saved, ignore_errors=True)
        saved.mkdir(parents=True)
        for file_name, data in built.items():
            (saved / file_name).write_bytes(data)
    for file_name, data in built.items():
        expected = (saved / file_name).read_bytes()
        # Text first, so that a failure shows the lines that changed.
        assert data.decode("utf-8") == expected.decode("utf-8"), f"{name}/{file_name}"
        assert data == expected


@pytest.mark.parametrize("name", ["seeds", "generated"])
def test_brief_built_with_a_forked_helper_is_byte_identical(
    name: str, day: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every per-article stage half in a forked helper, even for the seeds' five articles
    (defined before the Dask cases: a process with the cluster's threads never forks)."""
    forked = counted_forks(monkeypatch)
    built = _build(day, name, "-q")  # (its own folder: out/NAME--q)
    assert len(forked) == 3  # the files read and segmented, the topics ranked, the linked groups
    for file_name, data in built.items():
        expected = (SAVED / name / file_name).read_bytes()
        assert data.decode("utf-8") == expected.decode("utf-8"), f"{name}/{file_name}"
        assert data == expected


@pytest.mark.parametrize("name", list(ON_DASK))
def test_brief_built_on_a_dask_cluster_is_byte_identical(
    name: str, day: Path, dask_scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "MIN_PART", 16)
    case = ON_DASK[name]
    built = _build(day, case, "--dask", dask_scheduler)
    for file_name, data in built.items():
        expected = (SAVED / case / file_name).read_bytes()
        assert data.decode("utf-8") == expected.decode("utf-8"), f"{name}/{file_name}"
        assert data == expected
