"""Byte-identity of the briefs: build a fixed set of days and compare with saved hashes.

A speed change must not change a single byte of any brief. This builds Markdown, HTML
and JSON (with and without `--explain`) for the seeds, bbc-dev days written as
../shared/eval writes them (`brief_data.dev_days`, `write_day`, its topics file), one
day of all bbc-dev articles, a generated corpus past the 3,000 articles where routing
searches neighbours through terms, and the realworld-dev pages, feeds and Multi-News
days, each by a fresh `briefing build` run in the work folder with relative paths (so
the sources' paths in the briefs do not depend on where the folder is). Every output
file, and what the command printed, is hashed; `--save` writes the hashes as the
reference, otherwise they are compared with it and every difference is listed.

    python bench/identical.py --save      # before a change: the reference
    python bench/identical.py             # after it: exit 1 on any difference
    python bench/identical.py --tree DIR  # build with the package found in DIR instead

The builds run in the work folder, not here, so that `python -m briefing` finds the
package of `--tree` and not the one in the current folder.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SHARED = Path(os.environ.get("BRIEFING_SHARED", REPO.parent / "shared"))  # beside the clone
EVAL = SHARED / "eval"
REALWORLD = SHARED / "data" / "realworld-dev"
REFERENCE = BENCH / "identical-reference.json"
FORMATS = "md,html,json"
BBC_DAYS = 4  # the first days of brief_eval's 26
GENERATED = 3200  # articles: past routing's EXACT_NEIGHBOURS (3,000)


@dataclass
class Case:
    """One build: its sources (relative to the work folder) and options."""

    name: str
    sources: list[str]
    date: str
    options: list[str] = field(default_factory=list)


def _copy(source: Path, target: Path) -> None:
    if not target.exists():
        shutil.copytree(source, target)


def prepare(work: Path) -> list[Case]:
    """Write every case's inputs into `work` (once) and list the cases."""
    cases = [
        Case("seeds", ["seeds"], "2026-11-22"),
        Case("seeds-explain", ["seeds"], "2026-11-22", ["--explain", "--per-topic", "3"]),
        Case("seeds-plain", ["seeds"], "2026-11-22", ["--footnotes", "plain"]),
    ]
    _copy(REPO / "seeds", work / "seeds")
    sys.path.insert(0, str(EVAL))
    import brief_data  # type: ignore[import-not-found]
    import brief_topics  # type: ignore[import-not-found]

    bbc_topics = ["--topics", "bbc-topics.toml", "--per-topic", "6"]
    if not (work / "bbc-topics.toml").exists():
        brief_topics.write_topics(work / "bbc-topics.toml")
    days = brief_data.dev_days(SHARED / "data" / "bbc-dev")
    for number, day in enumerate(days[:BBC_DAYS], start=1):
        folder = work / f"bbc-day-{number:02d}"
        if not folder.exists():
            brief_data.write_day(day, folder)
        options = [*bbc_topics, *(["--explain"] if number == 1 else [])]
        cases.append(Case(folder.name, [folder.name], f"2005-01-{number:02d}", options))
    everything = work / "bbc-all"
    if not everything.exists():
        brief_data.write_day([a for day in days for a in day], everything)
    cases.append(Case("bbc-all", ["bbc-all"], "2005-02-01", [*bbc_topics, "--explain"]))

    generated = work / f"generated-{GENERATED}"
    if not generated.exists():
        sys.path.insert(0, str(BENCH))
        from corpus import generate_corpus

        generate_corpus(generated, GENERATED)
    topics = ["--topics", "bench-topics.toml"]
    shutil.copyfile(BENCH / "topics.toml", work / "bench-topics.toml")
    cases.append(Case(generated.name, [generated.name], "2005-01-03", [*topics, "--explain"]))

    manifest = json.loads((REALWORLD / "manifest.json").read_text(encoding="utf-8"))
    pages = manifest["pages"]
    folder = work / "rw-pages"
    if not folder.exists():  # articles and non-articles in one folder, as realworld_eval runs
        folder.mkdir()
        for part in (pages["articles"], pages["nonarticle"]):
            for path in sorted((REALWORLD / part).iterdir()):
                shutil.copyfile(path, folder / path.name)
    shutil.copyfile(REALWORLD / pages["topics"], work / "rw-pages.toml")
    options = ["--topics", "rw-pages.toml", "--per-topic", str(pages["k"])]
    cases.append(Case("rw-pages", ["rw-pages"], pages["date"], options))
    for feed in manifest["feeds"]:
        name = f"rw-{feed['id']}"
        _copy(REALWORLD / feed["src"], work / name)
        shutil.copyfile(REALWORLD / feed["topics"], work / f"{name}.toml")
        options = ["--topics", f"{name}.toml", "--per-topic", str(feed["k"])]
        cases.append(Case(name, [name], feed["date"], options))
    for day in manifest["cluster_days"]:
        name = f"rw-{day['id']}"
        _copy(REALWORLD / day["dir"] / "articles", work / name)
        shutil.copyfile(REALWORLD / day["dir"] / "topics.toml", work / f"{name}.toml")
        options = ["--topics", f"{name}.toml", "--per-topic", str(day["k"]), "--explain"]
        cases.append(Case(name, [name], day["date"], options))
    return cases


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build(case: Case, work: Path, tree: Path) -> tuple[dict[str, str], float]:
    """The hashes of one case's outputs and of what it printed, and its wall time."""
    out = work / "out" / case.name
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "briefing", "build", *case.sources, "--date", case.date]
    command += ["--format", FORMATS, "--out", os.path.relpath(out, work), *case.options]
    environment = {**os.environ, "PYTHONPATH": str(tree), "TZ": "UTC"}
    start = time.perf_counter()
    done = subprocess.run(command, cwd=work, env=environment, capture_output=True, check=False)
    wall = time.perf_counter() - start
    hashes = {
        "exit": str(done.returncode),
        "stdout": _digest(done.stdout),
        "stderr": _digest(done.stderr),
    }
    for path in sorted(out.iterdir()) if out.exists() else []:
        if path.name.startswith("."):  # the run lock: it holds the process id
            continue
        hashes[path.name.replace(case.date, "DATE")] = _digest(path.read_bytes())
    return hashes, wall


