"""Stand-alone: whether a sentence can be read without the sentences around it.

A brief quotes single sentences out of their articles. One that opens with "He said"
or "However," points back at text the reader does not have, a fragment or a cut-off
line reads as a mistake, and a headline or photo caption is not reporting. Nor is what
a page prints around the story: a teaser cut off with "…", a live-blog time stamp, a
correction or editor's note, an aside in brackets, a newsletter, cookie, comment-policy
or copyright notice, a promotion, a stock-ticker line. Such sentences still shape the
ranking; they are only never quoted. The rules are about the shape of the text, never
about a site.
"""

from __future__ import annotations

import re

MIN_WORDS = 6

# Words that point back at something said before, when they open a sentence.
ANAPHORIC_OPENERS = frozenset(
    """he she it they we i you this these those that such his her hers its their theirs
    them him us our ours your that's""".split()
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
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_CAPTION = re.compile(
    r"^(?:photo|image|picture|pictured|caption|video|watch|graphic)s?\s*(?:[:|]|[-–—]\s)"
    r"|\((?:photo|image|picture|pictured|file photo)\b"
    r"|\b(?:getty images|photo credit|photograph:|image copyright|image caption|ap photo)"
    r"|\b(?:file|handout|undated|aerial|courtesy|pool|contributed|submitted)"
    r" (?:photo|photograph|image|picture)\b"
    r"|\b(?:photo|photograph|image|picture)s? (?:provided|released|distributed) by\b"
    r"|\bin this (?:[\w,.'’-]+ ){0,6}(?:photo|photograph|image|picture|handout|video|frame"
    r"|screenshot|screen grab|still)\b"
    r"|\(pictured\b|\bpictured (?:above|below|left|right|here)\b"
    # The credit of a wire photo, as pages print it against the text: "Name/REUTERS".
    r"|[a-z]/(?-i:REUTERS|AFP|AP|EPA|GETTY|Getty|Reuters|Bloomberg|Shutterstock)"
    # The dateline of a wire photo: "…, Wednesday, April 29, 2015, in Baltimore."
    rf"|\b{_WEEKDAY},? {_MONTH} \d{{1,2}}, (?:1[89]|20)\d\d\b",
    re.IGNORECASE,
)
_CLOSING = "\"'”’»)]"
_TERMINAL = ".!?…"
# A stamp a live blog or an editor puts before the text: "[Updated 8:55 a.m. PST, Nov. 19:",
# "Update, 3:45 p.m.:", "Correction:", "Editor's note:", "10:14am:".
_STAMP = re.compile(
    r"^[\[(]?\s*(?:"
    r"(?:update[ds]?|correction|clarification|editor'?s'?\s+note|editors\s+note"
    r"|note\s+to\s+readers|note)\b\s*(?:[,:;\-–—]|at\b|on\b|\d)"
    r"|\d{1,2}:\d\d\b"
    r"|\d{1,2}(?:[:.]\d\d)?\s*[ap]\.?m\b\.?\s*[:\-–—]"
    r")",
    re.IGNORECASE,
)
# What the page prints around the story: calls to click, sign up or subscribe, cookie,
# comment-policy and copyright notices, promotions of the outlet's own products.
_BOILERPLATE = re.compile(
    r"\bclick (?:here|the link|below)|\btap here\b"
    r"|^(?:sign(?:ing)? up|subscribe|follow us|like us on|download (?:our|the)"
    r"|don'?t miss|never miss|to get the full story|get (?:our|the latest|breaking)"
    r"|breaking news e-?mails)\b|\bget breaking news\b"
    r"|\b(?:sign up|subscribe) (?:for|to) (?:our|the)\b[^.!?]{0,40}\bnewsletters?\b"
    r"|\bnewsletters?\b[^.!?]{0,60}\b(?:sign up|subscribe|inbox)\b"
    r"|\b(?:we|this (?:site|website|page)) uses? cookies\b|\bcookie (?:policy|settings)\b"
    r"|\bby (?:using|continuing to use|signing up)\b[^.!?]{0,40}\b(?:site|website|agree)\b"
    r"|\bcomments? (?:are|is|will be) (?:moderated|closed|reviewed|subject)\b"
    r"|\b(?:comment(?:ing)? policy|community (?:guidelines|standards))\b"
    r"|\ball rights reserved\b|^(?:©|\(c\) ?\d{4}|copyright\b)"
    r"|\bthis material may not be (?:published|reproduced)\b"
    r"|\bcontributed (?:reporting )?to this (?:report|story|article)\b"
    r"|^follow\b[^.!?]{0,60}\bon (?:twitter|facebook|instagram|linkedin)\b"
    r"|\b(?:article|story|post|piece) (?:was )?originally (?:appeared|published)\b"
    r"|\b(?:brand-new|free|special|exclusive) (?:research )?report (?:that )?reveals\b"
    r"|\bcompletely free\b",
    re.IGNORECASE,
)
# A token that is a figure: a digit and no letter ("+1.25%", "1,234.5", "2-1"), found with
# two searches (`^[^A-Za-z]*\d[^A-Za-z]*$` is quadratic in a long run of digits).
_LETTER = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"\d")
_DIGIT_RUN = re.compile(r"\d+")
TICKER_SHARE = 0.3


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
    """A photo caption or credit: a caption marker, a wire photo's credit or dateline."""
    return bool(_CAPTION.search(text))


