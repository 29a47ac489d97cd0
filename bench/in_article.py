"""How often each way of ranking an article's own sentences picks what its reference
summary holds, on the 800 bbc-dev articles (../shared/data/bbc-dev).

For every article, each ranking picks as many sentences as its reference summary has
sentences of the article, and the share of picks found in the reference is printed:
in-article LexRank (`rank.centrality_in_article`, what selection weighs as
`article_rank`), TextRank within the article (`rank.textrank_scores`), the lead (the
first sentences) and the longest sentences. The reference summaries are extractive,
about 40% of each article, so random picks score about 0.42.

    python bench/in_article.py
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from briefing.ingest import read_articles
from briefing.rank import centrality_in_article, textrank_scores
from briefing.segment import segment_articles

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BRIEFING_SHARED", REPO.parent / "shared"))
BBC_DEV = SHARED / "data" / "bbc-dev"


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def main() -> None:
    rankings: dict[str, Callable[[list[tuple[str, ...]], np.ndarray], np.ndarray]] = {
        "in-article LexRank": lambda terms, central: central,
        "TextRank in the article": lambda terms, central: textrank_scores(terms),
        "lead": lambda terms, central: -np.arange(len(terms), dtype=float),
        "longest": lambda terms, central: np.array([len(t) for t in terms], dtype=float),
    }
    found = dict.fromkeys(rankings, 0)
    picks = 0
    for category in sorted((BBC_DEV / "articles").iterdir()):
        articles = read_articles([category])
        sentences = segment_articles(articles)
        central = centrality_in_article(
            [s.terms for s in sentences], [s.article for s in sentences]
        )
        members: dict[int, list[int]] = {}
        for index, sentence in enumerate(sentences):
            members.setdefault(sentence.article, []).append(index)
        for article, indices in members.items():
            reference = BBC_DEV / "summaries" / category.name / Path(articles[article].path).name
            summary = _plain(reference.read_text(encoding="utf-8", errors="replace"))
            in_summary = np.array([_plain(sentences[i].text) in summary for i in indices])
            k = max(1, int(in_summary.sum()))
            terms = [sentences[i].terms for i in indices]
            for name, ranking in rankings.items():
                # Stable sort of the negated scores: ties go to the earlier sentence.
                top = np.argsort(-ranking(terms, central[indices]), kind="stable")[:k]
                found[name] += int(in_summary[top].sum())
            picks += k
    for name, count in found.items():
        print(f"in_article: ranking={name!r} in_reference={count / picks:.3f} picks={picks}")


if __name__ == "__main__":
    main()
