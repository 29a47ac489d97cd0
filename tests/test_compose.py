from __future__ import annotations

import numpy as np
import pytest
from brieftest import DATE, compose_day
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from briefing.compose import (
    NEAR_DUPLICATE,
    TOP_STORIES,
    Brief,
    Item,
    NearDuplicates,
)
from briefing.ingest import Article
from briefing.options import DEFAULT_TITLE
from briefing.rank import term_matrix
from briefing.segment import Sentence
from briefing.topics import TopicSet, parse_topics

QUOTE_START = "\"Together with Turkey's president we have outlined additional joint steps"


def items(brief: Brief) -> list[Item]:
    return [item for section in brief.sections for item in section.items]


def quote_indices(sentences: list[Sentence]) -> list[int]:
    return [i for i, s in enumerate(sentences) if s.text.startswith(QUOTE_START)]


def test_the_two_retellings_of_the_quote_are_one_near_duplicate_group(
    seed_sentences: list[Sentence],
) -> None:
    first, second = quote_indices(seed_sentences)
    assert "neutralize" in seed_sentences[first].text
    assert "neutralise" in seed_sentences[second].text
    assert {seed_sentences[first].article, seed_sentences[second].article} == {1, 2}
    assert NearDuplicates(seed_sentences).members(first).tolist() == sorted([first, second])


def test_unrelated_sentences_are_not_grouped(seed_sentences: list[Sentence]) -> None:
    facts = NearDuplicates(seed_sentences)
    distinct = {tuple(facts.members(i).tolist()) for i in range(len(seed_sentences))}
    assert len(distinct) > 0.9 * len(seed_sentences)


def all_pairs_facts(sentences: list[Sentence]) -> np.ndarray:
    """The reference: every pair compared, then connected components."""
    present = term_matrix([s.terms for s in sentences]).tocsr()
    present.data[:] = 1.0
    sizes = np.diff(present.indptr)
    shared = (present @ present.T).tocoo()
    cosine = shared.data / np.sqrt(np.maximum(sizes[shared.row] * sizes[shared.col], 1.0))
    similar = cosine >= NEAR_DUPLICATE
    graph = sparse.coo_array(
        (cosine[similar], (shared.row[similar], shared.col[similar])), shape=shared.shape
    )
    return connected_components(graph, directed=False)[1]


def test_facts_found_on_demand_equal_all_pairs_components(
    bbc_dev_sentences: list[Sentence],
) -> None:
    labels = all_pairs_facts(bbc_dev_sentences)
    facts = NearDuplicates(bbc_dev_sentences)
    grouped = [i for i in range(len(labels)) if np.sum(labels == labels[i]) > 1]
    assert len(grouped) >= 20  # bbc-dev repeats some sentences within its articles
    for index in [*grouped, *range(0, len(labels), 7)]:
        assert facts.members(index).tolist() == np.flatnonzero(labels == labels[index]).tolist()


