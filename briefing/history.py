"""History: what earlier briefs reported, in a small SQLite file, so the next brief can
say what is new (`--history PATH`, or `history` in the job's config).

Each brief records its items' facts (the quoted sentence's content stems, its outlets, its
story) and its stories (label, articles, when first reported), one transaction per brief:
building the same date again replaces that date's rows, and a killed write leaves the
file as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from briefing.errors import InputError
from briefing.model import Brief, History, PastFact, PastStory

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS facts (
    date TEXT NOT NULL, story TEXT NOT NULL, first_reported TEXT NOT NULL,
    outlets INTEGER NOT NULL, terms TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS facts_by_date ON facts (date);
CREATE TABLE IF NOT EXISTS stories (
    date TEXT NOT NULL, story TEXT NOT NULL, first_reported TEXT NOT NULL,
    label TEXT NOT NULL, articles TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS stories_by_date ON stories (date);
"""


@contextlib.contextmanager
def _open(path: Path) -> Iterator[sqlite3.Connection]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise InputError(f"{path}: cannot open the history ({exc})") from None
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise InputError(f"{path}: a history of a newer briefing (schema {version})")
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(_SCHEMA)
        connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        yield connection
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path}: not a briefing history ({exc})") from None
    finally:
        connection.close()


def read_history(path: Path, date: dt.date, days: int) -> History:
    """The facts and stories of the briefs dated in the `days` before `date` (a brief of
    `date` itself, built earlier, is what is being replaced, so it is not read)."""
    if not path.exists():
        return History()
    start = (date - dt.timedelta(days=days)).isoformat()
    with _open(path) as db:
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
    with _open(path) as db:
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("DELETE FROM facts WHERE date = ?", (date,))
            db.execute("DELETE FROM stories WHERE date = ?", (date,))
            db.executemany("INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?)", facts)
            db.executemany("INSERT INTO stories VALUES (?, ?, ?, ?, ?)", stories)
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            db.execute("ROLLBACK")
            raise InputError(f"{path}: cannot record the brief ({exc})") from None
