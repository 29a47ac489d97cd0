"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the delivery tests, in the three ways a
brief is mailed: plain to a relay, STARTTLS + AUTH, implicit TLS + AUTH. The certificates
come from a throwaway CA (trustme) that the tests trust through `ca_file`."""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"
USER = "briefing@example.com"
PASSWORD = "s3cret-Pässword"
PASSWORD_ENV = "BRIEFING_TEST_PASSWORD"
SENDER = "Briefing <briefing@example.com>"
RECIPIENTS = ("analyst@example.com", "desk@example.org")


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    login: bytes | None  # the user who authenticated, if any
    data: bytes

    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Inbox:
    """aiosmtpd handler: keeps every message it accepts."""

    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        login = session.auth_data.login if isinstance(session.auth_data, LoginPassword) else None
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), login, envelope.original_content)
        )
        return "250 Message accepted for delivery"


def check_login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = (
        isinstance(data, LoginPassword)
        and data.login == USER.encode()
        and data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False, auth_data=data if ok else None)


def free_port() -> int:
    """A port nothing listens on (the OS picks it; the socket is closed again)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass
class MailServer:
    port: int
    security: str  # as in the config: "none", "starttls" or "tls"
    inbox: Inbox
    ca_file: Path  # the CA that signed the server's certificate


@dataclass(frozen=True)
class Authority:
    """A throwaway CA: it signs the test server's certificates; `file` is its own
    certificate, which a config trusts through `ca_file`."""

    ca: trustme.CA
    file: Path


def new_authority(folder: Path) -> Authority:
    ca = trustme.CA()
    path = folder / "test-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return Authority(ca, path)


@contextmanager
def mail_server(security: str, authority: Authority) -> Iterator[MailServer]:
    """Serve SMTP on 127.0.0.1 until the block ends. With TLS, AUTH is required; the
    certificate is for 127.0.0.1, signed by AUTHORITY."""
    inbox = Inbox()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.ca.issue_cert(HOST, "localhost").configure_cert(context)
    options: dict[str, Any] = {}
    if security == "starttls":
        options = {"tls_context": context, "require_starttls": True}
    elif security == "tls":
        # aiosmtpd cannot tell that an implicit-TLS connection is encrypted; it is.
        options = {"ssl_context": context, "auth_require_tls": False}
    if security != "none":
        options |= {"authenticator": check_login, "auth_required": True}
    port = free_port()
    controller = Controller(inbox, hostname=HOST, port=port, **options)
    controller.start()
    try:
        yield MailServer(port=port, security=security, inbox=inbox, ca_file=authority.file)
    finally:
        controller.stop()


def email_section(
    server: MailServer | None,
    *,
    port: int | None = None,
    ca_file: Path | None = None,
    security: str | None = None,
    password_env: str = PASSWORD_ENV,
) -> str:
    """An [email] table for a config file that points at SERVER (or at PORT)."""
    security = security or (server.security if server else "starttls")
    lines = [
        "[email]",
        f"to = {list(RECIPIENTS)!r}".replace("'", '"'),
        f'from = "{SENDER}"',
        f'host = "{HOST}"',
        f"port = {port or (server.port if server else free_port())}",
        f'security = "{security}"',
        "timeout = 10",
    ]
    if security != "none":
        lines += [f'username = "{USER}"', f'password_env = "{password_env}"']
    if ca_file is not None:
        lines.append(f'ca_file = "{ca_file}"')
    return "\n".join(lines) + "\n"


def write_config(folder: Path, text: str) -> Path:
    path = folder / "briefing.toml"
    path.write_text(text, encoding="utf-8")
    return path
