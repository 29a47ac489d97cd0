"""Timeline (`--timeline`): per topic, the dated events its sentences state, in date order.

Only dates a sentence states plainly are taken, and each is resolved against its article's
publication time: a full date ("27 August 2019", "August 27, 2019", "2019-08-27"); a day
of a month ("on August 27": the latest such day on or before publication, within a year);
a weekday ("on Tuesday": the latest one on or before publication); "yesterday" and
"today". A sentence whose article states no publication time gives only its full dates.
The sentence is quoted verbatim, as every item is; nothing is inferred from "last month"
or "next week", which name no day.
"""

from __future__ import annotations

import datetime as dt
import re

from briefing.model import Article, Brief, Ranking, Sentence, TimelineEvent
from briefing.standalone import stands_alone

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    name: number
    for number, name in enumerate(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    )
}
# Month and weekday names count only capitalised, as dates are written ("may" is a verb).
_MONTH = (
    r"(?P<month>" + "|".join(m.title() for m in sorted(MONTHS, key=len, reverse=True)) + r")\.?"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_ISO = re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b")
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?:,?\s+{_YEAR}\b)?")
_DAY_MONTH = re.compile(rf"\b{_DAY}\s+{_MONTH}\b(?:,?\s+{_YEAR}\b)?")
_WEEKDAY = re.compile(r"\b[Oo]n\s+(?P<weekday>" + "|".join(w.title() for w in WEEKDAYS) + r")\b")
_RELATIVE = re.compile(r"\b(?P<word>yesterday|today)\b", re.IGNORECASE)
EVENTS_PER_TOPIC = 8


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _before(published: dt.date, month: int, day: int) -> dt.date | None:
    """The latest `month`/`day` on or before the publication day, within a year."""
    this_year = _make(published.year, month, day)
    if this_year is not None and this_year <= published:
        return this_year
    return _make(published.year - 1, month, day)


def event_date(text: str, published: dt.datetime | None) -> dt.date | None:
    """The first date a sentence states plainly, resolved against its publication."""
    day_of = published.date() if published is not None else None
    found: list[tuple[int, dt.date]] = []
    for match in _ISO.finditer(text):
        date = _make(int(match["year"]), int(match["month"]), int(match["day"]))
        if date is not None:
            found.append((match.start(), date))
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        for match in pattern.finditer(text):
            month, day = MONTHS[match["month"].lower()], int(match["day"])
            if match["year"]:
                date = _make(int(match["year"]), month, day)
            elif day_of is not None:
                date = _before(day_of, month, day)
            else:
                date = None
            if date is not None:
                found.append((match.start(), date))
    if day_of is not None:
        for match in _WEEKDAY.finditer(text):
            back = (day_of.weekday() - WEEKDAYS[match["weekday"].lower()]) % 7
            found.append((match.start(), day_of - dt.timedelta(days=back)))
        for match in _RELATIVE.finditer(text):
            back = 1 if match["word"].lower() == "yesterday" else 0
            found.append((match.start(), day_of - dt.timedelta(days=back)))
    return min(found)[1] if found else None


def build_timeline(
    brief: Brief, articles: list[Article], sentences: list[Sentence], ranking: Ranking
) -> tuple[tuple[TimelineEvent, ...], ...]:
    """Per section, its dated events: the best-ranked sentences of its topic that state a
    date and stand alone, one per date and text, at most EVENTS_PER_TOPIC, in date order
    (ties: the better-ranked first)."""
    timeline = []
    for number, _section in enumerate(brief.sections):
        pool, scores = ranking.pools[number], ranking.topic_scores[number]
        candidates: list[tuple[float, int, dt.date]] = []
        for position, index in enumerate(pool):
            sentence = sentences[index]
            date = event_date(sentence.text, articles[sentence.article].published)
            if date is not None and stands_alone(sentence.text):
                candidates.append((-float(scores[position]), index, date))
        chosen: list[TimelineEvent] = []
        seen: set[tuple[dt.date, str]] = set()
        for _, index, date in sorted(candidates):
            key = (date, " ".join(sentences[index].terms))
            if key in seen:
                continue
            seen.add(key)
            chosen.append(
                TimelineEvent(
                    date=date, text=sentences[index].text, source=sentences[index].article
                )
            )
            if len(chosen) == EVENTS_PER_TOPIC:
                break
        timeline.append(tuple(sorted(chosen, key=lambda e: e.date)))
    return tuple(timeline)
