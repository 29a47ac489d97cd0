"""The per-article stages on a Dask cluster (`--dask ADDRESS`, or `local`).

What one article needs alone runs on the workers, in contiguous parts: parsing its
file and cleaning it into an article, then segmenting, stemming and ranking it within
itself. What compares articles stays in this process: their ids, one copy of each, the
window, routing's neighbour search, the topics' TextRank, stories and composing. Files
are read here and their bytes sent, so the workers need not see them; they must run
the same briefing. Every part's result is the same whichever worker computes it and
however the input is cut (the in-article ranking's sums run in an order fixed by the
article alone), so a brief built on a cluster is byte for byte the one-machine brief.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import logging
import math
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar

import numpy as np

from briefing.errors import InputError
from briefing.gcpause import cycle_collector_paused
from briefing.model import Article, Sentence, TermIndex

if TYPE_CHECKING:
    from distributed import Client

    from briefing.segment import SentenceColumns, WordAnalyser
    from briefing.timewindow import Window

LOCAL = "local"  # `--dask local`: a cluster of this machine's cores, started for the build
CONNECT_TIMEOUT_S = 10  # a scheduler that does not answer is an error, not a hang
PARTS_PER_WORKER = 4  # parts per worker: small enough to balance, large enough to pay
MIN_PART = 64  # files or articles: a smaller part costs more to send than to compute

_Part = TypeVar("_Part")
_Result = TypeVar("_Result")
_Item = TypeVar("_Item")

# What a part logged, to be logged again here: (logger name, level, message).
_Logged = list[tuple[str, int, str]]


class ClusterError(InputError):
    """The Dask cluster cannot be reached or does not run this briefing (exit code 2)."""


class _Collector(logging.Handler):
    """The `briefing` log records of one task's thread (a worker may run several tasks
    at once in threads), kept to travel back with the task's result."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.thread = threading.get_ident()
        self.records: _Logged = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.records.append((record.name, record.levelno, record.getMessage()))


def logged_call(task: Callable[..., _Result], *args: Any) -> tuple[_Result, _Logged]:
    """Run `task` on a worker with briefing's warnings and notes collected, not printed
    there: a warning naming a bad file must reach the person who ran the build."""
    logger = logging.getLogger("briefing")
    # In a worker, briefing's records go to the collectors alone, every level of them
    # (set for the process, not per task: tasks in threads must not undo each other).
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    collector = _Collector()
    logger.addHandler(collector)
    try:
        with cycle_collector_paused():  # as in one process: no cycles among the parts' objects
            return task(*args), collector.records
    finally:
        logger.removeHandler(collector)


def _read_part(
    files: list[tuple[Path, bytes, dict[str, Any]]], zone: dt.tzinfo
) -> list[tuple[str, Article | None]]:
    from briefing.ingest import file_articles

    return [entry for file in files for entry in file_articles(*file, zone)]


Segmented = tuple[list[Sentence], np.ndarray, TermIndex, TermIndex]
# (a part's sentences as columns, from a helper: made into sentences where it is joined)
SegmentedColumns = tuple["SentenceColumns", np.ndarray, TermIndex, TermIndex]


def segment_part(articles: list[Article], start: int) -> Segmented:
    """The sentences of `articles` (numbered from `start`, their place in the whole list),
    each one's centrality in its article, and the `TermIndex`es of their terms and of
    all their stems."""
    columns, ranks, terms, stems = segment_part_columns(articles, start)
    return columns.sentences(), ranks, terms, stems


def segment_part_columns(
    articles: list[Article], start: int, words: WordAnalyser | None = None
) -> SegmentedColumns:
    """`segment_part`, its sentences as columns: what a helper or a worker sends back
    (columns pickle in a fraction of the time sentence objects take). `words`: an
    analyser to reuse (`segment.segment_columns`)."""
    from briefing.rank import centrality_in_article, index_words
    from briefing.segment import segment_columns

    columns = segment_columns(articles, start=start, words=words)
    if not columns.texts:
        empty = TermIndex(vocabulary=(), ids=np.zeros(0, np.int32), starts=np.zeros(1, np.int64))
        return columns, np.zeros(0), empty, empty
    terms, stems = index_words(columns.words)
    return columns, centrality_in_article((), columns.articles, terms), terms, stems


