"""End-to-end scale: `briefing build --format json` on 200, 2,000 and 20,000 articles.

Each corpus comes from bench/corpus.py (bbc-dev's vocabulary and sentence shapes,
every sentence new) and is briefed with bench/topics.toml by a fresh process, as
cron would run it. Printed per size: the median wall time over the repeats
(interpreter start-up included), the largest peak resident memory of the process
(`peak_rss_mb`, the larger of the main process and any forked helper), the largest
summed proportional set size of the whole process tree (`peak_tree_pss_mb`, sampled
every 20 ms: pages a forked helper shares with its parent counted once), sentences per
second; then the time ratio for each tenfold step of input.

    python bench/scale.py [--sizes 200,2000,20000] [--repeat 3] [--workdir DIR]
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


def _pss_kb(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in rollup.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


class TreeMemory:
    """Samples the summed PSS of a process tree until stopped; keeps the peak (kB)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak_kb = max(self.peak_kb, sum(map(_pss_kb, _tree(self.pid))))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024.0


def run_build(corpus: Path, out: Path) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and peak process-tree PSS (MB) of one `briefing build`."""
    command = [sys.executable, "-m", "briefing", "build", str(corpus), "--topics", str(TOPICS)]
    command += ["--date", DATE, "--format", "json", "--out", str(out)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    memory = TreeMemory(process.pid)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    tree_mb = memory.stop()
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        sys.exit(f"scale: build failed on {corpus} ({process.returncode}): {errors.strip()}")
    return wall, usage.ru_maxrss / 1024.0, tree_mb  # Linux reports kilobytes


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
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="briefing-scale-") as temporary:
        workdir = args.workdir or Path(temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        walls: dict[int, float] = {}
        for articles in sizes:
            corpus, sentences = corpus_for(workdir, articles)
            runs = [run_build(corpus, workdir / "out") for _ in range(args.repeat)]
            wall = statistics.median(w for w, _, _ in runs)
            rss = max(r for _, r, _ in runs)
            tree = max(t for _, _, t in runs)
            walls[articles] = wall
            print(
                f"scale: articles={articles} sentences={sentences} wall_s={wall:.2f} "
                f"peak_rss_mb={rss:.0f} peak_tree_pss_mb={tree:.0f} "
                f"sentences_per_s={sentences / wall:.0f} "
                f"runs={','.join(f'{w:.2f}' for w, _, _ in runs)}",
                flush=True,
            )
    for smaller, larger in itertools.pairwise(sizes):
        # The time ratio scaled to a tenfold step (the sizes are tenfold apart by default).
        per_tenfold = (walls[larger] / walls[smaller]) ** (1 / math.log10(larger / smaller))
        print(f"scale: {smaller}->{larger} time_ratio_per_10x={per_tenfold:.2f}")


if __name__ == "__main__":
    main()
