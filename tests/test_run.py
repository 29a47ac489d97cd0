"""`briefing run --config`: the daily job as cron runs it — quiet on success, UTF-8 in a C
locale, one run at a time, dated in the configured time zone, mailed through a real SMTP
server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import pty
import re
import shutil
import subprocess
import sys
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from brieftest import DATE_TEXT, REPO, SEEDS, CliBuild, normalise, run_cli
from mailserver import (
    HOST,
    PASSWORD,
    PASSWORD_ENV,
    RECIPIENTS,
    Authority,
    MailServer,
    email_section,
    mail_server,
    write_config,
)


@pytest.fixture
def server(authority: Authority) -> Iterator[MailServer]:
    with mail_server("starttls", authority) as running:
        yield running


def job_folder(root: Path, articles: str = "articles") -> Path:
    """A job folder as a user sets it up: the seed articles under ARTICLES."""
    job = root / "job"
    shutil.copytree(SEEDS, job / articles)
    return job


def date_articles(folder: Path, age: dt.timedelta) -> None:
    """Give every seed in FOLDER a publication time AGE ago, in its sources.toml."""
    manifest = folder / "sources.toml"
    published = (dt.datetime.now(dt.UTC) - age).isoformat(timespec="seconds")
    dated, count = re.subn(
        r'(?m)^(\["[^"]+\.txt"\])$',
        rf'\1\npublished = "{published}"',
        manifest.read_text(encoding="utf-8"),
    )
    assert count == len(list(SEEDS.glob("*.txt")))
    manifest.write_text(dated, encoding="utf-8")


def cron_env(**extra: str) -> dict[str, str]:
    """Roughly what cron gives a job: a short PATH, HOME, no locale, no terminal."""
    return {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/"), **extra}


def brief_json(out: Path, date: str = DATE_TEXT) -> dict[str, Any]:
    return json.loads((out / f"brief-{date}.json").read_text(encoding="utf-8"))


def visible(out: Path) -> list[str]:
    """The brief's files in OUT: not the run's log, the lock or anything hidden."""
    return sorted(
        p.name for p in out.iterdir() if not p.name.startswith(".") and p.suffix != ".log"
    )


def test_run_builds_writes_and_mails_quietly(server: MailServer, tmp_path: Path) -> None:
    """End to end: the config's relative paths from its own folder (the job starts
    elsewhere), its formats, title and footnote style, the brief mailed, nothing printed."""
    job = job_folder(tmp_path)
    config = write_config(
        job,
        'sources = ["articles"]\nout = "briefs"\nformats = ["json"]\ntitle = "Morning brief"\n'
        f'footnotes = "plain"\n\n{email_section(server, ca_file=server.ca_file)}',
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli(
        "run", "--config", str(config), "--date", DATE_TEXT, cwd=elsewhere,
        env=cron_env(**{PASSWORD_ENV: PASSWORD}), inherit_env=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    out = job / "briefs"
    assert visible(out) == [f"brief-{DATE_TEXT}.{ext}" for ext in ("json", "md", "pdf")]
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [".briefing.lock"]
    log = (out / f"brief-{DATE_TEXT}.log").read_text(encoding="utf-8").splitlines()
    assert log[-2:] == [
        f"briefing: info: wrote brief-{DATE_TEXT}.json, brief-{DATE_TEXT}.md, "
        f"brief-{DATE_TEXT}.pdf from 5 articles",
        f"briefing: info: mailed to {', '.join(RECIPIENTS)} through {HOST}:{server.port}",
    ]
    assert list(elsewhere.iterdir()) == []
    markdown = (out / f"brief-{DATE_TEXT}.md").read_text(encoding="utf-8")
    assert markdown.startswith(f"# Morning brief — {DATE_TEXT}\n")
    assert "[^" not in markdown and "\n1. " in markdown
    [received] = server.inbox.received
    message = received.message()
    assert message["Subject"] == f"Morning brief — {DATE_TEXT}"
    assert received.rcpt_tos == list(RECIPIENTS)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content() == (out / f"brief-{DATE_TEXT}.pdf").read_bytes()
    plain = message.get_body(("plain",))
    assert plain is not None and plain.get_content().replace("\r\n", "\n") == markdown


@pytest.mark.parametrize(
    "locale",
    [
        {"LANG": "C", "LC_ALL": "C"},
        {"LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0"},  # not even Python's UTF-8 mode
    ],
    ids=["C", "C-without-utf8-mode"],
)
def test_run_in_the_c_locale_without_a_terminal(
    locale: dict[str, str], seeds_cli_build: CliBuild, tmp_path: Path
) -> None:
    """Non-ASCII text (a title naming Erdoğan, the seeds' curly quotes and dashes) and a
    non-ASCII folder name come out as UTF-8; the items are those of the brief built in the
    developer's locale; stdout stays empty."""
    job = job_folder(tmp_path, articles="haberler-ğ")
    config = write_config(
        job,
        'sources = ["haberler-ğ"]\nformats = ["md", "json"]\ntitle = "Erdoğan–Putin brief"\n',
    )
    result = run_cli(
        "run", "--config", str(config), "--date", DATE_TEXT, cwd=job, env=cron_env(**locale),
        inherit_env=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    markdown = (job / "out" / f"brief-{DATE_TEXT}.md").read_text(encoding="utf-8")
    assert markdown.startswith(f"# Erdoğan–Putin brief — {DATE_TEXT}\n")
    assert f"(`{job / 'haberler-ğ'}/0" in markdown
    built = brief_json(job / "out")
    reference = brief_json(seeds_cli_build.out)
    assert built["title"] == "Erdoğan–Putin brief"
    assert re.search(r"[“”’—]", json.dumps(built["topics"], ensure_ascii=False))
    assert built["topics"] == reference["topics"]
    assert [t["item"]["text"] for t in built["top_stories"]] == [
        t["item"]["text"] for t in reference["top_stories"]
    ]
    assert [s["title"] for s in built["sources"]] == [s["title"] for s in reference["sources"]]


def test_a_second_run_on_the_same_folder_stops_at_once(tmp_path: Path) -> None:
    job = job_folder(tmp_path)
    config = write_config(job, 'sources = ["articles"]\nformats = ["md"]\n')
    out = job / "out"
    out.mkdir()
    with (out / ".briefing.lock").open("a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("4242\n")
        held.flush()
        result = run_cli("run", "--config", str(config), cwd=job)
    assert result.returncode == 4, result.stderr
    assert result.stderr.splitlines() == [
        f"briefing: error: {out / '.briefing.lock'}: another briefing run (pid 4242) "
        f"is still writing to {out}"
    ]
    assert result.stdout == "" and visible(out) == []
    # Once the other run has ended, the lock is free again.
    again = run_cli("run", "--config", str(config), "--date", DATE_TEXT, cwd=job)
    assert again.returncode == 0, again.stderr
    assert visible(out) == [f"brief-{DATE_TEXT}.md"]


def test_the_date_is_today_in_the_configured_time_zone(tmp_path: Path) -> None:
    """Kiritimati (UTC+14) and Pago Pago (UTC−11) are always on different dates."""
    job = job_folder(tmp_path)
    dates = {}
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        config = write_config(
            job, f'sources = ["articles"]\nformats = ["md"]\nout = "{zone}"\ntime_zone = "{zone}"\n'
        )
        before = dt.datetime.now(zoneinfo.ZoneInfo(zone)).date()
        result = run_cli("run", "--config", str(config), cwd=job)
        after = dt.datetime.now(zoneinfo.ZoneInfo(zone)).date()
        assert result.returncode == 0, result.stderr
        [name] = visible(job / zone)
        dates[zone] = dt.date.fromisoformat(name.removeprefix("brief-").removesuffix(".md"))
        assert dates[zone] in (before, after)
    assert dates["Pacific/Kiritimati"] > dates["Pacific/Pago_Pago"]


def test_options_override_the_config(tmp_path: Path) -> None:
    job = job_folder(tmp_path)
    config = write_config(
        job, 'sources = ["nowhere"]\nformats = ["json"]\nper_topic = 5\ntitle = "From file"\n'
    )
    result = run_cli(
        "run", "--config", str(config), str(job / "articles"), "--date", DATE_TEXT,
        "--format", "md", "--per-topic", "1", "--title", "From options", "--out", "mine",
        "--footnotes", "plain", cwd=job,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert visible(job / "mine") == [f"brief-{DATE_TEXT}.md"]
    markdown = (job / "mine" / f"brief-{DATE_TEXT}.md").read_text(encoding="utf-8")
    assert markdown.startswith(f"# From options — {DATE_TEXT}\n")
    sections = markdown.split("\n## ")[2:-1]
    assert sections and all(section.count("\n- ") == 1 for section in sections)
    assert "[^" not in markdown


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("formats = []\n", "sources: missing (or give SOURCES)"),
        ('sources = ["articles"]\nper_topics = 2\n', "per_topics: unknown setting"),
        ('sources = ["articles"]\ntime_zone = "Mars/Olympus"\n', "unknown time zone"),
    ],
)
def test_config_mistakes_are_one_line_and_exit_2(tmp_path: Path, text: str, message: str) -> None:
    job = job_folder(tmp_path)
    config = write_config(job, text)
    result = run_cli("run", "--config", str(config), cwd=job)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"briefing: error: {config}: ") and message in line
    assert not (job / "out").exists()


def test_progress_only_on_a_terminal(tmp_path: Path) -> None:
    job = job_folder(tmp_path)
    config = write_config(job, 'sources = ["articles"]\nformats = ["md"]\n')
    controller, terminal = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "briefing", "run", "--config", str(config)],
            cwd=job, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=terminal,
            timeout=120, check=False,
        )  # fmt: skip
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
    assert result.returncode == 0
    assert result.stdout == b""
    lines = normalise(shown.decode("utf-8"))
    assert "briefing: reading" in lines and "briefing: wrote" in lines


