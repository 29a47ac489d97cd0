"""Config: the daily job's TOML file (`briefing run --config FILE`) as validated dataclasses.

Relative paths in the file are taken from the file's own folder, so a crontab line works
whatever folder cron starts in. The SMTP password is read here, from an environment
variable or a file, so it never has to appear on a command line.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from briefing.errors import InputError, read_input_text
from briefing.options import (
    DEFAULT_FOOTNOTES,
    DEFAULT_FORMATS,
    DEFAULT_NOVELTY_DAYS,
    DEFAULT_OUT,
    DEFAULT_PER_TOPIC,
    FOOTNOTE_STYLES,
    FORMATS,
    FootnoteStyle,
    Format,
)
from briefing.timewindow import named_zone, parse_duration

SECURITY_PORTS = {"starttls": 587, "tls": 465, "none": 25}
DEFAULT_PASSWORD_ENV = "BRIEFING_SMTP_PASSWORD"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_ATTACHMENT_MB = 10.0
# Characters that must never reach a title, a heading, a header or a file name shown in
# the brief: C0 and C1 controls (tab, CR, LF, VT, FF, NEL among them), the Unicode line and
# paragraph separators, and the bidirectional embeddings, overrides and isolates.
UNSAFE_CHARACTERS = "\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNSAFE_CHARACTER = re.compile(f"[{UNSAFE_CHARACTERS}]")

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
    "feeds",
    "opml",
    "archive",
    "keep_days",
    "history",
    "novelty_days",
    "timeline",
    "dask",
    "fetch",
}
_FEED_KEYS = {"url", "outlet", "pages"}
_FETCH_KEYS = {
    "contact",
    "allow_addresses",
    "delay",
    "connect_timeout",
    "read_timeout",
    "timeout",
    "max_mb",
    "max_redirects",
    "retries",
    "backoff",
    "max_retry_after",
    "hosts_at_once",
    "pages",
}
DEFAULT_KEEP_DAYS = 30
ARCHIVE_NAME = "archive.sqlite"
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
    "max_attachment_mb",
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
    max_attachment_bytes: int = int(DEFAULT_MAX_ATTACHMENT_MB * 1_000_000)


@dataclass(frozen=True)
class FeedSource:
    """One feed to fetch: its URL, the outlet its entries are cited under (None: the
    publisher the feed names), and whether a summary-only entry's page is fetched."""

    url: str
    outlet: str | None = None
    pages: bool = False


@dataclass(frozen=True)
class FetchSettings:
    """How feeds and pages are fetched (`[fetch]`): politeness, limits, the address check."""

    contact: str | None = None  # in the User-Agent: a mailto: or a URL of the operator
    # Networks that may be fetched although not public (loopback, private, link-local).
    allow_addresses: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    delay: float = 1.0  # seconds between two requests to one host
    connect_timeout: float = 10.0
    read_timeout: float = 30.0  # the longest silence while an answer is read
    timeout: float = 60.0  # the whole of one request
    max_mb: float = 10.0  # per response, as received and as decompressed
    max_redirects: int = 5
    retries: int = 2  # after the first try, on 5xx and 429
    backoff: float = 2.0  # seconds before the first retry, doubled for each next one
    max_retry_after: float = 120.0  # a longer Retry-After gives up instead of waiting
    hosts_at_once: int = 32
    pages: bool = False  # the default of each feed's `pages`


@dataclass(frozen=True)
class JobConfig:
    path: Path
    sources: tuple[Path, ...]
    topics: Path | None
    out: Path
    formats: tuple[Format, ...]
    per_topic: int
    title: str | None
    time_zone: dt.tzinfo | None  # None: TZ, else the machine's zone
    window: str | None  # e.g. "24h": keep the articles published in it
    footnotes: FootnoteStyle
    email: EmailSettings | None
    feeds: tuple[FeedSource, ...] = ()
    archive: Path | None = None  # None: archive.sqlite in `out`
    keep_days: int = DEFAULT_KEEP_DAYS
    history: Path | None = None  # what earlier briefs reported (None: no novelty)
    novelty_days: int = DEFAULT_NOVELTY_DAYS
    timeline: bool = False  # a Timeline section of each topic's dated events
    dask: str | None = None  # a Dask scheduler's address (or "local"): per-article stages there
    fetch: FetchSettings = field(default_factory=FetchSettings)

    @property
    def archive_path(self) -> Path:
        return self.archive or self.out / ARCHIVE_NAME


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


_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
)
_PLAIN_NAME = re.compile(r"[^\x00-\x1f\x7f<>@,;:\"\\()\[\]]+")
_NAME_ADDR = re.compile(r"(?P<name>\"[^\"\\]*\"|[^<>\"]*?)\s*<(?P<address>[^<>]*)>")


