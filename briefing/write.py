"""Write: a brief set into its output folder, all or nothing, under the folder's lock.

The writers' edge of the pipeline: the rendered files of one brief (Markdown, PDF, HTML,
JSON, a run's log) are staged, fsynced and renamed into place together, so a reader, a
crash or a second run never sees half a set. `write_brief` is what the CLI and the Python
API both call.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import logging
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.errors import InputError, RunLockedError
from briefing.model import Brief
from briefing.options import DEFAULT_FOOTNOTES, DEFAULT_FORMATS, FootnoteStyle, Format

if TYPE_CHECKING:
    from briefing.helper import PdfPress

_log = logging.getLogger("briefing.write")


STAGE_PREFIX = ".briefing-stage-"


_MANIFEST, _DONE = "manifest.json", "done"


# Signals that would end the process between two renames; held back while a set is
# committed (SIGKILL cannot be, and the next run rolls such a set back).
_HELD_SIGNALS = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _write_durably(path: Path, data: bytes, mode: int = 0o600) -> None:
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


def _test_fault(point: str) -> None:
    """A test-only hook: BRIEFING_TEST_KILL=POINT:SIGNAL sends this process SIGNAL at
    POINT of a brief set's commit, so the tests can kill a real run between renames."""
    wanted = os.environ.get("BRIEFING_TEST_KILL", "")
    where, _, name = wanted.partition(":")
    if where == point:
        os.kill(os.getpid(), getattr(signal, name or "SIGKILL"))


def clean_out_folder(out_dir: Path) -> None:
    """Finish what an interrupted write left in OUT_DIR (the lock held): a staged set that
    was being committed is rolled back to the old set; other staging folders and the
    `.brief-*.tmp` files of older versions are removed."""
    try:
        entries = list(out_dir.iterdir())
    except OSError:
        return
    for entry in sorted(entries):
        if entry.name.startswith(STAGE_PREFIX) and entry.is_dir() and not entry.is_symlink():
            if (entry / _MANIFEST).is_file() and not (entry / _DONE).exists():
                _roll_back(out_dir, entry)
                _log.warning("%s: an interrupted write was rolled back to the old brief", entry)
            shutil.rmtree(entry, ignore_errors=True)
        elif re.fullmatch(r"\.brief-.*\.tmp", entry.name) and entry.is_file():
            entry.unlink(missing_ok=True)
            _log.info("%s: removed, left by an interrupted write", entry)


def _roll_back(out_dir: Path, stage: Path) -> None:
    """Put the old set back: each name's old file (kept as a hard link or copy in the
    stage) is renamed over the new one; a name that had no old file loses the new one."""
    manifest = json.loads((stage / _MANIFEST).read_text(encoding="utf-8"))
    for name in manifest["names"]:
        target = out_dir / name
        if name in manifest["old"]:
            kept = stage / "old" / name
            if kept.exists() or kept.is_symlink():
                os.replace(kept, target)
        elif not (stage / "new" / name).exists():  # the new file was renamed in: remove it
            target.unlink(missing_ok=True)
    _fsync_folder(out_dir)


def _keep_old(target: Path, kept: Path) -> bool:
    """Keep TARGET's current file as KEPT (a hard link, else a copy); False if none."""
    if not (target.exists() or target.is_symlink()):
        return False
    try:
        os.link(target, kept, follow_symlinks=False)
    except OSError:
        shutil.copy2(target, kept, follow_symlinks=False)
        if not kept.is_symlink():
            with open(kept, "rb") as stream:
                os.fsync(stream.fileno())
    return True


def write_atomically(outputs: dict[Path, bytes]) -> None:
    """Write a brief set all or nothing, into one output folder (whose lock is held):
    every target is checked first; the files are staged in a folder inside it and
    fsynced; the old files are kept aside; then each is renamed into place. A failure
    puts the old set back; a killed run's set is put back by the next run
    (`clean_out_folder`). SIGTERM, SIGINT and SIGHUP wait until the set is in place."""
    out_dir = next(iter(outputs)).parent
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for target in outputs:
            if target.is_dir() and not target.is_symlink():
                raise IsADirectoryError(errno.EISDIR, "a folder is in the way", str(target))
    except OSError as exc:
        where = exc.filename or out_dir
        raise InputError(f"{where}: cannot write the brief ({exc.strerror or exc})") from None
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
    try:
        _commit(out_dir, outputs)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _commit(out_dir: Path, outputs: dict[Path, bytes]) -> None:
    stage: Path | None = None
    renamed: list[str] = []
    manifest: dict[str, list[str]] = {"names": [t.name for t in outputs], "old": []}
    try:
        stage = Path(tempfile.mkdtemp(dir=out_dir, prefix=STAGE_PREFIX))
        (stage / "new").mkdir()
        (stage / "old").mkdir()
        mode = 0o666 & ~_current_umask()  # a brief is as readable as any file the user writes
        for target, data in outputs.items():
            _write_durably(stage / "new" / target.name, data, mode)
            os.chmod(stage / "new" / target.name, mode)
        _test_fault("staged")
        for target in outputs:
            if _keep_old(target, stage / "old" / target.name):
                manifest["old"].append(target.name)
        _fsync_folder(stage / "new")
        _fsync_folder(stage / "old")
        _write_durably(stage / _MANIFEST, json.dumps(manifest).encode("utf-8"))
        _fsync_folder(stage)
        for index, target in enumerate(outputs, 1):
            os.replace(stage / "new" / target.name, target)
            renamed.append(target.name)
            _test_fault(f"renamed-{index}")
        _fsync_folder(out_dir)
        _write_durably(stage / _DONE, b"")
        _fsync_folder(stage)
        _test_fault("committed")
    except OSError as exc:
        if stage is not None and renamed:
            with contextlib.suppress(OSError):
                _roll_back(out_dir, stage)
        where = exc.filename or out_dir
        raise InputError(f"{where}: cannot write the brief ({exc.strerror or exc})") from None
    finally:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)


