"""End-to-end scale: `briefing build --format json` on 200, 2,000 and 20,000 articles.

Each corpus comes from bench/corpus.py (bbc-dev's vocabulary and sentence shapes,
every sentence new) and is briefed with bench/topics.toml by a fresh process, as
cron would run it; `bench/floor.py` (read, split, stem, one TextRank over every
sentence, nothing else) runs on the same files in a fresh process, alternating with
the builds. Printed per size:

- `wall_s`, `cpu_s`: the build's median wall time and user+system CPU time over the
  repeats (interpreter start-up included); `floor_wall_s`, `floor_cpu_s`: the floor's;
  `x_floor` (wall) and `x_floor_cpu`: the build as a multiple of the floor. On a
  shared machine CPU time is the steadier of the two;
- `real_mb`: the real memory of the build, the largest summed proportional set size of
  its whole process tree (sampled every 20 ms from /proc/PID/smaps_rollup: pages a
  forked helper shares with its parent counted once); `rss_sum_mb`: every process's own
  peak RSS (VmHWM) added up, an upper bound that counts shared pages once per process;
  `peak_rss_mb`: the main process's peak RSS alone. Sampling a large process's memory
  slows it (by 15% at 20,000 articles), so these come from one more build, sampled, whose
  time is `sampled_wall_s`; the timed builds are not sampled;
- sentences per second;

then the time ratio for each tenfold step of input.

With `--dask ADDRESS`, each corpus is also built with `--dask ADDRESS` (`local`: each
build starts a cluster of this machine's cores, as a cron job would, and its start-up is
timed), printed as `x_one_process` (its wall time over the plain build's), then the
smallest size where it is faster.

    python bench/scale.py [--sizes 200,2000,20000] [--repeat 3] [--workdir DIR] [--no-floor]
    python bench/scale.py --dask local --no-floor
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from corpus import generate_corpus

BENCH = Path(__file__).resolve().parent
TOPICS = BENCH / "topics.toml"
DATE = "2005-01-03"


def _tree(pid: int) -> list[int]:
    """pid and all its descendants alive now."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                children = Path(f"/proc/{current}/task/{task}/children").read_text().split()
            except OSError:
                continue
            pending.extend(int(child) for child in children)
    return found


def _field_kb(path: str, name: str) -> int:
    """A `Name:   123 kB` field of a /proc file (0 once the process is gone)."""
    try:
        text = Path(path).read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith(name):
            return int(line.split()[1])
    return 0


class TreeMemory:
    """Samples a process tree until stopped: the peak of its summed PSS, and each
    process's own peak RSS (VmHWM), in kB."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb = 0
        self.hwm_kb: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            tree = _tree(self.pid)
            pss = sum(_field_kb(f"/proc/{pid}/smaps_rollup", "Pss:") for pid in tree)
            self.peak_kb = max(self.peak_kb, pss)
            for pid in tree:
                hwm = _field_kb(f"/proc/{pid}/status", "VmHWM:")
                self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), hwm)

    def stop(self, own_peak_kb: int) -> tuple[float, float]:
        """Peak tree PSS and summed per-process peak RSS (MB); the main process's own
        peak comes from wait4, which sees its last pages too."""
        self._stop.set()
        self._thread.join()
        self.hwm_kb[self.pid] = max(self.hwm_kb.get(self.pid, 0), own_peak_kb)
        # A process that lived less than one sample is still counted, by its peak RSS.
        return max(self.peak_kb, own_peak_kb) / 1024.0, sum(self.hwm_kb.values()) / 1024.0


@dataclass(frozen=True)
class Run:
    """One fresh process: wall and CPU seconds, its own peak RSS, the tree's real memory."""

    wall: float
    cpu: float
    rss_mb: float
    real_mb: float
    rss_sum_mb: float


def run_process(command: list[str], what: str, cwd: Path, *, sample: bool = False) -> Run:
    """Run `command` to its end in `cwd`; with `sample`, sampling its process tree's
    memory (which slows a large build by a tenth or more: reading a large process's
    smaps_rollup walks its page tables while it waits). (Not in the current folder: there
    `python -m briefing` would import the package found in it, not the one PYTHONPATH
    names.)"""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    memory = TreeMemory(process.pid) if sample else None
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    real_mb, rss_sum_mb = (
        memory.stop(usage.ru_maxrss) if memory else (math.nan, math.nan)
    )  # Linux reports kilobytes
    errors = process.stderr.read().decode() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"scale: {what} failed ({os.waitstatus_to_exitcode(status)}): {errors.strip()}")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(wall, cpu, usage.ru_maxrss / 1024.0, real_mb, rss_sum_mb)


