"""How often the splitter cuts a reference-summary sentence out of its article exactly.

The bbc-dev reference summaries are sentences copied from the articles and glued
together, usually with no space (`...time.She said...`). A reference sentence ends at
such a join; where quote marks sit at a join, the article decides which side they
belong to. A sentence counts as an exact unit when one of the splitter's sentences for
that article is the same text (whitespace and edge quote marks aside).

    python bench/splitter.py [BBC_DEV_FOLDER] [--show N]
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field
from pathlib import Path

from briefing.ingest import parse_article
from briefing.segment import article_sentences

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "bbc-dev"
_JOIN = re.compile(r"(?<=[.!?])([\"'”’)]*)(?=[A-Z\"“‘£$(\[])")
_QUOTES = "\"'“”‘’"


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _unit(text: str) -> str:
    return _squeeze(text).strip(_QUOTES)


def reference_sentences(summary: str, article_text: str) -> list[str]:
    """Cut a glued summary at its joins; a join that the article itself prints is not one."""
    article = _squeeze(article_text)
    printed = re.sub(r"\s+", " ", article_text)
    pieces, start = [], 0
    for join in _JOIN.finditer(summary):
        a, b = join.start(), join.end()
        if a < start or summary[max(start, a - 12) : b + 12] in printed:
            continue
        fits = [c for c in range(b, a - 1, -1) if _squeeze(summary[start:c]) in article]
        balanced = [c for c in fits if summary[start:c].count('"') % 2 == 0]
        cut = (balanced or fits or [b])[0]
        pieces.append(summary[start:cut])
        start = cut
    pieces.append(summary[start:])
    return [p.strip() for p in pieces if _unit(p)]


@dataclass
class SplitterScore:
    exact: int = 0
    total: int = 0
    unverifiable: int = 0  # reference pieces that are not article text (dataset quirks)
    misses: list[tuple[str, str]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.exact / self.total if self.total else 0.0


def score_splitter(data: Path) -> SplitterScore:
    score = SplitterScore()
    for summary_path in sorted((data / "summaries").rglob("*.txt")):
        name = str(summary_path.relative_to(data / "summaries"))
        text = (data / "articles" / name).read_text(encoding="utf-8")
        article = parse_article(text, name, name)
        assert article is not None
        ours = {_unit(s) for s in article_sentences(article.paragraphs)}
        body = _squeeze(" ".join(article.paragraphs))
        for piece in reference_sentences(summary_path.read_text(encoding="utf-8"), text):
            if _squeeze(piece).strip('"') not in body:
                score.unverifiable += 1
                continue
            score.total += 1
            if _unit(piece) in ours:
                score.exact += 1
            else:
                score.misses.append((name, piece))
    return score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--show", type=int, default=10, help="misses to print")
    args = parser.parse_args()
    score = score_splitter(args.data)
    for name, piece in score.misses[: args.show]:
        print(f"miss {name}: {piece}")
    print(
        f"splitter: exact={score.exact} total={score.total} rate={score.rate:.4f} "
        f"unverifiable={score.unverifiable}"
    )


if __name__ == "__main__":
    main()
