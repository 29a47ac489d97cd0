"""History: what earlier briefs reported, in a small SQLite file, so the next brief can
say what is new (`--history PATH`, or `history` in the job's config).

Each brief records its items' facts (the quoted sentence's content stems, its outlets, its
story) and its stories (label, articles, when first reported), one transaction per brief:
building the same date again replaces that date's rows, and a killed write leaves the
file as it was.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from briefing.model import Brief, History, PastFact, PastStory
from briefing.store import open_store, transaction

# schema version -> the statements that reach it (`briefing.store` migrates)
_MIGRATIONS = {
    1: (
        "CREATE TABLE facts (date TEXT NOT NULL, story TEXT NOT NULL, "
        "first_reported TEXT NOT NULL, outlets INTEGER NOT NULL, terms TEXT NOT NULL, "
        "text TEXT NOT NULL)",
        "CREATE INDEX facts_by_date ON facts (date)",
        "CREATE TABLE stories (date TEXT NOT NULL, story TEXT NOT NULL, "
        "first_reported TEXT NOT NULL, label TEXT NOT NULL, articles TEXT NOT NULL)",
        "CREATE INDEX stories_by_date ON stories (date)",
    )
}


def read_history(path: Path, date: dt.date, days: int) -> History:
    """The facts and stories of the briefs dated in the `days` before `date` (a brief of
    `date` itself, built earlier, is what is being replaced, so it is not read)."""
    if not path.exists():
        return History()
    start = (date - dt.timedelta(days=days)).isoformat()
    with open_store(path, "history", _MIGRATIONS, create=False) as db:
        facts = db.execute(
            "SELECT date, story, first_reported, outlets, terms, text FROM facts "
            "WHERE date >= ? AND date < ? ORDER BY date, rowid",
            (start, date.isoformat()),
        ).fetchall()
        stories = db.execute(
            "SELECT story, MIN(first_reported), label, articles FROM stories "
            "WHERE date < ? GROUP BY story, articles ORDER BY MIN(date), story",
            (date.isoformat(),),
        ).fetchall()
    return History(
        facts=tuple(
            PastFact(
                date=dt.date.fromisoformat(d),
                story=story,
                first_reported=dt.date.fromisoformat(first),
                outlets=outlets,
                terms=tuple(terms.split()),
                text=text,
            )
            for d, story, first, outlets, terms, text in facts
        ),
        stories=tuple(
            PastStory(
                key=story,
                first_reported=dt.date.fromisoformat(first),
                label=label,
                articles=tuple(articles.split("\n")) if articles else (),
            )
            for story, first, label, articles in stories
        ),
    )


def record_brief(path: Path, brief: Brief) -> None:
    """Record what `brief` reported (its date's earlier record replaced), in one
    transaction."""
    date = brief.date.isoformat()
    facts = []
    for section in brief.sections:
        for item in section.items:
            facts.append(
                (
                    date,
                    item.story,
                    (item.first_reported or brief.date).isoformat(),
                    item.outlets,
                    " ".join(item.terms),
                    item.text,
                )
            )
    stories = [
        (date, story.key, story.first_reported.isoformat(), story.label, "\n".join(story.articles))
        for story in brief.story_records
    ]
    with open_store(path, "history", _MIGRATIONS) as db, transaction(db):
        db.execute("DELETE FROM facts WHERE date = ?", (date,))
        db.execute("DELETE FROM stories WHERE date = ?", (date,))
        db.executemany("INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?)", facts)
        db.executemany("INSERT INTO stories VALUES (?, ?, ?, ?, ?)", stories)
