"""Topics: the analyst's TOML file, read and validated into a `TopicSet`.

Each keyword is kept with its sequence of stems (`Topic.patterns`), which routing
matches; which topic a sentence belongs to is `briefing.routing`'s job.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path

from briefing.errors import InputError, read_input_text
from briefing.model import Topic, TopicSet
from briefing.segment import stem, tokenize_words

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_TOPIC_KEYS = {"id", "title", "keywords"}
_FILE_KEYS = {"title", "topics"}


def default_topics_path() -> Path:
    return Path(str(resources.files("briefing").joinpath("default_topics.toml")))


def keyword_pattern(keyword: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in tokenize_words(keyword))


def parse_topics(text: str, name: str) -> TopicSet:
    """Validate a topics file; every problem names the file and the topic."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{name}: not valid TOML ({exc})") from None
    unknown = set(data) - _FILE_KEYS
    if unknown:
        raise InputError(f"{name}: unknown setting {sorted(unknown)[0]!r} (expected [[topics]])")
    title = data.get("title")
    if title is not None and (not isinstance(title, str) or not title.strip()):
        raise InputError(f"{name}: 'title' must be a non-empty string")
    tables = data.get("topics")
    if not isinstance(tables, list) or not tables:
        raise InputError(f"{name}: no [[topics]] tables")
    topics: list[Topic] = []
    seen: set[str] = set()
    for number, table in enumerate(tables, start=1):
        where = f"{name}: topic {number}"
        if not isinstance(table, dict):
            raise InputError(f"{where}: must be a [[topics]] table")
        unknown = set(table) - _TOPIC_KEYS
        if unknown:
            raise InputError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        topic_id = table.get("id")
        if not isinstance(topic_id, str) or not _ID.match(topic_id):
            raise InputError(f"{where}: 'id' must be a word of letters, digits, '-' or '_'")
        where = f"{name}: topic {topic_id!r}"
        if topic_id in seen:
            raise InputError(f"{where}: duplicate id")
        seen.add(topic_id)
        topic_title = table.get("title", topic_id)
        if not isinstance(topic_title, str) or not topic_title.strip():
            raise InputError(f"{where}: 'title' must be a non-empty string")
        keywords = table.get("keywords")
        if (
            not isinstance(keywords, list)
            or not keywords
            or not all(isinstance(k, str) and k.strip() for k in keywords)
        ):
            raise InputError(f"{where}: 'keywords' must be a non-empty list of strings")
        patterns = []
        for keyword in keywords:
            pattern = keyword_pattern(keyword)
            if not pattern:
                raise InputError(f"{where}: keyword {keyword!r} has no words")
            patterns.append(pattern)
        topics.append(
            Topic(
                id=topic_id,
                title=topic_title.strip(),
                keywords=tuple(k.strip() for k in keywords),
                patterns=tuple(patterns),
            )
        )
    return TopicSet(topics=tuple(topics), title=title.strip() if title else None)


def load_topics(path: Path) -> TopicSet:
    return parse_topics(read_input_text(path, "topics file"), str(path))
