"""Command line: `briefing build`, `run` (the daily job), `fetch`, `send`, `read` and
`init`. It only parses options and calls the library: the pipeline builds, `write` writes,
`job` runs the daily job."""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from briefing import __version__
from briefing.console import run_log, say, set_verbosity, setup_logging, utf8_output
from briefing.errors import (
    DeliveryError,
    InputError,
    OptionError,
    RunLockedError,
    error_line,
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
    STDOUT,
    FootnoteStyle,
    Format,
)
from briefing.timewindow import brief_zone

if TYPE_CHECKING:  # the pipeline (numpy, scipy, the readers) loads only when a brief is built
    pass

EXIT_INPUT, EXIT_DELIVERY, EXIT_LOCKED, EXIT_FETCH = 2, 3, 4, 5
EXIT_INTERRUPTED = 128 + 2  # SIGINT, as a shell reports Ctrl-C
STDOUT_FORMATS = ("md", "json", "html")  # the text formats `--out -` can print


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
        click.option(
            "--timeline/--no-timeline",
            default=None,
            help="Add a Timeline: each topic's dated events, in date order [the config's "
            "timeline, else off].",
        ),
        click.option(
            "--history",
            "history_path",
            type=click.Path(path_type=Path),
            help="SQLite file of what earlier briefs reported: say what is new, repeat no fact "
            "[the config's history, else none].",
        ),
        click.option(
            "--dask",
            metavar="ADDRESS",
            help="Read, split and rank each article on the Dask scheduler at ADDRESS, or "
            "'local' for this machine's cores; the same brief [the config's dask, else off].",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


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
    set_verbosity(quiet, verbose)
    from briefing.helper import pdf_press

    # WeasyPrint is imported on the other core from here on, while the brief is planned
    # and built (`PdfPress`), unless the command line asks for stdout or for formats
    # without a PDF.
    formats_asked = (options["format_text"] or "pdf").lower()
    with pdf_press("pdf" in formats_asked and options["out_dir"] != STDOUT) as press:
        from briefing.settings import find_config, plan_brief

        config = find_config(options["config_path"], required=False)
        defaults = DEFAULT_SOURCES if all(p.is_dir() for p in DEFAULT_SOURCES) else ()
        plan = plan_brief(options, config, default_sources=defaults)
        if not plan.sources and plan.archive is None:
            raise InputError(
                "nothing to build from: give folders or article files (briefing build DIR), "
                "--archive, a config with sources, or start a job folder with `briefing init`"
            )
        if press is not None and ("pdf" not in plan.formats or plan.out == STDOUT):
            press.close()  # the config's formats, or stdout, want no PDF
            press = None
        from briefing.job import build_planned

        brief = build_planned(plan)
        if plan.out == STDOUT:
            _print_brief(brief, plan.formats, plan.footnotes, explain)
            if plan.history is not None:
                from briefing.history import record_brief

                record_brief(plan.history, brief)
            return
        from briefing.write import write_brief

        written = write_brief(
            brief,
            plan.out,
            plan.formats,
            footnotes=plan.footnotes,
            explain=explain,
            history=plan.history,
            press=press,
        )
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
        raise OptionError(
            f"--out - prints one of {', '.join(STDOUT_FORMATS)}, not {','.join(formats)}",
            param_hint="'--format'",
        )
    from briefing.render import render_brief
    from briefing.write import write_stdout

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
    set_verbosity(quiet, verbose)
    from briefing.listing import render_listing
    from briefing.pipeline import collect_articles
    from briefing.settings import parse_date, parse_window

    if not sources and archive_path is None:
        raise click.UsageError("give SOURCES, --archive or both")
    zone = brief_zone(tz_name)
    date = parse_date(date_text, zone)
    window = parse_window(date, zone, window_text, since_text)
    articles = collect_articles(
        list(sources), zone, window, keep_duplicates=keep_duplicates, archive=archive_path
    )
    from briefing.write import write_stdout

    write_stdout(render_listing(articles, fmt))


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
    from briefing.settings import find_config, plan_brief

    config = find_config(options["config_path"], required=True)
    if options["out_dir"] == STDOUT:
        raise OptionError("run writes files; use build for stdout", param_hint="'--out'")
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
    set_verbosity(quiet, verbose)
    from briefing.job import fetch_feeds
    from briefing.settings import find_config
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
    set_verbosity(quiet, verbose)
    from briefing.job import email_settings, send_brief
    from briefing.settings import find_config

    config = find_config(config_path, required=True)
    assert config is not None
    email = email_settings(config, recipients)
    if email is None:
        raise InputError(f"{config.path}: no [email] section")
    zone = config.time_zone or brief_zone(None)
    send_brief(pdf_path, body_path or pdf_path.with_suffix(".md"), email, zone, say)


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
    utf8_output()
    setup_logging()
    try:
        code = cli.main(prog_name="briefing", standalone_mode=False)
    except click.ClickException as exc:
        click.echo(f"briefing: error: {exc.format_message()}", err=True)
        sys.exit(EXIT_INPUT if isinstance(exc, click.UsageError) else exc.exit_code)
    except (InputError, DeliveryError, RunLockedError) as exc:
        click.echo(error_line(exc), err=True)
        sys.exit(next(code for kind, code in EXIT_CODES.items() if isinstance(exc, kind)))
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("briefing: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    _exit_now(code if isinstance(code, int) else 0)


def _exit_now(code: int) -> NoReturn:
    """End the process with `code`, without the interpreter's teardown: it frees the
    day's objects one by one (0.25 s for the seeds' brief, with NumPy, SciPy and the
    renderers loaded) for the kernel to free them all at once. Whatever briefing writes
    is closed and synced before this, the exit handlers still run, and the standard
    streams are flushed. While another thread runs, Python's own exit waits for it."""
    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a reader gone, or a stream closed: Python's exit says so
        sys.exit(code)
    os._exit(code)
