"""The per-article stages on both of a machine's cores: a forked helper shares them.

Reading and cleaning the files, then segmenting, stemming and ranking each article
within itself, are half of a large day's build, and each article needs only itself. On
Linux with a second core free, a large day's files are cut into parts that this process
claims from the front and a forked copy of it from the back, one at a time, each reading
and segmenting its part in one go (`Helper.read_segmented`); the helper writes each
part's answer, pickled, to a shared memory file as soon as it is done, which costs a
small share of the work it saves. The blocks of the neighbour searches, the topics'
TextRank and the stories' clustering are shared the same way (`Helper.each`). What
compares articles stays in this process, as on a Dask cluster (`workers.py`), and every
part's result is the same wherever it is computed, so the brief is byte for byte the
one a single process builds.

The helper lives only while it works: it dies with this process (the kernel kills it
when its parent goes, `PR_SET_PDEATHSIG`), takes the default action on every signal a
run is sent, and prints nothing; what it logs travels back and is logged here, after
this process's own lines and in the parts' order, so the warnings read as one process
would write them. A helper that fails or is killed costs only time: what it left is
then done here. (`file_articles` and `segment_articles`, for the Python API's separate
stages, still cut their work in two halves.)
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import fcntl
import logging
import mmap
import os
import pickle
import signal
import struct
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from briefing.model import Article

if TYPE_CHECKING:
    from briefing.segment import WordAnalyser
    from briefing.timewindow import Window
    from briefing.workers import ReadPart, Segmented, SegmentedColumns

log = logging.getLogger(__name__)

# Parts a large day's files are read and segmented in, claimed by this process from the
# front and by a helper from the back: each a READ_SHARE-th of what is left of its half,
# so that they shrink towards the middle, where the two meet, down to READ_PART_FILES
# files, or a quarter of a smaller day (a part has its own term indexes to join). The
# first to run out of parts then waits for a small one: with 32 parts of equal size the
# main process waited from nothing to a second (a part's time) at 100,000 articles.
READ_SHARE = 4
READ_PART_FILES = 500
# Files or articles from which a helper pays: on two cores a generated day of 200
# articles built 0.04 s slower with one, 400 articles 0.1 s faster, 800 articles 0.3 s
# faster (medians of 7 builds).
HELPER_FROM = 400
_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent ends

_Result = TypeVar("_Result")
_Mine = TypeVar("_Mine")
_Item = TypeVar("_Item")


def spare_cores() -> int:
    """Cores this process may run on besides its own (0 where a helper cannot be forked)."""
    if sys.platform != "linux" or not hasattr(os, "fork"):
        return 0
    try:
        return len(os.sched_getaffinity(0)) - 1
    except OSError:
        return 0


def halfway(sizes: Sequence[int]) -> int:
    """Where to cut items of these sizes into two contiguous halves of about equal size."""
    total = sum(sizes)
    running = 0
    for index, size in enumerate(sizes):
        if 2 * (running + size) > total:
            # The item across the middle goes to the half it is mostly in.
            return index + 1 if 2 * running + size <= total else index
        running += size
    return len(sizes)


class _Child(Generic[_Result]):
    """A forked copy of this process computing one call, and the pipe of its answer."""

    def __init__(self, task: Callable[..., _Result], *args: Any, logs: bool = True) -> None:
        reading, writing = os.pipe()
        parent = os.getpid()
        self.pid = os.fork()
        if self.pid == 0:  # the helper: compute, answer, and end without unwinding
            status = 1
            try:
                os.close(reading)
                _become_helper(parent)
                with os.fdopen(writing, "wb") as answer:
                    # (`logs`: collected with the result; a task that logs nothing of
                    # briefing's need not load the workers' module for it)
                    found = _logged_call(task, *args) if logs else (task(*args), [])
                    pickle.dump(found, answer, pickle.HIGHEST_PROTOCOL)
                status = 0
            finally:
                os._exit(status)
        os.close(writing)
        self._answer = os.fdopen(reading, "rb")

    def stop(self) -> None:
        """End the helper now, unread."""
        os.kill(self.pid, signal.SIGKILL)
        self._answer.close()
        os.waitpid(self.pid, 0)

    def result(self) -> tuple[_Result, list[tuple[str, int, str]]] | None:
        """The helper's result and what it logged, or None when it failed or was killed."""
        try:
            with self._answer:
                answer = pickle.load(self._answer)
        except (EOFError, OSError, pickle.UnpicklingError):
            answer = None
        _, status = os.waitpid(self.pid, 0)
        return answer if os.waitstatus_to_exitcode(status) == 0 else None