def _templates_in(tree: Path) -> None:
    """Make another tree's templates the ones its builds load. The editable install maps
    `briefing.templates` to this repository's templates/ folder, so a clone on PYTHONPATH
    would render with the working tree's templates; a `briefing/templates` link in the
    clone is found first."""
    inside, beside = tree / "briefing" / "templates", tree / "templates"
    if tree != REPO and beside.is_dir() and not inside.exists():
        inside.symlink_to(Path("..") / "templates")
        print(f"identical: linked {inside} -> ../templates", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", action="store_true", help="write the reference")
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    parser.add_argument("--tree", type=Path, default=REPO, help="folder holding `briefing/`")
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "briefing-identical"
    )
    parser.add_argument("--jobs", type=int, default=2, help="builds at once")
    parser.add_argument("--only", help="comma-separated case names")
    args = parser.parse_args()
    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    cases = prepare(work)
    if args.only:
        wanted = set(args.only.split(","))
        cases = [case for case in cases if case.name in wanted]
    tree = args.tree.resolve()
    _templates_in(tree)
    with ThreadPoolExecutor(args.jobs) as pool:
        built = pool.map(lambda case: build(case, work, tree), cases)
        results = dict(zip([case.name for case in cases], built, strict=True))
    hashes = {name: result[0] for name, result in results.items()}
    for name, (_, wall) in results.items():
        print(f"identical: case={name} wall_s={wall:.2f}", flush=True)
    if args.save:
        args.reference.write_text(json.dumps(hashes, indent=1, sort_keys=True) + "\n")
        print(f"identical: saved {len(hashes)} cases to {args.reference}")
        return
    reference = json.loads(args.reference.read_text())
    differences = [
        f"{name}/{key}"
        for name, files in hashes.items()
        for key in sorted(set(files) | set(reference.get(name, {})))
        if files.get(key) != reference.get(name, {}).get(key)
    ]
    missing = sorted(set(reference) - set(hashes)) if not args.only else []
    for difference in differences:
        print(f"identical: DIFFERS {difference}")
    for name in missing:
        print(f"identical: not built {name}")
    files = sum(len(f) for f in hashes.values())
    verdict = "identical" if not differences else "DIFFERENT"
    print(f"identical: cases={len(hashes)} hashed={files} differences={len(differences)} {verdict}")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
