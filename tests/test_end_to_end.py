"""The seeds brief built by the real CLI, checked against the article files themselves."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import markdown
import pypdf
import pytest
from brieftest import (
    DATE_TEXT,
    FURNITURE,
    PORT_DATE,
    PORT_TOPICS,
    REPO,
    SEED_TITLES,
    SOURCE_FIXTURES,
    CliBuild,
    html_to_text,
    normalise,
)

from briefing.pipeline import build_brief
from briefing.segment import STOP_WORDS
from briefing.topics import load_topics


@pytest.fixture(scope="module")
def brief_json(seeds_cli_build: CliBuild) -> dict[str, Any]:
    assert seeds_cli_build.result.returncode == 0, seeds_cli_build.result.stderr
    path = seeds_cli_build.out / f"brief-{DATE_TEXT}.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def brief_markdown(seeds_cli_build: CliBuild) -> str:
    return (seeds_cli_build.out / f"brief-{DATE_TEXT}.md").read_text(encoding="utf-8")


def all_items(brief: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for topic in brief["topics"] for item in topic["items"]]


def source_text(brief: dict[str, Any], source_id: str) -> str:
    [source] = [s for s in brief["sources"] if s["id"] == source_id]
    return (REPO / source["path"]).read_text(encoding="utf-8")


def content_words(text: str) -> set[str]:
    words = re.findall(r"[^\W_]+(?:[-'’][^\W_]+)*", text.lower())
    return {w for w in words if w not in STOP_WORDS and any(c.isalpha() for c in w)}


def naive_sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])[\"”’]?\s+", normalise(text)) if s]


def shares_most_content_words(a: str, b: str) -> bool:
    """Near-duplicate, judged independently of the product: at least 60% of the shorter
    sentence's content words occur in the other."""
    words_a, words_b = content_words(a), content_words(b)
    return len(words_a & words_b) >= 0.6 * min(len(words_a), len(words_b))


def test_brief_has_three_sections_of_at_least_three_items(brief_json: dict[str, Any]) -> None:
    assert brief_json["date"] == DATE_TEXT
    assert [t["id"] for t in brief_json["topics"]] == ["defence", "syria", "reset"]
    assert all(len(t["items"]) >= 3 for t in brief_json["topics"])


def test_every_item_is_verbatim_in_its_first_source(brief_json: dict[str, Any]) -> None:
    for item in all_items(brief_json):
        assert normalise(item["text"]) in normalise(source_text(brief_json, item["sources"][0]))


def test_every_other_source_carries_a_near_duplicate(brief_json: dict[str, Any]) -> None:
    multi = [item for item in all_items(brief_json) if len(item["sources"]) > 1]
    assert multi, "the seeds retell some facts in several outlets"
    for item in multi:
        for source_id in item["sources"][1:]:
            sentences = naive_sentences(source_text(brief_json, source_id))
            assert any(shares_most_content_words(item["text"], s) for s in sentences), (
                item["text"],
                source_id,
            )


def test_no_page_furniture_as_item_or_source_title(brief_json: dict[str, Any]) -> None:
    titles = [s["title"] for s in brief_json["sources"]]
    assert titles == list(SEED_TITLES)
    texts = [item["text"] for item in all_items(brief_json)] + titles
    for text in texts:
        assert text not in FURNITURE
        assert not any(text.startswith(f"{chrome}\n") for chrome in FURNITURE)
        for chrome in ("16x9 Image", "Send in e-mail", "RFE/RL", "click here"):
            assert chrome not in text


def test_sources_list_every_seed_file(brief_json: dict[str, Any]) -> None:
    seeds = sorted((REPO / "seeds").glob("*.txt"))
    assert [s["path"] for s in brief_json["sources"]] == [f"seeds/{p.name}" for p in seeds]
    assert [s["id"] for s in brief_json["sources"]] == [p.stem for p in seeds]


def test_markdown_and_json_say_the_same(brief_json: dict[str, Any], brief_markdown: str) -> None:
    assert brief_markdown.startswith(f"# {brief_json['title']} — {DATE_TEXT}\n")
    for topic in brief_json["topics"]:
        assert f"\n## {topic['title']}\n" in brief_markdown
    for item in all_items(brief_json):
        assert item["text"] in brief_markdown.replace("\\", "")


def test_cli_pdf_is_a_paged_brief(seeds_cli_build: CliBuild, brief_json: dict[str, Any]) -> None:
    path: Path = seeds_cli_build.out / f"brief-{DATE_TEXT}.pdf"
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    text = normalise(" ".join(page.extract_text() for page in reader.pages))
    assert "Page 1 of" in text
    assert brief_json["title"] in text


def test_seed_citations_carry_only_what_the_articles_state(
    brief_json: dict[str, Any], brief_markdown: str
) -> None:
    outlets = {s["id"]: s["outlet"] for s in brief_json["sources"]}
    assert outlets.pop("001_ee63aafd8d45b27d") == "RFE/RL"  # its own footer names it
    assert set(outlets.values()) == {None}
    assert all(s["url"] is None and s["published"] is None for s in brief_json["sources"])
    assert (
        "RFE/RL, “Putin, Erdogan Discuss Syria, Defense Cooperation” "
        "(`seeds/001_ee63aafd8d45b27d.txt`)"
    ) in brief_markdown


# --- The invented sources in every format ----------------------------------------------


def visible_text(path: Path) -> str:
    """What a reader of the file sees, worked out without the product's readers: Markdown
    rendered, JSON strings decoded, then tags stripped and entities decoded twice (feeds
    escape their HTML)."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        raw = markdown.markdown(raw)
    if path.suffix in (".json", ".jsonl"):
        values = [json.loads(line) for line in raw.splitlines() if line.strip()]
        raw = json.dumps(values, ensure_ascii=False).replace('\\"', '"').replace("\\n", " ")
    return html_to_text(html_to_text(raw))


def test_every_item_from_any_format_is_verbatim_in_its_source_file() -> None:
    brief = build_brief([SOURCE_FIXTURES], load_topics(PORT_TOPICS), PORT_DATE)
    items = [item for section in brief.sections for item in section.items]
    assert len(items) >= 8
    formats = set()
    for item in items:
        source = brief.articles[item.sources[0]]
        formats.add(Path(source.path).suffix)
        assert normalise(item.text) in visible_text(Path(source.path)), (item.text, source.path)
    assert len(formats) >= 4