def is_teaser(text: str) -> bool:
    """Cut off by the page with "…" or "...": a teaser, or a caption shortened to fit."""
    core = text.rstrip().rstrip(_CLOSING).rstrip()
    return core.endswith(("…", ".."))


def is_stamp(text: str) -> bool:
    """Opens with a live-blog time stamp, an update stamp, a correction or an editor's note."""
    return bool(_STAMP.match(text.lstrip()))


def is_aside(text: str) -> bool:
    """A whole sentence in brackets: "(Hey, we wrote about that too.)", "(Read more: …)"."""
    core = text.strip().rstrip(".")
    if not core.startswith(("(", "[")):
        return False
    depth = 0
    for position, char in enumerate(core):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if depth == 0:
            return position == len(core) - 1
    return False


def is_boilerplate(text: str) -> bool:
    """A notice the page prints around the story: sign-up, cookies, comments, copyright,
    a promotion that invites clicking or subscribing."""
    return bool(_BOILERPLATE.search(text.lstrip(_OPENING_MARKS)))


def mostly_figures(text: str, share: float, at_least: int = 1) -> bool:
    """More than `share` of the text's whitespace tokens are figures, and `at_least` of them."""
    tokens = text.split()
    needed = max(at_least, int(share * len(tokens)) + 1)
    # Every figure holds a run of digits: text with fewer runs than needed (most prose) is
    # decided without looking at each token.
    if len(_DIGIT_RUN.findall(text)) < needed:
        return False
    figures = sum(1 for token in tokens if _LETTER.search(token) is None and _DIGIT.search(token))
    return figures >= needed


def is_ticker(text: str) -> bool:
    """A stock-ticker or widget line: more than 30% of its tokens are figures."""
    return mostly_figures(text, TICKER_SHARE)


def is_page_furniture(text: str) -> bool:
    """Text a page prints around the story rather than the story itself."""
    return (
        is_caption(text)
        or is_teaser(text)
        or is_stamp(text)
        or is_aside(text)
        or is_boilerplate(text)
        or is_ticker(text)
    )


def stands_alone(text: str, headlines: frozenset[str] = frozenset()) -> bool:
    """True when a sentence can be quoted on its own in a brief."""
    return not (
        len(text.split()) < MIN_WORDS
        or text.strip() in headlines
        or opens_with_reference(text)
        or has_unmatched_quote(text)
        or looks_cut_off(text)
        or is_page_furniture(text)
    )
