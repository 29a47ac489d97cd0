"""The console: what reaches a person's terminal (progress, warnings, notes) and what
stays quiet under cron. -q and -v set it; `run` keeps its lines for its log file."""

from __future__ import annotations

import contextlib
import io
import logging
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from briefing.errors import OneLine

if TYPE_CHECKING:
    from briefing.job import RunLog


def say(message: str) -> None:
    """Progress is for a person at a terminal; under cron any output means trouble."""
    if sys.stderr.isatty():
        click.echo(f"briefing: {message}", err=True)


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Warnings and notes on stderr, one line each."""


def stderr_handlers() -> list[logging.Handler]:
    return [h for h in logging.getLogger("briefing").handlers if isinstance(h, StderrHandler)]


def set_verbosity(quiet: bool, verbose: bool, *, default: int = logging.INFO) -> None:
    """-q: errors only; -v: every note; neither: the command's own default."""
    level = logging.CRITICAL + 1 if quiet else logging.DEBUG if verbose else default
    for handler in stderr_handlers():
        handler.setLevel(level)


@contextlib.contextmanager
def run_log(quiet: bool, verbose: bool) -> Iterator[RunLog]:
    """Collect the run's log lines; they reach stderr only with -v (under cron anything
    printed is mailed as trouble)."""
    from briefing.job import RunLog

    collected = RunLog()
    logger = logging.getLogger("briefing")
    logger.addHandler(collected)
    levels = [(h, h.level) for h in stderr_handlers()]
    set_verbosity(quiet, verbose, default=logging.CRITICAL + 1)
    try:
        yield collected
    finally:
        logger.removeHandler(collected)
        for handler, level in levels:
            handler.setLevel(level)


def setup_logging() -> None:
    handler = StderrHandler(sys.stderr)
    handler.setFormatter(OneLine())
    logger = logging.getLogger("briefing")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def utf8_output() -> None:
    """Titles and paths go out as UTF-8 whatever the locale (cron's is often plain C)."""
    for stream, errors in ((sys.stdout, "surrogateescape"), (sys.stderr, "backslashreplace")):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors=errors)
