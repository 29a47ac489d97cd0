"""Config: the daily job's TOML file (`briefing run --config FILE`) as validated dataclasses.

Relative paths in the file are taken from the file's own folder, so a crontab line works
whatever folder cron starts in. The SMTP password is read here, from an environment
variable or a file, so it never has to appear on a command line.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from briefing.errors import InputError, read_input_text
from briefing.timewindow import named_zone, parse_duration

FORMATS = ("md", "pdf", "html", "json")
FOOTNOTE_STYLES = ("gfm", "plain")
SECURITY_PORTS = {"starttls": 587, "tls": 465, "none": 25}
DEFAULT_PASSWORD_ENV = "BRIEFING_SMTP_PASSWORD"
DEFAULT_TIMEOUT = 30.0

_JOB_KEYS = {
    "sources",
    "topics",
    "out",
    "formats",
    "per_topic",
    "title",
    "time_zone",
    "window",
    "footnotes",
    "email",
}
_EMAIL_KEYS = {
    "to",
    "from",
    "host",
    "port",
    "security",
    "username",
    "password_env",
    "password_file",
    "timeout",
    "ca_file",
    "verify_certificate",
}


@dataclass(frozen=True)
class EmailSettings:
    """Where and how the brief is mailed. `password` is kept out of repr so it never
    shows up in a log line or a traceback."""

    to: tuple[str, ...]
    sender: str
    host: str
    port: int
    security: str  # "starttls", "tls" (implicit TLS) or "none" (a local relay)
    username: str | None
    password: str | None = field(repr=False)
    timeout: float
    ca_file: Path | None  # extra certificates to trust, e.g. a company CA
    verify_certificate: bool


@dataclass(frozen=True)
class JobConfig:
    path: Path
    sources: tuple[Path, ...]
    topics: Path | None
    out: Path
    formats: tuple[str, ...]
    per_topic: int
    title: str | None
    time_zone: dt.tzinfo | None  # None: TZ, else the machine's zone
    window: str | None  # e.g. "24h": keep the articles published in it
    footnotes: str
    email: EmailSettings | None


class _Table:
    """One TOML table with the file's name and the table's prefix for error messages."""

    def __init__(self, data: dict[str, Any], config: Path, prefix: str, known: set[str]):
        self.data = data
        self.config = config
        self.prefix = prefix
        unknown = sorted(set(data) - known)
        if unknown:
            raise self.error(unknown[0], "unknown setting")

    def error(self, key: str, problem: str) -> InputError:
        return InputError(f"{self.config}: {self.prefix}{key}: {problem}")

    def string(self, key: str, default: str | None = None) -> str | None:
        value = self.data.get(key, default)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise self.error(key, "must be a non-empty string")
        return value.strip() if value is not None else None

    def required_string(self, key: str) -> str:
        value = self.string(key)
        if value is None:
            raise self.error(key, "missing")
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.string(key, default)
        if value not in choices:
            raise self.error(key, f"expected one of {', '.join(choices)}, got {value!r}")
        return value

    def strings(self, key: str) -> list[str] | None:
        """A list of strings; a single string is a list of one."""
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(key, "must be a string or a list of non-empty strings")
        return [v.strip() for v in value]

    def path(self, key: str, default: str | None = None) -> Path | None:
        value = self.string(key, default)
        return resolve_path(value, self.config) if value is not None else None

    def number(self, key: str, default: float, *, integer: bool, low: float, high: float) -> float:
        value = self.data.get(key, default)
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
            kind = "a whole number" if integer else "a number"
            raise self.error(key, f"must be {kind} from {low:g} to {high:g}")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, "must be true or false")
        return value


def resolve_path(text: str, config: Path) -> Path:
    """`~` is the user's home; a relative path is taken from the config file's folder.
    The file's UTF-8 names are given to the OS as UTF-8 whatever the locale."""
    path = Path(os.fsdecode(text.encode("utf-8"))).expanduser()
    return path if path.is_absolute() else config.parent / path


