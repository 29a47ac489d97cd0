"""Command line: `briefing build`, `run` (the daily job), `send` and `read` (the articles
as extracted). The only place that writes files."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import errno
import fcntl
import io
import json
import logging
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from briefing import __version__
from briefing.config import (
    ARCHIVE_NAME,
    FOOTNOTE_STYLES,
    FORMATS,
    EmailSettings,
    JobConfig,
    check_title,
    load_config,
    parse_addresses,
)
from briefing.errors import (
    DeliveryError,
    InputError,
    RunLockedError,
    read_input,
    read_input_text,
)
from briefing.listing import LISTING_FORMATS
from briefing.timewindow import Window, brief_moment, brief_zone, window_ending

if TYPE_CHECKING:  # the pipeline (numpy, scipy, the readers) loads only when a brief is built
    from briefing.compose import Brief

DEFAULT_FORMATS = "md,pdf,json"
DEFAULT_SOURCES = (Path("seeds"),)
LOCK_NAME = ".briefing.lock"
EXIT_INPUT, EXIT_DELIVERY, EXIT_LOCKED, EXIT_FETCH = 2, 3, 4, 5
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


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


STAGE_PREFIX = ".briefing-stage-"
_MANIFEST, _DONE = "manifest.json", "done"
# Signals that would end the process between two renames; held back while a set is
# committed (SIGKILL cannot be, and the next run rolls such a set back).
_HELD_SIGNALS = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
_log = logging.getLogger("briefing.cli")


def _fsync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _write_durably(path: Path, data: bytes, mode: int = 0o600) -> None:
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


def _test_fault(point: str) -> None:
    """A test-only hook: BRIEFING_TEST_KILL=POINT:SIGNAL sends this process SIGNAL at
    POINT of a brief set's commit, so the tests can kill a real run between renames."""
    wanted = os.environ.get("BRIEFING_TEST_KILL", "")
    where, _, name = wanted.partition(":")
    if where == point:
        os.kill(os.getpid(), getattr(signal, name or "SIGKILL"))


def clean_out_folder(out_dir: Path) -> None:
    """Finish what an interrupted write left in OUT_DIR (the lock held): a staged set that
    was being committed is rolled back to the old set; other staging folders and the
    `.brief-*.tmp` files of older versions are removed."""
    try:
        entries = list(out_dir.iterdir())
    except OSError:
        return
    for entry in sorted(entries):
        if entry.name.startswith(STAGE_PREFIX) and entry.is_dir() and not entry.is_symlink():
            if (entry / _MANIFEST).is_file() and not (entry / _DONE).exists():
                _roll_back(out_dir, entry)
                _log.warning("%s: an interrupted write was rolled back to the old brief", entry)
            shutil.rmtree(entry, ignore_errors=True)
        elif re.fullmatch(r"\.brief-.*\.tmp", entry.name) and entry.is_file():
            entry.unlink(missing_ok=True)
            _log.info("%s: removed, left by an interrupted write", entry)


def _roll_back(out_dir: Path, stage: Path) -> None:
    """Put the old set back: each name's old file (kept as a hard link or copy in the
    stage) is renamed over the new one; a name that had no old file loses the new one."""
    manifest = json.loads((stage / _MANIFEST).read_text(encoding="utf-8"))
    for name in manifest["names"]:
        target = out_dir / name
        if name in manifest["old"]:
            kept = stage / "old" / name
            if kept.exists() or kept.is_symlink():
                os.replace(kept, target)
        elif not (stage / "new" / name).exists():  # the new file was renamed in: remove it
            target.unlink(missing_ok=True)
    _fsync_folder(out_dir)


def _keep_old(target: Path, kept: Path) -> bool:
    """Keep TARGET's current file as KEPT (a hard link, else a copy); False if none."""
    if not (target.exists() or target.is_symlink()):
        return False
    try:
        os.link(target, kept, follow_symlinks=False)
    except OSError:
        shutil.copy2(target, kept, follow_symlinks=False)
        if not kept.is_symlink():
            with open(kept, "rb") as stream:
                os.fsync(stream.fileno())
    return True