def join_parts(parts: Iterable[Segmented | SegmentedColumns]) -> Segmented:
    """`segment_part`'s (or `segment_part_columns`') results of contiguous parts, as one
    part's."""
    from briefing.rank import join_term_indexes
    from briefing.segment import SentenceColumns

    listed = list(parts)
    ranks = [rank for _, rank, _, _ in listed]
    terms = join_term_indexes([index for _, _, index, _ in listed])
    stems = join_term_indexes([index for _, _, _, index in listed])
    # Parts unpickled apart hold a copy each of the stems they share: their sentences
    # keep the day's one string of each (tens of MB on a day of many parts).
    same = dict(zip(stems.vocabulary, stems.vocabulary, strict=True))
    sentences: list[Sentence] = []
    for part, _, _, _ in listed:
        if isinstance(part, SentenceColumns):
            words = part.words
            vocabulary = tuple([same.get(stem, stem) for stem in words.vocabulary])
            part = part._replace(words=dataclasses.replace(words, vocabulary=vocabulary))
            sentences.extend(part.sentences())
        else:
            sentences.extend(part)
    return sentences, np.concatenate(ranks) if ranks else np.zeros(0), terms, stems


class ReadPart(NamedTuple):
    """A part of the day's files read, and its articles segmented in the same go, before
    the day's duplicates and window are known (`read_segmented`): one barrier between
    the processes instead of two. Sentences of copies that are then dropped are
    dropped with them (`select_segmented`)."""

    entries: list[tuple[str, Article | None]]  # `ingest.read_files`' entries
    keys: list[list[str]]  # `ingest.identity_keys` of each of its articles
    segmented: SegmentedColumns  # its articles', numbered among them from 0 (but those
    # a window leaves out for certain, which have no sentences)


def segment_read(
    entries: list[tuple[str, Article | None]],
    window: Window | None,
    words: WordAnalyser | None = None,
) -> ReadPart:
    """The `ReadPart` of entries just read: their articles' keys and sentences (`words`:
    an analyser to reuse)."""
    from briefing.ingest import identity_keys
    from briefing.timewindow import might_be_in_window

    articles = [article for _, article in entries if article is not None]
    chosen = [place for place, a in enumerate(articles) if might_be_in_window(a, window)]
    columns, ranks, terms, stems = segment_part_columns([articles[i] for i in chosen], 0, words)
    if len(chosen) < len(articles):
        columns = columns._replace(articles=np.array(chosen, dtype=np.int64)[columns.articles])
    return ReadPart(entries, [identity_keys(a) for a in articles], (columns, ranks, terms, stems))


def _read_segmented_part(
    files: list[tuple[Path, bytes, dict[str, Any]]], zone: dt.tzinfo, window: Window | None
) -> ReadPart:
    return segment_read(_read_part(files, zone), window)


def select_segmented(parts: Sequence[ReadPart], kept: Sequence[int]) -> Segmented:
    """The sentences of the articles at places `kept` (ascending, among all the parts'
    articles), numbered as the kept articles: the same as `segment_part` of them."""
    from briefing.rank import index_words

    places = np.asarray(kept, dtype=np.int64)
    selected: list[SegmentedColumns] = []
    offset = numbered = 0
    for part in parts:
        count = len(part.keys)
        keep = np.zeros(count, dtype=bool)
        keep[places[(places >= offset) & (places < offset + count)] - offset] = True
        numbers = np.cumsum(keep) - 1 + numbered  # each kept article's number in the day
        columns, ranks, terms, stems = part.segmented
        rows = keep[columns.articles]
        dropped = not rows.all()  # a copy, or an article outside the window
        columns = columns.kept(rows, numbers)
        if dropped:
            ranks = ranks[rows]
            terms, stems = index_words(columns.words)
        selected.append((columns, ranks, terms, stems))
        offset += count
        numbered += int(keep.sum())
    return join_parts(selected)


def _version() -> str:
    from briefing import __version__

    return __version__


