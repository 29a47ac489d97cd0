"""Deliver: the brief as an email — the PDF attached, the Markdown and its HTML rendering
as the body — sent over SMTP (STARTTLS, implicit TLS or plain to a local relay).

Every failure becomes a `DeliveryError` with a one-line reason; the password is never
part of one.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid, parseaddr

from briefing.config import EmailSettings
from briefing.errors import DeliveryError, InputError
from briefing.render import markdown_page, markdown_to_html

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
    markdown_name: str,
    pdf: bytes,
    pdf_name: str,
    sender: str,
    to: tuple[str, ...],
    now: dt.datetime,
) -> EmailMessage:
    """The brief's email: subject "TITLE — DATE"; the Markdown as text/plain with its HTML
    rendering as the alternative; the PDF attached."""
    title, date = brief_heading(markdown_text, markdown_name)
    message = EmailMessage(policy=SMTP_POLICY)
    message["Subject"] = f"{title} — {date}"
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = format_datetime(now)
    domain = parseaddr(sender)[1].rpartition("@")[2]
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
    try:
        _send(message, settings)
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
    return f"{server} did not answer in time (timeout = {settings.timeout:g} s in [email])"


def _send(message: EmailMessage, settings: EmailSettings) -> None:
    smtp: smtplib.SMTP
    if settings.security == "tls":
        smtp = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=tls_context(settings)
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with smtp:
        if settings.security == "starttls":
            smtp.ehlo()
            if not smtp.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError("the server does not offer STARTTLS")
            smtp.starttls(context=tls_context(settings))
        if settings.username is not None:
            _login(smtp, settings.username, settings.password or "")
        refused = smtp.send_message(
            message, from_addr=parseaddr(settings.sender)[1], to_addrs=list(settings.to)
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
