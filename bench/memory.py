"""Memory against one article's length: peak RSS of `briefing build` on a single article.

Each article is one plain-text file of N sentences that all share most of their words
(the shape that made the in-article LexRank graph complete, so its pairs grew as N²),
briefed by a fresh process, as cron would run it. Printed per size: sentences, file
bytes, wall seconds, peak resident memory of the process (the larger of the main process
and any child), and the memory above the smallest size's per extra sentence, which stays
flat when memory is linear in the article. The last size is a file of 50 MB.

    python bench/memory.py [--sentences 2000,8000,32000] [--megabytes 50] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATE = "2026-11-22"


def sentence(number: int) -> str:
    return f"The harbour board met on day {number} to approve plan number {number} for the port."


def write_article(folder: Path, sentences: int | None = None, size: int | None = None) -> int:
    """One article, 'H' as its title and one paragraph of numbered sentences, either
    `sentences` of them or as many as fill `size` bytes. Returns the sentence count."""
    folder.mkdir(parents=True, exist_ok=True)
    written = count = 0
    with (folder / "a.txt").open("w", encoding="utf-8") as out:
        out.write("H\n\n")
        while (sentences is not None and count < sentences) or (
            size is not None and written < size
        ):
            text = sentence(count) + " "
            out.write(text)
            written += len(text)
            count += 1
        out.write("\n")
    return count


def run_build(folder: Path, out: Path) -> tuple[float, float] | str:
    """Wall seconds and peak RSS (MB) of one `briefing build --format json`, or the
    first line it printed if it refused the file (a size limit, say)."""
    command = [sys.executable, "-m", "briefing", "build", str(folder), "--date", DATE]
    command += ["--format", "json", "--out", str(out)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    errors = process.stderr.read().decode() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        return (errors.strip().splitlines() or ["failed"])[0]
    return wall, usage.ru_maxrss / 1024.0  # Linux reports kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", default="2000,8000,32000", help="sentences per article")
    parser.add_argument("--megabytes", type=float, default=50.0, help="then a file this big")
    parser.add_argument("--workdir", type=Path, help="write the articles here (default: temp)")
    args = parser.parse_args()
    sizes: list[tuple[str, int | None, int | None]] = [
        (f"{n}", int(n), None) for n in args.sentences.split(",")
    ]
    if args.megabytes > 0:
        sizes.append((f"{args.megabytes:g}MB", None, int(args.megabytes * 1_000_000)))
    with tempfile.TemporaryDirectory(prefix="briefing-memory-") as temporary:
        workdir = args.workdir or Path(temporary)
        base: tuple[int, float] | None = None
        for name, sentences, size in sizes:
            folder = workdir / f"article-{name}"
            count = write_article(folder, sentences, size)
            built = run_build(folder, workdir / "out")
            if isinstance(built, str):
                print(f"memory: article={name} sentences={count} refused: {built}", flush=True)
                continue
            wall, rss = built
            per = ""
            if base is None:
                base = (count, rss)
            elif count > base[0]:
                per = f" kb_per_extra_sentence={(rss - base[1]) * 1024 / (count - base[0]):.2f}"
            print(
                f"memory: article={name} sentences={count} "
                f"bytes={(folder / 'a.txt').stat().st_size} wall_s={wall:.2f} "
                f"peak_rss_mb={rss:.0f}{per}",
                flush=True,
            )


if __name__ == "__main__":
    main()