def test_a_chain_of_retellings_across_the_day_stops_growing_at_the_fact_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each sentence shares four of five words with the next: all pairs of neighbours are
    linked, so the chain is one component, but a fact's search stops once it passes
    FACT_LIMIT sentences instead of walking the whole day."""
    from brieftest import sentence_of_terms

    from briefing import compose

    monkeypatch.setattr(compose, "FACT_LIMIT", 10)
    chain = [
        sentence_of_terms("A chain of words.", i, tuple(f"w{j}" for j in range(i, i + 5)))
        for i in range(300)
    ]
    members = NearDuplicates(chain).members(0)
    assert 10 <= len(members) < 40
    assert members.tolist() == list(range(len(members)))  # the nearest links first


def test_quote_appears_once_and_cites_both_articles(seeds_brief: Brief) -> None:
    quoted = [item for item in items(seeds_brief) if item.text.startswith(QUOTE_START)]
    assert len(quoted) <= 1
    assert len(quoted) == 1, "the quote is the day's central Syria fact and should be in"
    assert set(quoted[0].sources) == {1, 2}


def test_no_two_items_tell_the_same_fact(
    seeds_brief: Brief, seed_sentences: list[Sentence]
) -> None:
    facts = NearDuplicates(seed_sentences)
    quoted = [item.sentence for item in items(seeds_brief)]
    for sentence in quoted:
        assert set(facts.members(sentence).tolist()) & set(quoted) == {sentence}


def test_item_quotes_its_first_source_verbatim(
    seeds_brief: Brief, seed_sentences: list[Sentence]
) -> None:
    for item in items(seeds_brief):
        sentence = seed_sentences[item.sentence]
        assert item.text == sentence.text
        assert item.sources[0] == sentence.article
        assert len(set(item.sources)) == len(item.sources)


def test_each_section_holds_its_own_topic(seeds_brief: Brief) -> None:
    assert [s.topic.id for s in seeds_brief.sections] == ["defence", "syria", "reset"]
    assert all(1 <= len(s.items) <= 5 for s in seeds_brief.sections)
    assert seeds_brief.title == "Russia–Turkey brief"
    assert seeds_brief.date == DATE


def test_top_stories_are_the_seeds_two_stories_with_their_best_items(seeds_brief: Brief) -> None:
    """The MAKS 2019 visit (000-002, three outlets) and the 2016 reset (003-004, two)."""
    everything = items(seeds_brief)
    top = seeds_brief.top_stories
    assert [t.story.articles for t in top] == [(0, 1, 2), (3, 4)]
    assert [t.story.outlets for t in top] == [3, 2]
    for entry in top:
        quoted = [i for i in everything if i.sources[0] in entry.story.articles]
        assert entry.item == max(quoted, key=lambda item: (item.score, -item.sentence))
    assert seeds_brief.key_points == tuple(t.item for t in top)


@pytest.mark.parametrize("per_topic", [1, 2, 3])
def test_per_topic_limits_every_section(
    seed_articles: list[Article],
    seed_sentences: list[Sentence],
    default_topics: TopicSet,
    per_topic: int,
) -> None:
    brief = compose_day(seed_articles, seed_sentences, default_topics, DATE, per_topic=per_topic)
    assert [len(s.items) for s in brief.sections] == [per_topic] * 3
    assert len(brief.top_stories) == min(TOP_STORIES, 2)  # the seeds tell two stories


def test_topic_without_matching_sentence_gives_an_empty_section(
    seed_articles: list[Article], seed_sentences: list[Sentence]
) -> None:
    topics = parse_topics(
        '[[topics]]\nid = "cricket"\nkeywords = ["cricket", "wicket"]\n'
        '[[topics]]\nid = "syria"\nkeywords = ["Syria", "Idlib"]\n',
        "t.toml",
    )
    brief = compose_day(seed_articles, seed_sentences, topics, DATE)
    cricket, syria = brief.sections
    assert cricket.items == ()
    assert len(syria.items) == 5
    assert brief.title == DEFAULT_TITLE


def test_title_argument_overrides_the_topics_title(
    seed_articles: list[Article], seed_sentences: list[Sentence], default_topics: TopicSet
) -> None:
    brief = compose_day(seed_articles, seed_sentences, default_topics, DATE, title="Mine")
    assert brief.title == "Mine"


def test_one_article_gives_a_section_at_most_two_items_while_others_have_some() -> None:
    from briefing.compose import PER_ARTICLE
    from briefing.segment import segment_articles

    long_story = (
        "The harbour board approved a dredging plan for the port of Kaldera on Monday.",
        "Fishermen at the harbour fear the dredging will drive cod away from the bay.",
        "Port engineers expect the deeper channel to admit container ships next year.",
        "The harbour master said pilots would need new training for the larger vessels.",
        "Environmental groups plan to challenge the port project in the regional court.",
        "The city council must still approve the harbour loan before work can begin.",
    )
    articles = [
        Article(id="long", path="long.txt", title="Harbour plans", paragraphs=long_story),
        Article(
            id="short",
            path="short.txt",
            title="Ferry news",
            paragraphs=("Ferry operators at the port of Kaldera welcomed the harbour budget.",),
        ),
    ]
    topics = parse_topics(
        '[[topics]]\nid = "port"\ntitle = "Port"\nkeywords = ["port", "harbour"]\n', "t.toml"
    )
    brief = compose_day(articles, segment_articles(articles), topics, DATE, per_topic=4)
    firsts = [item.sources[0] for item in brief.sections[0].items]
    assert PER_ARTICLE == 2
    assert firsts[:3].count(0) == 2
    assert 1 in firsts[:3]
    # Once the other article has nothing left to give, the long one fills the section.
    assert firsts == [0, 0, 1, 0] or firsts == [0, 1, 0, 0] or firsts == [1, 0, 0, 0]


def test_of_the_articles_partly_on_a_topic_those_leaning_to_it_give_items_first() -> None:
    """A story that belongs to another section (its article is about another topic more)
    fills this section only once the stories that lean to it have nothing left to give."""
    from briefing.compose import select_items, sentence_signals
    from briefing.rank import rank_sentences, textrank_scores
    from briefing.routing import route_sentences
    from briefing.segment import segment_articles

    stories = {
        "kaldera": (
            "The harbour board approved a dredging plan for the port of Kaldera on Monday.",
            "Fishermen at the harbour fear the dredging will drive cod away from the bay.",
            "Environmental groups plan to challenge the harbour project in court.",
        ),
        "vostran": (
            "A new ferry terminal opened in the Vostran harbour after three years of work.",
            "Tourist numbers at the harbour doubled during the summer season, officials said.",
            "The harbour authority wants a second berth for cruise liners by spring.",
        ),
        "mirel": (
            "Dock workers in the Mirel harbour went on strike over pay and night shifts.",
            "Shipping lines diverted cargo to other harbours while the strike went on.",
            "The union said talks with the harbour operator would resume on Friday.",
        ),
    }
    articles = [
        Article(id=name, path=f"{name}.txt", title=name, paragraphs=body)
        for name, body in stories.items()
    ]
    sentences = segment_articles(articles)
    topics = parse_topics(
        '[[topics]]\nid = "port"\ntitle = "Port"\nkeywords = ["harbour"]\n', "t.toml"
    )
    routing = route_sentences(articles, sentences, topics)
    ranking = rank_sentences(sentences, routing, 1)
    signals = sentence_signals(articles, sentences, ranking)
    pool = list(range(len(sentences)))
    article_of = np.array([s.article for s in sentences])
    # Kaldera and Vostran are partly about the port, Mirel mostly; Kaldera leans elsewhere.
    on_topic = np.array([0.3, 0.3, 0.9])[article_of]
    scores = textrank_scores([s.terms for s in sentences])

    def firsts(leans: list[bool]) -> list[int]:
        leaning = np.array(leans)[article_of]
        picked = select_items(
            sentences, pool, scores, signals, on_topic, set(), per_topic=6, leaning=leaning
        )
        return [item.sources[0] for item in picked]

    assert firsts([False, True, True]) == [2, 2, 1, 1, 0, 0]
    assert firsts([True, False, True]) == [2, 2, 0, 0, 1, 1]


def test_the_leads_of_a_story_three_outlets_tell_weigh_and_a_lone_articles_do_not() -> None:
    """Each outlet opens with what it takes for the news: in a story told by TOLD_BY
    independent outlets, a sentence's lead signal falls from 1 (its article's first) to 0
    (its last); in a story of fewer outlets it is 0 throughout."""
    from dataclasses import replace

    from brieftest import one_sentence

    from briefing.compose import TOLD_BY, _leads
    from briefing.model import Stories, Story

    def story(articles: tuple[int, ...]) -> Story:
        return Story(articles, "label", articles[0], len(articles), (), None, None, 1.0)

    told = story(tuple(range(TOLD_BY)))  # articles 0 .. TOLD_BY-1, one outlet each
    lone = story((TOLD_BY,))
    stories = Stories(stories=(told, lone), story_of=(*([0] * TOLD_BY), 1))
    sentences = [
        replace(one_sentence(f"Sentence {p} of article {a} says a thing."), article=a, position=p)
        for a in range(TOLD_BY + 1)
        for p in range(3)
    ]
    lead = _leads(sentences, stories, TOLD_BY + 1)
    assert lead[:3].tolist() == [1.0, 0.5, 0.0]
    assert lead[3 * TOLD_BY :].tolist() == [0.0, 0.0, 0.0]
    assert _leads(sentences, None, TOLD_BY + 1).tolist() == [0.0] * len(sentences)


def test_an_articles_own_lead_may_be_quoted_but_another_articles_headline_not() -> None:
    from briefing.segment import segment_articles

    lead = "The harbour board approved a dredging plan for the port of Kaldera on Monday."
    articles = [
        Article(
            id="a",
            path="a.txt",
            title=lead,
            paragraphs=(
                f"{lead} Work starts in May.",
                "Fishermen at the harbour fear for the cod.",
            ),
        ),
        Article(
            id="b",
            path="b.txt",
            title="Ferry news",
            paragraphs=(
                lead,
                "Ferry operators at the port of Kaldera welcomed the harbour budget.",
            ),
        ),
    ]
    topics = parse_topics(
        '[[topics]]\nid = "port"\ntitle = "Port"\nkeywords = ["port", "harbour"]\n', "t.toml"
    )
    brief = compose_day(articles, segment_articles(articles), topics, DATE, per_topic=4)
    quoted = {item.text: item.sources[0] for item in brief.sections[0].items}
    assert quoted[lead] == 0


def test_no_seed_section_quotes_one_article_more_than_twice_while_others_have_some(
    seeds_brief: Brief,
) -> None:
    defence = next(s for s in seeds_brief.sections if s.topic.id == "defence")
    firsts = [item.sources[0] for item in defence.items]
    assert max(firsts.count(a) for a in set(firsts)) == 2
    assert len(set(firsts)) >= 3