def write_atomically(outputs: dict[Path, bytes]) -> None:
    """Write a brief set all or nothing, into one output folder (whose lock is held):
    every target is checked first; the files are staged in a folder inside it and
    fsynced; the old files are kept aside; then each is renamed into place. A failure
    puts the old set back; a killed run's set is put back by the next run
    (`clean_out_folder`). SIGTERM, SIGINT and SIGHUP wait until the set is in place."""
    out_dir = next(iter(outputs)).parent
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for target in outputs:
            if target.is_dir() and not target.is_symlink():
                raise IsADirectoryError(errno.EISDIR, "a folder is in the way", str(target))
    except OSError as exc:
        where = exc.filename or out_dir
        raise InputError(f"{where}: cannot write the brief ({exc.strerror or exc})") from None
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
    try:
        _commit(out_dir, outputs)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _commit(out_dir: Path, outputs: dict[Path, bytes]) -> None:
    stage: Path | None = None
    renamed: list[str] = []
    manifest: dict[str, list[str]] = {"names": [t.name for t in outputs], "old": []}
    try:
        stage = Path(tempfile.mkdtemp(dir=out_dir, prefix=STAGE_PREFIX))
        (stage / "new").mkdir()
        (stage / "old").mkdir()
        mode = 0o666 & ~_current_umask()  # a brief is as readable as any file the user writes
        for target, data in outputs.items():
            _write_durably(stage / "new" / target.name, data, mode)
            os.chmod(stage / "new" / target.name, mode)
        _test_fault("staged")
        for target in outputs:
            if _keep_old(target, stage / "old" / target.name):
                manifest["old"].append(target.name)
        _fsync_folder(stage / "new")
        _fsync_folder(stage / "old")
        _write_durably(stage / _MANIFEST, json.dumps(manifest).encode("utf-8"))
        _fsync_folder(stage)
        for index, target in enumerate(outputs, 1):
            os.replace(stage / "new" / target.name, target)
            renamed.append(target.name)
            _test_fault(f"renamed-{index}")
        _fsync_folder(out_dir)
        _write_durably(stage / _DONE, b"")
        _fsync_folder(stage)
        _test_fault("committed")
    except OSError as exc:
        if stage is not None and renamed:
            with contextlib.suppress(OSError):
                _roll_back(out_dir, stage)
        where = exc.filename or out_dir
        raise InputError(f"{where}: cannot write the brief ({exc.strerror or exc})") from None
    finally:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)


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


ARCHIVE_HELP = "Also read the articles `briefing fetch` gathered in this archive (SQLite)."


@cli.command()
@brief_options(defaults=True)
@click.option(
    "--explain",
    is_flag=True,
    help="Print why each item was picked, and add the same to the JSON.",
)
@click.option("--archive", "archive_path", type=click.Path(path_type=Path), help=ARCHIVE_HELP)
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
    archive_path: Path | None,
) -> None:
    """Build the brief from SOURCES (folders or article files; default: seeds/, unless
    --archive is given)."""
    from briefing.render import render_explanation

    zone = brief_zone(tz_name)
    date = parse_date(date_text, zone)
    window = parse_window(date, zone, window_text, since_text)
    formats = parse_formats(format_text)
    title = parse_title(title)
    from briefing.pipeline import build_brief
    from briefing.topics import default_topics_path, load_topics

    topics = load_topics(topics_path or default_topics_path())
    default = () if archive_path is not None else DEFAULT_SOURCES
    brief = build_brief(
        list(sources or default),
        topics,
        date,
        per_topic,
        title,
        zone=zone,
        window=window,
        archive=archive_path,
    )
    outputs = render_outputs(brief, formats, out_dir, footnotes, explain)
    with run_lock(out_dir):  # a run or build writing there meanwhile would mix two sets
        write_atomically(outputs)
    for path in outputs:
        click.echo(str(path))
    if explain:
        click.echo(render_explanation(brief), nl=False)


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
    archive_path: Path | None,
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
        raise InputError(f"stdout: cannot write the articles ({exc.strerror or exc})") from None


