"""Command line: `briefing build`, `run` (the daily job), `send` and `read` (the articles
as extracted). The only place that writes files."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import io
import logging
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from briefing import __version__
from briefing.compose import Brief
from briefing.config import (
    FOOTNOTE_STYLES,
    FORMATS,
    EmailSettings,
    JobConfig,
    check_address,
    load_config,
)
from briefing.errors import (
    DeliveryError,
    InputError,
    RunLockedError,
    read_input,
    read_input_text,
)
from briefing.listing import LISTING_FORMATS
from briefing.pipeline import build_brief
from briefing.timewindow import Window, brief_moment, brief_zone, window_ending
from briefing.topics import default_topics_path, load_topics

DEFAULT_FORMATS = "md,pdf,json"
DEFAULT_SOURCES = (Path("seeds"),)
LOCK_NAME = ".briefing.lock"
EXIT_INPUT, EXIT_DELIVERY, EXIT_LOCKED = 2, 3, 4
EXIT_BROKEN_PIPE = 128 + 13  # SIGPIPE


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


def brief_options(*, defaults: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The options `build` and `run` share. `run` gives them no defaults of its own, so an
    option left out keeps the config file's value."""

    def default(value: object) -> object:
        return value if defaults else None

    options = [
        click.argument("sources", nargs=-1, type=click.Path(path_type=Path)),
        click.option(
            "--topics", "topics_path", type=click.Path(path_type=Path), help="Topics TOML file."
        ),
        click.option(
            "--date", "date_text", metavar="YYYY-MM-DD", help="Date of the brief [today]."
        ),
        click.option(
            "--out",
            "out_dir",
            type=click.Path(path_type=Path),
            default=default(Path("out")),
            show_default=defaults,
        ),
        click.option(
            "--format",
            "format_text",
            default=default(DEFAULT_FORMATS),
            show_default=defaults,
            help=f"Comma-separated: {', '.join(FORMATS)}.",
        ),
        click.option(
            "--per-topic",
            type=click.IntRange(min=1),
            default=default(5),
            show_default=defaults,
            help="Items per topic.",
        ),
        click.option("--title", help="Title of the brief [the topics file's title]."),
        click.option(
            "--footnotes",
            type=click.Choice(FOOTNOTE_STYLES),
            default=default("gfm"),
            show_default=defaults,
            help="Markdown citations: [^n] footnotes, or plain [n] and a numbered Sources list.",
        ),
        click.option(
            "--window",
            "window_text",
            metavar="DURATION",
            help="Keep articles published in this span (24h, 90m, 2d) up to the brief's moment.",
        ),
        click.option(
            "--since",
            "since_text",
            metavar="DATETIME",
            help="Keep articles published from this time on.",
        ),
        click.option(
            "--tz", "tz_name", metavar="ZONE", help="The brief's time zone [TZ, else local]."
        ),
    ]

    def apply(command: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


def render_outputs(
    brief: Brief, formats: list[str], out_dir: Path, footnotes: str, explain: bool = False
) -> dict[Path, bytes]:
    """Each format's file name and bytes, in the order asked for."""
    from briefing.render import RENDERERS, render_json, render_markdown

    outputs: dict[Path, bytes] = {}
    for fmt in formats:
        if fmt == "md":
            rendered: str | bytes = render_markdown(brief, footnotes)
        elif fmt == "json" and explain:
            rendered = render_json(brief, explain=True)
        else:
            rendered = RENDERERS[fmt](brief)
        data = rendered.encode("utf-8") if isinstance(rendered, str) else rendered
        outputs[brief_file(out_dir, brief.date, fmt)] = data
    return outputs


def brief_file(out_dir: Path, date: dt.date, fmt: str) -> Path:
    return out_dir / f"brief-{date.isoformat()}.{fmt}"


@cli.command()
@brief_options(defaults=True)
@click.option(
    "--explain",
    is_flag=True,
    help="Print why each item was picked, and add the same to the JSON.",
)
def build(
    sources: tuple[Path, ...],
    topics_path: Path | None,
    date_text: str | None,
    out_dir: Path,
    format_text: str,
    per_topic: int,
    title: str | None,
    footnotes: str,
    window_text: str | None,
    since_text: str | None,
    tz_name: str | None,
    explain: bool,
) -> None:
    """Build the brief from SOURCES (folders or article files; default: seeds/)."""
    from briefing.render import render_explanation

    zone = brief_zone(tz_name)
    date = parse_date(date_text, zone)
    window = parse_window(date, zone, window_text, since_text)
    formats = parse_formats(format_text)
    topics = load_topics(topics_path or default_topics_path())
    brief = build_brief(
        list(sources or DEFAULT_SOURCES), topics, date, per_topic, title, zone=zone, window=window
    )
    outputs = render_outputs(brief, formats, out_dir, footnotes, explain)
    write_atomically(outputs)
    for path in outputs:
        click.echo(str(path))
    if explain:
        click.echo(render_explanation(brief), nl=False)


@cli.command("read")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(LISTING_FORMATS),
    default="jsonl",
    show_default=True,
    help="JSON Lines (one article a line), one JSON array, or a listing to read.",
)
@click.option(
    "--keep-duplicates",
    is_flag=True,
    help="Every copy as read, not one copy of each article as the brief uses.",
)
@click.option(
    "--date", "date_text", metavar="YYYY-MM-DD", help="The brief's date, for --window [today]."
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
@click.option(
    "--tz", "tz_name", metavar="ZONE", help="Time zone of times without an offset [TZ, else local]."
)
def read_command(
    sources: tuple[Path, ...],
    fmt: str,
    keep_duplicates: bool,
    date_text: str | None,
    window_text: str | None,
    since_text: str | None,
    tz_name: str | None,
) -> None:
    """Print the articles a brief over SOURCES is built from, as the readers extracted
    them; warnings about single files go to stderr.

    The JSON Lines read back as a source give the same brief. Exit code 2: a missing
    source, or no usable article (in the window).
    """
    from briefing.listing import collect_articles, render_listing

    zone = brief_zone(tz_name)
    date = parse_date(date_text, zone)
    window = parse_window(date, zone, window_text, since_text)
    articles = collect_articles(list(sources), zone, window, keep_duplicates=keep_duplicates)
    write_stdout(render_listing(articles, fmt))


def write_stdout(data: bytes) -> None:
    """All of `data` on stdout, or an error: a buffered write that fails part-way reports
    the bytes it got out instead of raising, which would end a cut-off listing with 0."""
    sys.stdout.flush()
    stream = sys.stdout.buffer
    view = memoryview(data)
    try:
        while view:
            view = view[stream.write(view) :]
        stream.flush()
    except BrokenPipeError:
        # The reader of a pipe stopped early (`briefing read DIR | head`): end quietly,
        # with the status a shell gives a command ended by SIGPIPE.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_BROKEN_PIPE)
    except OSError as exc:
        raise InputError(f"stdout: cannot write the articles ({exc.strerror or exc})") from None


def progress(message: str) -> None:
    """Progress is for a person at a terminal; under cron any output means trouble."""
    if sys.stderr.isatty():
        click.echo(f"briefing: {message}", err=True)


@contextlib.contextmanager
def run_lock(folder: Path) -> Iterator[None]:
    """Hold FOLDER/.briefing.lock for the whole run, so a second run on the same folder
    stops at once instead of overlapping. The kernel releases the lock when the process
    ends, so a crashed run never leaves it held."""
    path = folder / LOCK_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        where = exc.filename or path
        raise InputError(f"{where}: cannot create the run lock ({exc.strerror or exc})") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise RunLockedError(
                f"{path}: another briefing run (pid {holder}) is still writing to {folder}"
            ) from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(handle)


def email_settings(config: JobConfig, recipients: tuple[str, ...]) -> EmailSettings | None:
    """The config's [email] section, with --to (if given) in place of its `to`."""
    email = config.email
    if recipients:
        if email is None:
            raise InputError(f"{config.path}: --to needs an [email] section")
        email = dataclasses.replace(email, to=tuple(check_address(r, "--to") for r in recipients))
    if email is not None and not email.to:
        raise InputError(f"{config.path}: [email] to: missing (or give --to)")
    return email


def mail_brief(
    markdown_path: Path,
    markdown_text: str,
    pdf_path: Path,
    pdf: bytes,
    email: EmailSettings,
    zone: dt.tzinfo,
) -> None:
    from briefing.deliver import build_message, send_message

    message = build_message(
        markdown_text=markdown_text,
        markdown_name=str(markdown_path),
        pdf=pdf,
        pdf_name=pdf_path.name,
        sender=email.sender,
        to=email.to,
        now=dt.datetime.now(zone),
    )
    progress(f"sending to {', '.join(email.to)} through {email.host}:{email.port}")
    try:
        send_message(message, email)
    except DeliveryError as exc:
        raise DeliveryError(f"{exc}; the brief stays in {pdf_path}") from None
    progress("sent")


RECIPIENT_HELP = "Recipient, instead of the config's `to` (repeat for several)."


@cli.command()
@click.option(
    "--config", "config_path", required=True, type=click.Path(path_type=Path), help="Job TOML file."
)
@brief_options(defaults=False)
@click.option("--to", "recipients", multiple=True, metavar="ADDRESS", help=RECIPIENT_HELP)
def run(
    config_path: Path,
    sources: tuple[Path, ...],
    topics_path: Path | None,
    date_text: str | None,
    out_dir: Path | None,
    format_text: str | None,
    per_topic: int | None,
    title: str | None,
    footnotes: str | None,
    window_text: str | None,
    since_text: str | None,
    tz_name: str | None,
    recipients: tuple[str, ...],
) -> None:
    """The daily job: build the brief the config file describes, write it and mail it.

    Options override the file. Prints nothing on success (progress only on a terminal),
    so cron mails only trouble. Exit codes: 2 bad input, 3 not delivered (the brief stays
    on disk), 4 another run on the same output folder is still going.
    """
    config = load_config(config_path)
    email = email_settings(config, recipients)
    source_paths = list(sources) or list(config.sources)
    if not source_paths:
        raise InputError(f"{config_path}: sources: missing (or give SOURCES)")
    zone = config.time_zone if config.time_zone and not tz_name else brief_zone(tz_name)
    date = parse_date(date_text, zone)
    window = parse_window(
        date, zone, window_text or (None if since_text else config.window), since_text
    )
    formats = parse_formats(format_text) if format_text else list(config.formats)
    if email is not None:  # the email carries the PDF and the Markdown
        formats += [f for f in ("md", "pdf") if f not in formats]
    topics = load_topics(topics_path or config.topics or default_topics_path())
    out = out_dir or config.out
    with run_lock(out):
        progress(f"reading {', '.join(str(s) for s in source_paths)}")
        brief = build_brief(
            source_paths,
            topics,
            date,
            per_topic or config.per_topic,
            title or config.title,
            zone=zone,
            window=window,
        )
        progress(f"rendering {', '.join(formats)}")
        outputs = render_outputs(brief, formats, out, footnotes or config.footnotes)
        write_atomically(outputs)
        progress(f"wrote {', '.join(str(p) for p in outputs)}")
        if email is not None:
            markdown_path, pdf_path = brief_file(out, date, "md"), brief_file(out, date, "pdf")
            markdown_text = outputs[markdown_path].decode("utf-8")
            mail_brief(markdown_path, markdown_text, pdf_path, outputs[pdf_path], email, zone)


@cli.command()
@click.argument("pdf_path", metavar="BRIEF.pdf", type=click.Path(path_type=Path))
@click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(path_type=Path),
    help="TOML file with the [email] section.",
)
@click.option("--to", "recipients", multiple=True, metavar="ADDRESS", help=RECIPIENT_HELP)
@click.option(
    "--body",
    "body_path",
    type=click.Path(path_type=Path),
    help="The Markdown brief for the body [BRIEF.md beside the PDF].",
)
def send(
    pdf_path: Path, config_path: Path, recipients: tuple[str, ...], body_path: Path | None
) -> None:
    """Mail BRIEF.pdf with its Markdown brief as the body, by the config's [email] section.

    Exit codes: 2 bad input, 3 not delivered.
    """
    config = load_config(config_path)
    email = email_settings(config, recipients)
    if email is None:
        raise InputError(f"{config_path}: no [email] section")
    body_path = body_path or pdf_path.with_suffix(".md")
    pdf = read_input(pdf_path, "the brief's PDF")
    if not pdf.startswith(b"%PDF-"):
        raise InputError(f"{pdf_path}: not a PDF file")
    markdown_text = read_input_text(body_path, "the brief's Markdown")
    zone = config.time_zone or brief_zone(None)
    mail_brief(body_path, markdown_text, pdf_path, pdf, email, zone)


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


def _utf8_output() -> None:
    """Titles and paths go out as UTF-8 whatever the locale (cron's is often plain C)."""
    for stream, errors in ((sys.stdout, "surrogateescape"), (sys.stderr, "backslashreplace")):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors=errors)


EXIT_CODES: dict[type[Exception], int] = {
    InputError: EXIT_INPUT,
    DeliveryError: EXIT_DELIVERY,
    RunLockedError: EXIT_LOCKED,
}


def main() -> None:
    """Entry point: errors the user can act on are one line on stderr and their own exit
    code, never a traceback."""
    _utf8_output()
    _setup_logging()
    try:
        code = cli.main(prog_name="briefing", standalone_mode=False)
    except click.ClickException as exc:
        click.echo(f"briefing: error: {exc.format_message()}", err=True)
        sys.exit(EXIT_INPUT if isinstance(exc, click.UsageError) else exc.exit_code)
    except (InputError, DeliveryError, RunLockedError) as exc:
        prefix = "not delivered: " if isinstance(exc, DeliveryError) else ""
        click.echo(f"briefing: error: {prefix}{exc}", err=True)
        sys.exit(EXIT_CODES[type(exc)])
    except click.exceptions.Abort:
        click.echo("briefing: aborted", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
