"""The archive: a real SQLite file, keyed by ingest's duplicate rules, versioned, pruned,
and read back by `build --archive` and `read --archive` as a folder of files would be."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from brieftest import REPO, run_cli

from briefing.archive import (
    SCHEMA_VERSION,
    archive_records,
    open_archive,
    prune,
    store_article,
    transaction,
)
from briefing.errors import InputError
from briefing.readers.common import Record

NOW = dt.datetime(2026, 11, 22, 6, 0, tzinfo=dt.UTC)
TEXT = (
    "The harbour authority said on Monday that the new ferry terminal would open in "
    "spring after two years of building work.\n\nShipping companies welcomed the news."
)


def record(url: str | None, title: str = "Ferry terminal to open", text: str = TEXT,
           published: dt.datetime | None = NOW) -> Record:  # fmt: skip
    return Record(path=url or "feed", id_hint="x", text=text, title=title, url=url,
                  outlet="Courier", published=published)  # fmt: skip


def store(path: Path, *records: Record, now: dt.datetime = NOW, feed: str = "f") -> list[str]:
    with open_archive(path) as connection, transaction(connection):
        return [store_article(connection, feed, r, now) for r in records]


def test_a_new_archive_is_in_wal_mode_at_the_current_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "out" / "archive.sqlite"
    with open_archive(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_an_archive_from_a_newer_briefing_or_another_file_is_refused(tmp_path: Path) -> None:
    newer = tmp_path / "newer.sqlite"
    with sqlite3.connect(newer) as connection:
        connection.execute("PRAGMA user_version = 99")
    with pytest.raises(InputError, match="archive schema 99 is newer"), open_archive(newer):
        pass
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
    with pytest.raises(InputError, match="not a briefing archive"), open_archive(other):
        pass
    text = tmp_path / "text.sqlite"
    text.write_text("hello, not a database\n" * 100, encoding="utf-8")
    with pytest.raises(InputError, match="not a briefing archive"), open_archive(text):
        pass


def test_copies_at_one_link_or_with_the_same_words_are_one_article(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    outcomes = store(
        path,
        record("https://courier.example/ferry"),
        record("http://www.courier.example/ferry/?utm_source=rss#top"),  # same link
        record("https://syndicated.example/ferry-copy", text=TEXT.upper()),  # same words
        record("https://courier.example/other", title="Another story"),
    )
    assert outcomes == ["new", "unchanged", "unchanged", "new"]
    assert len(archive_records(path)) == 2


def test_a_changed_entry_is_updated_and_a_page_text_is_never_replaced_by_a_summary(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.sqlite"
    url = "https://courier.example/ferry"
    assert store(path, record(url)) == ["new"]
    assert store(path, record(url, text=TEXT + "\n\nA third paragraph.")) == ["updated"]
    with open_archive(path) as connection, transaction(connection):
        page = record(url, text=TEXT + "\n\nThe page's full story.")
        assert store_article(connection, "f", page, NOW, from_page=True) == "updated"
    assert store(path, record(url)) == ["unchanged"]
    assert "The page's full story." in archive_records(path)[0].text


def test_an_entry_with_no_text_is_not_stored(tmp_path: Path) -> None:
    assert store(tmp_path / "a.sqlite", record("https://x.example/a", text="Share")) == ["empty"]


def test_articles_first_fetched_longer_ago_than_keep_days_are_removed(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    store(path, record("https://x.example/old", "Old story"), now=NOW - dt.timedelta(days=31))
    store(path, record("https://x.example/new", "New story"), now=NOW - dt.timedelta(days=29))
    with open_archive(path) as connection:
        assert prune(connection, 30, NOW) == 1
    assert [r.title for r in archive_records(path)] == ["New story"]


def test_a_window_holds_dated_articles_by_publication_and_undated_ones_by_first_fetch(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.sqlite"
    day = dt.timedelta(days=1)
    store(path, record("https://x.example/1", "In the window", published=NOW - day / 2))
    store(path, record("https://x.example/2", "Published before", published=NOW - 2 * day))
    store(path, record("https://x.example/3", "Undated, fetched in it", published=None))
    store(path, record("https://x.example/4", "Undated, fetched before", published=None),
          now=NOW - 3 * day)  # fmt: skip
    kept = archive_records(path, NOW - day, NOW + dt.timedelta(seconds=1))
    assert sorted(r.title or "" for r in kept) == ["In the window", "Undated, fetched in it"]


def test_a_publication_time_keeps_its_own_offset(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    tokyo = dt.timezone(dt.timedelta(hours=9))
    store(path, record("https://x.example/1", published=NOW.astimezone(tokyo)))
    [back] = archive_records(path)
    assert back.published is not None and back.published.utcoffset() == dt.timedelta(hours=9)
    assert back.published == NOW


def archive_of_two(tmp_path: Path) -> Path:
    path = tmp_path / "archive.sqlite"
    syria = (
        "Turkey and Russia agreed on Monday to set up joint patrols in Idlib, the last rebel "
        "stronghold in northern Syria, officials in Ankara said.\n\nThe talks in Moscow "
        "lasted six hours and covered the ceasefire along the Syrian border."
    )
    store(
        path,
        record("https://courier.example/idlib", "Turkey and Russia agree Idlib patrols", syria),
        record("https://courier.example/ferry", published=NOW - dt.timedelta(hours=30)),
    )
    return path


def test_build_from_the_archive_alone_is_byte_identical_each_time(tmp_path: Path) -> None:
    path = archive_of_two(tmp_path)
    outputs = []
    for name in ("one", "two"):
        out = tmp_path / name
        result = run_cli(
            "build", "--archive", str(path), "--date", "2026-11-22", "--tz", "UTC",
            "--window", "24h", "--format", "md,json", "--out", str(out), cwd=REPO,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        outputs.append([(out / f"brief-2026-11-22.{ext}").read_bytes() for ext in ("md", "json")])
    assert outputs[0] == outputs[1]
    sources = json.loads(outputs[0][1])["sources"]
    assert [s["title"] for s in sources] == ["Turkey and Russia agree Idlib patrols"]
    assert sources[0]["url"] == "https://courier.example/idlib"
    assert sources[0]["id"] == "courier-example-turkey-and-russia-agree-idlib-patrols"


def test_read_lists_the_archive_with_folders_beside_it(tmp_path: Path) -> None:
    path = archive_of_two(tmp_path)
    result = run_cli("read", "seeds", "--archive", str(path), "--tz", "UTC", cwd=REPO)
    assert result.returncode == 0, result.stderr
    listed = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(listed) == 5 + 2
    assert [a["path"] for a in listed[5:]] == [
        "https://courier.example/ferry",
        "https://courier.example/idlib",
    ]


def test_a_missing_archive_is_one_error_line_and_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite"
    result = run_cli("build", "--archive", str(missing), "--out", str(tmp_path), cwd=REPO)
    assert result.returncode == 2
    assert result.stderr == (
        f"briefing: error: {missing}: no such archive (run `briefing fetch` first)\n"
    )
    assert not missing.exists()
    result = run_cli("read", cwd=REPO)
    assert result.returncode == 2 and "give SOURCES, --archive or both" in result.stderr
