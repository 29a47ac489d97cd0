"""The command line as a user meets it: a child process, exit codes, stdout and stderr."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path
from typing import Any

import pytest
from brieftest import (
    DATE_TEXT,
    MALFORMED,
    PORT_DATE,
    PORT_TOPICS,
    REPO,
    SEEDS,
    SOURCE_FIXTURES,
    CliBuild,
    run_cli,
)

from briefing import __version__

BRIEF_NAMES = tuple(f"brief-{DATE_TEXT}.{ext}" for ext in ("md", "pdf", "json"))


def assert_user_error(result: subprocess.CompletedProcess[str], *mentions: str) -> str:
    """Exit 2, no traceback, and exactly one line on stderr that names the culprit."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for mention in mentions:
        assert mention in lines[0]
    assert result.stdout == ""
    return lines[0]


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def build(*args: str, cwd: Path, out: Path, umask: int = -1) -> subprocess.CompletedProcess[str]:
    return run_cli("build", *args, "--date", DATE_TEXT, "--out", str(out), cwd=cwd, umask=umask)


def test_version_is_printed() -> None:
    result = run_cli("--version", cwd=REPO)
    assert result.returncode == 0
    assert result.stdout.strip() == f"briefing, version {__version__}"


def test_the_version_answered_before_the_cli_loads_is_the_line_click_prints() -> None:
    from click.testing import CliRunner

    from briefing.cli import cli

    clicks = CliRunner().invoke(cli, ["--version"])
    assert clicks.exit_code == 0
    assert run_cli("--version", cwd=REPO).stdout == clicks.output


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "briefing"
    if not script.exists():
        pytest.skip("no console script next to this interpreter")
    result = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_build_writes_the_three_files_and_prints_their_paths(seeds_cli_build: CliBuild) -> None:
    result, out = seeds_cli_build.result, seeds_cli_build.out
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "warning" not in result.stderr and "error" not in result.stderr
    assert result.stdout.splitlines() == [str(out / name) for name in BRIEF_NAMES]
    # The set, and the lock file every write to OUT is made under; nothing temporary.
    assert sorted(p.name for p in out.iterdir()) == sorted([*BRIEF_NAMES, ".briefing.lock"])
    assert all((out / name).stat().st_size > 0 for name in BRIEF_NAMES)


def test_same_date_gives_byte_identical_markdown_and_json(
    seeds_cli_build: CliBuild, tmp_path: Path
) -> None:
    result = build("seeds", cwd=REPO, out=tmp_path)
    assert result.returncode == 0, result.stderr
    for ext in ("md", "json"):
        name = f"brief-{DATE_TEXT}.{ext}"
        assert (tmp_path / name).read_bytes() == (seeds_cli_build.out / name).read_bytes()


