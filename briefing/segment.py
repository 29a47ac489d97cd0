"""Segment: paragraphs into sentences, sentences into words and stems, all offline.

sumy's default Tokenizer needs NLTK data files, which are never downloaded at run
time. The splitter here is written for news text instead (titles such as `Mr.` and
`St.`, initials and acronyms such as `U.S.`, model names such as `Su-57`, quotes that
close a sentence, decimals), and `SumyTokenizer` hands it to sumy.

Words are compared as sumy compares them: its English stop words and the Snowball
English stemmer it takes from NLTK. Both come from lighter sources here, because
importing NLTK costs about a second: the stop words from sumy's own data file, the
stems from PyStemmer (the Snowball project's C stemmers), whose English algorithm
before version 3 gives NLTK's stems exactly and about ten times faster.
"""

from __future__ import annotations

import array
import itertools
import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import numpy as np
import Stemmer

from briefing.model import Article, Sentence, SentenceWords, sentences_in_rows
from briefing.progress import progress

LANGUAGE = "english"


def _sumy_stop_words() -> frozenset[str]:
    """sumy's English stop words, read as `sumy.utils.get_stop_words` reads them."""
    data = (
        resources.files("sumy")
        .joinpath("data", "stopwords", f"{LANGUAGE}.txt")
        .read_text(encoding="utf-8")
    )
    return frozenset(w.rstrip().lower() for w in data.splitlines() if w)


STOP_WORDS: frozenset[str] = _sumy_stop_words()
_STEMMER = Stemmer.Stemmer(LANGUAGE)

_TERMINATORS = ".!?…"
_CLOSERS = "\"'”’»)]"
_OPENERS = "\"'“‘«(["

