"""The timeline: dates a sentence states plainly, resolved against its publication."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from brieftest import REPO, run_cli

from briefing.timeline import event_date

FRIDAY = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("The deal was signed on 27 August 2019 in Moscow.", None, dt.date(2019, 8, 27)),
        ("The deal was signed on August 27, 2019 in Moscow.", None, dt.date(2019, 8, 27)),
        ("The report is dated 2019-08-27 and runs to forty pages.", None, dt.date(2019, 8, 27)),
        ("The strike began on November 3 at dawn.", FRIDAY, dt.date(2026, 11, 3)),
        ("The strike began on Nov. 3rd at dawn.", FRIDAY, dt.date(2026, 11, 3)),
        ("Talks last failed on December 12 in the capital.", FRIDAY, dt.date(2025, 12, 12)),
        ("The offer came on Tuesday after two weeks of talks.", FRIDAY, dt.date(2026, 11, 17)),
        ("The vote was held on Friday at the union hall.", FRIDAY, dt.date(2026, 11, 20)),
        ("Members voted yesterday to accept the offer.", FRIDAY, dt.date(2026, 11, 19)),
        ("The strike began on November 3 at dawn.", None, None),  # no year, no publication
        ("The offer came on Tuesday after two weeks of talks.", None, None),
        ("It was signed on February 30, 2019, the minutes say.", None, None),  # no such day
        ("Prices may 5 percent higher next year.", FRIDAY, None),
        ("Talks will resume next week, the union said.", FRIDAY, None),  # no day named
        ("First on 3 May 2019, and again on 5 June 2019.", None, dt.date(2019, 5, 3)),
    ],
)
def test_a_stated_date_is_resolved_against_publication(
    text: str, published: dt.datetime | None, expected: dt.date | None
) -> None:
    assert event_date(text, published) == expected


ARTICLE = """---
title: Port Meridian strike ends
published: 2026-11-20T09:00:00+00:00
outlet: Courier
---
Port Meridian strike ends

Dock workers at Port Meridian walked out on November 3 in a dispute over night shifts.

The port authority made its first offer on Tuesday, after two weeks of talks.

Union members voted to accept the revised offer yesterday, ending the strike.

Shipping lines said the backlog of cargo would take about two weeks to clear.
"""


def test_build_with_timeline_lists_each_topics_dated_events_in_date_order(tmp_path: Path) -> None:
    (tmp_path / "day").mkdir()
    (tmp_path / "day" / "strike.md").write_text(ARTICLE, encoding="utf-8")
    topics = REPO / "templates" / "starter-topics.toml"
    args = ["build", str(tmp_path / "day"), "--topics", str(topics), "--date", "2026-11-20"]
    markdown = run_cli(*args, "--timeline", "--out", "-", cwd=tmp_path)
    assert markdown.returncode == 0, markdown.stderr
    timeline = markdown.stdout.split("## Timeline\n", 1)[1].split("\n## ", 1)[0]
    assert timeline.splitlines()[1:] == [
        "### Ports and shipping",
        "",
        "- 2026-11-03: Dock workers at Port Meridian walked out on November 3 in a dispute"
        " over night shifts.[^1]",
        "- 2026-11-17: The port authority made its first offer on Tuesday, after two weeks"
        " of talks.[^1]",
        "- 2026-11-19: Union members voted to accept the revised offer yesterday, ending the"
        " strike.[^1]",
    ]
    data = json.loads(run_cli(*args, "--timeline", "--out", "-", "--format", "json",
                              cwd=tmp_path).stdout)  # fmt: skip
    events = data["timeline"][0]["events"]
    assert [e["date"] for e in events] == ["2026-11-03", "2026-11-17", "2026-11-19"]
    assert {e["source"] for e in events} == {data["sources"][0]["id"]}
    plain = run_cli(*args, "--out", "-", cwd=tmp_path).stdout
    assert "## Timeline" not in plain and "timeline" not in json.dumps(data["topics"])