def parse_addresses(text: str, where: str) -> list[str]:
    """The recipients in TEXT: one address (`a@example.com` or `Name <a@example.com>`) or
    several separated by commas, each checked strictly. Refused: anything that is not
    plainly one mailbox, a name that holds an address (`alice@x <bob@y>` would show one
    address and mail the other), control characters and line breaks (which could add a
    header). Returns each as `address` or `Name <address>`."""
    if _UNSAFE_CHARACTER.search(text):
        raise InputError(f"{where}: {text!r} is not an email address (control character)")
    parts = _split_commas(text)
    if not parts or any(not part.strip() for part in parts):
        raise InputError(f"{where}: {text!r} is not an email address (an empty entry)")
    return [_mailbox(part.strip(), text, where) for part in parts]


def check_address(text: str, where: str) -> str:
    """Exactly one address, as `parse_addresses` checks it."""
    addresses = parse_addresses(text, where)
    if len(addresses) != 1:
        raise InputError(f"{where}: {text!r} must be one email address, not {len(addresses)}")
    return addresses[0]


def address_spec(mailbox: str) -> str:
    """The bare address of a checked mailbox (`Name <a@example.com>` → `a@example.com`),
    the one the server is given."""
    match = _NAME_ADDR.fullmatch(mailbox)
    return match["address"] if match else mailbox


def _split_commas(text: str) -> list[str]:
    """TEXT cut at each comma outside a quoted name."""
    parts, current, quoted = [], "", False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    if quoted:
        return [text]  # an unclosed quote: one entry, refused below
    return [*parts, current]


def _mailbox(part: str, text: str, where: str) -> str:
    def refuse(reason: str) -> InputError:
        return InputError(f"{where}: {text!r} is not an email address ({reason})")

    name = ""
    address = part
    if "<" in part or ">" in part:
        match = _NAME_ADDR.fullmatch(part)
        if match is None:
            raise refuse("expected 'address' or 'Name <address>'")
        name, address = match["name"].strip(), match["address"].strip()
        if "@" in name:
            raise refuse("the name holds an address; write just the address, or a name")
        if name.startswith('"'):
            name = name[1:-1].strip()
        elif name and not _PLAIN_NAME.fullmatch(name):
            raise refuse("a name with special characters must be in double quotes")
    local, at, domain = address.rpartition("@")
    if not at or not _LOCAL_PART.fullmatch(local) or not _DOMAIN.fullmatch(domain):
        raise refuse(f"{address!r} is not a plain ASCII address like name@example.com")
    if not name:
        return address
    shown = name if re.fullmatch(r"[\w !#$%&'*+/=?^`{|}~-]+", name) else f'"{name}"'
    return f"{shown} <{address}>"


_CONTROL_NAMES = {
    "\t": "a tab",
    "\n": "a line feed",
    "\r": "a carriage return",
    "\v": "a vertical tab",
    "\f": "a form feed",
    "\x85": "a next-line character (NEL)",
}


def check_title(text: str, where: str) -> str:
    """A brief's title is one line: it is the email's subject and the brief's heading. A
    control character or line separator in it is refused, naming the character."""
    bad = _UNSAFE_CHARACTER.search(text)
    if bad:
        char = bad.group()
        name = _CONTROL_NAMES.get(char) or unicodedata.name(char, "a control character") or ""
        raise InputError(
            f"{where}: {text!r} must be one line without control characters "
            f"(found {name.lower()}, U+{ord(char):04X})"
        )
    if not text.strip():
        raise InputError(f"{where}: must not be empty")
    return text


def load_config(path: Path) -> JobConfig:
    return parse_config(read_input_text(path, "config file"), path)


