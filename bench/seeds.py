"""The seeds' full build (Markdown, PDF and JSON) as a cold process, as `make brief` runs it.

Each run is a fresh `briefing build seeds` process, so interpreter start-up and every
import are counted. Printed: the median wall time over the runs and the largest peak
resident memory; first `briefing --version` (start-up alone), then a JSON-only build (no
WeasyPrint), then the full build.

    python bench/seeds.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATE = "2026-11-22"


def cold_build(formats: str, out: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one `briefing build seeds` process (or of
    `briefing --version` for the format "version")."""
    command = [sys.executable, "-m", "briefing", "build", str(REPO / "seeds"), "--date", DATE]
    command += ["--format", formats, "--out", str(out)]
    if formats == "version":
        command = [sys.executable, "-m", "briefing", "--version"]
    start = time.perf_counter()
    # Run in `out`: in the repository, `python -m briefing` would import its package even
    # when PYTHONPATH names another tree to time.
    process = subprocess.Popen(command, cwd=out, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"seeds: build failed ({formats})")
    return wall, usage.ru_maxrss / 1024.0  # Linux reports kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="cold builds per format set")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="briefing-seeds-") as out:
        for formats in ("version", "json", "md,pdf,json"):
            runs = [cold_build(formats, Path(out)) for _ in range(args.repeat)]
            wall = statistics.median(w for w, _ in runs)
            rss = max(r for _, r in runs)
            print(
                f"seeds: formats={formats} wall_s={wall:.2f} peak_rss_mb={rss:.0f} "
                f"runs={','.join(f'{w:.2f}' for w, _ in runs)}",
                flush=True,
            )


if __name__ == "__main__":
    main()
