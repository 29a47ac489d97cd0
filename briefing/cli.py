"""Command line: `briefing build`, `run` (the daily job), `fetch`, `send`, `read` and
`init`. It only parses options and calls the library: the pipeline builds, `write` writes,
`job` runs the daily job."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from briefing import __version__
from briefing.config import ARCHIVE_NAME, JobConfig, check_title, load_config
from briefing.errors import (
    DeliveryError,
    InputError,
    OneLine,
    RunLockedError,
    error_line,
    read_input,
    read_input_text,
)
from briefing.listing import LISTING_FORMATS
from briefing.options import (
    CONFIG_NAME,
    DEFAULT_FOOTNOTES,
    DEFAULT_FORMATS,
    DEFAULT_OUT,
    DEFAULT_PER_TOPIC,
    DEFAULT_SOURCES,
    FOOTNOTE_STYLES,
    FORMATS,
    FootnoteStyle,
    Format,
)
from briefing.timewindow import Window, brief_moment, brief_zone, window_ending

if TYPE_CHECKING:  # the pipeline (numpy, scipy, the readers) loads only when a brief is built
    from briefing.job import JobPlan, RunLog

EXIT_INPUT, EXIT_DELIVERY, EXIT_LOCKED, EXIT_FETCH = 2, 3, 4, 5
EXIT_INTERRUPTED = 128 + 2  # SIGINT, as a shell reports Ctrl-C
EXIT_BROKEN_PIPE = 128 + 13  # SIGPIPE
STDOUT = Path("-")
STDOUT_FORMATS = ("md", "json", "html")  # the text formats `--out -` can print


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


def parse_formats(text: str) -> list[Format]:
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        bad = unknown[0] if unknown else text
        choices = ", ".join(FORMATS)
        raise click.BadParameter(
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
        raise click.BadParameter(
            f"{date.isoformat()} is out of range (the last brief date is 9999-12-30)",
            param_hint="'--date'",
        ) from None
    hint = "'--since'" if since is not None and length is None else "'--window'"
    try:
        return window_ending(moment, length=length, since=since)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=hint) from None
    except OverflowError:
        value = length if hint == "'--window'" else since
        raise click.BadParameter(
            f"{value!r} is out of range (it reaches beyond the calendar)", param_hint=hint
        ) from None


def parse_title(title: str | None) -> str | None:
    """`--title`, which must be one line: it is the email's subject and the heading."""
    return check_title(title, "--title") if title is not None else None


def say(message: str) -> None:
    """Progress is for a person at a terminal; under cron any output means trouble."""
    if sys.stderr.isatty():
        click.echo(f"briefing: {message}", err=True)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Warnings and notes on stderr, one line each."""


def _stderr_handlers() -> list[logging.Handler]:
    return [h for h in logging.getLogger("briefing").handlers if isinstance(h, _StderrHandler)]


def _set_verbosity(quiet: bool, verbose: bool, *, default: int = logging.INFO) -> None:
    """-q: errors only; -v: every note; neither: the command's own default."""
    level = logging.CRITICAL + 1 if quiet else logging.DEBUG if verbose else default
    for handler in _stderr_handlers():
        handler.setLevel(level)