def progress(message: str) -> None:
    """Progress is for a person at a terminal; under cron any output means trouble."""
    if sys.stderr.isatty():
        click.echo(f"briefing: {message}", err=True)


@contextlib.contextmanager
def run_lock(folder: Path) -> Iterator[None]:
    """Hold FOLDER/.briefing.lock while a brief is written there (all of a `run`), so a
    second run on the same folder stops at once instead of overlapping. The kernel
    releases the lock when the process ends, so a crashed run never leaves it held. The
    lock file is opened without following a symbolic link, and only as a regular file of
    its own, so a planted link or hard link can never make it truncate another file.
    Once held, what an interrupted write left behind is cleaned up."""
    path = folder / LOCK_NAME
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, flags, 0o666)
    except OSError as exc:
        where = exc.filename or path
        if exc.errno == errno.ELOOP:
            raise InputError(
                f"{where}: the run lock is a symbolic link; remove it (briefing never follows one)"
            ) from None
        raise InputError(f"{where}: cannot create the run lock ({exc.strerror or exc})") from None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            kind = "not a regular file" if not stat.S_ISREG(info.st_mode) else "a hard link"
            raise InputError(f"{path}: the run lock is {kind}; remove it")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise RunLockedError(
                f"{path}: another briefing run (pid {holder}) is still writing to {folder}"
            ) from None
        pid = f"{os.getpid()}\n".encode("ascii")
        os.pwrite(handle, pid, 0)
        os.ftruncate(handle, len(pid))
        clean_out_folder(folder)
        yield
    finally:
        os.close(handle)


def email_settings(config: JobConfig, recipients: tuple[str, ...]) -> EmailSettings | None:
    """The config's [email] section, with --to (if given) in place of its `to`; each --to
    may be one address or a comma-separated list, every address checked."""
    email = config.email
    if recipients:
        if email is None:
            raise InputError(f"{config.path}: --to needs an [email] section")
        to = tuple(a for r in recipients for a in parse_addresses(r, "--to"))
        email = dataclasses.replace(email, to=to)
    if email is not None and not email.to:
        raise InputError(f"{config.path}: [email] to: missing (or give --to)")
    return email


def check_attachment(path: Path, size: int, email: EmailSettings) -> None:
    """A brief too large to mail is refused before it is read or encoded (exit 3)."""
    if size > email.max_attachment_bytes:
        raise DeliveryError(
            f"{path} is {size / 1e6:.1f} MB, over the limit of "
            f"{email.max_attachment_bytes / 1e6:g} MB (max_attachment_mb in [email]); "
            f"the brief stays in {path}"
        )


