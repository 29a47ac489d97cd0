"""Command line: `briefing build` and friends. The only place that writes files."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sys
import tempfile
from pathlib import Path

import click

from briefing import __version__
from briefing.errors import InputError
from briefing.pipeline import build_brief
from briefing.timewindow import Window, brief_moment, brief_zone, window_ending
from briefing.topics import default_topics_path, load_topics

FORMATS = ("md", "pdf", "html", "json")
DEFAULT_FORMATS = "md,pdf,json"
DEFAULT_SOURCES = (Path("seeds"),)


def parse_date(text: str | None, zone: dt.tzinfo | None = None) -> dt.date:
    """The brief's date; today is today in the brief's time zone."""
    if text is None:
        return dt.datetime.now(zone).date()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise click.BadParameter(f"expected YYYY-MM-DD, got {text!r}", param_hint="'--date'")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a calendar date", param_hint="'--date'"
        ) from None


def parse_formats(text: str) -> list[str]:
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        bad = unknown[0] if unknown else text
        choices = ", ".join(FORMATS)
        raise click.BadParameter(
            f"unknown format {bad!r} (choose from {choices})", param_hint="'--format'"
        )
    return list(dict.fromkeys(formats))


def parse_window(
    date: dt.date, zone: dt.tzinfo, length: str | None, since: str | None
) -> Window | None:
    """`--window`/`--since` as a window ending at the brief's moment."""
    try:
        return window_ending(brief_moment(date, zone), length=length, since=since)
    except ValueError as exc:
        hint = "'--since'" if since is not None and length is None else "'--window'"
        raise click.BadParameter(str(exc), param_hint=hint) from None


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(outputs: dict[Path, bytes]) -> None:
    """Write every file to a temporary name first, then rename them all into place,
    so a failure leaves no half-written brief behind."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, data in outputs.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(
                dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
            )
            staged.append((Path(temporary), target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            # mkstemp creates 0600 files; a brief is as readable as any file the user writes.
            os.chmod(temporary, 0o666 & ~_current_umask())
        for temporary, target in staged:
            os.replace(temporary, target)
    except OSError as exc:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        where = exc.filename or next(iter(outputs)).parent
        raise InputError(f"{where}: cannot write the brief ({exc.strerror or exc})") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefing")
def cli() -> None:
    """Turn a day's news articles into a dated, footnoted, extractive brief."""


@cli.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--topics", "topics_path", type=click.Path(path_type=Path), help="Topics TOML file.")
@click.option("--date", "date_text", metavar="YYYY-MM-DD", help="Date of the brief [today].")
@click.option(
    "--out", "out_dir", type=click.Path(path_type=Path), default=Path("out"), show_default=True
)
@click.option(
    "--format",
    "format_text",
    default=DEFAULT_FORMATS,
    show_default=True,
    help=f"Comma-separated: {', '.join(FORMATS)}.",
)
@click.option(
    "--per-topic",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Items per topic.",
)
@click.option("--title", help="Title of the brief [the topics file's title].")
@click.option(
    "--explain",
    is_flag=True,
    help="Print why each item was picked, and add the same to the JSON.",
)
@click.option(
    "--window",
    "window_text",
    metavar="DURATION",
    help="Keep articles published in this span (24h, 90m, 2d) up to the brief's moment.",
)
@click.option(
    "--since", "since_text", metavar="DATETIME", help="Keep articles published from this time on."
)
@click.option("--tz", "tz_name", metavar="ZONE", help="The brief's time zone [TZ, else local].")
def build(
    sources: tuple[Path, ...],
    topics_path: Path | None,
    date_text: str | None,
    out_dir: Path,
    format_text: str,
    per_topic: int,
    title: str | None,
    explain: bool,
    window_text: str | None,
    since_text: str | None,
    tz_name: str | None,
) -> None:
    """Build the brief from SOURCES (folders or article files; default: seeds/)."""
    from briefing.render import RENDERERS, render_explanation, render_json

    zone = brief_zone(tz_name)
    date = parse_date(date_text, zone)
    window = parse_window(date, zone, window_text, since_text)
    formats = parse_formats(format_text)
    topics = load_topics(topics_path or default_topics_path())
    brief = build_brief(
        list(sources or DEFAULT_SOURCES), topics, date, per_topic, title, zone=zone, window=window
    )
    outputs: dict[Path, bytes] = {}
    for fmt in formats:
        rendered = render_json(brief, explain=True) if explain and fmt == "json" else None
        rendered = rendered or RENDERERS[fmt](brief)
        data = rendered.encode("utf-8") if isinstance(rendered, str) else rendered
        outputs[out_dir / f"brief-{date.isoformat()}.{fmt}"] = data
    write_atomically(outputs)
    for path in outputs:
        click.echo(str(path))
    if explain:
        click.echo(render_explanation(brief), nl=False)


class _OneLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"briefing: {record.levelname.lower()}: {record.getMessage()}"


def _setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine())
    logger = logging.getLogger("briefing")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def main() -> None:
    """Entry point: user errors are one line on stderr and exit 2, never a traceback."""
    _setup_logging()
    try:
        code = cli.main(prog_name="briefing", standalone_mode=False)
    except click.ClickException as exc:
        click.echo(f"briefing: error: {exc.format_message()}", err=True)
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except InputError as exc:
        click.echo(f"briefing: error: {exc}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("briefing: aborted", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
