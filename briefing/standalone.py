"""Stand-alone: whether a sentence can be read without the sentences around it.

A brief quotes single sentences out of their articles. One that opens with "He said"
or "However," points back at text the reader does not have, a fragment or a cut-off
line reads as a mistake, and a headline or photo caption is not reporting. Such
sentences still shape the ranking; they are only never quoted.
"""

from __future__ import annotations

import re

MIN_WORDS = 6

# Words that point back at something said before, when they open a sentence.
ANAPHORIC_OPENERS = frozenset(
    """he she it they we i you this these those that such his her hers its their theirs
    them him us our ours your""".split()
)
# Words and phrases that link a sentence to the one before it.
CONNECTIVE_OPENERS = frozenset(
    """and but or nor so yet also then still thus hence therefore however meanwhile
    moreover furthermore nevertheless nonetheless besides instead otherwise likewise
    similarly consequently accordingly indeed additionally although though because
    whereas plus""".split()
)
CONNECTIVE_PHRASES = (
    "as a result",
    "as such",
    "as well",
    "at the same time",
    "by contrast",
    "despite this",
    "despite that",
    "even so",
    "for example",
    "for instance",
    "in addition",
    "in contrast",
    "in turn",
    "in that case",
    "on the other hand",
    "that said",
    "to that end",
    "after that",
    "because of this",
)

_OPENING_MARKS = "\"'“‘«([—–-… "
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_CAPTION = re.compile(
    r"^(?:photo|image|picture|pictured|caption|video|watch|graphic)\b\s*[:|-]"
    r"|\((?:photo|image|picture|pictured|file photo)\b"
    r"|\b(?:getty images|photo credit|photograph:)",
    re.IGNORECASE,
)
_CLOSING = "\"'”’»)]"
_TERMINAL = ".!?…"


def opening_words(text: str, count: int = 4) -> list[str]:
    """The first words of a sentence, lower-cased, past any opening quote or dash."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(text.lstrip(_OPENING_MARKS))][:count]


def opens_with_reference(text: str) -> bool:
    """True when the sentence opens with a pronoun or a connective."""
    words = opening_words(text)
    if not words:
        return False
    if words[0] in ANAPHORIC_OPENERS or words[0] in CONNECTIVE_OPENERS:
        return True
    start = " ".join(words)
    return any(start == p or start.startswith(p + " ") for p in CONNECTIVE_PHRASES)


def has_unmatched_quote(text: str) -> bool:
    """A quotation that opens or closes outside this sentence: half of a longer quote."""
    if text.count('"') % 2:
        return True
    return text.count("“") != text.count("”")


def looks_cut_off(text: str) -> bool:
    """A sentence without its end (or its start): no terminator, a lower-case or
    punctuation start, or a last word that cannot end a sentence."""
    core = text.rstrip().rstrip(_CLOSING)
    if not core or core[-1] not in _TERMINAL:
        return True
    first = text.lstrip(_OPENING_MARKS)[:1]
    if not first or first.islower() or first in ",;:":
        return True
    last = core.split()[-1].rstrip(_TERMINAL + _CLOSING + ",;:").lower()
    return last in _DANGLING_ENDINGS


_DANGLING_ENDINGS = frozenset(
    "the a an and or but of to with from by for in on at as that which who whose".split()
)


def is_caption(text: str) -> bool:
    return bool(_CAPTION.search(text))


def stands_alone(text: str, headlines: frozenset[str] = frozenset()) -> bool:
    """True when a sentence can be quoted on its own in a brief."""
    return not (
        len(text.split()) < MIN_WORDS
        or text.strip() in headlines
        or opens_with_reference(text)
        or has_unmatched_quote(text)
        or looks_cut_off(text)
        or is_caption(text)
    )