def run_build(corpus: Path, out: Path, dask: str | None = None, *, sample: bool = False) -> Run:
    """One `briefing build --format json` of the corpus (with `--dask` when given)."""
    command = [sys.executable, "-m", "briefing", "build", str(corpus), "--topics", str(TOPICS)]
    command += ["--date", DATE, "--format", "json", "--out", str(out)]
    command += ["--dask", dask] if dask else []
    return run_process(command, f"build of {corpus}", out.parent, sample=sample)


def run_floor(corpus: Path, *, sample: bool = False) -> Run:
    """One `bench/floor.py` over the corpus: read, split, stem, TextRank."""
    command = [sys.executable, str(BENCH / "floor.py"), str(corpus)]
    return run_process(command, "floor", corpus.parent, sample=sample)


def corpus_for(workdir: Path, articles: int) -> tuple[Path, int]:
    """The generated corpus of this size, made once per work folder."""
    folder = workdir / f"corpus-{articles}"
    count = folder / "SENTENCES"
    if not count.exists():
        sentences = generate_corpus(folder / "articles", articles)
        count.write_text(f"{sentences}\n")
    return folder / "articles", int(count.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,2000,20000", help="articles per corpus")
    parser.add_argument("--repeat", type=int, default=3, help="builds per size (median)")
    parser.add_argument("--workdir", type=Path, help="keep the corpora here (default: temp)")
    parser.add_argument("--no-floor", action="store_true", help="time the builds only")
    parser.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="also build each corpus with --dask ADDRESS ('local': a cluster of this "
        "machine's cores started by each build) and print where it starts to pay",
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="briefing-scale-") as temporary:
        workdir = (args.workdir or Path(temporary)).resolve()  # the builds run inside it
        workdir.mkdir(parents=True, exist_ok=True)
        walls: dict[int, float] = {}
        pays: list[int] = []
        for articles in sizes:
            corpus, sentences = corpus_for(workdir, articles)
            runs, floors, on_dask = [], [], []
            for _ in range(args.repeat):  # alternating, so all see the same load
                runs.append(run_build(corpus, workdir / "out"))
                if not args.no_floor:
                    floors.append(run_floor(corpus))
                if args.dask:
                    on_dask.append(run_build(corpus, workdir / "out", args.dask))
            # Memory from one more run of each, sampled (the timed runs are not).
            measured = run_build(corpus, workdir / "out", sample=True)
            floor_measured = run_floor(corpus, sample=True) if floors else None
            dask_measured = (
                run_build(corpus, workdir / "out", args.dask, sample=True) if args.dask else None
            )
            wall = statistics.median(r.wall for r in runs)
            cpu = statistics.median(r.cpu for r in runs)
            walls[articles] = wall
            against = ""
            if floors:
                floor_wall = statistics.median(r.wall for r in floors)
                floor_cpu = statistics.median(r.cpu for r in floors)
                against = (
                    f"floor_wall_s={floor_wall:.2f} floor_cpu_s={floor_cpu:.2f} "
                    f"x_floor={wall / floor_wall:.2f} x_floor_cpu={cpu / floor_cpu:.2f} "
                    f"floor_real_mb={floor_measured.real_mb if floor_measured else math.nan:.0f} "
                )
            print(
                f"scale: articles={articles} sentences={sentences} wall_s={wall:.2f} "
                f"cpu_s={cpu:.2f} {against}"
                f"real_mb={measured.real_mb:.0f} "
                f"rss_sum_mb={measured.rss_sum_mb:.0f} "
                f"peak_rss_mb={max(r.rss_mb for r in [*runs, measured]):.0f} "
                f"sampled_wall_s={measured.wall:.2f} "
                f"sentences_per_s={sentences / wall:.0f} "
                f"runs={','.join(f'{r.wall:.2f}' for r in runs)}"
                + (f" floor_runs={','.join(f'{r.wall:.2f}' for r in floors)}" if floors else ""),
                flush=True,
            )
            if on_dask:
                dask_wall = statistics.median(r.wall for r in on_dask)
                if dask_wall < wall:
                    pays.append(articles)
                print(
                    f"scale: articles={articles} dask={args.dask} wall_s={dask_wall:.2f} "
                    f"cpu_s={statistics.median(r.cpu for r in on_dask):.2f} "
                    f"x_one_process={dask_wall / wall:.2f} "
                    f"real_mb={dask_measured.real_mb if dask_measured else math.nan:.0f} "
                    f"runs={','.join(f'{r.wall:.2f}' for r in on_dask)}",
                    flush=True,
                )
    if args.dask:
        print(f"scale: dask={args.dask} pays_from_articles={min(pays) if pays else 'never'}")
    for smaller, larger in itertools.pairwise(sizes):
        # The time ratio scaled to a tenfold step (the sizes are tenfold apart by default).
        per_tenfold = (walls[larger] / walls[smaller]) ** (1 / math.log10(larger / smaller))
        print(f"scale: {smaller}->{larger} time_ratio_per_10x={per_tenfold:.2f}")


if __name__ == "__main__":
    main()
