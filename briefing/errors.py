"""Errors the user can act on; the CLI turns each into one line on stderr and its exit code."""

import logging
from pathlib import Path


class InputError(Exception):
    """Bad input: a missing folder, a broken topics or config file, no articles, an
    unwritable output (exit code 2)."""


class OptionError(InputError):
    """A bad option value, worded as click words one: "Invalid value for '--date': …"."""

    def __init__(self, message: str, param_hint: str) -> None:
        super().__init__(f"Invalid value for {param_hint}: {message}")
        self.message = message
        self.param_hint = param_hint


class DeliveryError(Exception):
    """The brief was built but the mail server did not take it (exit code 3)."""


class RunLockedError(Exception):
    """Another `briefing run` on the same output folder has not finished (exit code 4)."""


def read_input(path: Path, what: str) -> bytes:
    """The bytes of a file the user named; a problem is an InputError naming the file."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: {what} not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read {what} ({exc.strerror or exc})") from None


def read_input_text(path: Path, what: str) -> str:
    try:
        return read_input(path, what).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: cannot read {what} (not UTF-8: {exc.reason})") from None


def error_line(exc: BaseException) -> str:
    """The one line an error is on stderr (and in a run's log)."""
    if isinstance(exc, (InputError, DeliveryError, RunLockedError)):
        prefix = "not delivered: " if isinstance(exc, DeliveryError) else ""
        return f"briefing: error: {prefix}{exc}"
    return f"briefing: error: {type(exc).__name__}: {exc} (a bug in briefing; please report it)"


class OneLine(logging.Formatter):
    """`briefing: warning: …`: the shape of every line briefing prints or logs."""

    def format(self, record: logging.LogRecord) -> str:
        return f"briefing: {record.levelname.lower()}: {record.getMessage()}"