def parse_config(text: str, path: Path) -> JobConfig:
    """Validate a config file; every problem names the file and the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    job = _Table(data, path, "", _JOB_KEYS)
    formats = job.strings("formats") or list(DEFAULT_FORMATS)
    for name in formats:
        if name not in FORMATS:
            raise job.error(
                "formats", f"unknown format {name!r} (choose from {', '.join(FORMATS)})"
            )
    email = data.get("email")
    if email is not None and not isinstance(email, dict):
        raise job.error("email", "must be an [email] table")
    fetch_table = data.get("fetch", {})
    if not isinstance(fetch_table, dict):
        raise job.error("fetch", "must be a [fetch] table")
    fetch = _fetch_settings(_Table(fetch_table, path, "[fetch] ", _FETCH_KEYS))
    return JobConfig(
        path=path,
        sources=tuple(resolve_path(s, path) for s in job.strings("sources") or []),
        topics=job.path("topics"),
        out=resolve_path(job.string("out", str(DEFAULT_OUT)) or str(DEFAULT_OUT), path),
        formats=tuple(dict.fromkeys(cast(list[Format], formats))),
        per_topic=int(job.number("per_topic", DEFAULT_PER_TOPIC, integer=True, low=1, high=1000)),
        title=_title(job),
        time_zone=_time_zone(job),
        window=_window(job),
        footnotes=cast(FootnoteStyle, job.choice("footnotes", FOOTNOTE_STYLES, DEFAULT_FOOTNOTES)),
        email=_email_settings(_Table(email, path, "[email] ", _EMAIL_KEYS))
        if email is not None
        else None,
        feeds=_feeds(job, fetch.pages),
        archive=job.path("archive"),
        keep_days=int(job.number("keep_days", DEFAULT_KEEP_DAYS, integer=True, low=1, high=36500)),
        history=job.path("history"),
        timeline=job.flag("timeline", False),
        dask=job.string("dask"),
        novelty_days=int(
            job.number("novelty_days", DEFAULT_NOVELTY_DAYS, integer=True, low=1, high=3650)
        ),
        fetch=fetch,
    )


def _feeds(job: _Table, pages: bool) -> tuple[FeedSource, ...]:
    """`[[feeds]]`, then the OPML file's feeds that `[[feeds]]` does not name already."""
    tables = job.data.get("feeds", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise job.error("feeds", "must be [[feeds]] tables, each with a url")
    feeds: dict[str, FeedSource] = {}
    for number, data in enumerate(tables, 1):
        table = _Table(data, job.config, f"[[feeds]] {number}: ", _FEED_KEYS)
        url = _feed_url(table, table.required_string("url"))
        feeds.setdefault(url, FeedSource(url, table.string("outlet"), table.flag("pages", pages)))
    opml = job.path("opml")
    if opml is not None:
        from briefing.opml import read_opml

        for url in read_opml(opml):
            feeds.setdefault(url, FeedSource(url, None, pages))
    return tuple(feeds.values())


def _feed_url(table: _Table, url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise table.error("url", f"{url!r} is not an http or https URL")
    return url


def _fetch_settings(table: _Table) -> FetchSettings:
    defaults = FetchSettings()

    def seconds(key: str, default: float, low: float = 0.001, high: float = 3600) -> float:
        return float(table.number(key, default, integer=False, low=low, high=high))

    def whole(key: str, default: int, low: int, high: int) -> int:
        return int(table.number(key, default, integer=True, low=low, high=high))

    networks = []
    for text in table.strings("allow_addresses") or []:
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise table.error(
                "allow_addresses", f"{text!r} is not an address or network (127.0.0.1, 10.0.0.0/8)"
            ) from None
    contact = table.string("contact")
    if contact is not None:
        check_title(contact, f"{table.config}: {table.prefix}contact")
        if not contact.isascii():  # it goes in an HTTP header
            raise table.error("contact", "must be ASCII (a mailto: address or a URL)")
    return FetchSettings(
        contact=contact,
        allow_addresses=tuple(networks),
        delay=seconds("delay", defaults.delay, low=0),
        connect_timeout=seconds("connect_timeout", defaults.connect_timeout),
        read_timeout=seconds("read_timeout", defaults.read_timeout),
        timeout=seconds("timeout", defaults.timeout),
        max_mb=seconds("max_mb", defaults.max_mb, high=1000),
        max_redirects=whole("max_redirects", defaults.max_redirects, 0, 20),
        retries=whole("retries", defaults.retries, 0, 10),
        backoff=seconds("backoff", defaults.backoff, low=0),
        max_retry_after=seconds("max_retry_after", defaults.max_retry_after, low=0, high=86400),
        hosts_at_once=whole("hosts_at_once", defaults.hosts_at_once, 1, 256),
        pages=table.flag("pages", defaults.pages),
    )


def _time_zone(job: _Table) -> dt.tzinfo | None:
    name = job.string("time_zone")
    if name is None:
        return None
    try:
        return named_zone(name)
    except InputError as exc:
        raise job.error("time_zone", str(exc)) from None


def _title(job: _Table) -> str | None:
    title = job.string("title")
    if title is not None:
        check_title(title, f"{job.config}: title")
    return title


def _window(job: _Table) -> str | None:
    length = job.string("window")
    if length is not None:
        try:
            span = parse_duration(length)
            dt.datetime(1, 1, 1) + span  # a span longer than the calendar is no window
        except OverflowError:
            raise job.error("window", f"{length!r} is out of range") from None
        except ValueError as exc:
            raise job.error("window", str(exc)) from None
    return length


def _email_settings(table: _Table) -> EmailSettings:
    where = f"{table.config}: {table.prefix}"
    if not table.data:
        raise InputError(
            f"{table.config}: [email]: empty table; give to, from and host "
            "(or leave the table out to build the brief without mailing it)"
        )
    recipients = table.strings("to")
    security = table.choice("security", tuple(SECURITY_PORTS), "starttls")
    username = table.string("username")
    if username is not None and security == "none":
        raise table.error(
            "username", "a password is never sent without TLS; use security = 'starttls' or 'tls'"
        )
    return EmailSettings(
        to=tuple(a for r in recipients or [] for a in parse_addresses(r, f"{where}to")),
        sender=check_address(table.required_string("from"), f"{where}from"),
        host=table.required_string("host"),
        port=int(table.number("port", SECURITY_PORTS[security], integer=True, low=1, high=65535)),
        security=security,
        username=username,
        password=_password(table) if username is not None else None,
        timeout=float(table.number("timeout", DEFAULT_TIMEOUT, integer=False, low=1, high=3600)),
        ca_file=_existing_file(table, "ca_file"),
        verify_certificate=table.flag("verify_certificate", True),
        max_attachment_bytes=int(
            table.number(
                "max_attachment_mb", DEFAULT_MAX_ATTACHMENT_MB, integer=False, low=0.001, high=1000
            )
            * 1_000_000
        ),
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
