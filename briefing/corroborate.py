"""Corroborate: whether another source's sentence states the same fact as a quoted one.

Near-duplicate detection (compose's `NearDuplicates`) is deliberately loose: it finds the
sentences a fact could hide in, so the brief never tells a fact twice. Citing a further
source is a stronger claim, that the source reports the same fact, so each retelling is
checked against the quoted sentence itself:

- the same figures: amounts, counts, percentages, dates and times; a sentence with other
  figures ("volume was 31% below its average of 2.1m shares" against "... 12% below ...
  1.4m shares") is another fact, however alike the words;
- the same named actors: each run of capitalised words in the retelling has its head word
  in the quoted sentence ("President Vladimir Putin" and "Putin" agree), so a template
  sentence about another company is another fact; the retelling may leave out one actor
  of the quoted sentence (the setting of a quote: "..., Putin told a briefing with
  Erdogan") only when it carries nearly all of its content;
- most of the quoted sentence's content: a retelling that carries one clause of a long
  sentence does not corroborate the whole of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefing.segment import is_stop_word, stem, tokenize_words

CONTENT_COVERAGE = 0.7  # share of the quoted sentence's content stems a retelling must carry
NEARLY_ALL = 0.8  # ... and the share that lets it leave out one of the quoted sentence's actors

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Counts written as words ("one of the ..." is seldom a count). They are kept as written:
# "six million" and "6 million" may well be one figure, but a citation must not guess.
_SPELLED = frozenset("two three four five six seven eight nine ten eleven twelve".split())
_SCALES = frozenset("dozen hundred thousand million billion trillion half".split())
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*(?:-[^\W_]+)*")
_OPENING = "\"'“‘«([—–- "


@dataclass(frozen=True)
class Verdict:
    """Whether a retelling corroborates the quoted sentence, and why (for `--explain`)."""

    cited: bool
    reason: str


def figures(text: str) -> frozenset[str]:
    """The figures a sentence states: its numbers (thousands separators aside), small
    counts written as words, and scale words (million)."""
    found = {n.replace(",", "") for n in _NUMBER.findall(text)}
    found.update(w for w in _WORD.findall(text.lower()) if w in _SPELLED or w in _SCALES)
    return frozenset(found)


def named_actors(text: str) -> frozenset[str]:
    """Stems of the head words of the sentence's runs of capitalised words (its people,
    places and organisations), the sentence's first word left out: capitals there say
    nothing. The head of a run is its last word ("Vladimir Putin" -> "putin")."""
    words = _WORD.findall(text.lstrip(_OPENING))
    heads: set[str] = set()
    run: list[str] = []
    for position, word in enumerate([*words, ""]):
        if position > 0 and word[:1].isupper():
            run.append(word)
            continue
        if run:
            heads.add(stem(_spelled_alike(run[-1])))
            run = []
    return frozenset(heads)


# British and American spellings of one word ("neutralise", "neutralize"): outlets retell
# wire copy in their house style, and it is still the same fact.
_SPELLINGS = (
    (re.compile(r"is(e|es|ed|ing|ation|ations)$"), r"iz\1"),
    (re.compile(r"ys(e|es|ed|ing)$"), r"yz\1"),
    (re.compile(r"(?<=\w\w\w)our(s|ed|ing|ite|ites)?$"), r"or\1"),
    (re.compile(r"(?<=\w\w)tre(s)?$"), r"ter\1"),
)


def _spelled_alike(word: str) -> str:
    folded = word.lower()
    for pattern, replacement in _SPELLINGS:
        folded = pattern.sub(replacement, folded)
    return folded


def _stems(text: str) -> frozenset[str]:
    return frozenset(stem(_spelled_alike(w)) for w in tokenize_words(text))


def _content(text: str) -> frozenset[str]:
    return frozenset(stem(_spelled_alike(w)) for w in tokenize_words(text) if not is_stop_word(w))


def corroborates(quoted: str, retelling: str) -> Verdict:
    """Whether `retelling` (another source's sentence) states the fact `quoted` states."""
    quoted_figures, retold_figures = figures(quoted), figures(retelling)
    if quoted_figures != retold_figures:
        missing = sorted(quoted_figures - retold_figures)
        extra = sorted(retold_figures - quoted_figures)
        detail = "; ".join(
            part
            for part in (
                f"lacks {', '.join(missing)}" if missing else "",
                f"adds {', '.join(extra)}" if extra else "",
            )
            if part
        )
        return Verdict(False, f"other figures ({detail})")
    quoted_words, retold_words = _stems(quoted), _stems(retelling)
    others = sorted(named_actors(retelling) - quoted_words)
    if others:
        return Verdict(False, f"other actors ({', '.join(others)})")
    content = _content(quoted)
    if not content:
        return Verdict(False, "no content to compare")
    carried = len(content & _content(retelling)) / len(content)
    if carried < CONTENT_COVERAGE:
        return Verdict(False, f"carries {carried:.0%} of the item's content, part of the fact")
    left_out = sorted(named_actors(quoted) - retold_words)
    if len(left_out) > 1 or (left_out and carried < NEARLY_ALL):
        return Verdict(False, f"leaves out actors ({', '.join(left_out)})")
    figures_note = "same figures" if quoted_figures else "no figures"
    actors_note = f"all actors but {left_out[0]}" if left_out else "same actors"
    return Verdict(True, f"{figures_note}, {actors_note}, {carried:.0%} of the item's content")