def verbosity_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """-q and -v, on every command."""
    command = click.option(
        "-v", "--verbose", is_flag=True, help="Also print notes and progress detail on stderr."
    )(command)
    return click.option(
        "-q", "--quiet", is_flag=True, help="Print nothing but errors (no warnings, no paths)."
    )(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefing")
def cli() -> None:
    """Turn a day's news articles into a dated, footnoted, extractive brief.

    \b
    Start a job folder:    briefing init myjob && cd myjob && briefing build
    Try it on the seeds:   briefing build seeds --out out
    The daily job (cron):  briefing run --config briefing.toml
    """


CONFIG_HELP = f"Job TOML file [{CONFIG_NAME} in the current folder, if there is one]."
ARCHIVE_HELP = "Also read the articles `briefing fetch` gathered in this archive (SQLite)."
RECIPIENT_HELP = (
    "Recipient (or a comma-separated list), instead of the config's `to`; repeat for several."
)
WINDOW_HELP = "Keep articles published in this span (24h, 90m, 2d) up to the brief's moment."
SINCE_HELP = "Keep articles published from this time on (2026-11-30T18:00, or a date)."


def brief_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options `build` and `run` share. None of them has a default here: an option
    left out keeps the config file's value, else the default in `briefing.options`."""
    options = [
        click.argument("sources", nargs=-1, type=click.Path(path_type=Path)),
        click.option("--config", "config_path", type=click.Path(path_type=Path), help=CONFIG_HELP),
        click.option(
            "--topics",
            "topics_path",
            type=click.Path(path_type=Path),
            help="Topics TOML file [the config's, else the seed topics].",
        ),
        click.option(
            "--date", "date_text", metavar="YYYY-MM-DD", help="Date of the brief [today]."
        ),
        click.option(
            "--out",
            "out_dir",
            type=click.Path(path_type=Path),
            help=f"Folder the brief's files go to, or - for stdout [{DEFAULT_OUT}].",
        ),
        click.option(
            "--format",
            "format_text",
            metavar="LIST",
            help=f"Comma-separated: {', '.join(FORMATS)} [{','.join(DEFAULT_FORMATS)}; "
            "md with --out -].",
        ),
        click.option(
            "--per-topic",
            type=click.IntRange(min=1),
            help=f"Items per topic [{DEFAULT_PER_TOPIC}].",
        ),
        click.option("--title", help="Title of the brief [the topics file's title]."),
        click.option(
            "--footnotes",
            type=click.Choice(FOOTNOTE_STYLES),
            help="Markdown citations: [^n] footnotes, or plain [n] and a numbered Sources "
            f"list [{DEFAULT_FOOTNOTES}].",
        ),
        click.option("--window", "window_text", metavar="DURATION", help=WINDOW_HELP),
        click.option("--since", "since_text", metavar="DATETIME", help=SINCE_HELP),
        click.option(
            "--tz", "tz_name", metavar="ZONE", help="The brief's time zone [TZ, else local]."
        ),
        click.option(
            "--archive", "archive_path", type=click.Path(path_type=Path), help=ARCHIVE_HELP
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


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
    from briefing.job import JobPlan, email_settings
    from briefing.topics import default_topics_path, load_topics

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
    except click.BadParameter as exc:
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
    )


@cli.command()
@brief_options
@click.option(
    "--explain",
    is_flag=True,
    help="Print why each item was picked, and add the same to the JSON.",
)
@verbosity_options
def build(explain: bool, quiet: bool, verbose: bool, **options: Any) -> None:
    """Build the brief from SOURCES (folders or article files) and print the paths written.

    Without SOURCES: the config's sources (--config, or briefing.toml here), else seeds/.

    \b
    Examples:
      briefing build seeds --out out --format md,pdf
      briefing build articles/ --window 24h --out - | less
      briefing build --archive out/archive.sqlite --window 24h
    """
    _set_verbosity(quiet, verbose)
    config = find_config(options["config_path"], required=False)
    defaults = DEFAULT_SOURCES if all(p.is_dir() for p in DEFAULT_SOURCES) else ()
    plan = plan_brief(options, config, default_sources=defaults)
    if not plan.sources and plan.archive is None:
        raise InputError(
            "nothing to build from: give folders or article files (briefing build DIR), "
            "--archive, a config with sources, or start a job folder with `briefing init`"
        )
    from briefing.pipeline import build_brief

    brief = build_brief(
        plan.sources,
        plan.topics,
        plan.date,
        plan.per_topic,
        plan.title,
        zone=plan.zone,
        window=plan.window,
        archive=plan.archive,
    )
    if plan.out == STDOUT:
        _print_brief(brief, plan.formats, plan.footnotes, explain)
        return
    from briefing.write import write_brief

    written = write_brief(brief, plan.out, plan.formats, footnotes=plan.footnotes, explain=explain)
    if not quiet:
        for path in written:
            click.echo(str(path))
    if explain:
        from briefing.render import render_explanation

        click.echo(render_explanation(brief), nl=False)


def _print_brief(
    brief: Any, formats: list[Format], footnotes: FootnoteStyle, explain: bool
) -> None:
    if len(formats) != 1 or formats[0] not in STDOUT_FORMATS:
        raise click.BadParameter(
            f"--out - prints one of {', '.join(STDOUT_FORMATS)}, not {','.join(formats)}",
            param_hint="'--format'",
        )
    from briefing.render import render_brief

    write_stdout(render_brief(brief, formats[0], footnotes=footnotes, explain=explain))


@cli.command("read")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--archive", "archive_path", type=click.Path(path_type=Path), help=ARCHIVE_HELP)
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
@click.option("--window", "window_text", metavar="DURATION", help=WINDOW_HELP)
@click.option("--since", "since_text", metavar="DATETIME", help=SINCE_HELP)
@click.option(
    "--tz", "tz_name", metavar="ZONE", help="Time zone of times without an offset [TZ, else local]."
)
@verbosity_options
def read_command(
    sources: tuple[Path, ...],
    archive_path: Path | None,
    fmt: str,
    keep_duplicates: bool,
    date_text: str | None,
    window_text: str | None,
    since_text: str | None,
    tz_name: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Print the articles a brief over SOURCES is built from, as the readers extracted
    them; warnings about single files go to stderr.

    The JSON Lines read back as a source give the same brief. Exit code 2: a missing
    source, or no usable article (in the window).

    \b
    Examples:
      briefing read saved-pages/ --format text | less
      briefing read feeds/ --window 24h > today.jsonl
    """
    _set_verbosity(quiet, verbose)
    from briefing.listing import render_listing
    from briefing.pipeline import collect_articles

    if not sources and archive_path is None:
        raise click.UsageError("give SOURCES, --archive or both")
    zone = brief_zone(tz_name)
    date = parse_date(date_text, zone)
    window = parse_window(date, zone, window_text, since_text)
    articles = collect_articles(
        list(sources), zone, window, keep_duplicates=keep_duplicates, archive=archive_path
    )
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
        raise InputError(f"stdout: cannot write the output ({exc.strerror or exc})") from None


@contextlib.contextmanager
def run_log(quiet: bool, verbose: bool) -> Iterator[RunLog]:
    """Collect the run's log lines; they reach stderr only with -v (under cron anything
    printed is mailed as trouble)."""
    from briefing.job import RunLog

    collected = RunLog()
    logger = logging.getLogger("briefing")
    logger.addHandler(collected)
    levels = [(h, h.level) for h in _stderr_handlers()]
    _set_verbosity(quiet, verbose, default=logging.CRITICAL + 1)
    try:
        yield collected
    finally:
        logger.removeHandler(collected)
        for handler, level in levels:
            handler.setLevel(level)


@cli.command()
@brief_options
@click.option("--to", "recipients", multiple=True, metavar="ADDRESS", help=RECIPIENT_HELP)
@verbosity_options
def run(recipients: tuple[str, ...], quiet: bool, verbose: bool, **options: Any) -> None:
    """The daily job: fetch the config's feeds, build the brief, write it and mail it.

    Options override the config file (--config, or briefing.toml in the current folder).
    Prints nothing on success (progress only on a terminal), so cron mails only trouble:
    warnings and notes go to OUT/brief-DATE.log (and to stderr with -v). Exit codes: 2 bad
    input, 3 not delivered (the brief stays on disk), 4 another run on the same output
    folder is still going.

    \b
    Example (crontab):
      30 6 * * 1-5  /opt/briefing/.venv/bin/briefing run --config /opt/briefing/briefing.toml
    """
    from briefing.job import run_job

    config = find_config(options["config_path"], required=True)
    if options["out_dir"] == STDOUT:
        raise click.BadParameter("run writes files; use build for stdout", param_hint="'--out'")
    with run_log(quiet, verbose) as log:
        plan = plan_brief(options, config, recipients=recipients)
        run_job(plan, log, say)


@cli.command("fetch")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help=CONFIG_HELP)
@click.option("--retry-gone", is_flag=True, help="Also ask again the feeds that answered 410 Gone.")
@verbosity_options
def fetch_command(config_path: Path | None, retry_gone: bool, quiet: bool, verbose: bool) -> None:
    """Fetch the config's feeds ([[feeds]], opml) into its archive, politely.

    Warnings name each feed that failed; the others are fetched. Prints one summary line
    (none with -q). Exit codes: 2 bad input, 4 a run on the same output folder is going,
    5 some feeds could not be fetched (the rest are in the archive).

    \b
    Example (crontab, every hour):
      15 * * * *  /opt/briefing/.venv/bin/briefing fetch -q --config /opt/briefing/briefing.toml
    """
    _set_verbosity(quiet, verbose)
    from briefing.job import fetch_feeds
    from briefing.write import run_lock

    config = find_config(config_path, required=True)
    assert config is not None
    if not config.feeds:
        raise InputError(f"{config.path}: feeds: none to fetch (give [[feeds]] or opml)")
    zone = config.time_zone or brief_zone(None)
    with run_lock(config.out):  # the lock `run` holds while it fetches and builds
        failed = fetch_feeds(config, config.archive_path, zone, retry_gone)
    if failed:
        sys.exit(EXIT_FETCH)


@cli.command()
@click.argument("pdf_path", metavar="BRIEF.pdf", type=click.Path(path_type=Path))
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help=f"TOML file with the [email] section [{CONFIG_NAME} here].",
)
@click.option("--to", "recipients", multiple=True, metavar="ADDRESS", help=RECIPIENT_HELP)
@click.option(
    "--body",
    "body_path",
    type=click.Path(path_type=Path),
    help="The Markdown brief for the body [BRIEF.md beside the PDF].",
)
@verbosity_options
def send(
    pdf_path: Path,
    config_path: Path | None,
    recipients: tuple[str, ...],
    body_path: Path | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Mail BRIEF.pdf with its Markdown brief as the body, by the config's [email] section.

    Exit codes: 2 bad input, 3 not delivered.

    \b
    Example:
      briefing send out/brief-2026-12-01.pdf --config briefing.toml --to desk@example.com
    """
    _set_verbosity(quiet, verbose)
    from briefing.deliver import brief_heading
    from briefing.job import check_attachment, email_settings, mail_brief

    config = find_config(config_path, required=True)
    assert config is not None
    email = email_settings(config, recipients)
    if email is None:
        raise InputError(f"{config.path}: no [email] section")
    body_path = body_path or pdf_path.with_suffix(".md")
    sizes = [_file_size(pdf_path, "the brief's PDF"), _file_size(body_path, "the brief's Markdown")]
    check_attachment(pdf_path, sum(sizes), email)  # before anything is read
    pdf = read_input(pdf_path, "the brief's PDF")
    if not pdf.startswith(b"%PDF-"):
        raise InputError(f"{pdf_path}: not a PDF file")
    markdown_text = read_input_text(body_path, "the brief's Markdown")
    title, date = brief_heading(markdown_text, str(body_path))
    zone = config.time_zone or brief_zone(None)
    mail_brief(markdown_text, title, date, pdf_path, pdf, email, zone, say)


@cli.command()
@click.argument("folder", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite files that are there already.")
@verbosity_options
def init(folder: Path, force: bool, quiet: bool, verbose: bool) -> None:
    """Start a job folder: a commented config (briefing.toml), a topics file to edit
    (topics.toml) and an example article, so `briefing build` works there at once.

    \b
    Example:
      briefing init myjob && cd myjob && briefing build && ls briefs/
    """
    from briefing.starter import write_starter

    for path in write_starter(folder, force=force):
        if not quiet:
            click.echo(str(path))


def _file_size(path: Path, what: str) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{path}: {what} not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read {what} ({exc.strerror or exc})") from None


def _setup_logging() -> None:
    handler = _StderrHandler(sys.stderr)
    handler.setFormatter(OneLine())
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
    code, never a traceback; Ctrl-C ends with 130, as a shell expects."""
    # One BLAS thread: briefing's dense products are small and many, and a second thread
    # mostly waits on the first (ten times slower on a busy two-core machine). Set before
    # NumPy loads its BLAS, which the CLI's lazy imports leave until a brief is built; a
    # value the user chose is kept.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    _utf8_output()
    _setup_logging()
    try:
        code = cli.main(prog_name="briefing", standalone_mode=False)
    except click.ClickException as exc:
        click.echo(f"briefing: error: {exc.format_message()}", err=True)
        sys.exit(EXIT_INPUT if isinstance(exc, click.UsageError) else exc.exit_code)
    except (InputError, DeliveryError, RunLockedError) as exc:
        click.echo(error_line(exc), err=True)
        sys.exit(EXIT_CODES[type(exc)])
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("briefing: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(code if isinstance(code, int) else 0)
