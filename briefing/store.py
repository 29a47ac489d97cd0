"""Store: the SQLite files briefing keeps (the archive of fetched articles, the history of
briefs), opened one way: WAL mode, a schema version in `PRAGMA user_version` brought up
to date by migrations, and an SQLite file of something else refused with one line."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from briefing.errors import InputError

Migrations = Mapping[int, Sequence[str]]  # schema version -> the statements that reach it


def connect(
    path: Path, kind: str, migrations: Migrations, *, create: bool, missing: str = ""
) -> sqlite3.Connection:
    """The store of KIND ("archive", "history") at PATH, migrated to the newest schema;
    created when `create`, else an InputError (worded with `missing`) when absent."""
    if not create and not path.is_file():
        raise InputError(f"{path}: no such {kind}{f' ({missing})' if missing else ''}")
    if create:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"{path}: cannot create the {kind} ({exc.strerror})") from None
    mode = "rwc" if create else "rw"
    uri = f"file:{quote(str(path.absolute()))}?mode={mode}"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        _migrate(connection, path, kind, migrations)
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path}: not a briefing {kind} ({exc})") from None
    return connection


@contextmanager
def open_store(
    path: Path, kind: str, migrations: Migrations, *, create: bool = True, missing: str = ""
) -> Iterator[sqlite3.Connection]:
    """`connect`, closed afterwards."""
    connection = connect(path, kind, migrations, create=create, missing=missing)
    try:
        yield connection
    finally:
        connection.close()


def _migrate(connection: sqlite3.Connection, path: Path, kind: str, migrations: Migrations) -> None:
    newest = max(migrations)
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > newest:
        raise InputError(
            f"{path}: {kind} schema {version} is newer than this briefing's "
            f"({newest}); upgrade briefing"
        )
    if version == 0 and connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise InputError(f"{path}: an SQLite file that is not a briefing {kind}")
    for target in range(version + 1, newest + 1):
        with transaction(connection):
            for statement in migrations[target]:
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {target}")


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error: all of it or none of it."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
