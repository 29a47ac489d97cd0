"""The daily job (`briefing run`): fetch the configured feeds, build the brief, write it
with the run's log, and mail it; and the mailing `briefing send` shares.

Everything here is decided already: the CLI merges its options with the config file into
a `JobPlan`, and this module carries it out, all of it under the output folder's lock.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from briefing.config import EmailSettings, JobConfig, parse_addresses
from briefing.errors import (
    DeliveryError,
    InputError,
    OneLine,
    error_line,
    read_input,
    read_input_text,
)
from briefing.helper import pdf_press
from briefing.model import Brief, TopicSet
from briefing.options import DEFAULT_NOVELTY_DAYS, FootnoteStyle, Format
from briefing.timewindow import Window
from briefing.write import brief_file, render_outputs, run_lock, write_atomically

_log = logging.getLogger("briefing.job")
Say = Callable[[str], None]  # where progress for a person at a terminal goes


def _silent(message: str) -> None:
    """Progress nobody watches."""


class RunLog(logging.Handler):
    """The lines of one `run` (its warnings and notes, and its error if it fails), kept
    for the log file written beside the brief."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(OneLine())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def add(self, line: str) -> None:
        self.lines.append(line)

    def data(self) -> bytes:
        return "".join(f"{line}\n" for line in self.lines).encode("utf-8")


@dataclass(frozen=True)
class JobPlan:
    """One run, its options and its config file merged: what to read, build and send."""

    config: JobConfig | None  # None: a build with no config file
    sources: list[Path]
    topics: TopicSet
    date: dt.date
    zone: dt.tzinfo
    window: Window | None
    per_topic: int
    title: str | None
    formats: list[Format]
    footnotes: FootnoteStyle
    out: Path
    archive: Path | None  # read (and fetched into, with feeds) when set
    email: EmailSettings | None
    history: Path | None = None  # what earlier briefs reported: today's says what is new
    novelty_days: int = DEFAULT_NOVELTY_DAYS
    timeline: bool = False  # a Timeline section of each topic's dated events
    dask: str | None = None  # a Dask scheduler's address, or "local": per-article stages there


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
    say: Say = _silent,
) -> None:
    """Mail the PDF with the Markdown as the body; a failure says where the brief stays."""
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
    say(f"sending to {', '.join(email.to)} through {email.host}:{email.port}")
    try:
        send_message(message, email)
    except DeliveryError as exc:
        raise DeliveryError(f"{exc}; the brief stays in {pdf_path}") from None
    say("sent")


def fetch_feeds(config: JobConfig, archive: Path, zone: dt.tzinfo, retry_gone: bool = False) -> int:
    """Fetch the config's feeds into ARCHIVE (the output folder's lock held); the number
    of feeds that could not be fetched. Each is a warning in the log already."""
    from briefing.gather import gather

    report = gather(
        config.feeds, config.fetch, archive, zone, config.keep_days, retry_gone=retry_gone
    )
    _log.info("%s", report.line(archive))
    return report.failed + report.skipped_gone


def build_planned(plan: JobPlan) -> Brief:
    """The brief a plan describes (read, build; nothing written)."""
    from briefing.pipeline import build_brief

    return build_brief(
        plan.sources,
        plan.topics,
        plan.date,
        plan.per_topic,
        plan.title,
        zone=plan.zone,
        window=plan.window,
        archive=plan.archive,
        history=plan.history,
        novelty_days=plan.novelty_days,
        timeline=plan.timeline,
        dask=plan.dask,
    )


def run_job(plan: JobPlan, log: RunLog, say: Say = _silent) -> None:
    """Fetch, build, write the set with the log, mail; the log file always tells what
    the latest run did, its error included."""
    config, out, date = plan.config, plan.out, plan.date
    log_path = brief_file(out, date, "log")
    with run_lock(out):
        try:
            if config is not None and config.feeds and plan.archive is not None:
                say(f"fetching {len(config.feeds)} feeds into {plan.archive}")
                fetch_feeds(config, plan.archive, plan.zone)
            say(f"reading {', '.join(str(s) for s in [*plan.sources, plan.archive] if s)}")
            # WeasyPrint is imported on the other core while the brief is built.
            with pdf_press("pdf" in plan.formats) as press:
                brief = build_planned(plan)
                say(f"rendering {', '.join(plan.formats)}")
                outputs = render_outputs(brief, plan.formats, out, plan.footnotes, press=press)
            names = ", ".join(p.name for p in outputs)
            log.add(f"briefing: info: wrote {names} from {len(brief.articles)} articles")
            outputs[log_path] = log.data()
            write_atomically(outputs)
            if plan.history is not None:
                from briefing.history import record_brief

                record_brief(plan.history, brief)
            say(f"wrote {', '.join(str(p) for p in outputs)}")
            if plan.email is not None:
                email = plan.email
                markdown_path, pdf_path = brief_file(out, date, "md"), brief_file(out, date, "pdf")
                markdown_text = outputs[markdown_path].decode("utf-8")
                mail_brief(
                    markdown_text,
                    brief.title,
                    date.isoformat(),
                    pdf_path,
                    outputs[pdf_path],
                    email,
                    plan.zone,
                    say,
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


def send_brief(
    pdf_path: Path, body_path: Path, email: EmailSettings, zone: dt.tzinfo, say: Say = _silent
) -> None:
    """`briefing send`: mail a brief built before, its Markdown as the body. The size is
    checked before anything is read, and the heading gives the mail's subject."""
    from briefing.deliver import brief_heading

    sizes = [_file_size(pdf_path, "the brief's PDF"), _file_size(body_path, "the brief's Markdown")]
    check_attachment(pdf_path, sum(sizes), email)
    pdf = read_input(pdf_path, "the brief's PDF")
    if not pdf.startswith(b"%PDF-"):
        raise InputError(f"{pdf_path}: not a PDF file")
    markdown_text = read_input_text(body_path, "the brief's Markdown")
    title, date = brief_heading(markdown_text, str(body_path))
    mail_brief(markdown_text, title, date, pdf_path, pdf, email, zone, say)


def _file_size(path: Path, what: str) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{path}: {what} not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read {what} ({exc.strerror or exc})") from None