LOCK_NAME = ".briefing.lock"


@contextlib.contextmanager
def run_lock(folder: Path) -> Iterator[None]:
    """Hold FOLDER/.briefing.lock while a brief is written there (all of a `run`), so a
    second run on the same folder stops at once instead of overlapping. The kernel
    releases the lock when the process ends, so a crashed run never leaves it held. The
    lock file is opened without following a symbolic link, and only as a regular file of
    its own, so a planted link or hard link can never make it truncate another file.
    Once held, what an interrupted write left behind is cleaned up."""
    path = folder / LOCK_NAME
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, flags, 0o666)
    except OSError as exc:
        where = exc.filename or path
        if exc.errno == errno.ELOOP:
            raise InputError(
                f"{where}: the run lock is a symbolic link; remove it (briefing never follows one)"
            ) from None
        raise InputError(f"{where}: cannot create the run lock ({exc.strerror or exc})") from None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            kind = "not a regular file" if not stat.S_ISREG(info.st_mode) else "a hard link"
            raise InputError(f"{path}: the run lock is {kind}; remove it")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise RunLockedError(
                f"{path}: another briefing run (pid {holder}) is still writing to {folder}"
            ) from None
        pid = f"{os.getpid()}\n".encode("ascii")
        os.pwrite(handle, pid, 0)
        os.ftruncate(handle, len(pid))
        clean_out_folder(folder)
        yield
    finally:
        os.close(handle)


def brief_file(out_dir: Path, date: dt.date, fmt: str) -> Path:
    return out_dir / f"brief-{date.isoformat()}.{fmt}"


def render_outputs(
    brief: Brief,
    formats: list[Format],
    out_dir: Path,
    footnotes: FootnoteStyle,
    explain: bool = False,
    press: PdfPress | None = None,
) -> dict[Path, bytes]:
    """Each format's file name and bytes, in the order asked for; with a `press`, the
    PDF is laid out there while the other formats are rendered here."""
    from briefing.render import render_brief, render_html  # WeasyPrint: only for a PDF

    press = press if "pdf" in formats else None
    if press is not None:
        press.submit(render_html(brief, print_css=True))
    rendered = {
        fmt: render_brief(brief, fmt, footnotes=footnotes, explain=explain)
        for fmt in formats
        if fmt != "pdf" or press is None
    }
    if press is not None:
        rendered["pdf"] = press.pdf()
    return {brief_file(out_dir, brief.date, fmt): rendered[fmt] for fmt in formats}


def write_brief(
    brief: Brief,
    out_dir: Path,
    formats: Iterable[Format] = DEFAULT_FORMATS,
    *,
    footnotes: FootnoteStyle = DEFAULT_FOOTNOTES,
    explain: bool = False,
    history: Path | None = None,
    press: PdfPress | None = None,
) -> list[Path]:
    """Render `brief` in each format and write the set into OUT_DIR as
    brief-DATE.<format>, all or nothing, holding the folder's lock; the paths written.
    With a HISTORY file, what the brief reported is recorded there once it is written."""
    outputs = render_outputs(brief, list(formats), out_dir, footnotes, explain, press)
    with run_lock(out_dir):  # a run or build writing there meanwhile would mix two sets
        write_atomically(outputs)
        if history is not None:
            from briefing.history import record_brief

            record_brief(history, brief)
    return list(outputs)


EXIT_BROKEN_PIPE = 128 + 13  # SIGPIPE, as a shell reports a reader gone


def write_stdout(data: bytes) -> None:
    """All of `data` on stdout, or an error: a buffered write that fails part-way reports
    the bytes it got out instead of raising, which would end a cut-off listing with 0."""
    sys.stdout.flush()
    stream = sys.stdout.buffer
    view = memoryview(data)
    try:
        while view:
            view = view[stream.write(view) :]
        stream.flush()
    except BrokenPipeError:
        # The reader of a pipe stopped early (`briefing read DIR | head`): end quietly,
        # with the status a shell gives a command ended by SIGPIPE.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_BROKEN_PIPE)
    except OSError as exc:
        raise InputError(f"stdout: cannot write the output ({exc.strerror or exc})") from None
