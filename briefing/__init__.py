"""briefing: a day's news articles in, a dated extractive analyst brief out.

The Python API (the CLI is a thin layer over it)::

    from pathlib import Path
    import datetime as dt
    from briefing import build_brief, load_topics, write_brief

    topics = load_topics(Path("topics.toml"))
    brief = build_brief([Path("articles")], topics, dt.date(2026, 12, 1))
    write_brief(brief, Path("out"), ["md", "json"])

Names load on first use, so `import briefing` (and `briefing --version`) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> the module that defines it
_API = {
    "build_brief": "briefing.pipeline",
    "brief_from_articles": "briefing.pipeline",
    "collect_articles": "briefing.pipeline",
    "read_articles": "briefing.ingest",
    "load_topics": "briefing.topics",
    "parse_topics": "briefing.topics",
    "default_topics_path": "briefing.topics",
    "write_brief": "briefing.write",
    "render_brief": "briefing.render",
    "Article": "briefing.model",
    "Sentence": "briefing.model",
    "Topic": "briefing.model",
    "TopicSet": "briefing.model",
    "Item": "briefing.model",
    "Section": "briefing.model",
    "Brief": "briefing.model",
    "Window": "briefing.timewindow",
    "InputError": "briefing.errors",
    "DeliveryError": "briefing.errors",
}
__all__ = [
    "Article",
    "Brief",
    "DeliveryError",
    "InputError",
    "Item",
    "Section",
    "Sentence",
    "Topic",
    "TopicSet",
    "Window",
    "__version__",
    "brief_from_articles",
    "build_brief",
    "collect_articles",
    "default_topics_path",
    "load_topics",
    "parse_topics",
    "read_articles",
    "render_brief",
    "write_brief",
]

if TYPE_CHECKING:
    from briefing.errors import DeliveryError, InputError
    from briefing.ingest import read_articles
    from briefing.model import Article, Brief, Item, Section, Sentence, Topic, TopicSet
    from briefing.pipeline import brief_from_articles, build_brief, collect_articles
    from briefing.render import render_brief
    from briefing.timewindow import Window
    from briefing.topics import default_topics_path, load_topics, parse_topics
    from briefing.write import write_brief


def __getattr__(name: str) -> Any:
    """Load an API name from its module on first use (PEP 562)."""
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'briefing' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


assert set(__all__) == {"__version__", *_API}


def __dir__() -> list[str]:
    return sorted(__all__)