# Words whose period never ends a sentence: titles before a name.
_NEVER_FINAL = frozenset(
    """mr mrs ms mx dr prof st sen rep gov gen lt col capt cpl sgt maj adm cmdr rev hon
    fr sr jr messrs mme mlle mt vs cf approx""".split()
)
# Words whose period does not end a sentence when a number follows: "No. 10", "Jan. 5".
_BEFORE_NUMBER = frozenset(
    "no nos vol vols pp p art fig figs jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
# Company suffixes: "Zulily Inc. (NASDAQ: ZU) dropped" goes on after the bracket; a
# capitalised word after them may start a new sentence ("... sold to Apple Inc. It ...").
_COMPANY_SUFFIXES = frozenset("inc corp ltd co llc plc bros".split())

# A candidate boundary: terminator(s), closing quotes/brackets, whitespace; the lookahead
# also captures the opening quotes and the word after it, so that each candidate costs
# one match and no second search from its end.
_CANDIDATE = re.compile(
    r"[.!?…]+[" + re.escape(_CLOSERS) + r"]*(?=\s+([" + re.escape(_OPENERS) + r"]*)(\S*))"
)
_INITIALS = re.compile(r"^(?:[A-Za-z]\.)+$")


def collapse_whitespace(text: str) -> str:
    """Runs of whitespace (including no-break spaces) become one space."""
    return " ".join(text.split())


def _starts_sentence(opener: str, word: str) -> bool:
    if not word:
        return False
    first = word[0]
    if first.isupper() or first.isdigit() or first in "£$€¥":
        return True
    # eBay, iPhone: a lower-case brand that still starts a sentence.
    if first.islower() and any(c.isupper() for c in word[1:3]):
        return True
    return bool(opener) and first.isalpha() and first.isupper()


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    mark, opener, word = match.group(0, 1, 2)
    if not _starts_sentence(opener, word):
        return False
    if not mark.startswith("."):
        return True
    # The text's only white space is single spaces (see split_sentences).
    token = text[text.rfind(" ", 0, match.start()) + 1 : match.start()].lstrip(_OPENERS)
    abbreviation = token.lower().rstrip(".")
    if len(mark) == 1 and (
        abbreviation in _NEVER_FINAL
        or (abbreviation in _BEFORE_NUMBER and word[0].isdigit())
        or (abbreviation in _COMPANY_SUFFIXES and opener.startswith("("))
    ):
        return False
    # (Initials and a final dot pair up letters and dots: an even length, so an odd token.)
    if len(mark) == 1 and len(token) % 2 == 1 and _INITIALS.match(token + "."):
        # "George W. Bush", "the U.S. Senate": only a common word after it starts a sentence.
        bare = word.strip(_CLOSERS + ",;:").lower()
        return bare in STOP_WORDS
    return True


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph, verbatim except for collapsed whitespace."""
    return _split_collapsed(collapse_whitespace(paragraph))


def _split_collapsed(text: str) -> list[str]:
    """`split_sentences` of a paragraph whose whitespace is collapsed already."""
    sentences: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(text):
        if _is_boundary(text, match):
            sentences.append(text[start : match.end()].strip())
            start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return [s for s in sentences if s]


def is_sentence(text: str) -> bool:
    """A sentence ends in . ! ? (perhaps inside quotes); headlines and credits do not."""
    core = text.rstrip().rstrip(_CLOSERS)
    return bool(core) and core[-1] in _TERMINATORS


_CHUNK = re.compile(r"[^\W_]+(?:['’][^\W_]+)*(?:-[^\W_]+(?:['’][^\W_]+)*)*")
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)


# Memo sizes: a day's news repeats its words, so each word is analysed once; the bound
# only keeps a very long run from holding every word it has ever seen.
_MEMO = 1 << 20


@lru_cache(maxsize=_MEMO)
def _chunk_words(chunk: str) -> tuple[str, ...]:
    parts = [chunk] if "-" not in chunk or any(c.isdigit() for c in chunk) else chunk.split("-")
    words = (_POSSESSIVE.sub("", part) for part in parts)
    return tuple(w for w in words if any(c.isalpha() for c in w))


def tokenize_words(sentence: str) -> list[str]:
    """Words of a sentence, as written.

    Hyphenated words split into their parts (`de-escalation`), except model names
    that carry a number (`Su-57`, `S-400`), which are one word. Possessive `'s` is
    dropped; tokens without a letter (plain numbers) are not words.
    """
    return [word for chunk in _CHUNK.findall(sentence) for word in _chunk_words(chunk)]


def _folded(word: str) -> str:
    return word.lower().replace("’", "'")


def stem(word: str) -> str:
    """The Snowball English stem of a word, lower-cased; equal to sumy's stem."""
    return _stem_folded(_folded(word))


@lru_cache(maxsize=_MEMO)
def _stem_folded(word: str) -> str:
    return _STEMMER.stemWord(word)


def is_stop_word(word: str) -> bool:
    return _folded(word) in STOP_WORDS


def content_stems(words: Iterable[str]) -> tuple[str, ...]:
    """The stems TextRank compares: stop words out, duplicates kept (as sumy does)."""
    return tuple(stem(w) for w in words if not is_stop_word(w))


class WordAnalyser:
    """Stems sentences, remembering what each token of text (a word with its hyphens,
    apostrophes and punctuation) stems to, and its content words' stems. A day's text is
    mostly tokens seen before, and one look-up per token is most of what analysing a
    sentence costs; one analyser lives as long as one brief's segmentation, so nothing
    is kept between briefs."""

    def __init__(self, memo: int = _MEMO) -> None:
        self._memo = memo
        self._stems: dict[str, tuple[str, ...]] = {}
        self._terms: dict[str, tuple[str, ...]] = {}
        # `numbered`: each token's stems as places in `vocabulary`, and which are terms.
        self._ids: dict[str, bytes] = {}
        self._content: dict[str, bytes] = {}
        self._places: dict[str, int] = {}

    def _learn(self, tokens: Iterable[str]) -> None:
        for token in tokens:
            folded = [_folded(w) for chunk in _CHUNK.findall(token) for w in _chunk_words(chunk)]
            stems = tuple(_STEMMER.stemWords(folded))
            self._stems[token] = stems
            self._terms[token] = tuple(
                [s for s, w in zip(stems, folded, strict=True) if w not in STOP_WORDS]
            )

    def stems(self, sentence: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The stems of every word of a sentence, and those of its content words.

        Memoised per whitespace token ("Moscow," with its comma): no word chunk spans
        white space, so a sentence's chunks are its tokens' chunks in turn, and
        `str.split` finds the tokens far faster than the chunk pattern scans the text."""
        tokens = sentence.split()
        try:  # most sentences: every token seen before, and no set of them is needed
            stems = tuple(itertools.chain.from_iterable(map(self._stems.__getitem__, tokens)))
        except KeyError:
            new = set(tokens).difference(self._stems)
            if len(self._stems) + len(new) > self._memo:  # a very long run: start afresh
                self._stems.clear()
                self._terms.clear()
                new = set(tokens)
            self._learn(new)
            stems = tuple(itertools.chain.from_iterable(map(self._stems.__getitem__, tokens)))
        terms = tuple(itertools.chain.from_iterable(map(self._terms.__getitem__, tokens)))
        return stems, terms

    @property
    def vocabulary(self) -> tuple[str, ...]:
        """The stems `numbered` has numbered, in the order it met them."""
        return tuple(self._places)

    def _number(self, tokens: Iterable[str]) -> None:
        places = self._places
        for token in tokens:
            folded = [_folded(w) for chunk in _CHUNK.findall(token) for w in _chunk_words(chunk)]
            ids = [places.setdefault(s, len(places)) for s in _STEMMER.stemWords(folded)]
            self._ids[token] = array.array("i", ids).tobytes()
            self._content[token] = bytes([w not in STOP_WORDS for w in folded])

    def numbered(self, sentence: str) -> tuple[bytes, bytes, int]:
        """`stems`, as places in `vocabulary` (native int32s), a byte per stem (1 where
        it is a term, the stem of a content word), and the sentence's number of
        whitespace tokens. The same memo per token, with each token's numbers kept as
        bytes: a sentence's are its tokens' joined."""
        tokens = sentence.split()
        try:
            ids = b"".join(map(self._ids.__getitem__, tokens))
        except KeyError:
            # New tokens in the sentence's order: the vocabulary's order is the text's.
            new = [t for t in dict.fromkeys(tokens) if t not in self._ids]
            if len(self._ids) + len(new) > self._memo:  # a very long run: start afresh
                self._ids.clear()  # (the vocabulary stays: numbers given keep their stems)
                self._content.clear()
                new = list(dict.fromkeys(tokens))
            self._number(new)
            ids = b"".join(map(self._ids.__getitem__, tokens))
        return ids, b"".join(map(self._content.__getitem__, tokens)), len(tokens)


def sentence_stems(sentence: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The stems of every word of one sentence, and those of its content words."""
    return WordAnalyser().stems(sentence)


def forget_words() -> None:
    """Empty the word-level memos (for benchmarks that time word analysis from scratch)."""
    _chunk_words.cache_clear()
    _stem_folded.cache_clear()


class SumyTokenizer:
    """Stands in for `sumy.nlp.tokenizers.Tokenizer`, which needs NLTK data."""

    language = LANGUAGE

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(split_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(tokenize_words(sentence))


def join_broken_paragraphs(paragraphs: Iterable[str]) -> list[str]:
    """Mend paragraphs cut mid-sentence: one that ends without a terminator and a next
    one that opens in lower case (or with a comma) are one sentence on the page."""
    mended: list[str] = []
    for paragraph in paragraphs:
        text = collapse_whitespace(paragraph)
        if not text:
            continue
        if mended and not is_sentence(mended[-1]) and (text[0].islower() or text[0] in ",;"):
            mended[-1] = f"{mended[-1]} {text}"
        else:
            mended.append(text)
    return mended


def article_sentences(paragraphs: Iterable[str]) -> list[str]:
    """Every sentence-like piece of an article body, in order (headlines included)."""
    # The mended paragraphs are collapsed: split them without collapsing them again.
    return [s for p in join_broken_paragraphs(paragraphs) for s in _split_collapsed(p)]


class SentenceColumns(NamedTuple):
    """A part's sentences as columns, before they are made into `Sentence`s (a helper
    sends them so: columns pickle in a fraction of the time objects take)."""

    texts: list[str]
    articles: np.ndarray  # int64: each sentence's article
    positions: np.ndarray  # int64: its place in its article
    words: SentenceWords  # sentence i's stems are its row i

    def sentences(self) -> list[Sentence]:
        articles, positions = self.articles.tolist(), self.positions.tolist()
        return sentences_in_rows(self.texts, articles, positions, self.words)

    def kept(self, rows: np.ndarray, numbers: np.ndarray) -> SentenceColumns:
        """The sentences of `rows` (a bool per sentence), their articles renumbered by
        `numbers` (the new number of each article): the columns segmenting only those
        sentences' articles would give (`keep_words`)."""
        if rows.all():
            return self._replace(articles=numbers[self.articles])
        texts = list(itertools.compress(self.texts, rows.tolist()))
        articles = numbers[self.articles[rows]]
        return SentenceColumns(texts, articles, self.positions[rows], keep_words(self.words, rows))


def keep_words(words: SentenceWords, rows: np.ndarray) -> SentenceWords:
    """The stems of the sentences of `rows` (a bool per sentence), numbered as segmenting
    those sentences alone numbers them: by first appearance (`WordAnalyser` numbers a
    stem when it first meets it in the text)."""
    from briefing.rank import first_appearances, runs

    chosen = np.flatnonzero(rows)
    lengths = words.starts[chosen + 1] - words.starts[chosen]
    places = runs(words.starts[chosen], lengths)
    ids = words.ids[places]
    order = first_appearances(ids, len(words.vocabulary))
    place = np.zeros(len(words.vocabulary), dtype=np.int32)
    place[order] = np.arange(len(order), dtype=np.int32)
    starts = np.zeros(len(chosen) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    return SentenceWords(
        vocabulary=tuple(words.vocabulary[i] for i in order.tolist()),
        ids=place[ids],
        starts=starts,
        content=words.content[places],
        tokens=words.tokens[chosen],
    )


def segment_articles(articles: list[Article], *, start: int = 0) -> list[Sentence]:
    """Body sentences of every article, in article order. Titles are not sentences.
    Articles are numbered from `start` (a part's place in the whole list). The
    sentences' stems are kept in one `SentenceWords` they share."""
    return segment_columns(articles, start=start).sentences()


def segment_columns(
    articles: list[Article], *, start: int = 0, words: WordAnalyser | None = None
) -> SentenceColumns:
    """`segment_articles`, as columns. `words`: an analyser that has analysed other text
    before (its memo saves looking those words up again); the stems are then numbered
    as a new analyser would number them."""
    shared = words is not None
    texts: list[str] = []
    of_article: list[int] = []
    positions: list[int] = []
    lengths: list[int] = []
    ids = bytearray()  # native int32s
    content = bytearray()
    starts = [0]
    numbered = progress(
        enumerate(articles, start), total=len(articles), description="splitting", unit="article"
    )
    words = words or WordAnalyser()
    for index, article in numbered:
        position = 0
        for text in article_sentences(article.paragraphs):
            if not is_sentence(text):
                continue
            stems, terms, length = words.numbered(text)
            if not stems:
                continue
            texts.append(text)
            lengths.append(length)
            of_article.append(index)
            positions.append(position)
            ids += stems
            content += terms
            starts.append(len(content))
            position += 1
    found = SentenceWords(
        vocabulary=words.vocabulary,
        ids=np.frombuffer(ids, dtype=np.int32) if ids else np.zeros(0, dtype=np.int32),
        starts=np.array(starts, dtype=np.int64),
        content=np.frombuffer(content, dtype=bool) if content else np.zeros(0, dtype=bool),
        tokens=np.array(lengths, dtype=np.int32),
    )
    if shared:  # only these sentences' stems, numbered by first appearance among them
        found = keep_words(found, np.ones(len(texts), dtype=bool))
    return SentenceColumns(
        texts, np.array(of_article, dtype=np.int64), np.array(positions, dtype=np.int64), found
    )
