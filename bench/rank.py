"""Our TextRank against sumy's `TextRankSummarizer`, like for like, each side in a fresh process.

For n = 500, 1000 and 2000 (the first n body sentences of bbc-dev, in article order),
each side ranks the same sentences and picks its top 10. Every measurement is a fresh
Python process (`--side`), started once per run and alternating sumy, ours, sumy, ...,
so neither side runs on a heap or caches the other has warmed, both with one BLAS thread
as the command sets it. Inside it, the data is
read and the sentences split into words (by the same tokenizer, `SumyTokenizer`) before
the clock starts; what the clock then covers is the same on both sides, in one of two
modes:

- `stemmed`: from the words. Both sides lower-case the words, drop the stop words
  (sumy's list), stem the rest (Snowball English: sumy through NLTK, imported before the
  clock; ours through PyStemmer, its memos emptied) and rank. sumy builds its all-pairs
  matrix and runs its power method; ours runs `textrank_scores`.
- `ranking`: from the stems. Both sides are handed the same content stems (ours,
  computed before the clock); sumy with no stemmer and no stop words, so it only
  compares and ranks, and ours only ranks.

Printed per n and mode: the median seconds of each side, their ratio, and whether both
pick the same top 10 (with sumy's defaults: its power method stops at eps 1e-4, early
enough to swap near-tied sentences), and on the detail line whether ours matches sumy run
to convergence (eps 1e-8) and every run's time.

    python bench/rank.py [--sizes 500,1000,2000] [--repeat 3] [--modes stemmed,ranking]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

# One BLAS thread on both sides, as the `briefing` command sets it before NumPy loads
# (sumy's power method and our products alike); the side processes inherit it.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

BENCH = Path(__file__).resolve().parent
BBC_DEV = BENCH.parent / "tests" / "data" / "bbc-dev" / "articles"
TOP = 10
MODES = ("stemmed", "ranking")


def _sentence_words(n: int) -> list[list[str]]:
    """The words of the first n body sentences of bbc-dev, as both sides split them."""
    from briefing.ingest import read_articles
    from briefing.segment import SumyTokenizer, segment_articles

    tokenizer = SumyTokenizer()
    texts = [s.text for s in segment_articles(read_articles([BBC_DEV]))][:n]
    return [list(tokenizer.to_words(text)) for text in texts]


def _content_stems(words: list[list[str]]) -> list[tuple[str, ...]]:
    from briefing.segment import content_stems

    return [content_stems(w) for w in words]


def run_sumy(words: list[list[str]], mode: str, epsilon: float | None) -> tuple[float, list[int]]:
    """Seconds for sumy's summary of `TOP` sentences, and their positions."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph
    from sumy.models.dom import Sentence as SumySentence
    from sumy.nlp.stemmers import Stemmer, null_stemmer
    from sumy.summarizers.text_rank import TextRankSummarizer

    from briefing.segment import STOP_WORDS

    class Words:
        """A tokenizer that hands sumy words already split (outside the clock)."""

        language = "english"

        def __init__(self, lists: list[list[str]] | list[tuple[str, ...]]) -> None:
            self.lists = iter(lists)

        def to_words(self, _: str) -> tuple[str, ...]:
            return tuple(next(self.lists))

    given = words if mode == "stemmed" else _content_stems(words)
    tokenizer = Words(given)
    sentences = [SumySentence(" ".join(w), tokenizer) for w in given]
    for sentence in sentences:
        assert sentence.words is not None  # split now (sumy caches them), outside the clock
    document = ObjectDocumentModel([Paragraph(sentences)])
    if mode == "stemmed":
        summarizer = TextRankSummarizer(Stemmer("english"))  # NLTK imported here
        summarizer.stop_words = STOP_WORDS
    else:
        summarizer = TextRankSummarizer(null_stemmer)
    if epsilon is not None:
        summarizer.epsilon = epsilon
    position = {id(sentence): number for number, sentence in enumerate(sentences)}
    start = time.perf_counter()
    picked = summarizer(document, TOP)
    seconds = time.perf_counter() - start
    return seconds, sorted(position[id(sentence)] for sentence in picked)


def run_ours(words: list[list[str]], mode: str) -> tuple[float, list[int]]:
    """Seconds for our ranking (with our word analysis in `stemmed` mode), and the top."""
    from briefing import segment
    from briefing.rank import rank_order, textrank_scores

    if mode == "stemmed":
        segment.forget_words()
        start = time.perf_counter()
        terms = [segment.content_stems(w) for w in words]
    else:
        terms = _content_stems(words)
        start = time.perf_counter()
    top = rank_order(textrank_scores(terms))[:TOP]
    seconds = time.perf_counter() - start
    return seconds, sorted(top)


def side_main(args: argparse.Namespace) -> None:
    """One measurement in this (fresh) process; prints it as JSON."""
    words = _sentence_words(args.n)
    if args.side == "sumy":
        seconds, top = run_sumy(words, args.mode, args.epsilon)
    else:
        seconds, top = run_ours(words, args.mode)
    print(json.dumps({"seconds": seconds, "top": top}))


def measure(side: str, n: int, mode: str, epsilon: float | None = None) -> tuple[float, list[int]]:
    command = [sys.executable, __file__, "--side", side, "--n", str(n), "--mode", mode]
    if epsilon is not None:
        command += ["--epsilon", str(epsilon)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"rank: {side} failed (n={n}, {mode}): {done.stderr.strip()}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["seconds"], result["top"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,1000,2000")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side (median)")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--side", choices=("sumy", "ours"), help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--epsilon", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        side_main(args)
        return
    for n in (int(size) for size in args.sizes.split(",")):
        for mode in args.modes.split(","):
            sumy_runs, our_runs = [], []
            for _ in range(args.repeat):
                seconds, sumy_top = measure("sumy", n, mode)
                sumy_runs.append(seconds)
                seconds, our_top = measure("ours", n, mode)
                our_runs.append(seconds)
            _, converged_top = measure("sumy", n, mode, epsilon=1e-8)
            sumy_s, ours_s = statistics.median(sumy_runs), statistics.median(our_runs)
            print(
                f"rank-detail: n={n} mode={mode} "
                f"sumy_runs={','.join(f'{s:.3f}' for s in sumy_runs)} "
                f"ours_runs={','.join(f'{s:.4f}' for s in our_runs)} "
                f"top10_same_as_converged_sumy={'yes' if converged_top == our_top else 'no'} "
                f"top10_differences={len(set(sumy_top) ^ set(our_top)) // 2}"
            )
            print(
                f"rank: n={n} mode={mode} sumy_s={sumy_s:.3f} ours_s={ours_s:.4f} "
                f"ratio={sumy_s / ours_s:.0f} top10_same={'yes' if sumy_top == our_top else 'no'}",
                flush=True,
            )


if __name__ == "__main__":
    main()
