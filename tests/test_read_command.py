"""`briefing read`: the articles as the brief sees them, on stdout; warnings on stderr; its
JSON Lines read back as a source give the same brief."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from brieftest import (
    BBC_DEV,
    DATE_TEXT,
    MALFORMED,
    PORT_DATE,
    PORT_TOPICS,
    REPO,
    SEEDS,
    SOURCE_FIXTURES,
    run_cli,
)

RECORD_KEYS = ["id", "title", "outlet", "url", "published", "paragraphs", "path"]
PORT_DATE_TEXT = PORT_DATE.isoformat()
STORM_COPY = "same article as northstar-storm-warning-issued-for-the-northern"
STRIKE_COPY = "same article as harbour-strike"


def read(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None) -> Any:
    return run_cli("read", *args, cwd=cwd, env=env)


def records(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


def without_origin(record: dict[str, Any]) -> dict[str, Any]:
    """A record without what names where it was read (its id and file)."""
    return {k: v for k, v in record.items() if k not in ("id", "path")}


def port_records(*args: str) -> tuple[list[dict[str, Any]], str]:
    result = read(str(SOURCE_FIXTURES), "--tz", "UTC", *args)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return records(result.stdout), result.stderr


def assert_user_error(result: subprocess.CompletedProcess[str], *mentions: str) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("briefing: error: ")
    for mention in mentions:
        assert mention in lines[0]
    assert result.stdout == ""
    return lines[0]


# --- What is printed ------------------------------------------------------------------


def test_each_line_is_one_article_with_its_citation_fields_and_paragraphs() -> None:
    lines, _ = port_records()
    assert all(list(line) == RECORD_KEYS for line in lines)
    by_id = {line["id"]: line for line in lines}
    export = SOURCE_FIXTURES / "exports" / "newsdesk.jsonl"
    crane = json.loads(export.read_text(encoding="utf-8").splitlines()[0])
    assert by_id["newsdesk-crane-operators-to-get-a-safety-review"] == {
        "id": "newsdesk-crane-operators-to-get-a-safety-review",
        "title": crane["headline"],
        "outlet": crane["source"]["name"],
        "url": crane["link"],
        "published": "2026-11-15T04:30:00+00:00",  # written 04:30:00Z
        "paragraphs": crane["body"].split("\n\n"),
        "path": str(export),
    }
    transcript = SOURCE_FIXTURES / "notes" / "radio-transcript.txt"
    title, *paragraphs = transcript.read_text(encoding="utf-8").strip().split("\n\n")
    assert by_id["radio-transcript"] == {  # its citation from the folder's sources.toml
        "id": "radio-transcript",
        "title": title,
        "outlet": "Harbour Radio",
        "url": "https://harbourradio.example/news/fishermen-rescued",
        "published": "2026-11-14T00:00:00+00:00",  # a bare date: midnight in --tz
        "paragraphs": paragraphs,
        "path": str(transcript),
    }
    undated = by_id["newsdesk-lighthouse-museum-reopens-after-repairs"]
    assert (undated["url"], undated["published"]) == (None, None)


def test_a_saved_page_is_listed_without_its_menu_ads_and_comments() -> None:
    lines, _ = port_records()
    [page] = [line for line in lines if line["id"] == "harbour-strike"]
    assert page["title"] == "Dock workers end nine-day strike at Port Meridian"
    assert page["published"] == "2026-11-14T18:30:00+01:00"
    assert page["paragraphs"][0].startswith("Dock workers at Port Meridian")
    text = "\n".join(page["paragraphs"])
    for chrome in ("Advertisement", "Subscribe", "Comments", "Share"):
        assert chrome not in text


def test_duplicates_are_left_out_with_an_info_line_as_the_brief_leaves_them(
    tmp_path: Path,
) -> None:
    lines, stderr = port_records()
    build = run_cli(
        "build",
        str(SOURCE_FIXTURES),
        "--topics",
        str(PORT_TOPICS),
        "--date",
        PORT_DATE_TEXT,
        "--tz",
        "UTC",
        "--format",
        "json",
        "--out",
        str(tmp_path),
        cwd=tmp_path,
    )
    assert build.returncode == 0, build.stderr
    brief = json.loads((tmp_path / f"brief-{PORT_DATE_TEXT}.json").read_text(encoding="utf-8"))
    assert [(line["id"], line["path"]) for line in lines] == [
        (source["id"], source["path"]) for source in brief["sources"]
    ]
    assert len(lines) == 12
    info = stderr.splitlines()
    assert len(info) == 2 and all(line.startswith("briefing: info: ") for line in info)
    assert STORM_COPY in info[0] and STRIKE_COPY in info[1]


def test_keep_duplicates_lists_every_copy_as_read() -> None:
    lines, stderr = port_records("--keep-duplicates")
    assert len(lines) == 14
    assert stderr == ""
    ids = [line["id"] for line in lines]
    assert "courier-dock-workers-end-nine-day-strike-at-port" in ids
    assert "newsdesk-storm-warning-issued-for-the-northern" in ids


def test_json_is_one_array_of_the_same_records() -> None:
    lines, _ = port_records()
    result = read(str(SOURCE_FIXTURES), "--tz", "UTC", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == lines
    assert result.stdout.startswith("[\n") and result.stdout.endswith("]\n")


def test_text_is_a_listing_of_fields_and_paragraphs() -> None:
    result = read(str(SOURCE_FIXTURES), "--tz", "UTC", "--format", "text")
    assert result.returncode == 0, result.stderr
    blocks = result.stdout.split("\n\n[")
    assert len(blocks) == 12
    [museum] = [b for b in blocks if "newsdesk-lighthouse-museum-reopens-after-repairs" in b]
    head = museum.splitlines()
    assert head[0].endswith("/12] newsdesk-lighthouse-museum-reopens-after-repairs")
    assert head[1:7] == [
        "  title:     Lighthouse museum reopens after repairs",
        "  outlet:    Harbour Radio",
        "  url:       -",
        "  published: -",
        f"  path:      {SOURCE_FIXTURES / 'exports' / 'newsdesk.jsonl'}",
        "  3 paragraphs:",
    ]
    body = " ".join(line.strip() for line in head[7:] if line.strip())
    assert body.startswith("The lighthouse museum on the southern mole reopened on Saturday")
    assert body.endswith("Entry is free for children under twelve until the end of the year.")
    assert all(len(line) <= 88 for line in result.stdout.splitlines() if line.startswith("    "))


def test_warnings_go_to_stderr_one_line_each_naming_the_file() -> None:
    result = read(str(MALFORMED))
    assert result.returncode == 0, result.stderr
    assert [line["title"] for line in records(result.stdout)] == [
        "Tug crews back at work",
        "Car carrier berths at the inner harbour",
        "Council approves winter budget for the port",
    ]
    warnings = result.stderr.splitlines()
    assert all(line.startswith("briefing: warning: ") for line in warnings)
    for culprit in (
        f"{MALFORMED}/bad-line.jsonl: line 2:",
        f"{MALFORMED}/broken.html:",
        f"{MALFORMED}/invalid.rss: malformed feed (line 6:",
        f"{MALFORMED}/minutes.docx:",
    ):
        assert sum(culprit in w for w in warnings) == 1, (culprit, result.stderr)


def test_times_without_an_offset_are_read_in_the_tz_zone() -> None:
    result = read(str(SOURCE_FIXTURES / "notes"), "--tz", "Asia/Tokyo")
    assert result.returncode == 0, result.stderr
    by_id = {line["id"]: line for line in records(result.stdout)}
    assert by_id["harbour-briefing"]["published"] == "2026-11-15T10:00:00+09:00"
    assert by_id["radio-transcript"]["published"] == "2026-11-14T00:00:00+09:00"


def test_since_and_window_keep_the_articles_the_brief_would_keep() -> None:
    since, _ = port_records("--since", "2026-11-15T09:00+00:00", "--date", PORT_DATE_TEXT)
    assert {line["id"] for line in since} == {
        "coastline-fish-market-moves-to-the-new-quay",
        "newsdesk-lighthouse-museum-reopens-after-repairs",
        "tram-line",
        "harbour-briefing",
    }
    result = read(
        str(SOURCE_FIXTURES), "--window", "24h", "--date", PORT_DATE_TEXT, "--tz", "Asia/Tokyo"
    )
    assert result.returncode == 0, result.stderr
    ids = {line["id"] for line in records(result.stdout)}
    assert "harbour-strike" in ids
    assert "newsdesk-night-ferry-trial-to-start-on-monday" not in ids
    assert "1 article states no publication date" in result.stderr


# --- Read back: the same articles, the same brief -------------------------------------


@pytest.mark.parametrize(
    "folder", [SOURCE_FIXTURES, SEEDS, MALFORMED, BBC_DEV / "articles"], ids=lambda p: p.name
)
def test_its_json_lines_read_back_are_the_same_articles(folder: Path, tmp_path: Path) -> None:
    first = read(str(folder), "--tz", "UTC")
    assert first.returncode == 0, first.stderr
    export = tmp_path / "articles.jsonl"
    export.write_text(first.stdout, encoding="utf-8")
    again = read(str(export), "--tz", "UTC")
    assert again.returncode == 0, again.stderr
    assert again.stderr == ""  # no warning, no copy left out
    assert [without_origin(r) for r in records(again.stdout)] == [
        without_origin(r) for r in records(first.stdout)
    ]
    assert {r["path"] for r in records(again.stdout)} == {str(export)}


def brief_json(source: Path, out: Path, *args: str) -> dict[str, Any]:
    result = run_cli("build", str(source), "--format", "json", "--out", str(out), *args, cwd=out)
    assert result.returncode == 0, result.stderr
    [path] = out.glob("brief-*.json")
    return json.loads(path.read_text(encoding="utf-8"))


def cited(brief: dict[str, Any]) -> dict[str, Any]:
    """The brief with each source id replaced by what a citation shows of it."""
    by_id = {s["id"]: without_origin(s) for s in brief["sources"]}

    def item(entry: dict[str, Any]) -> dict[str, Any]:
        return {**entry, "sources": [by_id[s] for s in entry["sources"]]}

    return {
        "title": brief["title"],
        "topics": [{**t, "items": [item(i) for i in t["items"]]} for t in brief["topics"]],
        "top_stories": [
            {**t, "articles": len(t["articles"]), "item": item(t["item"])}
            for t in brief["top_stories"]
        ],
        "sources": list(by_id.values()),
    }


@pytest.mark.parametrize(
    ("folder", "args"),
    [
        (SOURCE_FIXTURES, ("--topics", str(PORT_TOPICS), "--date", PORT_DATE_TEXT)),
        (SEEDS, ("--date", DATE_TEXT)),
    ],
    ids=["port-fixtures", "seeds"],
)
def test_a_brief_from_its_json_lines_is_the_brief_from_the_folder(
    folder: Path, args: tuple[str, ...], tmp_path: Path
) -> None:
    listing = read(str(folder), "--tz", "UTC")
    assert listing.returncode == 0, listing.stderr
    export = tmp_path / "day.jsonl"
    export.write_text(listing.stdout, encoding="utf-8")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    direct = brief_json(folder, tmp_path / "a", *args, "--tz", "UTC")
    via_export = brief_json(export, tmp_path / "b", *args, "--tz", "UTC")
    assert direct["topics"] and any(topic["items"] for topic in direct["topics"])
    assert cited(via_export) == cited(direct)
    assert {s["path"] for s in via_export["sources"]} == {str(export)}


def test_json_lines_paragraphs_are_taken_as_written(tmp_path: Path) -> None:
    export = tmp_path / "x.jsonl"
    lines = [
        {"title": "Tags <b>are</b> text here", "paragraphs": ["A <b>tag</b> & an &amp; stay."]},
        {"title": "Text wins", "text": "The text field is read.", "paragraphs": ["Not this."]},
        {"title": "Not a list", "paragraphs": "A string is no paragraph list."},
    ]
    export.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    result = read(str(export))
    assert result.returncode == 0, result.stderr
    assert [r["paragraphs"] for r in records(result.stdout)] == [
        ["A <b>tag</b> & an &amp; stay."],
        ["The text field is read."],
    ]
    [warning] = result.stderr.splitlines()
    assert warning == f"briefing: warning: {export}: line 3: skipped, no article text"


# --- Encoding, order, pipes, errors ---------------------------------------------------


def test_output_is_utf8_and_the_same_every_time_in_the_c_locale(tmp_path: Path) -> None:
    folder = tmp_path / "notes-ğ"
    folder.mkdir()
    (folder / "café.md").write_text(
        "# Erdoğan’s ferry — a “long” crossing\n\nThe ferry to Büyükada ran late again.\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "LANG": "C",
        "LC_ALL": "C",
        "PYTHONUTF8": "0",
        "PYTHONIOENCODING": "ascii",
    }
    outputs = []
    for fmt in ("jsonl", "json", "text", "jsonl"):
        result = subprocess.run(
            [sys.executable, "-m", "briefing", "read", str(folder), "--format", fmt],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            check=False,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    text = outputs[0].decode("utf-8")
    [record] = records(text)
    assert record["title"] == "Erdoğan’s ferry — a “long” crossing"
    assert record["path"] == str(folder / "café.md")
    assert "Erdoğan’s ferry" in text  # written as UTF-8, not as \\u escapes
    assert "Büyükada" in outputs[2].decode("utf-8")
    assert outputs[3] == outputs[0]


def test_a_pipe_closed_early_ends_the_listing_without_a_traceback() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "briefing", "read", str(BBC_DEV / "articles")],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    json.loads(process.stdout.readline())
    process.stdout.close()
    stderr = process.stderr.read().decode("utf-8")
    assert process.wait(timeout=60) == 141
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


def test_missing_source_is_exit_2_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    assert_user_error(read(str(missing), cwd=tmp_path), str(missing), "no such file")


def test_folder_without_articles_is_exit_2(tmp_path: Path) -> None:
    line = assert_user_error(read(str(tmp_path), cwd=tmp_path), str(tmp_path))
    assert "no articles found" in line


def test_window_with_no_article_in_it_is_exit_2(tmp_path: Path) -> None:
    result = read(str(SEEDS), "--window", "24h", "--date", "2020-01-01", "--tz", "UTC")
    # The seeds state no dates, so they are kept (and counted in a warning) ...
    assert result.returncode == 0, result.stderr
    old = tmp_path / "old.md"
    old.write_text("---\npublished: 2020-01-01\n---\n# Old news\n\nLong ago.\n", encoding="utf-8")
    result = read(str(old), "--window", "24h", "--date", "2026-11-15", "--tz", "UTC")
    line = assert_user_error(result, str(old))  # ... an article outside the window is not
    assert line.endswith("no article published in the window 2026-11-15T00:00+00:00 to "
                         "2026-11-16T00:00+00:00")  # fmt: skip


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        ((), ("SOURCES",)),
        ((str(SEEDS), "--format", "csv"), ("--format", "csv")),
        ((str(SEEDS), "--tz", "Mars/Olympus"), ("--tz", "Mars/Olympus")),
        ((str(SEEDS), "--window", "a day"), ("--window", "a day")),
    ],
)
def test_bad_arguments_are_one_usage_line_and_exit_2(
    args: tuple[str, ...], mentions: tuple[str, ...]
) -> None:
    assert_user_error(read(*args), *mentions)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_full_disk_is_exit_2_not_a_cut_off_listing() -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "briefing", "read", str(SEEDS)],
            cwd=REPO,
            stdout=full,
            stderr=subprocess.PIPE,
            encoding="utf-8",
            check=False,
            timeout=60,
        )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "briefing: error: stdout: cannot write the output (No space left on device)"
    ]
