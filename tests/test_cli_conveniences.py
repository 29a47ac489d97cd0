"""The CLI people expect: init, a config found in the current folder, -q and -v, output
to stdout, a clear word when there is nothing to build, Ctrl-C, help for every option."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from brieftest import DATE_TEXT, SEEDS, run_cli

from briefing.cli import cli


def test_init_writes_a_job_folder_that_builds_at_once(tmp_path: Path) -> None:
    job = tmp_path / "job"
    made = run_cli("init", str(job), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert {Path(line).name for line in made.stdout.splitlines()} == {
        "briefing.toml",
        "topics.toml",
        "2026-11-14-dock-strike.txt",
    }
    built = run_cli("build", "--date", DATE_TEXT, cwd=job)
    assert built.returncode == 0, built.stderr
    brief = (job / "briefs" / f"brief-{DATE_TEXT}.md").read_text(encoding="utf-8")
    assert "## Ports and shipping" in brief and "Dock workers at Port Meridian" in brief


def test_init_never_overwrites_without_force(tmp_path: Path) -> None:
    assert run_cli("init", cwd=tmp_path).returncode == 0
    (tmp_path / "topics.toml").write_text("# mine\n", encoding="utf-8")
    again = run_cli("init", cwd=tmp_path)
    assert again.returncode == 2
    assert again.stderr.startswith("briefing: error: ") and "--force" in again.stderr
    assert (tmp_path / "topics.toml").read_text(encoding="utf-8") == "# mine\n"
    assert run_cli("init", "--force", "-q", cwd=tmp_path).stdout == ""
    assert "[[topics]]" in (tmp_path / "topics.toml").read_text(encoding="utf-8")


def test_build_with_nothing_to_build_from_says_what_to_give(tmp_path: Path) -> None:
    result = run_cli("build", cwd=tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert "nothing to build from" in line and "briefing init" in line


def test_run_finds_briefing_toml_in_the_current_folder(tmp_path: Path) -> None:
    assert run_cli("init", "-q", cwd=tmp_path).returncode == 0
    result = run_cli("run", "--date", DATE_TEXT, cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert (tmp_path / "briefs" / f"brief-{DATE_TEXT}.pdf").is_file()


def test_run_without_a_config_says_where_it_looked(tmp_path: Path) -> None:
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "briefing.toml" in result.stderr and "briefing init" in result.stderr


@pytest.mark.parametrize(("fmt", "start"), [("md", "# "), ("json", "{"), ("html", "<!DOCTYPE")])
def test_out_dash_prints_the_brief_on_stdout(tmp_path: Path, fmt: str, start: str) -> None:
    result = run_cli(
        "build", str(SEEDS), "--date", DATE_TEXT, "--out", "-", "--format", fmt, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.lstrip().startswith(start)
    assert list(tmp_path.iterdir()) == []  # no file written
    if fmt == "json":
        assert json.loads(result.stdout)["date"] == DATE_TEXT


def test_out_dash_is_markdown_by_default_and_one_text_format_only(tmp_path: Path) -> None:
    markdown = run_cli("build", str(SEEDS), "--date", DATE_TEXT, "--out", "-", cwd=tmp_path)
    assert markdown.stdout.startswith("# Russia–Turkey brief")
    pdf = run_cli("build", str(SEEDS), "--out", "-", "--format", "pdf", cwd=tmp_path)
    assert pdf.returncode == 2 and "--out - prints one of md, json, html" in pdf.stderr


def test_quiet_build_prints_nothing_and_verbose_prints_notes(tmp_path: Path) -> None:
    quiet = run_cli("build", str(SEEDS), "-q", "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    (tmp_path / "day").mkdir()
    (tmp_path / "day" / "a.txt").write_text(
        "Title\n\nThe port reopened on Monday after the strike ended.\n", encoding="utf-8"
    )
    (tmp_path / "day" / "b.txt").write_bytes(b"\xff\xfe\x00\x00binary")
    noisy = run_cli("build", str(tmp_path / "day"), "--out", str(tmp_path / "p"), cwd=tmp_path)
    silent = run_cli(
        "build", str(tmp_path / "day"), "-q", "--out", str(tmp_path / "q"), cwd=tmp_path
    )
    assert noisy.returncode == silent.returncode == 0
    assert "warning" in noisy.stderr and silent.stderr == ""


def test_every_command_and_option_has_help() -> None:
    for name, command in cli.commands.items():
        assert command.help, name
        assert "Example" in command.help, name
        flags = {p.name for p in command.params if isinstance(p, click.Option)}
        assert {"quiet", "verbose"} <= flags, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts}"


def test_ctrl_c_exits_130_without_a_traceback(tmp_path: Path) -> None:
    """SIGINT (what Ctrl-C sends) arrives while the seeds' brief is being built."""
    script = (
        "import os, signal, sys, threading\n"
        "threading.Timer(0.4, os.kill, (os.getpid(), signal.SIGINT)).start()\n"
        "from briefing.cli import main\n"
        f"sys.argv = ['briefing', 'build', {str(SEEDS)!r}, '--out', {str(tmp_path)!r}]\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 130, result.stderr
    # click ends the line the terminal's ^C was echoed on; then the one message
    assert [line for line in result.stderr.splitlines() if line] == ["briefing: interrupted"]
