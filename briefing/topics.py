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
from briefing.segment import content_stems, stem, tokenize_words

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_TOPIC_KEYS = {"id", "title", "keywords", "exclude", "exclude_articles", "description"}
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
        topics.append(_parse_topic(table, topic_id, where))
    return TopicSet(topics=tuple(topics), title=title.strip() if title else None)


def _parse_topic(table: dict[str, object], topic_id: str, where: str) -> Topic:
    topic_title = table.get("title", topic_id)
    if not isinstance(topic_title, str) or not topic_title.strip():
        raise InputError(f"{where}: 'title' must be a non-empty string")
    keywords, patterns = _phrases(table, "keywords", where)
    exclude, exclude_patterns = _phrases(table, "exclude", where, required=False)
    exclude_articles = table.get("exclude_articles", False)
    if not isinstance(exclude_articles, bool):
        raise InputError(f"{where}: 'exclude_articles' must be true or false")
    if exclude_articles and not exclude:
        raise InputError(f"{where}: 'exclude_articles' needs an 'exclude' list")
    description = table.get("description")
    if description is not None and (not isinstance(description, str) or not description.strip()):
        raise InputError(f"{where}: 'description' must be a non-empty string")
    keyword_stems = {s for pattern in patterns for s in pattern}
    described = content_stems(tokenize_words(description)) if description else ()
    return Topic(
        id=topic_id,
        title=topic_title.strip(),
        keywords=keywords,
        patterns=patterns,
        exclude=exclude,
        exclude_patterns=exclude_patterns,
        exclude_articles=exclude_articles,
        description=" ".join(description.split()) if description else None,
        description_terms=tuple(dict.fromkeys(t for t in described if t not in keyword_stems)),
    )


def _phrases(
    table: dict[str, object], key: str, where: str, *, required: bool = True
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """A list of words or phrases (keywords, exclusions), and each as its stems."""
    values = table.get(key)
    if values is None and not required:
        return (), ()
    if (
        not isinstance(values, list)
        or (required and not values)
        or not all(isinstance(v, str) and v.strip() for v in values)
    ):
        need = "a non-empty list" if required else "a list"
        raise InputError(f"{where}: {key!r} must be {need} of strings")
    patterns = []
    for value in values:
        pattern = keyword_pattern(value)
        if not pattern:
            one = {"keywords": "keyword", "exclude": "exclusion"}.get(key, key)
            raise InputError(f"{where}: {one} {value!r} has no words")
        patterns.append(pattern)
    return tuple(v.strip() for v in values), tuple(patterns)


def load_topics(path: Path) -> TopicSet:
    return parse_topics(read_input_text(path, "topics file"), str(path))
