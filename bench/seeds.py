"""The seeds' full build (Markdown, PDF and JSON) as a cold process, as `make brief` runs it.

Each run is a fresh `briefing build seeds` process, so interpreter start-up and every
import are counted. Printed: the median wall time over the runs and the largest peak
resident memory; first `briefing --version` (start-up alone), then a JSON-only build (no
WeasyPrint), then the full build; last WeasyPrint's own floor, a fresh process that
imports WeasyPrint and writes the PDF of the seeds' print page (the HTML the build hands
it), and nothing else: no build can make that PDF faster.

    python bench/seeds.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATE = "2026-11-22"


def timed(command: list[str], out: Path, what: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one fresh process running `command`."""
    start = time.perf_counter()
    # Run in `out`: in the repository, `python -m briefing` would import its package even
    # when PYTHONPATH names another tree to time.
    process = subprocess.Popen(command, cwd=out, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"seeds: {what} failed")
    return wall, usage.ru_maxrss / 1024.0  # Linux reports kilobytes


def cold_build(formats: str, out: Path) -> tuple[float, float]:
    """One `briefing build seeds` process (or `briefing --version` for the format
    "version")."""
    command = [sys.executable, "-m", "briefing", "build", str(REPO / "seeds"), "--date", DATE]
    command += ["--format", formats, "--out", str(out)]
    if formats == "version":
        command = [sys.executable, "-m", "briefing", "--version"]
    return timed(command, out, f"build ({formats})")


def weasyprint_floor(page: Path, out: Path) -> tuple[float, float]:
    """A process that only imports WeasyPrint and lays out `page` (the seeds' print
    HTML) into a PDF."""
    code = (
        "import sys, weasyprint\n"
        "page = open(sys.argv[1], encoding='utf-8').read()\n"
        "open(sys.argv[2], 'wb').write(weasyprint.HTML(string=page).write_pdf())\n"
    )
    command = [sys.executable, "-c", code, str(page), str(out / "floor.pdf")]
    return timed(command, out, "the WeasyPrint floor")


def print_page(out: Path) -> Path:
    """The seeds' print HTML, as the build hands it to WeasyPrint."""
    sys.path.insert(0, str(REPO))
    from briefing import build_brief, default_topics_path, load_topics
    from briefing.render import render_html

    brief = build_brief(
        [REPO / "seeds"],
        load_topics(default_topics_path()),
        dt.date.fromisoformat(DATE),
    )
    page = out / "print.html"
    page.write_text(render_html(brief, print_css=True), encoding="utf-8")
    return page


def report(label: str, runs: list[tuple[float, float]]) -> None:
    wall = statistics.median(w for w, _ in runs)
    rss = max(r for _, r in runs)
    print(
        f"seeds: {label} wall_s={wall:.2f} peak_rss_mb={rss:.0f} "
        f"runs={','.join(f'{w:.2f}' for w, _ in runs)}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="cold builds per format set")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="briefing-seeds-") as out:
        for formats in ("version", "json", "md,pdf,json"):
            report(
                f"formats={formats}", [cold_build(formats, Path(out)) for _ in range(args.repeat)]
            )
        page = print_page(Path(out))
        report("weasyprint_floor", [weasyprint_floor(page, Path(out)) for _ in range(args.repeat)])


if __name__ == "__main__":
    main()
