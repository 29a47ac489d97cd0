"""The brief's time zone, its moment, and the window of publication times it keeps."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pytest
from brieftest import PORT_DATE, SOURCE_FIXTURES

from briefing.errors import InputError
from briefing.ingest import Article, drop_duplicates, read_articles
from briefing.timewindow import (
    Window,
    brief_moment,
    brief_zone,
    keep_in_window,
    parse_duration,
    window_ending,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")

# Fixture articles that no 24-hour window ending on 15 November excludes, in any zone here.
ALWAYS = {
    "coastline-fish-market-moves-to-the-new-quay",
    "newsdesk-lighthouse-museum-reopens-after-repairs",  # undated
    "courier-island-ferry-returns-to-its-full",
    "northstar-grain-exports-through-port-meridian-fell",
    "harbour-briefing",
    "tram-line",
}


@pytest.mark.parametrize(
    ("text", "hours"),
    [("24h", 24), ("90m", 1.5), ("2d", 48), ("1w", 168), ("1d12h", 36), (" 36H ", 36)],
)
def test_durations(text: str, hours: float) -> None:
    assert parse_duration(text) == dt.timedelta(hours=hours)


@pytest.mark.parametrize("text", ["", "24", "h", "24 hours", "-3h", "0h", "1.5h", "24h!"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_moment_is_now_when_the_brief_is_today_in_its_zone() -> None:
    now = dt.datetime(2026, 11, 15, 22, 30, tzinfo=dt.UTC)  # already the 16th in Tokyo
    assert brief_moment(dt.date(2026, 11, 15), BERLIN, now) == now
    assert brief_moment(dt.date(2026, 11, 16), TOKYO, now) == now
    assert brief_moment(dt.date(2026, 11, 16), TOKYO, now).tzinfo == TOKYO


def test_moment_is_the_end_of_any_other_date_in_its_zone() -> None:
    now = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    end = brief_moment(dt.date(2026, 11, 15), NEW_YORK, now)
    assert end == dt.datetime(2026, 11, 16, 5, 0, tzinfo=dt.UTC)
    assert end.isoformat() == "2026-11-16T00:00:00-05:00"


def test_a_24_hour_window_is_24_real_hours_across_a_clock_change() -> None:
    end = brief_moment(dt.date(2026, 10, 25), BERLIN)  # clocks go back that night
    window = window_ending(end, length="24h", since=None)
    assert window is not None
    elapsed = window.end.astimezone(dt.UTC) - window.start.astimezone(dt.UTC)
    assert elapsed == dt.timedelta(hours=24)
    assert window.start.isoformat() == "2026-10-25T01:00:00+02:00"


def test_since_is_read_in_the_brief_zone_unless_it_has_an_offset() -> None:
    end = brief_moment(PORT_DATE, TOKYO)
    naive = window_ending(end, length=None, since="2026-11-15T06:00")
    assert naive is not None and naive.start == dt.datetime(2026, 11, 15, 6, tzinfo=TOKYO)
    aware = window_ending(end, length=None, since="2026-11-15T06:00+00:00")
    assert aware is not None and aware.start == dt.datetime(2026, 11, 15, 6, tzinfo=dt.UTC)
    assert window_ending(end, length=None, since=None) is None


@pytest.mark.parametrize(
    ("length", "since", "message"),
    [
        ("24h", "2026-11-15", "not both"),
        (None, "next week", "expected a date and time"),
        (None, "2026-11-17", "is not before the brief's moment"),
    ],
)
def test_bad_windows_are_refused(length: str | None, since: str | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        window_ending(brief_moment(PORT_DATE, BERLIN), length=length, since=since)


def fixture_ids_in_24h(zone: ZoneInfo) -> set[str]:
    articles = drop_duplicates(read_articles([SOURCE_FIXTURES], zone))
    window = window_ending(brief_moment(PORT_DATE, zone), length="24h", since=None)
    assert window is not None
    return {a.id for a in keep_in_window(articles, window)}


@pytest.mark.parametrize(
    ("zone", "also"),
    [
        # 00:00-24:00 on the 15th at UTC+1: the wire's storm warning (08:30 on the 15th in
        # Tokyo, 23:30 on the 14th UTC) and the 04:30 UTC radio report are in.
        (
            BERLIN,
            {
                "northstar-storm-warning-issued-for-the-northern",
                "newsdesk-crane-operators-to-get-a-safety-review",
            },
        ),
        # At UTC-5 both are before the window, and the 23:30 night-ferry story is in.
        (NEW_YORK, {"newsdesk-night-ferry-trial-to-start-on-monday"}),
        # At UTC+9 the day starts at 15:00 UTC on the 14th: Saturday's strike page is in.
        (
            TOKYO,
            {
                "northstar-storm-warning-issued-for-the-northern",
                "newsdesk-crane-operators-to-get-a-safety-review",
                "harbour-strike",
            },
        ),
    ],
    ids=["berlin", "new-york", "tokyo"],
)
def test_window_keeps_the_day_in_the_brief_zone(zone: ZoneInfo, also: set[str]) -> None:
    assert fixture_ids_in_24h(zone) == ALWAYS | also


def test_undated_articles_are_kept_and_counted_in_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    window = Window(
        start=dt.datetime(2026, 11, 15, tzinfo=dt.UTC), end=dt.datetime(2026, 11, 16, tzinfo=dt.UTC)
    )
    inside = Article(
        "in", "in.txt", "In", ("x.",), published=dt.datetime(2026, 11, 15, 9, tzinfo=TOKYO)
    )
    before = Article(
        "old", "old.txt", "Old", ("x.",), published=window.start - dt.timedelta(seconds=1)
    )
    at_end = Article("end", "end.txt", "End", ("x.",), published=window.end)
    undated = [Article(f"u{i}", f"u{i}.txt", "U", ("x.",)) for i in range(2)]
    with caplog.at_level(logging.WARNING, logger="briefing"):
        kept = keep_in_window([inside, before, at_end, *undated], window)
    assert [a.id for a in kept] == ["in", "u0", "u1"]
    [warning] = [r.getMessage() for r in caplog.records]
    assert warning.startswith("2 articles state no publication date; kept")


def test_zone_from_option_then_tz_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    assert brief_zone("America/New_York") == NEW_YORK
    assert brief_zone(None) == TOKYO
    monkeypatch.setenv("TZ", ":Europe/Berlin")
    assert brief_zone(None) == BERLIN


def test_unknown_zone_option_is_an_input_error() -> None:
    with pytest.raises(InputError, match="--tz: unknown time zone 'Mars/Olympus'"):
        brief_zone("Mars/Olympus")


def test_unknown_tz_setting_is_a_warning_and_the_machine_zone_is_used(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TZ", "Mars/Olympus")
    with caplog.at_level(logging.WARNING, logger="briefing"):
        zone = brief_zone(None)
    assert zone is not None
    [warning] = [r.getMessage() for r in caplog.records]
    assert warning.startswith("TZ: unknown time zone 'Mars/Olympus'")