def _become_helper(parent: int) -> None:
    """Tie the helper's life to its parent's, and let it neither print nor trap signals."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent ended before the line above
        os._exit(1)
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    # Its log lines go back to the parent (`_logged_call`), not to copies of the parent's
    # handlers; no progress bar of its own (bars draw only on a terminal), no stray output.
    for logger in (logging.getLogger(), logging.getLogger("briefing")):
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - ends with the process


def _logged_call(task: Callable[..., _Result], *args: Any) -> tuple[_Result, Any]:
    from briefing.workers import logged_call

    return logged_call(task, *args)


def _beside(
    here: Callable[[], _Mine], task: Callable[..., _Result], *args: Any
) -> tuple[_Mine, tuple[_Result, list[tuple[str, int, str]]] | None]:
    """`here()`, while a helper computes `task(*args)`; then the helper's result and what
    it logged, or None when it failed. A failure here stops the helper."""
    child: _Child[_Result] = _Child(task, *args)
    try:
        mine = here()
    except BaseException:  # this half failed (or was interrupted): the other is not wanted
        child.stop()
        raise
    return mine, child.result()


def _split(
    task: Callable[..., list[_Result]],
    first: tuple[Any, ...],
    second: tuple[Any, ...],
) -> list[_Result]:
    """`task(*first) + task(*second)`, the second in a helper while this process computes
    the first; the helper's log lines are logged after the first half's own."""
    mine, answer = _beside(lambda: task(*first), task, *second)
    if answer is None:
        log.debug("the helper process failed; its half is computed here")
        return mine + task(*second)
    theirs, logged = answer
    _log_again(logged)
    return mine + theirs


class _Claims:
    """The items of one `Helper.each`, claimed one at a time, by this process from the
    front and by the helper from the back: the faster of the two does more, and neither
    waits for the other's half. (A helper runs slower than its parent: its first write
    to a page copies the page. In a large day's neighbour search the parent waited for
    the second half 40% of its own half's time.) The free items' bounds are two numbers
    in memory both processes share; a claim holds a POSIX lock on them, which the
    kernel releases if its holder dies."""

    def __init__(self, count: int) -> None:
        self._file = os.memfd_create("briefing-claims", os.MFD_CLOEXEC)
        try:
            os.ftruncate(self._file, _BOUNDS.size)
            self._bounds = mmap.mmap(self._file, _BOUNDS.size)
        except BaseException:
            os.close(self._file)
            raise
        _BOUNDS.pack_into(self._bounds, 0, 0, count)

    def take(self, from_back: bool) -> int | None:
        """The next free item (the last, `from_back`), or None when none is left."""
        fcntl.lockf(self._file, fcntl.LOCK_EX)
        try:
            front, back = _BOUNDS.unpack_from(self._bounds)
            if front >= back:
                return None
            if from_back:
                back -= 1
                taken = back
            else:
                taken = front
                front += 1
            _BOUNDS.pack_into(self._bounds, 0, front, back)
            return taken
        finally:
            fcntl.lockf(self._file, fcntl.LOCK_UN)

    def close(self) -> None:
        self._bounds.close()
        os.close(self._file)


_BOUNDS = struct.Struct("qq")  # the first free item, and one past the last


def _answer_claims(
    task: Callable[[_Item], _Result], items: Sequence[_Item], claims: _Claims, answers: int
) -> None:
    """The helper's side of `_shared_map`: items claimed from the back, each answer (its
    item's place, result and log lines) written to the `answers` file as it is done,
    so that the helper's pickling counts in the sharing (a pipe would hold it until
    this process reads)."""
    from briefing.workers import logged_call

    with os.fdopen(os.dup(answers), "wb") as out:
        while (index := claims.take(True)) is not None:
            found, logged = logged_call(task, items[index])
            pickle.dump((index, found, logged), out, pickle.HIGHEST_PROTOCOL)


def _shared_map(task: Callable[[_Item], _Result], items: Sequence[_Item]) -> list[_Result]:
    """`[task(item) for item in items]`, this process claiming items from the front and
    a helper from the back (`_Claims`). The helper's log lines are logged after this
    process's, in its items' order: the lines of one process mapping them in turn. A
    helper that fails or is killed costs only time: what it left is mapped here."""
    claims = _Claims(len(items))
    answers = os.memfd_create("briefing-answers", os.MFD_CLOEXEC)
    try:
        mine: dict[int, _Result] = {}

        def here() -> None:
            while (index := claims.take(False)) is not None:
                mine[index] = task(items[index])

        # (`finished` only says the helper ended well: its lines come with each answer)
        _, finished = _beside(here, _answer_claims, task, items, claims, answers)
        theirs = _answers_in(answers) if finished is not None else []
    finally:
        claims.close()
        os.close(answers)
    if finished is None:
        log.debug("the helper process failed; its items are computed here")
    for index, found, logged in sorted(theirs, key=lambda answer: answer[0]):
        _log_again(logged)
        mine[index] = found
    return [mine[i] if i in mine else task(items[i]) for i in range(len(items))]


def _answers_in(answers: int) -> list[tuple[int, Any, list[tuple[str, int, str]]]]:
    """The answers a helper wrote to the file, in the order it wrote them."""
    found = []
    os.lseek(answers, 0, os.SEEK_SET)
    with os.fdopen(os.dup(answers), "rb") as stream:
        while True:
            try:
                found.append(pickle.load(stream))
            except EOFError:
                return found


def _can_fork(count: int) -> bool:
    return count >= HELPER_FROM and _forkable()


def _forkable() -> bool:
    # A thread of this process could hold a lock when it forks, and the helper would wait
    # on it forever: with any thread besides this one, the work stays here.
    return spare_cores() >= 1 and threading.active_count() == 1


def _segment_part(
    articles: list[Article], start: int, columns: bool = False
) -> list[Segmented | SegmentedColumns]:
    from briefing.workers import segment_part, segment_part_columns

    # The helper's part comes back as columns (`columns`): made into sentences here.
    return [segment_part_columns(articles, start) if columns else segment_part(articles, start)]


def _read_segmented(
    paths: list[Path],
    zone: dt.tzinfo,
    max_file_bytes: int,
    manifests: dict[Path, dict[str, dict]],
    window: Window | None,
    words: WordAnalyser | None = None,
) -> ReadPart:
    from briefing.ingest import read_files
    from briefing.workers import segment_read

    return segment_read(read_files(paths, zone, max_file_bytes, manifests), window, words)


def _log_again(logged: list[tuple[str, int, str]]) -> None:
    for name, level, message in logged:
        logging.getLogger(name).log(level, "%s", message)


class Helper:
    """The per-article stages, half of a large day in a forked helper (`Workers`)."""

    def each(
        self, task: Callable[[_Item], _Result], items: Sequence[_Item], size: int | None = None
    ) -> list[_Result]:
        """`[task(item) for item in items]`, shared with a helper on a large day
        (`size`: the articles the work covers; by default, one per item)."""
        if len(items) < 2 or not _can_fork(len(items) if size is None else size):
            return [task(item) for item in items]
        return _shared_map(task, items)

    def file_articles(
        self, paths: list[Path], zone: dt.tzinfo, max_file_bytes: int
    ) -> list[tuple[str, Article | None]]:
        """`ingest.read_files`, the later half of the files in a helper."""
        from briefing.ingest import read_files

        if not _can_fork(len(paths)):
            return read_files(paths, zone, max_file_bytes)
        manifests = _manifests(paths, zone)
        middle = halfway([_size(path) for path in paths])
        return _split(
            read_files,
            (paths[:middle], zone, max_file_bytes, manifests),
            (paths[middle:], zone, max_file_bytes, manifests),
        )

    def read_segmented(
        self, paths: list[Path], zone: dt.tzinfo, max_file_bytes: int, window: Window | None
    ) -> list[ReadPart]:
        """`workers.segment_read` of `ingest.read_files`, in parts (`_parts`) that this
        process and a helper claim in turn (`_shared_map`): each segments the articles
        it has just read, and the two meet once, when the files run out, whichever is
        the faster. Each keeps one word analyser for all its parts, whose memo of a
        day's words would otherwise be learnt again for every part."""
        from briefing.segment import WordAnalyser

        if not _can_fork(len(paths)):
            return [_read_segmented(paths, zone, max_file_bytes, {}, window)]
        manifests = _manifests(paths, zone)
        parts = list(_parts(paths))
        words = WordAnalyser()  # (after the fork, each process has its own)

        def read_part(part: list[Path]) -> ReadPart:
            return _read_segmented(part, zone, max_file_bytes, manifests, window, words)

        return _shared_map(read_part, parts)

    def segment_articles(self, articles: list[Article]) -> Segmented:
        """`workers.segment_part`, the later half of the articles in a helper."""
        from briefing.workers import join_parts

        if not _can_fork(len(articles)):
            return join_parts(_segment_part(articles, 0))
        middle = halfway([sum(map(len, a.paragraphs)) for a in articles])
        return join_parts(
            _split(_segment_part, (articles[:middle], 0), (articles[middle:], middle, True))
        )


