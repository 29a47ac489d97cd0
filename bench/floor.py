"""The floor of a brief: the least work any build of these files must do, in a fresh process.

A brief cannot be cheaper than reading its files, splitting them into sentences, stemming
every word and running TextRank once over every sentence of the day. This script does
exactly that and nothing else: each file read whole (a plain-text article: the first line
its title, blank lines between paragraphs), paragraphs split with the product's splitter
(`segment.split_sentences`: the same sentences), the same stems (`segment.WordAnalyser`),
and one sparse TextRank (`rank.textrank_scores`) over all of them, with no topics, no
cleaning, no routing, no de-duplication and nothing written. `bench/scale.py` divides the
product's wall time by this one's; the floor is the same kind of process (interpreter
start-up, NumPy, SciPy and PyStemmer imported, one BLAS thread as the command sets it),
so the ratio is what the product adds.

    python bench/floor.py DIR [DIR ...]   # prints one `floor:` line

Printed: wall seconds inside the process per stage and in all, sentences, and peak RSS.
"""

from __future__ import annotations

import time

START = time.perf_counter()

import argparse  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
from pathlib import Path  # noqa: E402

# One BLAS thread, as `briefing` sets it before NumPy loads (a second thread mostly waits
# on the first on a busy two-core machine): the floor runs on the command's terms.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from briefing.rank import textrank_scores  # noqa: E402
from briefing.segment import WordAnalyser, is_sentence, split_sentences  # noqa: E402


def read(folders: list[Path]) -> list[list[str]]:
    """Each article file's paragraphs (its title line dropped), in sorted order."""
    articles = []
    for folder in folders:
        for path in sorted(folder.rglob("*.txt")):
            text = path.read_text(encoding="utf-8")
            articles.append([p for p in text.split("\n\n")[1:] if p.strip()])
    return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    args = parser.parse_args()
    imported = time.perf_counter()
    articles = read(args.folders)
    was_read = time.perf_counter()
    texts = [s for a in articles for p in a for s in split_sentences(p) if is_sentence(s)]
    split = time.perf_counter()
    words = WordAnalyser()
    terms = [words.stems(text)[1] for text in texts]
    stemmed = time.perf_counter()
    scores = textrank_scores(terms)
    ranked = time.perf_counter()
    assert len(scores) == len(texts)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(
        f"floor: articles={len(articles)} sentences={len(texts)} "
        f"startup_s={imported - START:.3f} read_s={was_read - imported:.3f} "
        f"split_s={split - was_read:.3f} stem_s={stemmed - split:.3f} "
        f"textrank_s={ranked - stemmed:.3f} in_process_s={ranked - START:.3f} "
        f"peak_rss_mb={peak:.0f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