def test_format_title_and_per_topic_options(out: Path) -> None:
    result = run_cli(
        "build",
        str(SEEDS),
        "--date",
        DATE_TEXT,
        "--out",
        str(out),
        "--format",
        "md",
        "--title",
        "Morning brief",
        "--per-topic",
        "2",
        cwd=out,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [".briefing.lock", f"brief-{DATE_TEXT}.md"]
    text = (out / f"brief-{DATE_TEXT}.md").read_text(encoding="utf-8")
    assert text.splitlines()[0] == f"# Morning brief — {DATE_TEXT}"
    sections = text.split("\n## ")[2:-1]  # after "Top stories", before "Sources"
    assert len(sections) == 3
    assert all(section.count("\n- ") == 2 for section in sections)


def test_output_files_follow_the_umask(out: Path) -> None:
    result = build(str(SEEDS), "--format", "md,json", cwd=out, out=out, umask=0o022)
    assert result.returncode == 0, result.stderr
    for path in out.iterdir():
        assert path.stat().st_mode & 0o777 == 0o644, path


# --- Bad input: exit 2, one line naming the culprit, nothing written ------------------


def test_missing_source_folder(tmp_path: Path, out: Path) -> None:
    missing = tmp_path / "no-such-folder"
    assert_user_error(build(str(missing), cwd=tmp_path, out=out), str(missing))
    assert list(out.iterdir()) == []


def test_empty_folder(tmp_path: Path, out: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    line = assert_user_error(build(str(folder), cwd=tmp_path, out=out), str(folder))
    assert "no articles" in line
    assert list(out.iterdir()) == []


def test_folder_with_only_a_binary_file(tmp_path: Path, out: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    binary = folder / "scan.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    result = build(str(folder), cwd=tmp_path, out=out)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    warning, error = result.stderr.splitlines()
    assert "warning" in warning and str(binary) in warning
    assert "error" in error and str(folder) in error and "no articles" in error
    assert list(out.iterdir()) == []


def test_topics_file_with_invalid_toml(tmp_path: Path, out: Path) -> None:
    topics = tmp_path / "my-topics.toml"
    topics.write_text('[[topics]\nid = "x"\n', encoding="utf-8")
    result = build(str(SEEDS), "--topics", str(topics), cwd=tmp_path, out=out)
    line = assert_user_error(result, str(topics))
    assert "TOML" in line
    assert list(out.iterdir()) == []


def test_missing_topics_file(tmp_path: Path, out: Path) -> None:
    topics = tmp_path / "absent-topics.toml"
    result = build(str(SEEDS), "--topics", str(topics), cwd=tmp_path, out=out)
    assert_user_error(result, str(topics))
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("date", ["2026-13-40", "tomorrow", "2026-02-30"])
def test_bad_date(tmp_path: Path, out: Path, date: str) -> None:
    result = run_cli("build", str(SEEDS), "--date", date, "--out", str(out), cwd=tmp_path)
    assert_user_error(result, "--date", date)
    assert list(out.iterdir()) == []


def test_bad_format(tmp_path: Path, out: Path) -> None:
    result = build(str(SEEDS), "--format", "md,docx", cwd=tmp_path, out=out)
    assert_user_error(result, "--format", "docx")
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("value", ["0", "many"])
def test_bad_per_topic(tmp_path: Path, out: Path, value: str) -> None:
    result = build(str(SEEDS), "--per-topic", value, cwd=tmp_path, out=out)
    assert_user_error(result, "--per-topic")
    assert list(out.iterdir()) == []


def test_out_is_a_regular_file(tmp_path: Path) -> None:
    target = tmp_path / "brief.txt"
    target.write_text("keep me\n", encoding="utf-8")
    result = build(str(SEEDS), cwd=tmp_path, out=target)
    assert_user_error(result, str(target))
    assert target.read_text(encoding="utf-8") == "keep me\n"
    assert [p.name for p in tmp_path.iterdir()] == ["brief.txt"]


def test_out_is_under_a_regular_file(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("keep me\n", encoding="utf-8")
    result = build(str(SEEDS), "--format", "md,json", cwd=tmp_path, out=blocker / "briefs")
    assert_user_error(result, str(blocker))
    assert blocker.read_text(encoding="utf-8") == "keep me\n"
    assert [p.name for p in tmp_path.iterdir()] == ["blocker"]


def test_unknown_option_is_a_one_line_usage_error(tmp_path: Path, out: Path) -> None:
    assert_user_error(build(str(SEEDS), "--colour", "red", cwd=tmp_path, out=out), "--colour")


def test_explain_prints_why_each_item_was_picked(out: Path) -> None:
    result = run_cli(
        "build",
        str(SEEDS),
        "--out",
        str(out),
        "--date",
        DATE_TEXT,
        "--format",
        "json",
        "--explain",
        cwd=out,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == str(out / f"brief-{DATE_TEXT}.json")
    assert "Syria and Idlib (syria): 5 items" in result.stdout
    assert result.stdout.count("keywords: ") == 15
    assert "merged, cited from 002_c1f93c058a9bd491 (" in result.stdout
    data = json.loads((out / f"brief-{DATE_TEXT}.json").read_text(encoding="utf-8"))
    assert all("explain" in item for t in data["topics"] for item in t["items"])


# --- Real sources: every format, time windows, malformed files --------------------------

PORT_DATE_TEXT = PORT_DATE.isoformat()


def build_port(*args: str, out: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """`briefing build` on the invented fixtures for 15 November; the JSON brief."""
    result = run_cli(
        "build",
        str(SOURCE_FIXTURES),
        "--topics",
        str(PORT_TOPICS),
        "--date",
        PORT_DATE_TEXT,
        "--out",
        str(out),
        "--format",
        "md,json",
        *args,
        cwd=out,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return {
        "stderr": result.stderr,
        "json": json.loads((out / f"brief-{PORT_DATE_TEXT}.json").read_text(encoding="utf-8")),
        "md": (out / f"brief-{PORT_DATE_TEXT}.md").read_text(encoding="utf-8"),
    }


def source_ids(brief: dict[str, Any]) -> set[str]:
    return {source["id"] for source in brief["json"]["sources"]}


def test_every_format_builds_one_brief_with_duplicates_once(out: Path) -> None:
    brief = build_port(out=out, env={"TZ": "UTC"})
    assert len(brief["json"]["sources"]) == 12  # 14 read, 2 copies of articles already read
    assert "briefing: warning:" not in brief["stderr"]
    assert brief["stderr"].count("same article as") == 2


def test_window_24h_in_the_tz_option_zone(out: Path) -> None:
    tokyo = build_port("--window", "24h", "--tz", "Asia/Tokyo", out=out)
    ids = source_ids(tokyo)
    assert "harbour-strike" in ids  # Saturday 18:30 at UTC+1 is Sunday 02:30 in Tokyo
    assert "newsdesk-night-ferry-trial-to-start-on-monday" not in ids  # Monday in Tokyo
    assert "courier-council-delays-vote-on-harbour-bridge-tolls" not in ids  # Thursday
    [warning] = [ln for ln in tokyo["stderr"].splitlines() if "briefing: warning:" in ln]
    assert warning == (
        "briefing: warning: 1 article states no publication date; kept in the window "
        "2026-11-15T00:00+09:00 to 2026-11-16T00:00+09:00"
    )


def test_window_follows_the_tz_setting_without_the_option(out: Path) -> None:
    ids = source_ids(build_port("--window", "24h", out=out, env={"TZ": "America/New_York"}))
    assert "harbour-strike" not in ids
    assert "newsdesk-night-ferry-trial-to-start-on-monday" in ids  # 23:30 on the 15th, UTC-5


def test_since_keeps_articles_from_that_time_on(out: Path) -> None:
    ids = source_ids(build_port("--since", "2026-11-15T09:00+00:00", "--tz", "UTC", out=out))
    assert ids == {
        "coastline-fish-market-moves-to-the-new-quay",  # 11:20 UTC
        "newsdesk-lighthouse-museum-reopens-after-repairs",  # undated
        "tram-line",  # 07:15 UTC-5
        "harbour-briefing",  # 10:00 in the brief's zone
    }


def test_cited_sources_name_outlet_headline_date_and_link(out: Path) -> None:
    brief = build_port("--tz", "UTC", out=out)
    by_id = {s["id"]: s for s in brief["json"]["sources"]}
    assert by_id["harbour-strike"] == {
        "id": "harbour-strike",
        "title": "Dock workers end nine-day strike at Port Meridian",
        "path": str(SOURCE_FIXTURES / "pages" / "harbour-strike.html"),
        "outlet": "Meridian Courier",
        "url": "https://courier.example/news/2026/11/14/dock-strike-ends",
        "published": "2026-11-14T18:30:00+01:00",
    }
    assert (
        "Meridian Courier, “Dock workers end nine-day strike at Port Meridian”, 2026-11-14, "
        "<https://courier.example/news/2026/11/14/dock-strike-ends>"
    ) in brief["md"]


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (("--window", "a day"), ("--window", "a day")),
        (("--window", "24h", "--since", "2026-11-14"), ("not both",)),
        (("--since", "whenever"), ("--since", "whenever")),
        (("--tz", "Mars/Olympus"), ("--tz", "Mars/Olympus")),
    ],
)
def test_bad_window_or_zone(
    tmp_path: Path, out: Path, args: tuple[str, ...], mentions: tuple[str, ...]
) -> None:
    assert_user_error(build(str(SEEDS), *args, cwd=tmp_path, out=out), *mentions)
    assert list(out.iterdir()) == []


def test_window_with_no_article_in_it(tmp_path: Path, out: Path) -> None:
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "old.md").write_text(
        "---\npublished: 2020-01-01\n---\n# Old news\n\nIt happened long ago.\n", encoding="utf-8"
    )
    result = run_cli(
        "build",
        str(folder),
        "--date",
        "2026-11-15",
        "--window",
        "24h",
        "--tz",
        "UTC",
        "--out",
        str(out),
        cwd=tmp_path,
    )
    line = assert_user_error(result, str(folder))
    assert line.endswith(
        "no article published in the window 2026-11-15T00:00+00:00 to 2026-11-16T00:00+00:00"
    )
    assert list(out.iterdir()) == []


def test_malformed_files_are_warnings_and_the_rest_builds(out: Path) -> None:
    result = build(str(MALFORMED), "--format", "json", cwd=out, out=out)
    assert result.returncode == 0, result.stderr
    warnings = [ln for ln in result.stderr.splitlines() if ln.startswith("briefing: warning: ")]
    for culprit in (
        f"{MALFORMED}/bad-line.jsonl: line 2:",
        f"{MALFORMED}/broken.html:",
        f"{MALFORMED}/invalid.rss: malformed feed (line 6:",
        f"{MALFORMED}/minutes.docx:",
    ):
        assert any(culprit in w for w in warnings), (culprit, result.stderr)
    data = json.loads((out / f"brief-{DATE_TEXT}.json").read_text(encoding="utf-8"))
    assert [s["title"] for s in data["sources"]] == [
        "Tug crews back at work",
        "Car carrier berths at the inner harbour",
        "Council approves winter budget for the port",
    ]


def test_no_usable_article_is_one_error_line_after_the_warnings(tmp_path: Path, out: Path) -> None:
    broken, unknown = MALFORMED / "broken.html", MALFORMED / "minutes.docx"
    result = build(str(broken), str(unknown), cwd=tmp_path, out=out)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    *warnings, error = result.stderr.splitlines()
    assert len(warnings) == 2 and all(w.startswith("briefing: warning: ") for w in warnings)
    assert error.startswith("briefing: error: ") and "no articles found" in error
    assert str(broken) in error and str(unknown) in error
    assert list(out.iterdir()) == []


def run_with_terminal_stderr(*args: str, cwd: Path) -> tuple[int, str]:
    """The command with stderr on a real pseudo-terminal of 24 x 80, as a person at a
    shell has it."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "briefing", *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    seen = bytearray()
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closes when the command ends
            break
        if not chunk:
            break
        seen.extend(chunk)
    os.close(leader)
    return process.wait(timeout=120), seen.decode("utf-8", errors="replace")


def test_progress_bars_show_on_a_terminal(tmp_path: Path) -> None:
    code, stderr = run_with_terminal_stderr(
        "build", "seeds", "--date", DATE_TEXT, "--out", str(tmp_path), "--format", "json", cwd=REPO
    )
    assert code == 0, stderr
    for stage in ("reading", "splitting", "ranking"):
        assert stage in stderr


def test_nothing_on_stderr_without_a_terminal(seeds_cli_build: CliBuild) -> None:
    """Under cron stderr is a file or a pipe: no progress bars, nothing at all."""
    assert seeds_cli_build.result.returncode == 0
    assert seeds_cli_build.result.stderr == ""


def modules_a_build_loads(args: list[str], modules: tuple[str, ...]) -> str:
    """`briefing ARGS` run by click in a fresh interpreter (in the repository), then the
    sorted list of those of MODULES it loaded, as printed."""
    code = (
        "import sys\n"
        "from briefing.cli import cli\n"
        f"cli.main({args!r}, standalone_mode=False)\n"
        f"print(sorted(m for m in {modules!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[-1]


def test_a_json_brief_loads_neither_nltk_nor_weasyprint(tmp_path: Path) -> None:
    """NLTK costs about a second to import and WeasyPrint half of one; a JSON brief
    needs neither (nor networkx, which PageRank no longer uses)."""
    build = ["build", "seeds", "--format", "json", "--out", str(tmp_path)]
    assert modules_a_build_loads(build, ("nltk", "weasyprint", "networkx")) == "[]"


def test_a_pdf_is_laid_out_in_a_helper_so_weasyprint_never_loads_in_the_build(
    tmp_path: Path,
) -> None:
    """Importing WeasyPrint is the longest step of the seeds' build: a helper forked at
    the start does it on the other core (`helper.PdfPress`), and the PDF it makes is
    the one written."""
    build = ["build", "seeds", "--date", DATE_TEXT, "--out", str(tmp_path)]
    assert modules_a_build_loads(build, ("weasyprint",)) == "[]"
    pdf = (tmp_path / f"brief-{DATE_TEXT}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-32:]


def test_the_cli_ends_with_its_exit_handlers_run_and_its_output_flushed(tmp_path: Path) -> None:
    """The CLI leaves without the interpreter's teardown (freeing the day's objects one
    by one): what it printed to a pipe still arrives, exit handlers still run, and the
    exit status is the command's."""
    script = (
        "import atexit, sys\n"
        "atexit.register(print, 'the exit handlers ran')\n"
        "from briefing.cli import main\n"
        f"sys.argv = ['briefing', 'build', {str(SEEDS)!r}, '--date', {DATE_TEXT!r},"
        f" '--format', 'json', '--out', {str(tmp_path)!r}]\n"
        "main()\n"
        "print('main returned')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        str(tmp_path / f"brief-{DATE_TEXT}.json"),
        "the exit handlers ran",
    ]
    json.loads((tmp_path / f"brief-{DATE_TEXT}.json").read_text(encoding="utf-8"))
    missing = subprocess.run(
        [sys.executable, "-c", script.replace(str(SEEDS), str(tmp_path / "none"))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert missing.returncode == 2 and "the exit handlers ran" in missing.stdout


def test_the_cli_starts_without_loading_the_pipeline() -> None:
    import subprocess
    import sys

    heavy = "{'numpy', 'scipy', 'trafilatura', 'feedparser'}"
    probe = f"import sys, briefing.cli; print(sorted({heavy} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
