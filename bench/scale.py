"""End-to-end scale: `briefing build --format json` on 200, 2,000 and 20,000 articles.

Each corpus comes from bench/corpus.py (bbc-dev's vocabulary and sentence shapes,
every sentence new) and is briefed with bench/topics.toml by a fresh process, as
cron would run it. Printed per size: the median wall time over the repeats
(interpreter start-up included), the largest peak resident memory of the process,
sentences per second; then the time ratio for each tenfold step of input.

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
import time
from pathlib import Path

from corpus import generate_corpus

BENCH = Path(__file__).resolve().parent
TOPICS = BENCH / "topics.toml"
DATE = "2005-01-03"


def run_build(corpus: Path, out: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one `briefing build` process."""
    command = [sys.executable, "-m", "briefing", "build", str(corpus), "--topics", str(TOPICS)]
    command += ["--date", DATE, "--format", "json", "--out", str(out)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        sys.exit(f"scale: build failed on {corpus} ({process.returncode}): {errors.strip()}")
    return wall, usage.ru_maxrss / 1024.0  # Linux reports kilobytes


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
            wall = statistics.median(w for w, _ in runs)
            rss = max(r for _, r in runs)
            walls[articles] = wall
            print(
                f"scale: articles={articles} sentences={sentences} wall_s={wall:.2f} "
                f"peak_rss_mb={rss:.0f} sentences_per_s={sentences / wall:.0f} "
                f"runs={','.join(f'{w:.2f}' for w, _ in runs)}",
                flush=True,
            )
    for smaller, larger in itertools.pairwise(sizes):
        # The time ratio scaled to a tenfold step (the sizes are tenfold apart by default).
        per_tenfold = (walls[larger] / walls[smaller]) ** (1 / math.log10(larger / smaller))
        print(f"scale: {smaller}->{larger} time_ratio_per_10x={per_tenfold:.2f}")


if __name__ == "__main__":
    main()
