"""Hostile input and faults at the command line (issue 11): metadata that tries to break
out of its Markdown context, a mail server that drips its replies, recipients that hide
an address, a planted lock link, titles with line breaks, a set written all or nothing
even when the process is killed between renames, options beyond the calendar, an empty
[email] table, an attachment over the limit. Each ends with exit 0, 2 or 3, one line,
no traceback, no half set."""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from brieftest import DATE_TEXT, SEEDS, run_cli
from mailserver import (
    HOST,
    Authority,
    MailServer,
    email_section,
    mail_server,
    write_config,
)

from briefing.deliver import _Deadline, resolve

SET = ("html", "json", "md")


def assert_one_line(result: subprocess.CompletedProcess[str], code: int, *mentions: str) -> str:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("briefing: error: ")
    for mention in mentions:
        assert mention in lines[0], lines[0]
    assert result.stdout == ""
    return lines[0]


def build(folder: Path, out: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    return run_cli(
        "build", str(SEEDS), "--date", DATE_TEXT, "--out", str(out), "--format", ",".join(SET),
        *args, cwd=folder, env=env,
    )  # fmt: skip


def brief_set(out: Path) -> dict[str, bytes]:
    return {ext: (out / f"brief-{DATE_TEXT}.{ext}").read_bytes() for ext in SET}


def leftovers(out: Path) -> list[str]:
    """Anything in OUT that is neither a brief file nor the lock file."""
    return sorted(
        p.name
        for p in out.iterdir()
        if p.name != ".briefing.lock" and not p.name.startswith("brief-")
    )


# --- 4. Metadata escaped for its context ------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)


PAYLOAD = "<img src=x onerror=alert(1)>"


def test_hostile_file_names_and_metadata_stay_text(tmp_path: Path) -> None:
    """A file name holding backticks, a blank line and an image tag; a JSON record whose
    outlet and title carry a blank line and markup and whose link tries to leave its
    autolink; a record with a `javascript:` link. No tag or attribute of theirs reaches
    the HTML, no heading is injected, and the names show as written."""
    articles = tmp_path / "articles"
    articles.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    hostile_name = f"a``b\n\n{PAYLOAD} `c.txt"
    shutil.copy(seeds[0], articles / hostile_name)
    record = {
        "title": f"Putin and Erdogan\n\n# Injected heading\n\n{PAYLOAD}",
        "outlet": f"Wire\u2028## Outlet heading {PAYLOAD}",
        "url": f'https://example.com/a b>"{PAYLOAD}',
        "published": "2026-11-22T08:00:00+00:00",
        "text": seeds[1].read_text("utf-8"),
    }
    other = dict(record, url="javascript:alert(1)", title="Second copy of the story")
    other["text"] = seeds[3].read_text("utf-8")
    (articles / "export.json").write_text(json.dumps([record, other]), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("build", str(articles), "--date", DATE_TEXT, "--out", str(out),
                     "--format", "md,html", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    markdown = (out / f"brief-{DATE_TEXT}.md").read_text(encoding="utf-8")
    page = (out / f"brief-{DATE_TEXT}.html").read_text(encoding="utf-8")
    tags = _Tags()
    tags.feed(page)
    assert "img" not in tags.tags and "script" not in tags.tags
    assert "onerror" not in tags.attributes and "src" not in tags.attributes
    assert 'href="javascript:' not in page
    headings = [line for line in markdown.splitlines() if line.startswith("#")]
    assert all("Injected" not in h and "Outlet heading" not in h for h in headings)
    # Each footnote is one line: nothing in a name ends it.
    sources = markdown.split("\n## Sources\n\n", 1)[1]
    assert all(line.startswith("[^") for line in sources.splitlines() if line)
    assert "a``b\\n\\n<img src=x onerror=alert(1)> `c.txt" in markdown
    assert "a``b\\n\\n&lt;img src=x onerror=alert(1)&gt; `c.txt" in page


# --- 6. One deadline for the whole delivery ---------------------------------------------


@pytest.fixture
def dripping_server() -> Iterator[int]:
    """A server on 127.0.0.1 that answers every connection with a greeting that never
    ends: one byte every 0.2 s."""
    stop = threading.Event()
    listener = socket.socket()
    listener.bind((HOST, 0))
    listener.listen(4)
    listener.settimeout(0.2)

    def serve() -> None:
        clients: list[socket.socket] = []
        while not stop.is_set():
            try:
                client, _ = listener.accept()
                clients.append(client)
            except TimeoutError:
                pass
            for client in clients:
                with contextlib.suppress(OSError):
                    client.send(b"2")
            stop.wait(0.2)
        for client in clients:
            client.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def test_a_dripping_server_is_cut_off_at_the_deadline(dripping_server: int, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(tmp_path, out, "--format", "md,pdf").returncode == 0
    section = email_section(None, port=dripping_server, security="none").replace(
        "timeout = 10", "timeout = 2"
    )
    config = write_config(tmp_path, section)
    started = time.monotonic()
    result = run_cli("send", str(out / f"brief-{DATE_TEXT}.pdf"), "--config", str(config),
                     cwd=tmp_path)  # fmt: skip
    elapsed = time.monotonic() - started
    assert_one_line(result, 3, f"{HOST}:{dripping_server} did not answer in time", "timeout = 2 s")
    assert elapsed < 8, elapsed  # 2 s and the start-up; per-read timeouts would never end


def test_the_host_lookup_counts_against_the_deadline() -> None:
    """The resolver has no timeout of its own: a lookup that hangs (no resolver that hangs
    can be started by a test, so the lookup function is one that sleeps) ends at the
    deadline."""
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        resolve("mail.example", 25, _Deadline(0.5), lookup=lambda *a, **k: time.sleep(30))
    assert time.monotonic() - started < 2


# --- 7. A quiet run, its log beside the brief -------------------------------------------


def test_run_is_quiet_and_logs_beside_the_brief(tmp_path: Path) -> None:
    """The port fixtures hold duplicates and undated articles: their notes go to the log,
    and to stderr only with -v."""
    from brieftest import PORT_DATE, PORT_TOPICS, SOURCE_FIXTURES

    date = PORT_DATE.isoformat()
    config = write_config(
        tmp_path,
        f'sources = ["{SOURCE_FIXTURES}"]\ntopics = "{PORT_TOPICS}"\nformats = ["json"]\n'
        'time_zone = "UTC"\n',
    )
    quiet = run_cli("run", "--config", str(config), "--date", date, "--window", "2d", cwd=tmp_path)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == "" and quiet.stderr == ""
    log = (tmp_path / "out" / f"brief-{date}.log").read_text(encoding="utf-8")
    assert "same article as" in log
    assert log.splitlines()[-1].startswith(f"briefing: info: wrote brief-{date}.json from ")
    verbose = run_cli("run", "--config", str(config), "--date", date, "--window", "2d", "-v",
                      cwd=tmp_path)  # fmt: skip
    assert verbose.returncode == 0 and verbose.stdout == ""
    assert "same article as" in verbose.stderr
    assert leftovers(tmp_path / "out") == []


def test_a_failed_run_is_one_line_and_logged(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.bin").write_bytes(b"\x00\x01binary")
    config = write_config(tmp_path, f'sources = ["{empty}"]\nformats = ["md"]\n')
    result = run_cli("run", "--config", str(config), "--date", DATE_TEXT, cwd=tmp_path)
    line = assert_one_line(result, 2, "no articles found")
    log = (tmp_path / "out" / f"brief-{DATE_TEXT}.log").read_text(encoding="utf-8").splitlines()
    assert log[-1] == line and any("notes.bin" in entry for entry in log[:-1])


# --- 8. Recipients ----------------------------------------------------------------------


@pytest.fixture
def relay(authority: Authority) -> Iterator[MailServer]:
    with mail_server("none", authority) as running:
        yield running


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("built")
    result = run_cli("build", str(SEEDS), "--date", DATE_TEXT, "--out", str(out),
                     "--format", "md,pdf", cwd=out)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out / f"brief-{DATE_TEXT}.pdf"


def test_a_comma_list_is_several_recipients(relay: MailServer, built: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path, email_section(relay))
    result = run_cli("send", str(built), "--config", str(config), "--to",
                     "a@example.com, B <b@example.org>", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    [received] = relay.inbox.received
    assert received.rcpt_tos == ["a@example.com", "b@example.org"]
    assert received.message()["To"] == "a@example.com, B <b@example.org>"


@pytest.mark.parametrize(
    ("recipient", "reason"),
    [
        ("alice@example.com <bob@example.org>", "holds an address"),
        ('"alice@example.com" <bob@example.org>', "holds an address"),
        ("a@example.com,, b@example.org", "empty entry"),
        ("a@example.com\r\nBcc: c@example.net", "control character"),
        ("not-an-address", "plain ASCII address"),
    ],
)
def test_recipient_tricks_are_refused(
    relay: MailServer, built: Path, tmp_path: Path, recipient: str, reason: str
) -> None:
    config = write_config(tmp_path, email_section(relay))
    result = run_cli("send", str(built), "--config", str(config), "--to", recipient, cwd=tmp_path)
    assert_one_line(result, 2, "--to", reason)
    assert relay.inbox.received == []


# --- 9. The lock never follows a link ---------------------------------------------------


def test_a_planted_lock_link_is_refused(tmp_path: Path) -> None:
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / ".briefing.lock").symlink_to(victim)
    config = write_config(tmp_path, f'sources = ["{SEEDS}"]\nformats = ["md"]\n')
    result = run_cli("run", "--config", str(config), "--date", DATE_TEXT, cwd=tmp_path)
    assert_one_line(result, 2, ".briefing.lock", "symbolic link")
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert sorted(p.name for p in out.iterdir()) == [".briefing.lock"]


# --- 10. Titles -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title", ["Morning\rbrief", "Morning\vbrief", "Morning\x85brief", "Morning\u2028brief",
              "Morning\nbrief", "Morning\x1b[31mbrief"],
    ids=["CR", "VT", "NEL", "LS", "LF", "ESC"],
)  # fmt: skip
def test_a_title_with_a_line_break_is_refused_before_writing(tmp_path: Path, title: str) -> None:
    out = tmp_path / "out"
    assert_one_line(build(tmp_path, out, "--title", title), 2, "--title", "one line")
    assert not out.exists()
    config = write_config(tmp_path, f'sources = ["{SEEDS}"]\nformats = ["md"]\n')
    result = run_cli("run", "--config", str(config), "--title", title, cwd=tmp_path)
    assert_one_line(result, 2, "--title", "one line")
    escaped = json.dumps(title)
    write_config(tmp_path, f'sources = ["{SEEDS}"]\ntitle = {escaped}\n')
    result = run_cli("run", "--config", str(config), cwd=tmp_path)
    assert_one_line(result, 2, f"{config}: title", "one line")
    assert not (tmp_path / "out").exists()


def test_a_topic_title_cannot_inject_headings(tmp_path: Path) -> None:
    topics = tmp_path / "topics.toml"
    topics.write_text(
        'title = "Desk\\n# Fake brief\\n"\n[[topics]]\nid = "syria"\n'
        'title = "Syria\\n\\n## Injected\\u2028### Also injected #"\nkeywords = ["Syria"]\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = build(tmp_path, out, "--topics", str(topics))
    assert result.returncode == 0, result.stderr
    markdown = (out / f"brief-{DATE_TEXT}.md").read_text(encoding="utf-8")
    headings = [line for line in markdown.splitlines() if line.startswith("#")]
    assert headings == [
        f"# Desk # Fake brief — {DATE_TEXT}",  # a `#` inside a line is only text
        "## Top stories",
        "## Syria ## Injected ### Also injected \\#",
        "## Sources",
    ]
    brief = json.loads((out / f"brief-{DATE_TEXT}.json").read_text(encoding="utf-8"))
    assert brief["title"] == "Desk # Fake brief"


# --- 11. A brief set is all or nothing --------------------------------------------------


def test_a_folder_in_the_way_leaves_the_old_set(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(tmp_path, out, "--title", "Old").returncode == 0
    old = brief_set(out)
    (out / f"brief-{DATE_TEXT}.json").unlink()
    (out / f"brief-{DATE_TEXT}.json").mkdir()
    old.pop("json")
    result = build(tmp_path, out, "--title", "New")
    assert_one_line(result, 2, f"brief-{DATE_TEXT}.json", "folder")
    assert {ext: brief_set_file(out, ext) for ext in old} == old
    assert leftovers(out) == []


def brief_set_file(out: Path, ext: str) -> bytes:
    return (out / f"brief-{DATE_TEXT}.{ext}").read_bytes()


def title_of(out: Path) -> set[str]:
    """The title each file of the set carries (one title: the set is not mixed)."""
    titles = set()
    for ext in SET:
        text = (out / f"brief-{DATE_TEXT}.{ext}").read_text(encoding="utf-8")
        titles.add("New" if "New brief" in text else "Old" if "Old brief" in text else "?")
    return titles


@pytest.mark.parametrize(
    ("point", "signal_name"),
    [
        ("staged", "SIGKILL"),
        ("renamed-1", "SIGKILL"),
        ("renamed-2", "SIGKILL"),
        ("committed", "SIGKILL"),
        ("renamed-1", "SIGTERM"),
    ],
)
def test_a_kill_between_renames_leaves_one_whole_set(
    tmp_path: Path, point: str, signal_name: str
) -> None:
    """`build` killed at each point of its commit. SIGTERM waits until the set is in
    place. After SIGKILL between renames the folder is mixed until the next writer takes
    the lock: here a run that then fails (no articles) finds the stage and rolls the set
    back to the old one; then a build succeeds, with no stale lock and nothing temporary."""
    out = tmp_path / "out"
    assert build(tmp_path, out, "--title", "Old brief").returncode == 0
    killed = build(tmp_path, out, "--title", "New brief",
                   env={"BRIEFING_TEST_KILL": f"{point}:{signal_name}"})  # fmt: skip
    assert killed.returncode == -getattr(signal, signal_name), killed.stderr
    if signal_name == "SIGTERM" or point == "committed":
        assert title_of(out) == {"New"}
    empty = tmp_path / "empty"
    empty.mkdir()
    config = write_config(tmp_path, f'sources = ["{empty}"]\nout = "{out}"\n')
    failed = run_cli("run", "--config", str(config), "--date", DATE_TEXT, cwd=tmp_path)
    assert_one_line(failed, 2, "no articles found")
    [title] = title_of(out)
    assert title == ("New" if signal_name == "SIGTERM" or point == "committed" else "Old")
    assert leftovers(out) == []
    again = build(tmp_path, out, "--title", "Next brief")
    assert again.returncode == 0, again.stderr
    assert leftovers(out) == []
    assert all(b"Next brief" in data for data in brief_set(out).values())


def test_a_killed_run_is_rolled_back_by_the_next(tmp_path: Path) -> None:
    """SIGKILL after the first rename of a `run`: the next run finds the stage, puts the
    old set back first (noted in its log), then writes its own."""
    config = write_config(tmp_path, f'sources = ["{SEEDS}"]\nformats = ["md", "json"]\n')
    args = ("run", "--config", str(config), "--date", DATE_TEXT)
    assert run_cli(*args, "--title", "Old brief", cwd=tmp_path).returncode == 0
    out = tmp_path / "out"
    killed = run_cli(*args, "--title", "New brief", cwd=tmp_path,
                     env={"BRIEFING_TEST_KILL": "renamed-1:SIGKILL"})  # fmt: skip
    assert killed.returncode == -signal.SIGKILL
    assert [p.name for p in out.iterdir() if p.name.startswith(".briefing-stage-")]
    again = run_cli(*args, "--title", "Next brief", cwd=tmp_path)
    assert again.returncode == 0 and again.stderr == ""
    assert leftovers(out) == []
    log = (out / f"brief-{DATE_TEXT}.log").read_text(encoding="utf-8")
    assert "an interrupted write was rolled back" in log


def test_stale_temporary_files_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / f".brief-{DATE_TEXT}.md.x1y2.tmp").write_text("half", encoding="utf-8")
    (out / ".briefing-stage-abc" / "new").mkdir(parents=True)
    assert build(tmp_path, out).returncode == 0
    assert leftovers(out) == []


# --- 12. Options beyond the calendar ----------------------------------------------------


@pytest.mark.parametrize(
    ("args", "mention"),
    [
        (("--date", "9999-12-31"), "--date"),
        (("--window", "999999w"), "--window"),
        (("--date", "0001-01-01", "--window", "48h"), "--window"),
    ],
)
def test_options_beyond_the_calendar(tmp_path: Path, args: tuple[str, ...], mention: str) -> None:
    out = tmp_path / "out"
    result = run_cli("build", str(SEEDS), "--out", str(out), *args, cwd=tmp_path)
    assert_one_line(result, 2, mention, "out of range")
    assert not out.exists()


def test_a_config_window_beyond_the_calendar(tmp_path: Path) -> None:
    config = write_config(tmp_path, f'sources = ["{SEEDS}"]\nwindow = "999999w"\n')
    result = run_cli("run", "--config", str(config), cwd=tmp_path)
    assert_one_line(result, 2, f"{config}: window: ", "out of range")


# --- 13. An empty [email] table ---------------------------------------------------------


def test_an_empty_email_table_is_a_config_error(tmp_path: Path) -> None:
    config = write_config(tmp_path, f'sources = ["{SEEDS}"]\nformats = ["md"]\n\n[email]\n')
    result = run_cli("run", "--config", str(config), cwd=tmp_path)
    assert_one_line(result, 2, f"{config}: [email]: empty table")
    assert not (tmp_path / "out").exists()


# --- 14. The attachment is bounded ------------------------------------------------------


def test_an_attachment_over_the_limit_is_refused_unread(
    relay: MailServer, built: Path, tmp_path: Path
) -> None:
    """A 200 MB PDF (a sparse file: nothing is read) and the default limit of 10 MB."""
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as stream:
        stream.write(b"%PDF-1.7\n")
        stream.truncate(200_000_000)
    shutil.copy(built.with_suffix(".md"), huge.with_suffix(".md"))
    config = write_config(tmp_path, email_section(relay))
    result = run_cli("send", str(huge), "--config", str(config), cwd=tmp_path)
    assert_one_line(result, 3, "not delivered: ", "over the limit of 10 MB", "max_attachment_mb")
    assert relay.inbox.received == []


def test_run_keeps_the_brief_when_the_attachment_is_too_large(
    relay: MailServer, tmp_path: Path
) -> None:
    config = write_config(
        tmp_path,
        f'sources = ["{SEEDS}"]\n\n{email_section(relay)}max_attachment_mb = 0.001\n',
    )
    result = run_cli("run", "--config", str(config), "--date", DATE_TEXT, cwd=tmp_path)
    pdf = tmp_path / "out" / f"brief-{DATE_TEXT}.pdf"
    assert_one_line(result, 3, "over the limit of 0.001 MB", f"the brief stays in {pdf}")
    assert pdf.read_bytes().startswith(b"%PDF-") and relay.inbox.received == []
