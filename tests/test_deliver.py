"""Delivery over a real SMTP server on 127.0.0.1: `briefing send` in the three modes, the
message as the standard library parses it, and every failure as exit code 3."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import socket
import subprocess
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from brieftest import DATE_TEXT, SEEDS, CliBuild, html_to_text, normalise, run_cli
from mailserver import (
    HOST,
    PASSWORD,
    PASSWORD_ENV,
    RECIPIENTS,
    SENDER,
    USER,
    Authority,
    MailServer,
    Received,
    email_section,
    free_port,
    mail_server,
    write_config,
)

from briefing.compose import Brief
from briefing.deliver import brief_heading
from briefing.render import render_markdown


@pytest.fixture(params=["none", "starttls", "tls"])
def server(request: pytest.FixtureRequest, authority: Authority) -> Iterator[MailServer]:
    with mail_server(request.param, authority) as running:
        yield running


def send(
    pdf: Path, config: Path, *extra: str, password: str = PASSWORD
) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "send", str(pdf), "--config", str(config), *extra, cwd=config.parent,
        env={PASSWORD_ENV: password},
    )  # fmt: skip


def brief_files(build: CliBuild) -> tuple[Path, Path]:
    assert build.result.returncode == 0, build.result.stderr
    return build.out / f"brief-{DATE_TEXT}.pdf", build.out / f"brief-{DATE_TEXT}.md"


def assert_quiet_success(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""


def check_brief_email(received: Received, pdf: Path, markdown: Path) -> None:
    """What a reader's mail program sees: subject, sender, recipients, Date, Message-ID,
    the Markdown as text, its HTML rendering, and the PDF attached byte for byte."""
    message = received.message()
    assert message["Subject"] == f"Russia–Turkey brief — {DATE_TEXT}"
    assert message["From"] == SENDER
    assert [a.addr_spec for a in message["To"].addresses] == list(RECIPIENTS)
    sent = parsedate_to_datetime(message["Date"])
    assert sent.tzinfo is not None
    assert abs(dt.datetime.now(dt.UTC) - sent) < dt.timedelta(minutes=5)
    assert re.fullmatch(r"<[^<>@\s]+@example\.com>", message["Message-ID"])
    plain = message.get_body(("plain",))
    assert plain is not None
    assert plain.get_content().replace("\r\n", "\n") == markdown.read_text(encoding="utf-8")
    page = message.get_body(("html",))
    assert page is not None
    text = html_to_text(page.get_content())
    assert f"Russia–Turkey brief — {DATE_TEXT}" in text
    brief = json.loads(pdf.with_suffix(".json").read_text(encoding="utf-8"))
    for topic in brief["topics"]:
        for item in topic["items"]:
            assert normalise(item["text"]) in text
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == pdf.name
    assert attachment.get_content() == pdf.read_bytes()
    assert received.mail_from == "briefing@example.com"
    assert received.rcpt_tos == list(RECIPIENTS)
    assert PASSWORD.encode() not in received.data


def test_send_delivers_the_brief(
    server: MailServer, seeds_cli_build: CliBuild, tmp_path: Path
) -> None:
    pdf, markdown = brief_files(seeds_cli_build)
    config = write_config(tmp_path, email_section(server, ca_file=server.ca_file))
    result = send(pdf, config)
    assert_quiet_success(result)
    [received] = server.inbox.received
    check_brief_email(received, pdf, markdown)
    assert received.login == (None if server.security == "none" else USER.encode())


def test_send_to_overrides_the_config_recipients(
    authority: Authority, seeds_cli_build: CliBuild, tmp_path: Path
) -> None:
    pdf, _ = brief_files(seeds_cli_build)
    with mail_server("none", authority) as server:
        config = write_config(tmp_path, email_section(server))
        result = send(pdf, config, "--to", "boss@example.net", "--to", "Desk <desk@example.net>")
        assert_quiet_success(result)
        [received] = server.inbox.received
    assert received.rcpt_tos == ["boss@example.net", "desk@example.net"]
    assert received.message()["To"] == "boss@example.net, Desk <desk@example.net>"


def test_certificate_check_can_be_turned_off(
    authority: Authority, seeds_cli_build: CliBuild, tmp_path: Path
) -> None:
    pdf, _ = brief_files(seeds_cli_build)
    with mail_server("tls", authority) as server:
        config = write_config(tmp_path, email_section(server) + "verify_certificate = false\n")
        assert_quiet_success(send(pdf, config))
        assert len(server.inbox.received) == 1


# --- Failures: exit 3, one line, the brief untouched ------------------------------------


def assert_not_delivered(result: subprocess.CompletedProcess[str], *mentions: str) -> str:
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("briefing: error: not delivered: ")
    for mention in mentions:
        assert mention in line, line
    assert PASSWORD not in result.stderr + result.stdout
    assert result.stdout == ""
    return line


def test_send_with_starttls_to_a_server_without_it(
    authority: Authority, seeds_cli_build: CliBuild, tmp_path: Path
) -> None:
    pdf, _ = brief_files(seeds_cli_build)
    with mail_server("none", authority) as server:
        config = write_config(tmp_path, email_section(server, security="starttls"))
        assert_not_delivered(send(pdf, config), "does not offer STARTTLS", str(pdf))
        assert server.inbox.received == []
    assert pdf.is_file()


def test_a_server_that_never_answers_times_out(seeds_cli_build: CliBuild, tmp_path: Path) -> None:
    """A port that takes the connection but never sends the SMTP greeting."""
    pdf, _ = brief_files(seeds_cli_build)
    with socket.socket() as silent:
        silent.bind((HOST, 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        section = email_section(None, port=port, security="none").replace(
            "timeout = 10", "timeout = 1"
        )
        result = send(pdf, write_config(tmp_path, section))
    assert_not_delivered(result, f"{HOST}:{port} did not answer in time (timeout = 1 s")


def test_send_without_a_markdown_body_is_a_user_error(
    seeds_cli_build: CliBuild, tmp_path: Path
) -> None:
    pdf, _ = brief_files(seeds_cli_build)
    lonely = tmp_path / "lonely.pdf"
    lonely.write_bytes(pdf.read_bytes())
    config = write_config(tmp_path, email_section(None, security="none"))
    result = send(lonely, config)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"briefing: error: {tmp_path / 'lonely.md'}: the brief's Markdown not found"
    ]


def test_send_of_a_file_that_is_not_a_pdf(seeds_cli_build: CliBuild, tmp_path: Path) -> None:
    _, markdown = brief_files(seeds_cli_build)
    config = write_config(tmp_path, email_section(None, security="none"))
    result = send(markdown, config, "--body", str(markdown))
    assert result.returncode == 2
    assert "not a PDF" in result.stderr and str(markdown) in result.stderr


def test_send_needs_an_email_section(seeds_cli_build: CliBuild, tmp_path: Path) -> None:
    pdf, _ = brief_files(seeds_cli_build)
    config = write_config(tmp_path, 'sources = ["articles"]\n')
    result = send(pdf, config)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"briefing: error: {config}: no [email] section"]


@pytest.fixture(scope="module")
def articles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("articles")
    for seed in SEEDS.glob("*.txt"):
        (folder / seed.name).write_bytes(seed.read_bytes())
    return folder


def run_job(
    folder: Path, email: str, articles: Path, password: str = PASSWORD
) -> subprocess.CompletedProcess[str]:
    config = write_config(folder, f'sources = ["{articles}"]\nout = "briefs"\n\n{email}')
    return run_cli(
        "run", "--config", str(config), "--date", DATE_TEXT, cwd=folder,
        env={PASSWORD_ENV: password},
    )  # fmt: skip


def assert_brief_stays(folder: Path, error: str | None = None) -> None:
    """The brief set and its log stay; the log ends with the run's error line."""
    names = sorted(p.name for p in (folder / "briefs").iterdir() if not p.name.startswith("."))
    assert names == [f"brief-{DATE_TEXT}.{ext}" for ext in ("json", "log", "md", "pdf")]
    assert (folder / "briefs" / f"brief-{DATE_TEXT}.pdf").read_bytes().startswith(b"%PDF-")
    log = (folder / "briefs" / f"brief-{DATE_TEXT}.log").read_text(encoding="utf-8")
    if error is not None:
        assert log.splitlines()[-1] == error