def check_address(text: str, where: str) -> str:
    """An email address, alone or as `Name <address>`; line breaks are refused so a
    value can never add a header."""
    _, address = parseaddr(text)
    local, _, domain = address.rpartition("@")
    if not local or not domain or any(c.isspace() for c in text if c != " "):
        raise InputError(f"{where}: {text!r} is not an email address")
    return text.strip()


def load_config(path: Path) -> JobConfig:
    return parse_config(read_input_text(path, "config file"), path)


def parse_config(text: str, path: Path) -> JobConfig:
    """Validate a config file; every problem names the file and the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    job = _Table(data, path, "", _JOB_KEYS)
    formats = job.strings("formats") or ["md", "pdf", "json"]
    for name in formats:
        if name not in FORMATS:
            raise job.error(
                "formats", f"unknown format {name!r} (choose from {', '.join(FORMATS)})"
            )
    email = data.get("email")
    if email is not None and not isinstance(email, dict):
        raise job.error("email", "must be an [email] table")
    return JobConfig(
        path=path,
        sources=tuple(resolve_path(s, path) for s in job.strings("sources") or []),
        topics=job.path("topics"),
        out=resolve_path(job.string("out", "out") or "out", path),
        formats=tuple(dict.fromkeys(formats)),
        per_topic=int(job.number("per_topic", 5, integer=True, low=1, high=1000)),
        title=job.string("title"),
        time_zone=_time_zone(job),
        window=_window(job),
        footnotes=job.choice("footnotes", FOOTNOTE_STYLES, "gfm"),
        email=_email_settings(_Table(email, path, "[email] ", _EMAIL_KEYS)) if email else None,
    )


def _time_zone(job: _Table) -> dt.tzinfo | None:
    name = job.string("time_zone")
    if name is None:
        return None
    try:
        return named_zone(name)
    except InputError as exc:
        raise job.error("time_zone", str(exc)) from None


def _window(job: _Table) -> str | None:
    length = job.string("window")
    if length is not None:
        try:
            parse_duration(length)
        except ValueError as exc:
            raise job.error("window", str(exc)) from None
    return length


def _email_settings(table: _Table) -> EmailSettings:
    where = f"{table.config}: {table.prefix}"
    recipients = table.strings("to")
    security = table.choice("security", tuple(SECURITY_PORTS), "starttls")
    username = table.string("username")
    if username is not None and security == "none":
        raise table.error(
            "username", "a password is never sent without TLS; use security = 'starttls' or 'tls'"
        )
    return EmailSettings(
        to=tuple(check_address(r, f"{where}to") for r in recipients or []),
        sender=check_address(table.required_string("from"), f"{where}from"),
        host=table.required_string("host"),
        port=int(table.number("port", SECURITY_PORTS[security], integer=True, low=1, high=65535)),
        security=security,
        username=username,
        password=_password(table) if username is not None else None,
        timeout=float(table.number("timeout", DEFAULT_TIMEOUT, integer=False, low=1, high=3600)),
        ca_file=_existing_file(table, "ca_file"),
        verify_certificate=table.flag("verify_certificate", True),
    )


def _existing_file(table: _Table, key: str) -> Path | None:
    path = table.path(key)
    if path is not None and not path.is_file():
        raise table.error(key, f"{path} is not a file")
    return path


def _password(table: _Table) -> str:
    """From `password_file` (first line) or else the `password_env` variable."""
    file = table.path("password_file")
    if file is not None:
        if "password_env" in table.data:
            raise table.error("password_file", "give password_file or password_env, not both")
        try:
            password = file.read_text(encoding="utf-8").split("\n", 1)[0].rstrip("\r")
        except (OSError, UnicodeDecodeError) as exc:
            raise table.error("password_file", f"cannot read {file} ({exc})") from None
        if not password:
            raise table.error("password_file", f"{file} is empty")
        return password
    variable = table.string("password_env", DEFAULT_PASSWORD_ENV) or DEFAULT_PASSWORD_ENV
    password = os.environ.get(variable, "")
    if not password:
        raise table.error("password_env", f"environment variable {variable} is not set")
    return password
