"""`briefing fetch` and `briefing run` with feeds, as real processes: feeds on a real HTTP
server on 127.0.0.1, a real archive, the brief mailed to the real local SMTP server. A
fetch killed half-way leaves a sound archive, and the next one completes it."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from brieftest import REPO, run_cli
from feedserver import Entry, FeedServer, Reply, feed_server, rss
from mailserver import Authority, MailServer, email_section, mail_server, write_config

FETCH = """
[fetch]
allow_addresses = ["127.0.0.1"]
contact = "mailto:desk@example.com"
delay = 0.01
read_timeout = 2
timeout = 5
retries = 0
"""

SYRIA = (
    "Turkey and Russia agreed on {day} to extend joint patrols in Idlib, the last rebel "
    "stronghold in northern Syria, officials in Ankara said. The talks in Moscow about "
    "the ceasefire along the Syrian border lasted {hours} hours, according to diplomats."
)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with feed_server() as running:
        yield running


def feeds_section(server: FeedServer, *paths: str) -> str:
    return "".join(f'\n[[feeds]]\nurl = "{server.url(p)}"\n' for p in paths)


def entries(server: FeedServer, day: dt.date, count: int, prefix: str) -> list[Entry]:
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    return [
        Entry(
            f"{prefix} story {n} of {day.isoformat()}",
            server.url(f"/{prefix}/{day.isoformat()}/{n}"),
            SYRIA.format(day=day.strftime("%A"), hours=n + 2) + f" Report {prefix} {n}.",
            noon - dt.timedelta(minutes=n),
        )
        for n in range(count)
    ]


def test_fetch_names_a_failing_feed_exits_5_and_stores_the_others(
    server: FeedServer, tmp_path: Path
) -> None:
    day = dt.date(2026, 11, 21)
    server.routes["/good.xml"] = Reply(200, rss("Courier", entries(server, day, 3, "good")))
    server.routes["/gone.xml"] = Reply(410, b"")
    config = write_config(tmp_path, FETCH + feeds_section(server, "/good.xml", "/gone.xml"))
    result = run_cli("fetch", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 5, result.stderr
    archive = tmp_path / "out" / "archive.sqlite"
    assert result.stderr.splitlines() == [
        f"briefing: warning: {server.url('/gone.xml')}: not fetched, HTTP 410 Gone: the feed "
        "is gone; remove it from the config",
        f"briefing: info: {archive}: 2 feeds (1 fetched, 0 unchanged, 1 failed, 0 gone): "
        "3 new articles, 0 updated, 0 past keep_days removed",
    ]
    again = run_cli("fetch", "--config", str(config), cwd=tmp_path)
    assert again.returncode == 5
    assert "answered 410 Gone on" in again.stderr
    assert len(server.requests("/gone.xml")) == 1


def test_fetch_reads_the_feeds_of_an_opml_file(server: FeedServer, tmp_path: Path) -> None:
    day = dt.date(2026, 11, 21)
    server.routes["/a.xml"] = Reply(200, rss("A", entries(server, day, 1, "a")))
    server.routes["/b.xml"] = Reply(200, rss("B", entries(server, day, 2, "b")))
    (tmp_path / "feeds.opml").write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head><body>'
        f'<outline text="World"><outline type="rss" text="A" xmlUrl="{server.url("/a.xml")}"/>'
        f'<outline type="rss" text="B" xmlUrl="{server.url("/b.xml")}"/></outline>'
        '<outline type="rss" text="Local" xmlUrl="file:///etc/passwd"/></body></opml>',
        encoding="utf-8",
    )
    config = write_config(tmp_path, 'opml = "feeds.opml"\n' + FETCH)
    result = run_cli("fetch", "--config", str(config), cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == (
        f"briefing: warning: {tmp_path / 'feeds.opml'}: feed 'Local' skipped, "
        "'file:///etc/passwd' is not an http or https URL"
    )
    assert "3 new articles" in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[feeds]]\nurl = "ftp://x.example/feed"\n', "[[feeds]] 1: url: 'ftp://x.example/feed' "
         "is not an http or https URL"),
        ('[[feeds]]\noutlet = "X"\n', "[[feeds]] 1: url: missing"),
        ('[[feeds]]\nurl = "https://x.example/f"\nfrequency = 3\n', "[[feeds]] 1: frequency: "
         "unknown setting"),
        ('[fetch]\nallow_addresses = ["localhost"]\n', "[fetch] allow_addresses: 'localhost' is "
         "not an address or network"),
        ("[fetch]\ntimeout = 0\n", "[fetch] timeout: must be a number from 0.001 to 3600"),
        ('opml = "missing.opml"\n', "missing.opml: OPML file not found"),
        ("keep_days = 0\n", "keep_days: must be a whole number from 1 to 36500"),
    ],
)  # fmt: skip
def test_a_bad_feeds_setting_is_one_error_line_and_exit_2(
    text: str, message: str, tmp_path: Path
) -> None:
    config = write_config(tmp_path, text)
    result = run_cli("fetch", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("briefing: error: ") and message in line, line


def test_fetch_without_feeds_is_exit_2(tmp_path: Path) -> None:
    config = write_config(tmp_path, 'sources = ["articles"]\n')
    result = run_cli("fetch", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 2
    assert "feeds: none to fetch (give [[feeds]] or opml)" in result.stderr


def count(archive: Path, query: str) -> int:
    with sqlite3.connect(f"file:{archive}?mode=ro", uri=True) as connection:
        return int(connection.execute(query).fetchone()[0])


def test_a_fetch_killed_midway_leaves_a_sound_archive_and_the_next_completes_it(
    tmp_path: Path,
) -> None:
    day = dt.date(2026, 11, 21)
    with feed_server(latency=0.15) as server:
        paths = [f"/f{n}.xml" for n in range(16)]
        for n, path in enumerate(paths):
            server.routes[path] = Reply(200, rss("Courier", entries(server, day, 3, f"f{n}")))
        config = write_config(tmp_path, FETCH + feeds_section(server, *paths))
        archive = tmp_path / "out" / "archive.sqlite"
        child = subprocess.Popen(
            [sys.executable, "-m", "briefing", "fetch", "--config", str(config)],
            cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(sqlite3.Error):  # not yet made, or not yet migrated
                if count(archive, "SELECT count(*) FROM feeds") >= 3:
                    break
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        done = count(archive, "SELECT count(*) FROM feeds")
        assert 3 <= done < len(paths)
        with sqlite3.connect(archive) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        result = run_cli("fetch", "--config", str(config), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    assert count(archive, "SELECT count(*) FROM feeds") == len(paths)
    assert count(archive, "SELECT count(*) FROM articles") == 3 * len(paths)
    assert count(archive, "SELECT count(DISTINCT text_key) FROM articles") == 3 * len(paths)


@pytest.fixture
def mail(authority: Authority) -> Iterator[MailServer]:
    with mail_server("none", authority) as running:
        yield running


def sources_of(out: Path, date: str) -> list[str]:
    brief = json.loads((out / f"brief-{date}.json").read_text(encoding="utf-8"))
    return sorted(source["title"] for source in brief["sources"])


def test_run_fetches_builds_and_mails_quietly_and_next_day_only_the_new_window(
    server: FeedServer, mail: MailServer, tmp_path: Path
) -> None:
    day_one, day_two = dt.date(2026, 11, 21), dt.date(2026, 11, 22)
    first = entries(server, day_one, 3, "wire")
    server.routes["/wire.xml"] = Reply(200, rss("Wire", first), {"ETag": '"1"'})
    server.routes["/desk.xml"] = Reply(200, rss("Desk", entries(server, day_one, 2, "desk")))
    config = write_config(
        tmp_path,
        'window = "24h"\ntime_zone = "UTC"\nformats = ["json"]\n'
        + email_section(mail)
        + FETCH
        + feeds_section(server, "/wire.xml", "/desk.xml"),
    )
    out = tmp_path / "out"

    def run(day: dt.date) -> None:
        result = run_cli("run", "--config", str(config), "--date", day.isoformat(), cwd=REPO)
        assert result.returncode == 0, result.stderr
        assert (result.stdout, result.stderr) == ("", "")

    run(day_one)
    assert sources_of(out, "2026-11-21") == sorted(
        [f"wire story {n} of 2026-11-21" for n in range(3)]
        + [f"desk story {n} of 2026-11-21" for n in range(2)]
    )
    log = (out / "brief-2026-11-21.log").read_text(encoding="utf-8")
    assert "2 feeds (2 fetched, 0 unchanged, 0 failed, 0 gone): 5 new articles" in log
    assert len(mail.inbox.received) == 1

    second = entries(server, day_two, 2, "wire")
    server.routes["/wire.xml"] = Reply(200, rss("Wire", second + first), {"ETag": '"2"'})
    run(day_two)
    assert sources_of(out, "2026-11-22") == [f"wire story {n} of 2026-11-22" for n in range(2)]
    assert server.requests("/wire.xml")[1].headers["if-none-match"] == '"1"'
    assert len(mail.inbox.received) == 2
    log = (out / "brief-2026-11-22.log").read_text(encoding="utf-8")
    assert "2 new articles" in log
