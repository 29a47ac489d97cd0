"""Settings: the command line's options merged with the job's config file into what one
brief is built from (a `JobPlan`); an option given wins over the file, the file over the
defaults in `briefing.options`."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, cast

from briefing.config import ARCHIVE_NAME, JobConfig, check_title, load_config
from briefing.errors import InputError, OptionError
from briefing.job import JobPlan, email_settings
from briefing.options import (
    CONFIG_NAME,
    DEFAULT_FOOTNOTES,
    DEFAULT_FORMATS,
    DEFAULT_NOVELTY_DAYS,
    DEFAULT_OUT,
    DEFAULT_PER_TOPIC,
    FORMATS,
    STDOUT,
    FootnoteStyle,
    Format,
)
from briefing.timewindow import Window, brief_moment, brief_zone, window_ending
from briefing.topics import default_topics_path, load_topics


def parse_date(text: str | None, zone: dt.tzinfo | None = None) -> dt.date:
    """The brief's date; today is today in the brief's time zone."""
    if text is None:
        return dt.datetime.now(zone).date()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise OptionError(f"expected YYYY-MM-DD, got {text!r}", param_hint="'--date'")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise OptionError(f"{text!r} is not a calendar date", param_hint="'--date'") from None


def parse_formats(text: str) -> list[Format]:
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        bad = unknown[0] if unknown else text
        choices = ", ".join(FORMATS)
        raise OptionError(
            f"unknown format {bad!r} (choose from {choices})", param_hint="'--format'"
        )
    return cast(list[Format], list(dict.fromkeys(formats)))


def parse_window(
    date: dt.date, zone: dt.tzinfo, length: str | None, since: str | None
) -> Window | None:
    """`--window`/`--since` as a window ending at the brief's moment. A date or a span
    beyond the calendar (`--date 9999-12-31`, `--window 999999w`) is a bad option."""
    try:
        moment = brief_moment(date, zone)
    except (OverflowError, ValueError):
        raise OptionError(
            f"{date.isoformat()} is out of range (the last brief date is 9999-12-30)",
            param_hint="'--date'",
        ) from None
    hint = "'--since'" if since is not None and length is None else "'--window'"
    try:
        return window_ending(moment, length=length, since=since)
    except ValueError as exc:
        raise OptionError(str(exc), param_hint=hint) from None
    except OverflowError:
        value = length if hint == "'--window'" else since
        raise OptionError(
            f"{value!r} is out of range (it reaches beyond the calendar)", param_hint=hint
        ) from None


def parse_title(title: str | None) -> str | None:
    """`--title`, which must be one line: it is the email's subject and the heading."""
    return check_title(title, "--title") if title is not None else None


def find_config(path: Path | None, *, required: bool) -> JobConfig | None:
    """The config named by --config, else briefing.toml in the current folder."""
    if path is None:
        if Path(CONFIG_NAME).is_file():
            path = Path(CONFIG_NAME)
        elif required:
            raise InputError(
                f"no --config given and no {CONFIG_NAME} here "
                "(give --config FILE, or start one with `briefing init`)"
            )
        else:
            return None
    return load_config(path)


def plan_brief(
    options: dict[str, Any],
    config: JobConfig | None,
    *,
    recipients: tuple[str, ...] = (),
    default_sources: tuple[Path, ...] = (),
) -> JobPlan:
    """The options merged with the config file (an option given wins) into a JobPlan."""

    email = email_settings(config, recipients) if config is not None else None
    sources = list(options["sources"]) or (list(config.sources) if config else [])
    archive: Path | None = options["archive_path"]
    if config is not None and archive is None and (config.feeds or config.archive):
        archive = config.archive or (options["out_dir"] or config.out) / ARCHIVE_NAME
    if not sources and archive is None:
        if config is not None and not config.feeds:
            raise InputError(f"{config.path}: sources: missing (or give SOURCES)")
        sources = list(default_sources)
    tz_name = options["tz_name"]
    zone = config.time_zone if config and config.time_zone and not tz_name else brief_zone(tz_name)
    date = parse_date(options["date_text"], zone)
    window_text, since_text = options["window_text"], options["since_text"]
    length = window_text or (None if since_text or config is None else config.window)
    try:
        window = parse_window(date, zone, length, since_text)
    except OptionError as exc:
        if config is None or length is None or window_text is not None:
            raise
        raise InputError(f"{config.path}: window: {exc.message}") from None
    out = options["out_dir"] or (config.out if config else DEFAULT_OUT)
    if options["format_text"]:
        formats = parse_formats(options["format_text"])
    elif config is not None:
        formats = list(config.formats)
    else:
        formats = ["md"] if out == STDOUT else list(DEFAULT_FORMATS)
    if email is not None:  # the email carries the PDF and the Markdown
        formats += [f for f in cast(tuple[Format, ...], ("md", "pdf")) if f not in formats]
    topics_path = options["topics_path"] or (config.topics if config else None)
    footnotes: FootnoteStyle = options["footnotes"] or (
        config.footnotes if config else DEFAULT_FOOTNOTES
    )
    return JobPlan(
        config=config,
        sources=sources,
        topics=load_topics(topics_path or default_topics_path()),
        date=date,
        zone=zone,
        window=window,
        per_topic=options["per_topic"] or (config.per_topic if config else DEFAULT_PER_TOPIC),
        title=parse_title(options["title"]) or (config.title if config else None),
        formats=formats,
        footnotes=footnotes,
        out=out,
        archive=archive,
        email=email,
        history=options.get("history_path") or (config.history if config else None),
        novelty_days=config.novelty_days if config else DEFAULT_NOVELTY_DAYS,
        timeline=_timeline(options.get("timeline"), config),
        dask=options.get("dask") or (config.dask if config else None),
    )


def _timeline(option: bool | None, config: JobConfig | None) -> bool:
    """--timeline / --no-timeline, else the config's `timeline`, else off."""
    if option is not None:
        return option
    return config.timeline if config is not None else False