def test_wrong_password(authority: Authority, articles: Path, tmp_path: Path) -> None:
    with mail_server("starttls", authority) as server:
        email = email_section(server, ca_file=server.ca_file)
        result = run_job(tmp_path, email, articles, password="not-the-password")
        assert server.inbox.received == []
    line = assert_not_delivered(
        result, f"127.0.0.1:{server.port} refused the login for '{USER}'", "535"
    )
    assert "not-the-password" not in line
    pdf = tmp_path / "briefs" / f"brief-{DATE_TEXT}.pdf"
    assert line.endswith(f"; the brief stays in {pdf}")
    assert_brief_stays(tmp_path, line)


def test_refused_connection(articles: Path, tmp_path: Path) -> None:
    port = free_port()
    result = run_job(tmp_path, email_section(None, port=port), articles)
    assert_not_delivered(result, f"127.0.0.1:{port} refused the connection", "brief-")
    assert_brief_stays(tmp_path)


def test_untrusted_certificate(authority: Authority, articles: Path, tmp_path: Path) -> None:
    """The server's certificate is signed by a CA the config does not name: refused."""
    with mail_server("starttls", authority) as server:
        result = run_job(tmp_path, email_section(server), articles)
        assert server.inbox.received == []
    assert_not_delivered(result, "certificate not trusted", "ca_file")
    assert_brief_stays(tmp_path)


# --- The message itself -------------------------------------------------------------


@pytest.mark.parametrize(
    "title", ["Markets *daily* & <more> [1]", "Erdoğan’s week_2 — \\ `notes`", "# 1. Brief"]
)
def test_subject_is_the_title_as_written(seeds_brief: Brief, title: str) -> None:
    brief = dataclasses.replace(seeds_brief, title=title)
    for footnotes in ("gfm", "plain"):
        assert brief_heading(render_markdown(brief, footnotes), "b.md") == (title, DATE_TEXT)
