"""Stories within a day (`briefing.stories.find_stories`): how well, and how fast.

Quality, on the cluster days of a real-world data folder (default
`../shared/data/realworld-dev`, its `manifest.json` "cluster_days"): each day's
`articles/` are read as a brief reads them (`briefing.pipeline.collect_articles`, then
`briefing.segment.segment_articles`) and grouped into stories; `clusters.json` names the
documents of each cluster, and each cluster is one story. Printed per day:

- purity: the share of articles whose story's majority cluster is their own cluster
  (on a tie, the cluster of the story's first article among those tied);
- recall: the share of articles that are in the story holding the most articles of
  their cluster (on a tie, the first such story in the stories' order);
- B-cubed precision and recall (Bagga & Baldwin 1998): per article, the share of its
  story that is its cluster, and the share of its cluster that is in its story, averaged
  over articles;
- the number of stories of two articles or more, the number of clusters, and the
  seconds `find_stories` took (reading and splitting not included).

With `--distractors DIR` (default: the bbc-dev articles next to the data folder, when
they are there) a further line groups all cluster days together with those articles as
one day and scores the cluster documents only: a distractor in a story counts against
its purity and precision as an article of a cluster of its own. It shows the clusters are
still found when the day is many times larger and full of other news.

Scale, on generated days (bench/corpus.py: bbc-dev's vocabulary and sentence shapes, every
sentence new; no two articles tell one event): for each size, a fresh process reads and
splits the day, then times `find_stories`. Printed: seconds, the process's peak resident
memory before and after the stage (`resource.getrusage`), the stage's own peak of
allocations (tracemalloc, a second run), and per tenfold step the time and memory ratios
(10 means linear).

    python bench/stories.py [--data DIR] [--distractors DIR] [--sizes 2000,5000,20000]
                            [--workdir DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path

from briefing.model import Stories
from briefing.pipeline import collect_articles
from briefing.segment import segment_articles
from briefing.stories import find_stories

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "realworld-dev"


def cluster_of_files(day: Path) -> dict[Path, str]:
    """Each document's file -> its cluster (named with its day: two days may reuse an id),
    from the day's clusters.json."""
    clusters = json.loads((day / "clusters.json").read_text(encoding="utf-8"))
    return {
        (day / "articles" / doc["file"]).resolve(): f"{day.name}/{cluster}"
        for cluster, entry in clusters.items()
        for doc in entry["docs"]
    }


def score(stories: Stories, truth: list[str | None]) -> dict[str, float]:
    """Purity, recall and B-cubed precision and recall over the articles with a cluster
    (`truth`: per article its cluster, None for an article outside every cluster, which
    counts as a cluster of its own)."""
    label = [t if t is not None else f"\x00{i}" for i, t in enumerate(truth)]
    scored = [i for i, t in enumerate(truth) if t is not None]
    in_story = [Counter(label[i] for i in story.articles) for story in stories.stories]
    cluster_size = Counter(label)
    majority = []  # per story, its majority cluster: of its first article among those tied
    for story, counts in zip(stories.stories, in_story, strict=True):
        top = max(counts.values())
        majority.append(next(label[i] for i in story.articles if counts[label[i]] == top))
    home: dict[str, int] = {}  # the story holding most of each cluster, the first on a tie
    for s, counts in enumerate(in_story):
        for cluster, count in counts.items():
            if cluster not in home or count > in_story[home[cluster]][cluster]:
                home[cluster] = s
    purity = recall = precision_b3 = recall_b3 = 0.0
    for i in scored:
        s = stories.story_of[i]
        shared = in_story[s][label[i]]
        purity += majority[s] == label[i]
        recall += home[label[i]] == s
        precision_b3 += shared / len(stories.stories[s].articles)
        recall_b3 += shared / cluster_size[label[i]]
    n = max(len(scored), 1)
    return {
        "purity": purity / n,
        "recall": recall / n,
        "b3_precision": precision_b3 / n,
        "b3_recall": recall_b3 / n,
    }


