"""Novelty across days: a fact reported in the last briefs is not repeated unless more
outlets now carry it; items are marked new or update; the history file is SQLite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from novelty_days import TOPICS, repeat_share, write_days

from briefing.history import read_history, record_brief
from briefing.model import Brief
from briefing.pipeline import build_brief
from briefing.topics import parse_topics


def build_week(tmp_path: Path, history: Path | None) -> list[Brief]:
    topics = parse_topics(TOPICS, "topics.toml")
    briefs = []
    for date, folder in write_days(tmp_path / "days"):
        brief = build_brief([folder], topics, date, per_topic=4, history=history)
        if history is not None:
            record_brief(history, brief)
        briefs.append(brief)
    return briefs


def quoted(brief: Brief) -> list[tuple[str, int]]:
    return [(item.text, item.outlets) for s in brief.sections for item in s.items]


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Brief], list[Brief], Path]:
    folder = tmp_path_factory.mktemp("week")
    history = folder / "history.sqlite"
    return build_week(folder / "plain", None), build_week(folder / "novel", history), history


def test_without_a_history_the_days_repeat_their_facts(week: tuple) -> None:
    plain, _, _ = week
    assert repeat_share([quoted(b) for b in plain]) > 0.3  # the fixture does retell


def test_with_a_history_no_fact_of_the_last_three_briefs_is_repeated(week: tuple) -> None:
    _, novel, _ = week
    assert repeat_share([quoted(b) for b in novel]) <= 0.05


def test_a_fact_more_outlets_now_carry_is_reported_again_as_an_update(week: tuple) -> None:
    _, novel, _ = week
    walkout = "Dock workers at Port Meridian walked out on Monday"
    day1 = [i for s in novel[0].sections for i in s.items if i.text.startswith(walkout)]
    day2 = [i for s in novel[1].sections for i in s.items if i.text.startswith(walkout)]
    assert [i.outlets for i in day1] == [1]
    assert [(i.outlets, i.status) for i in day2] == [(2, "update")]
    assert day2[0].first_reported == novel[0].date


def test_new_and_continuing_stories_are_marked_new_and_update(week: tuple) -> None:
    _, novel, _ = week
    first = {i.status for s in novel[0].sections for i in s.items}
    assert first == {"new"}
    rail_day = novel[3]
    rail = next(s for s in rail_day.sections if s.topic.id == "rail")
    assert rail.items and {i.status for i in rail.items} == {"new"}
    ports = next(s for s in rail_day.sections if s.topic.id == "ports")
    assert {i.status for i in ports.items} <= {"update"}
    assert all(i.first_reported == novel[0].date for i in ports.items)
    later_rail = next(s for s in novel[4].sections if s.topic.id == "rail")
    assert later_rail.items and {i.status for i in later_rail.items} == {"update"}


def test_the_markdown_says_what_is_new(week: tuple) -> None:
    from briefing.render import render_json, render_markdown

    _, novel, _ = week
    assert " — new" in render_markdown(novel[3])  # the rail strike, first told on day 4
    text = render_markdown(novel[4])
    assert " — update, reported since 2026-11-02" in text  # the dock strike, since day 1
    assert " — new" not in render_markdown(novel[0])  # no earlier brief: nothing to compare
    data = render_json(novel[4])
    assert '"status": "update"' in data and '"first_reported": "2026-11-02"' in data
    assert '"stories": [' in data


def test_the_history_is_sqlite_and_a_date_rebuilt_replaces_its_record(week: tuple) -> None:
    _, novel, history = week
    db = sqlite3.connect(history)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("PRAGMA user_version").fetchone() == (1,)
    before = db.execute("SELECT COUNT(*) FROM facts").fetchone()
    record_brief(history, novel[-1])  # the last day again
    assert db.execute("SELECT COUNT(*) FROM facts").fetchone() == before
    past = read_history(history, novel[-1].date, 3)
    assert {f.date for f in past.facts} == {b.date for b in novel[1:4]}


def test_a_file_that_is_not_a_history_is_one_clear_error(tmp_path: Path) -> None:
    from briefing.errors import InputError

    bad = tmp_path / "history.sqlite"
    bad.write_bytes(b"not sqlite at all, just bytes" * 100)
    with pytest.raises(InputError, match="not a briefing history"):
        read_history(bad, write_days(tmp_path / "d")[0][0], 3)


def test_build_with_history_remembers_across_days_from_the_command_line(tmp_path: Path) -> None:
    from brieftest import run_cli

    days = write_days(tmp_path / "days")
    topics = tmp_path / "topics.toml"
    topics.write_text(TOPICS, encoding="utf-8")
    history = tmp_path / "history.sqlite"
    for date, folder in days[:2]:
        result = run_cli(
            "build", str(folder), "--topics", str(topics), "--date", date.isoformat(),
            "--history", str(history), "--out", str(tmp_path / "out"), "--format", "json",
            "-q", cwd=tmp_path,
        )  # fmt: skip
        assert (result.returncode, result.stderr) == (0, "")
    import json

    second = json.loads((tmp_path / "out" / f"brief-{days[1][0]}.json").read_text("utf-8"))
    statuses = [item["status"] for t in second["topics"] for item in t["items"]]
    assert statuses and set(statuses) == {"update"}  # the dock strike goes on