class PdfPress:
    """WeasyPrint in a helper forked before the brief is built (`pdf_press`).

    Importing WeasyPrint takes longer than building the seeds' brief, and the PDF is
    wanted only at the end: the helper imports it on the other core meanwhile, waits for
    the brief's page, and lays out the PDF while this process renders the other formats.
    The page travels in a shared memory file and its length through a pipe, so handing
    it over never waits for the helper. A press that fails or is killed costs only time:
    the PDF is then laid out here, and is the same."""

    def __init__(self) -> None:
        self._child: _Child[bytes | None] | None = None
        self._page: str | None = None
        self._page_file = os.memfd_create("briefing-page", os.MFD_CLOEXEC)
        reading, self._requests = os.pipe()
        try:
            self._child = _Child(_press, reading, self._requests, self._page_file, logs=False)
        except BaseException:
            self.close()
            raise
        finally:
            os.close(reading)

    def submit(self, page: str) -> None:
        """Hand the helper the HTML page to lay out (`render_html(..., print_css=True)`)."""
        self._page = page
        data = page.encode("utf-8")
        try:
            written = 0
            while written < len(data):
                written += os.pwrite(self._page_file, data[written:], written)
            os.write(self._requests, _LENGTH.pack(len(data)))
        except OSError:  # the helper is gone: `pdf` lays the page out here
            pass

    def pdf(self) -> bytes:
        """The submitted page's PDF, laid out by the helper or, if it failed, here."""
        from briefing.pdf import html_to_pdf

        if self._page is None:
            raise ValueError("no page was submitted to the press")
        answer = self._child.result() if self._child is not None else None
        self._child = None
        self.close()
        data = answer[0] if answer is not None else None
        if data is None:
            log.debug("the PDF helper failed; the PDF is laid out here")
            return html_to_pdf(self._page)
        return data

    def close(self) -> None:
        """End the helper, if its PDF was not asked for, and free what it shared."""
        if self._child is not None:
            self._child.stop()
            self._child = None
        for handle in (self._requests, self._page_file):
            if handle >= 0:
                os.close(handle)
        self._requests = self._page_file = -1