def quality_line(name: str, folders: list[Path], clusters: dict[Path, str]) -> str:
    articles = collect_articles(folders, dt.UTC)
    sentences = segment_articles(articles)
    start = time.perf_counter()
    stories = find_stories(articles, sentences)
    seconds = time.perf_counter() - start
    truth = [clusters.get(Path(a.path).resolve()) for a in articles]
    figures = score(stories, truth)
    grouped = sum(len(s.articles) > 1 for s in stories.stories)
    return (
        f"stories: {name} articles={len(articles)} scored={sum(t is not None for t in truth)} "
        + " ".join(f"{key}={value:.3f}" for key, value in figures.items())
        + f" stories_of_2+={grouped} clusters={len(set(clusters.values()))} time_s={seconds:.3f}"
    )


def cluster_days(data: Path) -> list[Path]:
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    return [data / day["dir"] for day in manifest.get("cluster_days", [])]


def scale_child(folder: Path) -> None:
    """In a fresh process: read and split the day, then time and measure the stage."""
    articles = collect_articles([folder], dt.UTC)
    sentences = segment_articles(articles)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    start = time.perf_counter()
    stories = find_stories(articles, sentences)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: kB
    tracemalloc.start()
    find_stories(articles, sentences)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    largest = max(len(s.articles) for s in stories.stories)
    print(
        json.dumps(
            {
                "articles": len(articles),
                "sentences": len(sentences),
                "time_s": seconds,
                "rss_before_mb": before,
                "rss_after_mb": after,
                "stage_peak_mb": peak / 2**20,
                "stories": len(stories.stories),
                "largest": largest,
            }
        )
    )


def scale(sizes: list[int], workdir: Path) -> None:
    from corpus import generate_corpus

    results: dict[int, dict[str, float]] = {}
    for size in sizes:
        folder = workdir / f"corpus-{size}"
        if not (folder / "DONE").exists():
            generate_corpus(folder / "articles", size)
            (folder / "DONE").write_text("")
        command = [sys.executable, __file__, "--scale-child", str(folder / "articles")]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        result = json.loads(output.strip().splitlines()[-1])
        results[size] = result
        print(
            f"stories: generated articles={size} sentences={result['sentences']} "
            f"time_s={result['time_s']:.2f} rss_before_mb={result['rss_before_mb']:.0f} "
            f"rss_after_mb={result['rss_after_mb']:.0f} "
            f"stage_peak_mb={result['stage_peak_mb']:.0f} stories={result['stories']} "
            f"largest={result['largest']}",
            flush=True,
        )
    for smaller, larger in itertools.pairwise(sizes):
        steps = math.log10(larger / smaller)
        small, large = results[smaller], results[larger]
        time_ratio = (large["time_s"] / small["time_s"]) ** (1 / steps)
        memory_ratio = (large["stage_peak_mb"] / small["stage_peak_mb"]) ** (1 / steps)
        print(
            f"stories: {smaller}->{larger} time_ratio_per_10x={time_ratio:.2f} "
            f"stage_memory_ratio_per_10x={memory_ratio:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="a data folder with a manifest")
    parser.add_argument("--distractors", type=Path, help="a folder of other articles")
    parser.add_argument("--sizes", default="2000,5000,20000", help="generated articles per day")
    parser.add_argument("--workdir", type=Path, help="keep generated days here (default: temp)")
    parser.add_argument("--scale-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scale_child:
        scale_child(args.scale_child)
        return
    days = cluster_days(args.data)
    everything: dict[Path, str] = {}
    for day in days:
        clusters = cluster_of_files(day)
        everything.update(clusters)
        print(quality_line(day.name, [day / "articles"], clusters), flush=True)
    distractors = args.distractors or args.data.parent / "bbc-dev" / "articles"
    if days and distractors.is_dir():
        folders = [*(day / "articles" for day in days), distractors]
        name = f"all-days+{distractors.parent.name}"
        print(quality_line(name, folders, everything), flush=True)
    sizes = [int(size) for size in args.sizes.split(",") if size]
    if sizes:
        with tempfile.TemporaryDirectory(prefix="briefing-stories-") as temporary:
            workdir = args.workdir or Path(temporary)
            workdir.mkdir(parents=True, exist_ok=True)
            scale(sizes, workdir)


if __name__ == "__main__":
    main()
