"""Generate a large news corpus with bbc-dev's vocabulary and sentence lengths.

Each generated article copies the shape of one bbc-dev article (cycling through all
200, so the five categories stay evenly mixed): the same number of paragraphs, the
same number of sentences per paragraph and the same number of words per sentence.
The words come from a bigram chain trained on that article's category, so the
vocabulary, word frequencies and topical mix are bbc-dev's, while every sentence is
new text. No sentence is printed twice, and random walks share few words, so
near-duplicate grouping cannot shrink the corpus.

    python bench/corpus.py OUT_DIR --articles 2000 [--seed 0]
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
from dataclasses import dataclass
from pathlib import Path

from briefing.ingest import parse_article
from briefing.segment import article_sentences, is_sentence

BBC_DEV = Path(__file__).resolve().parent.parent / "tests" / "data" / "bbc-dev" / "articles"
_EDGE = "\"'“”‘’()[]"
_END = ".!?…" + _EDGE


@dataclass(frozen=True)
class Template:
    """The shape of one bbc-dev article: words per title, and per sentence per paragraph."""

    category: str
    title_words: int
    paragraphs: tuple[tuple[int, ...], ...]


class BigramChain:
    """Successor lists of one category's words; repeats keep the corpus frequencies."""

    def __init__(self) -> None:
        self.starts: list[str] = []
        self.following: dict[str, list[str]] = {}
        self.words: list[str] = []

    def learn(self, words: list[str]) -> None:
        if not words:
            return
        self.starts.append(words[0])
        self.words.extend(words)
        for current, after in itertools.pairwise(words):
            self.following.setdefault(current, []).append(after)

    def walk(self, rng: random.Random, length: int) -> list[str]:
        words = [rng.choice(self.starts)]
        while len(words) < length:
            options = self.following.get(words[-1]) or self.words
            words.append(rng.choice(options))
        return words


def words_of(sentence: str) -> list[str]:
    """Whitespace tokens without quotes, brackets or sentence terminators at their edges,
    so a generated sentence has exactly one end: the full stop added after its last word."""
    tokens = (
        re.sub(r"[.!?…]+(?=[,;:]?$)", "", t.strip(_EDGE)).strip(_EDGE) for t in sentence.split()
    )
    return [t for t in tokens if t and re.search(r"\w", t)]


def learn_bbc_dev(data: Path = BBC_DEV) -> tuple[list[Template], dict[str, BigramChain]]:
    templates: list[Template] = []
    chains: dict[str, BigramChain] = {}
    for path in sorted(data.rglob("*.txt")):
        category = path.parent.name
        article = parse_article(path.read_text(encoding="utf-8"), path.stem, str(path))
        if article is None:
            continue
        chain = chains.setdefault(category, BigramChain())
        shape = []
        for paragraph in article.paragraphs:
            lengths = []
            for sentence in article_sentences([paragraph]):
                words = words_of(sentence)
                if is_sentence(sentence) and words:
                    chain.learn(words)
                    lengths.append(len(words))
            if lengths:
                shape.append(tuple(lengths))
        title_words = max(len(words_of(article.title)), 1)
        templates.append(Template(category, title_words, tuple(shape)))
    return templates, chains


def _capitalised(words: list[str]) -> str:
    text = " ".join(words).rstrip(",;:")
    return text[0].upper() + text[1:]


def generate_corpus(out: Path, articles: int, seed: int = 0) -> int:
    """Write `articles` files into `out` (created); returns the number of body sentences."""
    templates, chains = learn_bbc_dev()
    rng = random.Random(seed)
    seen: set[str] = set()
    out.mkdir(parents=True, exist_ok=True)
    sentences = 0
    width = len(str(articles))

    def unique_sentence(chain: BigramChain, length: int) -> str:
        while True:
            text = _capitalised(chain.walk(rng, length)) + "."
            if text not in seen:
                seen.add(text)
                return text
            length += 1  # all short walks taken: one word longer still fits the shape

    for number in range(articles):
        template = templates[number % len(templates)]
        chain = chains[template.category]
        title = _capitalised(chain.walk(rng, template.title_words))
        paragraphs = [
            " ".join(unique_sentence(chain, length) for length in shape)
            for shape in template.paragraphs
        ]
        sentences += sum(len(shape) for shape in template.paragraphs)
        name = f"{number:0{width}d}_{template.category}.txt"
        (out / name).write_text("\n\n".join([title, *paragraphs]) + "\n", encoding="utf-8")
    return sentences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sentences = generate_corpus(args.out, args.articles, args.seed)
    print(f"corpus: articles={args.articles} sentences={sentences} out={args.out}")


if __name__ == "__main__":
    main()