def crontab_line() -> str:
    """The crontab entry in the README's first ```crontab block (the line with a schedule);
    a later block shows fetching every hour besides."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.findall(r"```crontab\n(.*?)```", readme, re.DOTALL)[0]
    [line] = [ln for ln in block.splitlines() if re.match(r"^[\d*]", ln)]
    return line


def test_the_readme_crontab_line_runs_as_cron_would(server: MailServer, tmp_path: Path) -> None:
    """The README's command, with its job folder moved to a temporary one, run by /bin/sh
    in cron's bare environment, on the repo's example config pointed at the local server."""
    line = crontab_line()
    schedule, command = line.split(maxsplit=5)[:5], line.split(maxsplit=5)[5]
    assert len(schedule) == 5
    [folder] = set(re.findall(r"(/\S+?)/\.venv/bin/briefing", command))
    job = job_folder(tmp_path)
    (job / ".venv" / "bin").mkdir(parents=True)
    (job / ".venv" / "bin" / "briefing").symlink_to(Path(sys.executable).parent / "briefing")
    # Articles of the last hours, so the example's 24-hour window keeps them all.
    date_articles(job / "articles", dt.timedelta(hours=3))
    (job / "smtp-password").write_text(PASSWORD + "\n", encoding="utf-8")
    (job / "smtp-password").chmod(0o600)
    example = (REPO / "briefing.example.toml").read_text(encoding="utf-8")
    replacements = {
        r'(?m)^host = ".*"$': f'host = "{HOST}"',
        r"(?m)^port = \d+$": f"port = {server.port}",
        r'(?m)^# ca_file = ".*"$': f'ca_file = "{server.ca_file}"',
        r"(?m)^to = .*$": 'to = ["analyst@example.com"]',
    }
    for pattern, replacement in replacements.items():
        example, count = re.subn(pattern, replacement, example)
        assert count == 1, pattern
    (job / "briefing.toml").write_text(example, encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    result = subprocess.run(
        ["/bin/sh", "-c", command.replace(folder, str(job))],
        cwd=home, env={"PATH": "/usr/bin:/bin", "HOME": str(home), "SHELL": "/bin/sh"},
        stdin=subprocess.DEVNULL, capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"" and result.stderr == b""
    today = dt.datetime.now(zoneinfo.ZoneInfo("Europe/Istanbul")).date().isoformat()
    assert visible(job / "briefs") == [f"brief-{today}.{ext}" for ext in ("json", "md", "pdf")]
    [received] = server.inbox.received
    assert received.message()["Subject"] == f"Morning brief — {today}"
    assert list(home.iterdir()) == []


def test_the_window_comes_from_the_config_and_options_override_it(tmp_path: Path) -> None:
    """Articles published three days ago: outside the config's 24 hours, inside `--window
    4d`."""
    job = job_folder(tmp_path)
    date_articles(job / "articles", dt.timedelta(days=3))
    config = write_config(
        job, 'sources = ["articles"]\nformats = ["md"]\nwindow = "24h"\ntime_zone = "UTC"\n'
    )
    narrow = run_cli("run", "--config", str(config), cwd=job)
    assert narrow.returncode == 2
    assert "no article published in the window" in narrow.stderr
    wide = run_cli("run", "--config", str(config), "--window", "4d", cwd=job)
    assert wide.returncode == 0, wide.stderr
    assert wide.stdout == "" and wide.stderr == ""
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert visible(job / "out") == [f"brief-{today}.md"]
