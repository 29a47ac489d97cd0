from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from brieftest import BBC_DEV, DATE, DATE_TEXT, REPO, SEEDS, CliBuild, RenderedPdf, run_cli
from mailserver import Authority, new_authority

from briefing.compose import Brief
from briefing.ingest import Article, read_articles
from briefing.pipeline import build_brief
from briefing.segment import Sentence, segment_articles
from briefing.topics import TopicSet, default_topics_path, load_topics


@pytest.fixture(scope="session")
def default_topics() -> TopicSet:
    return load_topics(default_topics_path())


@pytest.fixture(scope="session")
def seed_articles() -> list[Article]:
    return read_articles([SEEDS])


@pytest.fixture(scope="session")
def seed_sentences(seed_articles: list[Article]) -> list[Sentence]:
    return segment_articles(seed_articles)


@pytest.fixture(scope="session")
def bbc_dev_sentences() -> list[Sentence]:
    """The 200 bbc-dev articles' sentences: realistic news at a size where all pairs
    can still be compared, as reference implementations do."""
    return segment_articles(read_articles([BBC_DEV / "articles"]))


@pytest.fixture(scope="session")
def seeds_brief(default_topics: TopicSet) -> Brief:
    return build_brief([SEEDS], default_topics, DATE)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="session")
def seeds_pdf(seeds_brief: Brief) -> RenderedPdf:
    """The seeds brief as a PDF, rendered once, with every WeasyPrint log record kept."""
    from briefing.render import render_pdf

    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        data = render_pdf(seeds_brief)
    finally:
        logger.removeHandler(handler)
    return RenderedPdf(data=data, weasyprint_records=handler.records)


@pytest.fixture(scope="session")
def seeds_cli_build(tmp_path_factory: pytest.TempPathFactory) -> CliBuild:
    """`briefing build seeds --date … --out TMP`, run once from the repo root like `make brief`."""
    out = tmp_path_factory.mktemp("cli-brief")
    result = run_cli("build", "seeds", "--date", DATE_TEXT, "--out", str(out), cwd=REPO)
    return CliBuild(result=result, out=out)


@pytest.fixture(scope="session")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    """The CA behind the test mail servers' certificates."""
    return new_authority(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="session")
def dask_scheduler() -> Iterator[str]:
    """The address of a real Dask cluster on this machine: a scheduler and two worker
    processes, one thread each, as `--dask ADDRESS` would reach one elsewhere."""
    from distributed import LocalCluster

    logging.getLogger("distributed").setLevel(logging.ERROR)
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    ) as cluster:
        yield cluster.scheduler_address