_LENGTH = struct.Struct("q")  # the page's length in bytes, the press's one request


def _press(requests: int, spare: int, page_file: int) -> bytes | None:
    """The press's side: import WeasyPrint, wait for a page, lay it out; None when this
    process asked for nothing. (WeasyPrint's own log goes to its null handler, as here.)"""
    os.close(spare)  # the pipe's writing end is the parent's (a copy here would keep it open)
    import weasyprint  # noqa: F401 - the work done ahead of the brief

    from briefing.pdf import html_to_pdf

    with os.fdopen(requests, "rb") as stream:
        request = stream.read(_LENGTH.size)
    if len(request) < _LENGTH.size:  # this process ended, or closed the press unused
        return None
    (size,) = _LENGTH.unpack(request)
    page = bytearray()
    while len(page) < size and (chunk := os.pread(page_file, size - len(page), len(page))):
        page += chunk
    return html_to_pdf(page.decode("utf-8"))


@contextlib.contextmanager
def pdf_press(wanted: bool) -> Iterator[PdfPress | None]:
    """A press while the brief is built and written, when a PDF is `wanted` and a helper
    can be forked (`_forkable`); else None."""
    if not (wanted and _forkable()):
        yield None
        return
    press = PdfPress()
    try:
        yield press
    finally:
        press.close()


def _parts(paths: list[Path]) -> Iterator[list[Path]]:
    """The files in parts shrinking from both ends towards the middle (READ_SHARE)."""
    back = len(paths) // 2
    least = min(READ_PART_FILES, -(-len(paths) // 4))
    sizes = _shrinking(len(paths) - back, least) + _shrinking(back, least)[::-1]
    start = 0
    for size in sizes:
        yield paths[start : start + size]
        start += size


def _shrinking(count: int, least: int) -> list[int]:
    sizes = []
    while count > 0:
        size = min(count, max(least, -(-count // READ_SHARE)))
        sizes.append(size)
        count -= size
    return sizes


def _manifests(paths: list[Path], zone: dt.tzinfo) -> dict[Path, dict[str, dict]]:
    """The files' folders' manifests, each read once, here: a bad one is one warning,
    not one per process."""
    from briefing.ingest import folder_manifest

    manifests: dict[Path, dict[str, dict]] = {}
    for folder in dict.fromkeys(path.parent for path in paths):
        folder_manifest(folder, zone, manifests)
    return manifests


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
