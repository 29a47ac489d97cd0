"""Our TextRank against sumy's `TextRankSummarizer` on the same bbc-dev sentences.

For n = 500, 1000 and 2000 (the first n body sentences of bbc-dev, in article order),
both rank the same sentences, alternating run by run. sumy summarises to 10 sentences
from sentences already split into words: its time is its stemming, all-pairs matrix
and power method. Ours is the ranking stage of a brief: `textrank_scores` on the
sentences' stems (which segmentation computes once for every stage); the detail line
also gives ours with the word analysis from text included, memos emptied. Printed:
median seconds, their ratio, and whether both pick the same top 10, with sumy's
defaults (its power method stops at eps 1e-4, early enough to swap near-tied
sentences) and with sumy run to convergence (eps 1e-8). The last line is for scripts.

    python bench/rank.py [--sizes 500,1000,2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

# briefing first: on import it keeps NumPy's BLAS to one thread, as the command does;
# sumy imports NumPy, so it is imported inside the functions that use it.
from briefing import segment
from briefing.ingest import read_articles
from briefing.rank import rank_order, textrank_scores
from briefing.segment import STOP_WORDS, SumyTokenizer, WordAnalyser

BBC_DEV = Path(__file__).resolve().parent.parent / "tests" / "data" / "bbc-dev" / "articles"
TOP = 10


def sumy_top(texts: list[str], epsilon: float | None = None) -> tuple[float, set[int]]:
    """Seconds for sumy's summary of `TOP` sentences, and their positions."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph
    from sumy.models.dom import Sentence as SumySentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.text_rank import TextRankSummarizer

    tokenizer = SumyTokenizer()
    sentences = [SumySentence(text, tokenizer) for text in texts]
    for sentence in sentences:
        assert sentence.words  # split into words now, outside the timing
    document = ObjectDocumentModel([Paragraph(sentences)])
    summarizer = TextRankSummarizer(Stemmer("english"))
    summarizer.stop_words = STOP_WORDS
    if epsilon is not None:
        summarizer.epsilon = epsilon
    position = {id(sentence): number for number, sentence in enumerate(sentences)}
    start = time.perf_counter()
    picked = summarizer(document, TOP)
    return time.perf_counter() - start, {position[id(sentence)] for sentence in picked}


def our_top(texts: list[str]) -> tuple[float, float, set[int]]:
    """Seconds for our ranking from stems, seconds including the word analysis, and
    the positions of the top `TOP` sentences."""
    segment.forget_words()
    words = WordAnalyser()
    start = time.perf_counter()
    terms = [words.stems(text)[1] for text in texts]
    analysed = time.perf_counter()
    top = rank_order(textrank_scores(terms))[:TOP]
    end = time.perf_counter()
    return end - analysed, end - start, set(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,1000,2000")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (median)")
    args = parser.parse_args()
    texts = [s.text for s in segment.segment_articles(read_articles([BBC_DEV]))]
    for n in (int(size) for size in args.sizes.split(",")):
        sample = texts[:n]
        sumy_runs, our_runs, with_words = [], [], []
        for _ in range(args.repeat):
            seconds, sumy_picks = sumy_top(sample)
            sumy_runs.append(seconds)
            seconds, total, our_picks = our_top(sample)
            our_runs.append(seconds)
            with_words.append(total)
        _, converged_picks = sumy_top(sample, epsilon=1e-8)
        sumy_s, ours_s = statistics.median(sumy_runs), statistics.median(our_runs)
        words_s = statistics.median(with_words)
        same = "yes" if sumy_picks == our_picks else "no"
        same_converged = "yes" if converged_picks == our_picks else "no"
        print(
            f"rank-detail: n={n} sumy_runs={','.join(f'{s:.3f}' for s in sumy_runs)} "
            f"ours_runs={','.join(f'{s:.4f}' for s in our_runs)} "
            f"ours_with_words_s={words_s:.4f} ratio_with_words={sumy_s / words_s:.0f} "
            f"top10_same_as_converged_sumy={same_converged} "
            f"top10_differences={len(sumy_picks ^ our_picks) // 2}"
        )
        print(
            f"rank: n={n} sumy_s={sumy_s:.3f} ours_s={ours_s:.4f} "
            f"ratio={sumy_s / ours_s:.0f} top10_same={same}",
            flush=True,
        )


if __name__ == "__main__":
    main()