def mail_brief(
    markdown_text: str,
    title: str,
    date: str,
    pdf_path: Path,
    pdf: bytes,
    email: EmailSettings,
    zone: dt.tzinfo,
) -> None:
    from briefing.deliver import build_message, send_message

    check_attachment(pdf_path, len(pdf) + len(markdown_text.encode("utf-8")), email)
    message = build_message(
        markdown_text=markdown_text,
        title=title,
        date=date,
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


RECIPIENT_HELP = (
    "Recipient (or a comma-separated list), instead of the config's `to`; repeat for several."
)


class RunLog(logging.Handler):
    """The lines of one `run` (its warnings and notes, and its error if it fails), kept
    for the log file written beside the brief."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(_OneLine())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def add(self, line: str) -> None:
        self.lines.append(line)

    def data(self) -> bytes:
        return "".join(f"{line}\n" for line in self.lines).encode("utf-8")


@contextlib.contextmanager
def run_log(verbose: bool) -> Iterator[RunLog]:
    """Collect the run's log lines; they reach stderr only with -v (under cron anything
    printed is mailed as trouble)."""
    collected = RunLog()
    logger = logging.getLogger("briefing")
    logger.addHandler(collected)
    levels = [(h, h.level) for h in logger.handlers if isinstance(h, _StderrHandler)]
    for handler, _ in levels:
        handler.setLevel(logging.INFO if verbose else logging.CRITICAL + 1)
    try:
        yield collected
    finally:
        logger.removeHandler(collected)
        for handler, level in levels:
            handler.setLevel(level)


@cli.command()
@click.option(
    "--config", "config_path", required=True, type=click.Path(path_type=Path), help="Job TOML file."
)
@brief_options(defaults=False)
@click.option("--to", "recipients", multiple=True, metavar="ADDRESS", help=RECIPIENT_HELP)
@click.option(
    "-v", "--verbose", is_flag=True, help="Also print the run's warnings and notes on stderr."
)
def run(verbose: bool, **options: Any) -> None:
    """The daily job: build the brief the config file describes, write it and mail it.

    Options override the file. Prints nothing on success (progress only on a terminal),
    so cron mails only trouble: warnings and notes go to OUT/brief-DATE.log (and to
    stderr with -v). Exit codes: 2 bad input, 3 not delivered (the brief stays on disk),
    4 another run on the same output folder is still going.
    """
    with run_log(verbose) as log:
        _run(log, **options)


def _run(
    log: RunLog,
    *,
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
    config = load_config(config_path)
    email = email_settings(config, recipients)
    source_paths = list(sources) or list(config.sources)
    if not source_paths and not config.feeds:
        raise InputError(f"{config_path}: sources: missing (or give SOURCES)")
    zone = config.time_zone if config.time_zone and not tz_name else brief_zone(tz_name)
    date = parse_date(date_text, zone)
    length = window_text or (None if since_text else config.window)
    try:
        window = parse_window(date, zone, length, since_text)
    except click.BadParameter as exc:
        if length is None or window_text is not None or exc.param_hint != "'--window'":
            raise
        raise InputError(f"{config_path}: window: {exc.message}") from None
    formats = parse_formats(format_text) if format_text else list(config.formats)
    if email is not None:  # the email carries the PDF and the Markdown
        formats += [f for f in ("md", "pdf") if f not in formats]
    title = parse_title(title) or config.title
    from briefing.pipeline import build_brief
    from briefing.topics import default_topics_path, load_topics

    topics = load_topics(topics_path or config.topics or default_topics_path())
    out = out_dir or config.out
    archive = (config.archive or out / ARCHIVE_NAME) if config.feeds or config.archive else None
    log_path = brief_file(out, date, "log")
    with run_lock(out):
        try:
            if config.feeds and archive is not None:
                progress(f"fetching {len(config.feeds)} feeds into {archive}")
                _fetch(config, archive, zone)
            progress(f"reading {', '.join(str(s) for s in [*source_paths, archive] if s)}")
            brief = build_brief(
                source_paths,
                topics,
                date,
                per_topic or config.per_topic,
                title,
                zone=zone,
                window=window,
                archive=archive,
            )
            progress(f"rendering {', '.join(formats)}")
            outputs = render_outputs(brief, formats, out, footnotes or config.footnotes)
            names = ", ".join(p.name for p in outputs)
            log.add(f"briefing: info: wrote {names} from {len(brief.articles)} articles")
            outputs[log_path] = log.data()
            write_atomically(outputs)
            progress(f"wrote {', '.join(str(p) for p in outputs)}")
            if email is not None:
                markdown_path, pdf_path = brief_file(out, date, "md"), brief_file(out, date, "pdf")
                markdown_text = outputs[markdown_path].decode("utf-8")
                mail_brief(
                    markdown_text,
                    brief.title,
                    date.isoformat(),
                    pdf_path,
                    outputs[pdf_path],
                    email,
                    zone,
                )
                to = ", ".join(email.to)
                log.add(f"briefing: info: mailed to {to} through {email.host}:{email.port}")
                write_atomically({log_path: log.data()})
        except Exception as exc:
            # The log tells what the latest run did: its lines and its one-line error.
            log.add(error_line(exc))
            with contextlib.suppress(InputError):
                write_atomically({log_path: log.data()})
            raise


def _fetch(config: JobConfig, archive: Path, zone: dt.tzinfo, retry_gone: bool = False) -> int:
    """Fetch the config's feeds into ARCHIVE (the output folder's lock held); the number
    of feeds that could not be fetched. Each is a warning in the log already."""
    from briefing.gather import gather

    report = gather(
        config.feeds, config.fetch, archive, zone, config.keep_days, retry_gone=retry_gone
    )
    _log.info("%s", report.line(archive))
    return report.failed + report.skipped_gone


@cli.command("fetch")
@click.option(
    "--config", "config_path", required=True, type=click.Path(path_type=Path), help="Job TOML file."
)
@click.option("--retry-gone", is_flag=True, help="Also ask again the feeds that answered 410 Gone.")
def fetch_command(config_path: Path, retry_gone: bool) -> None:
    """Fetch the config's feeds ([[feeds]], opml) into its archive, politely.

    Warnings name each feed that failed; the others are fetched. Prints one summary line.
    Exit codes: 2 bad input, 4 a run on the same output folder is going, 5 some feeds
    could not be fetched (the rest are in the archive).
    """
    config = load_config(config_path)
    if not config.feeds:
        raise InputError(f"{config_path}: feeds: none to fetch (give [[feeds]] or opml)")
    zone = config.time_zone or brief_zone(None)
    with run_lock(config.out):  # the lock `run` holds while it fetches and builds
        failed = _fetch(config, config.archive_path, zone, retry_gone)
    if failed:
        sys.exit(EXIT_FETCH)


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
    sizes = [_file_size(pdf_path, "the brief's PDF"), _file_size(body_path, "the brief's Markdown")]
    check_attachment(pdf_path, sum(sizes), email)  # before anything is read
    pdf = read_input(pdf_path, "the brief's PDF")
    if not pdf.startswith(b"%PDF-"):
        raise InputError(f"{pdf_path}: not a PDF file")
    markdown_text = read_input_text(body_path, "the brief's Markdown")
    from briefing.deliver import brief_heading

    title, date = brief_heading(markdown_text, str(body_path))
    zone = config.time_zone or brief_zone(None)
    mail_brief(markdown_text, title, date, pdf_path, pdf, email, zone)


def _file_size(path: Path, what: str) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{path}: {what} not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read {what} ({exc.strerror or exc})") from None


class _OneLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"briefing: {record.levelname.lower()}: {record.getMessage()}"


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Warnings and notes on stderr, one line each."""


def _setup_logging() -> None:
    handler = _StderrHandler(sys.stderr)
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


def error_line(exc: BaseException) -> str:
    """The one line an error is on stderr (and in a run's log)."""
    if isinstance(exc, click.ClickException):
        return f"briefing: error: {exc.format_message()}"
    if isinstance(exc, (InputError, DeliveryError, RunLockedError)):
        prefix = "not delivered: " if isinstance(exc, DeliveryError) else ""
        return f"briefing: error: {prefix}{exc}"
    return f"briefing: error: {type(exc).__name__}: {exc} (a bug in briefing; please report it)"


def main() -> None:
    """Entry point: errors the user can act on are one line on stderr and their own exit
    code, never a traceback."""
    _utf8_output()
    _setup_logging()
    try:
        code = cli.main(prog_name="briefing", standalone_mode=False)
    except click.ClickException as exc:
        click.echo(error_line(exc), err=True)
        sys.exit(EXIT_INPUT if isinstance(exc, click.UsageError) else exc.exit_code)
    except (InputError, DeliveryError, RunLockedError) as exc:
        click.echo(error_line(exc), err=True)
        sys.exit(EXIT_CODES[type(exc)])
    except click.exceptions.Abort:
        click.echo("briefing: aborted", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