def part_size(count: int, workers: int) -> int:
    """Items per part: about PARTS_PER_WORKER parts per worker, each of MIN_PART items
    or more (but the last, and unless there are fewer)."""
    parts = max(1, min(workers * PARTS_PER_WORKER, count // MIN_PART))
    return max(1, math.ceil(count / parts))


def cut(items: Iterable[_Part], size: int) -> Iterator[list[_Part]]:
    """`items` in contiguous parts of `size` (the last one shorter), as they come."""
    iterator = iter(items)
    while part := list(itertools.islice(iterator, size)):
        yield part


class Workers(Protocol):
    """Where the per-article stages run, when not in this process alone: a forked helper
    (`helper.Helper`) or a Dask cluster (`DaskWorkers`)."""

    def file_articles(
        self, paths: list[Path], zone: dt.tzinfo, max_file_bytes: int
    ) -> list[tuple[str, Article | None]]:
        """`ingest.read_files`: each entry of each file, in the files' order."""

    def segment_articles(self, articles: list[Article]) -> Segmented:
        """`segment.segment_articles`, `rank.centrality_in_article` of the sentences, and
        the `TermIndex`es of their terms and stems (`segment_part`)."""

    def read_segmented(
        self, paths: list[Path], zone: dt.tzinfo, max_file_bytes: int, window: Window | None
    ) -> list[ReadPart]:
        """`file_articles`, each part's articles segmented where they were read
        (`segment_read`), in the files' order."""

    def each(
        self, task: Callable[[_Item], _Result], items: Sequence[_Item], size: int | None = None
    ) -> list[_Result]:
        """`[task(item) for item in items]`, over items this process holds (`size`: the
        articles the work covers; by default, one per item)."""


class DaskWorkers:
    """A connected Dask client and the per-article stages it runs."""

    def __init__(self, client: Client, address: str) -> None:
        self.client = client
        self.address = address

    def _map(self, task: Callable[..., _Result], parts: Iterable[tuple[Any, ...]]) -> list[_Result]:
        """`task(*part)` for every part on the workers, results in the parts' order, and
        what each part logged logged here, in the same order."""
        futures = []
        try:
            futures = [self.client.submit(logged_call, task, *part, pure=False) for part in parts]
            results = self.client.gather(futures)
        except Exception as exc:
            raise ClusterError(f"the Dask cluster at {self.address} failed: {exc}") from None
        finally:
            for future in futures:
                future.release()
        for _, logged in results:
            for name, level, message in logged:
                logging.getLogger(name).log(level, "%s", message)
        return [result for result, _ in results]

    def each(
        self, task: Callable[[_Item], _Result], items: Sequence[_Item], size: int | None = None
    ) -> list[_Result]:
        """`[task(item) for item in items]` here: sending the items would cost more."""
        return [task(item) for item in items]

    def _count(self) -> int:
        return max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))

    def file_articles(
        self, paths: list[Path], zone: dt.tzinfo, max_file_bytes: int
    ) -> list[tuple[str, Article | None]]:
        """`ingest.read_files` over the workers: every entry, in the files' order. The
        files are read here and each part is sent as soon as it is read."""
        from briefing.ingest import article_files

        size = part_size(len(paths), self._count())
        files = article_files(paths, zone, max_file_bytes)
        parts = ((part, zone) for part in cut(files, size))
        return [entry for part in self._map(_read_part, parts) for entry in part]

    def read_segmented(
        self, paths: list[Path], zone: dt.tzinfo, max_file_bytes: int, window: Window | None
    ) -> list[ReadPart]:
        """`file_articles` and `segment_read` in one task per part: the articles do not
        travel back to be sent out again."""
        from briefing.ingest import article_files

        size = part_size(len(paths), self._count())
        files = article_files(paths, zone, max_file_bytes)
        parts = ((part, zone, window) for part in cut(files, size))
        return self._map(_read_segmented_part, parts)

    def segment_articles(self, articles: list[Article]) -> Segmented:
        """`segment_part` over the workers."""
        size = part_size(len(articles), self._count())
        parts = [
            (part, first) for first, part in zip(itertools.count(0, size), cut(articles, size))
        ]
        return join_parts(self._map(segment_part_columns, parts))


@contextmanager
def open_workers(address: str) -> Iterator[DaskWorkers]:
    """A client of the scheduler at `address`, or of a cluster of this machine's cores
    started for the build (`local`), closed when the build is done."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ClusterError(
            "--dask needs Dask's distributed scheduler: pip install 'briefing[dask]'"
        ) from None
    # Dask's own notes (a worker started, a slow event loop) are not the brief's: a
    # successful run prints nothing.
    logging.getLogger("distributed").setLevel(logging.ERROR)
    cluster = None
    try:
        if address == LOCAL:
            cluster = LocalCluster(
                n_workers=os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # no fixed port: another cluster may hold it
                silence_logs=logging.ERROR,
            )
            client = Client(cluster, timeout=CONNECT_TIMEOUT_S)
        else:
            client = Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        raise ClusterError(f"--dask {address}: cannot reach the scheduler ({exc})") from None
    try:
        ours = _version()
        theirs = set(client.run(_version).values())
        if theirs - {ours}:
            found = ", ".join(sorted(theirs))
            raise ClusterError(f"--dask {address}: the workers run briefing {found}, not {ours}")
        yield DaskWorkers(client, address)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
