"""Deliver: the brief as an email — the PDF attached, the Markdown and its HTML rendering
as the body — sent over SMTP (STARTTLS, implicit TLS or plain to a local relay).

Every failure becomes a `DeliveryError` with a one-line reason; the password is never
part of one.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import html
import os
import re
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid
from typing import Any

from briefing.config import EmailSettings, address_spec
from briefing.errors import DeliveryError, InputError
from briefing.render import markdown_page, markdown_to_html, one_line

# The first line of every Markdown brief: "# TITLE — YYYY-MM-DD".
_HEADING = re.compile(r"\A# (?P<title>.+) — (?P<date>\d{4}-\d{2}-\d{2})\r?\n")


def brief_heading(markdown_text: str, name: str) -> tuple[str, str]:
    """The brief's title (as displayed, Markdown escapes undone) and date."""
    match = _HEADING.match(markdown_text)
    if match is None:
        raise InputError(f"{name}: not a brief (its first line must be '# TITLE — YYYY-MM-DD')")
    shown = html.unescape(re.sub(r"<[^>]+>", "", markdown_to_html(match["title"])))
    return shown.strip(), match["date"]


def build_message(
    *,
    markdown_text: str,
    title: str,
    date: str,
    pdf: bytes,
    pdf_name: str,
    sender: str,
    to: tuple[str, ...],
    now: dt.datetime,
) -> EmailMessage:
    """The brief's email: subject "TITLE — DATE"; the Markdown as text/plain with its HTML
    rendering as the alternative; the PDF attached. SENDER and TO are checked mailboxes
    (`briefing.config.parse_addresses`); the title is made one line."""
    title = one_line(title)
    message = EmailMessage(policy=SMTP_POLICY)
    message["Subject"] = f"{title} — {date}"
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = format_datetime(now)
    domain = address_spec(sender).rpartition("@")[2]
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(markdown_text)
    message.add_alternative(markdown_page(markdown_text, title, date), subtype="html")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=pdf_name)
    return message


def tls_context(settings: EmailSettings) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(settings.ca_file) if settings.ca_file else None)
    if not settings.verify_certificate:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def send_message(message: EmailMessage, settings: EmailSettings) -> None:
    """Hand the message to the server; raise `DeliveryError` unless every recipient
    was accepted."""
    server = f"{settings.host}:{settings.port}"
    deadline = _Deadline(settings.timeout)
    try:
        _send(message, settings, deadline)
    except Exception as exc:
        if deadline.expired():  # whatever the wait was cut off by, it took too long
            raise DeliveryError(_timed_out(server, settings)) from None
        _raise_delivery_error(exc, server, settings)


def _raise_delivery_error(exc: Exception, server: str, settings: EmailSettings) -> None:
    try:
        raise exc
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"{server} refused the login for {settings.username!r} ({_reply(exc)})"
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        refused = ", ".join(f"{r} ({_reply(e)})" for r, e in exc.recipients.items())
        raise DeliveryError(f"{server} refused the recipients: {refused}") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(f"{server}: {exc}") from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"{server} refused the message ({_reply(exc)})") from None
    except smtplib.SMTPServerDisconnected as exc:
        if isinstance(exc.__context__, TimeoutError):  # smtplib's name for a silent server
            raise DeliveryError(_timed_out(server, settings)) from None
        raise DeliveryError(
            f"{server} closed the connection ({exc or 'no reason given'})"
        ) from None
    except ssl.SSLCertVerificationError as exc:
        raise DeliveryError(
            f"{server}: certificate not trusted ({exc.verify_message}); give its CA as "
            "ca_file in [email]"
        ) from None
    except ssl.SSLError as exc:
        raise DeliveryError(f"{server}: TLS failed ({exc.reason or exc})") from None
    except TimeoutError:
        raise DeliveryError(_timed_out(server, settings)) from None
    except socket.gaierror as exc:
        raise DeliveryError(f"{server}: cannot find the host ({exc.strerror})") from None
    except ConnectionRefusedError:
        raise DeliveryError(f"{server} refused the connection (is the server running?)") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"{server}: {getattr(exc, 'strerror', None) or exc}") from None


def _timed_out(server: str, settings: EmailSettings) -> str:
    return (
        f"{server} did not answer in time (timeout = {settings.timeout:g} s in [email], "
        "for the whole delivery)"
    )


