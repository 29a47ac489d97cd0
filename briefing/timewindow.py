"""The brief's time zone and time window: which articles are "today's" news.

A brief is dated. Its moment is now when the date is today, otherwise the end of that
date, both in the brief's time zone (`--tz`, else the `TZ` setting, else the machine's).
`--window 24h` keeps articles published in the 24 hours up to that moment; `--since`
keeps those published from a given time on. Articles that state no date are kept, and
counted in one warning, since dropping them silently would lose news.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from briefing.errors import InputError

if TYPE_CHECKING:  # the CLI imports this module for its options: no readers at start-up
    from briefing.ingest import Article

log = logging.getLogger(__name__)

_LOCALTIME = Path("/etc/localtime")
_DURATION_PART = re.compile(r"(\d+)\s*([wdhm])", re.IGNORECASE)
_UNIT_SECONDS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60}


@dataclass(frozen=True)
class Window:
    """Publication times from `start` (inclusive) to `end` (exclusive)."""

    start: dt.datetime
    end: dt.datetime

    def __str__(self) -> str:
        start, end = (t.isoformat(timespec="minutes") for t in (self.start, self.end))
        return f"{start} to {end}"

    def holds(self, moment: dt.datetime) -> bool:
        # Compared in UTC: aware datetimes sharing a tzinfo compare by wall clock.
        return in_utc(self.start) <= in_utc(moment) < in_utc(self.end)


# The ends of time, where window arithmetic stops instead of overflowing.
EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)
LATEST = dt.datetime.max.replace(tzinfo=dt.UTC)


def in_utc(moment: dt.datetime) -> dt.datetime:
    """The moment in UTC; a wall time at the calendar's very end, which UTC cannot hold,
    saturates to the first or last representable moment."""
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:
        return EARLIEST if moment.year < 5000 else LATEST


class FileZone(ZoneInfo):
    """A zone read from a TZif file (the machine's /etc/localtime, a `TZ` path). A plain
    `ZoneInfo.from_file` cannot be pickled; this one pickles as its file's bytes, so
    the workers of a Dask cluster, on machines of other zones, read times as here."""

    _tzif: bytes

    @classmethod
    def from_bytes(cls, data: bytes, key: str) -> FileZone:
        """The zone of a TZif file's bytes; one object per file within a process (a
        zone unpickled here is the one it was pickled from: same-zone datetimes compare
        as they do without a round trip)."""
        zone = _FILE_ZONES.get((data, key))
        if zone is None:
            zone = cls.from_file(io.BytesIO(data), key=key)
            zone._tzif = data
            _FILE_ZONES[(data, key)] = zone
        return zone

    def __reduce__(self) -> tuple[object, tuple[bytes, str]]:
        return (FileZone.from_bytes, (self._tzif, str(self.key)))


_FILE_ZONES: dict[tuple[bytes, str], FileZone] = {}  # rules, not state: a file's zone is fixed


def named_zone(name: str) -> dt.tzinfo:
    """An IANA zone (`Europe/Berlin`, `UTC`); InputError naming it when unknown."""
    key = name.strip().removeprefix(":")
    try:
        if key.startswith("/"):
            return FileZone.from_bytes(Path(key).read_bytes(), key)
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InputError(
            f"unknown time zone {name!r} (expected a name like Europe/Berlin)"
        ) from None


def brief_zone(option: str | None) -> dt.tzinfo:
    """`--tz` if given, else `TZ`, else the machine's zone (/etc/localtime), else UTC.

    A bad `--tz` is an error; a `TZ` this library cannot read (a POSIX rule such as
    `CET-1CEST`) is a warning, so a cron job with an odd `TZ` still gets its brief.
    """
    if option is not None:
        try:
            return named_zone(option)
        except InputError as exc:
            raise InputError(f"--tz: {exc}") from None
    if setting := os.environ.get("TZ"):
        try:
            return named_zone(setting)
        except InputError as exc:
            log.warning("TZ: %s; using the machine's time zone", exc)
    if _LOCALTIME.is_file():
        try:
            return FileZone.from_bytes(_LOCALTIME.read_bytes(), "localtime")
        except (OSError, ValueError):
            pass
    return dt.UTC


def brief_moment(date: dt.date, zone: dt.tzinfo, now: dt.datetime | None = None) -> dt.datetime:
    """Now if `date` is today in `zone`, else the end of `date` (midnight after it) there."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(zone)
    if date == now.date():
        return now
    return dt.datetime.combine(date + dt.timedelta(days=1), dt.time(), tzinfo=zone)


def parse_duration(text: str) -> dt.timedelta:
    """`24h`, `90m`, `2d`, `1w`, `1d12h`; ValueError otherwise."""
    compact = text.strip()
    parts = _DURATION_PART.findall(compact)
    if not parts or _DURATION_PART.sub("", compact).strip():
        raise ValueError(f"expected a duration like 24h, 90m, 2d or 1w, got {text!r}")
    seconds = sum(int(count) * _UNIT_SECONDS[unit.lower()] for count, unit in parts)
    if seconds <= 0:
        raise ValueError(f"the window must be longer than zero, got {text!r}")
    return dt.timedelta(seconds=seconds)


def window_ending(end: dt.datetime, *, length: str | None, since: str | None) -> Window | None:
    """The window from `--window LENGTH` or `--since DATETIME` (at most one of them) up to
    `end`; None when neither is given. ValueError for a bad value."""
    if length is not None and since is not None:
        raise ValueError("give --window or --since, not both")
    if length is not None:
        start = (end.astimezone(dt.UTC) - parse_duration(length)).astimezone(end.tzinfo)
        return Window(start=start, end=end)
    if since is not None:
        from briefing.readers.common import parse_published

        since_start = parse_published(since.strip(), end.tzinfo or dt.UTC)
        if since_start is None:
            raise ValueError(f"expected a date and time like 2026-11-21T18:00, got {since!r}")
        if not since_start < end:
            raise ValueError(f"{since!r} is not before the brief's moment {end.isoformat()}")
        return Window(start=since_start, end=end)
    return None


def keep_in_window(articles: list[Article], window: Window) -> list[Article]:
    """Articles published inside the window, and undated ones (counted in a warning)."""
    return [articles[place] for place in places_in_window(articles, window)]


def might_be_in_window(article: Article, window: Window | None) -> bool:
    """Whether `keep_in_window` could keep the article: a dated one outside never is (a
    copy's date only fills in a missing one)."""
    return window is None or article.published is None or window.holds(article.published)


def places_in_window(articles: list[Article], window: Window) -> list[int]:
    """`keep_in_window`, as the places of the articles it keeps."""
    undated = sum(article.published is None for article in articles)
    kept = [place for place, a in enumerate(articles) if might_be_in_window(a, window)]
    if undated:
        plural = undated != 1
        log.warning(
            "%d article%s state%s no publication date; kept in the window %s",
            undated,
            "s" if plural else "",
            "" if plural else "s",
            window,
        )
    left_out = len(articles) - len(kept)
    if left_out and kept:
        log.info(
            "%d article%s published outside the window left out",
            left_out,
            "s" if left_out != 1 else "",
        )
    return kept