class _Deadline:
    """One deadline for the whole delivery: the host name's lookup, the connection, TLS,
    every command and the message's data, however slowly the server trickles its replies."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self._expired = threading.Event()
        self._watches: list[tuple[threading.Timer, socket.socket]] = []

    def left(self) -> float:
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            self._expired.set()
            raise TimeoutError("the delivery's deadline has passed")
        return remaining

    def expired(self) -> bool:
        return self._expired.is_set() or time.monotonic() >= self.end

    def watch(self, sock: socket.socket) -> None:
        """Shut SOCK down when the deadline passes, which ends any read or write blocked
        on it: a socket timeout only bounds each read, and a server dripping one byte at a
        time never lets one run out. TLS wraps the same connection, so it is cut too."""
        watched = socket.socket(fileno=os.dup(sock.fileno()))  # the same connection

        def cut() -> None:
            self._expired.set()
            with contextlib.suppress(OSError):
                watched.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(max(self.end - time.monotonic(), 0), cut)
        timer.daemon = True
        timer.start()
        self._watches.append((timer, watched))

    def close(self) -> None:
        for timer, watched in self._watches:
            timer.cancel()
            watched.close()
        self._watches.clear()


def resolve(
    host: str,
    port: int,
    deadline: _Deadline,
    lookup: Callable[..., list[Any]] = socket.getaddrinfo,
) -> list[tuple[Any, ...]]:
    """The host's addresses, looked up in a helper thread so that the deadline bounds the
    lookup too (the resolver has no timeout of its own)."""
    answer: list[Any] = []
    failure: list[BaseException] = []

    def look_up() -> None:
        try:
            answer.extend(lookup(host, port, type=socket.SOCK_STREAM))
        except BaseException as exc:  # handed to the caller
            failure.append(exc)

    thread = threading.Thread(target=look_up, name="briefing-lookup", daemon=True)
    thread.start()
    thread.join(deadline.left())
    if thread.is_alive():
        deadline.left()  # raises once the deadline has passed
        raise TimeoutError("the host name lookup did not finish")
    if failure:
        raise failure[0]
    return answer


def _connect(host: str, port: int, deadline: _Deadline) -> socket.socket:
    """A TCP connection to HOST within the deadline, trying each of its addresses."""
    error: OSError | None = None
    for family, kind, proto, _, address in resolve(host, port, deadline):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(deadline.left())
            sock.connect(address)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
            if isinstance(exc, TimeoutError):
                raise
    raise error or OSError(f"no address found for {host}")


class _DeadlineSMTP(smtplib.SMTP):
    """smtplib's client, connected within the deadline and cut off when it passes."""

    def __init__(self, deadline: _Deadline, **options: Any) -> None:
        self.deadline = deadline
        super().__init__(**options)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        self._host = host  # the name STARTTLS checks the certificate against
        sock = _connect(host, port, self.deadline)
        self.deadline.watch(sock)  # before the greeting is read
        return sock


class _DeadlineSMTPSSL(smtplib.SMTP_SSL):
    def __init__(self, deadline: _Deadline, **options: Any) -> None:
        self.deadline = deadline
        super().__init__(**options)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = _connect(host, port, self.deadline)
        self.deadline.watch(sock)  # the TLS handshake included
        return self.context.wrap_socket(sock, server_hostname=host)


def _send(message: EmailMessage, settings: EmailSettings, deadline: _Deadline) -> None:
    try:
        _converse(message, settings, deadline)
    finally:
        deadline.close()


def _converse(message: EmailMessage, settings: EmailSettings, deadline: _Deadline) -> None:
    smtp: smtplib.SMTP
    if settings.security == "tls":
        smtp = _DeadlineSMTPSSL(deadline, timeout=settings.timeout, context=tls_context(settings))
    else:
        smtp = _DeadlineSMTP(deadline, timeout=settings.timeout)
    with smtp:
        smtp.connect(settings.host, settings.port)
        if settings.security == "starttls":
            smtp.ehlo()
            if not smtp.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError("the server does not offer STARTTLS")
            smtp.starttls(context=tls_context(settings))
        if settings.username is not None:
            _login(smtp, settings.username, settings.password or "")
        refused = smtp.send_message(
            message,
            from_addr=address_spec(settings.sender),
            to_addrs=[address_spec(r) for r in settings.to],
        )
    if refused:
        raise smtplib.SMTPRecipientsRefused(refused)


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    if (user + password).isascii():
        smtp.login(user, password)
        return
    # smtplib sends credentials as ASCII only; AUTH PLAIN carries UTF-8 (RFC 4616).
    smtp.ehlo_or_helo_if_needed()
    if "PLAIN" not in smtp.esmtp_features.get("auth", "").upper().split():
        raise smtplib.SMTPNotSupportedError(
            "the server offers no AUTH PLAIN, which a non-ASCII user or password needs"
        )
    token = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode("ascii")
    code, reply = smtp.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _reply(exc: smtplib.SMTPResponseException | tuple[int, bytes]) -> str:
    """The server's reply as one line: "535 5.7.8 Authentication credentials invalid"."""
    code, text = (exc.smtp_code, exc.smtp_error) if isinstance(exc, Exception) else exc
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return " ".join(f"{code} {words}".split())
