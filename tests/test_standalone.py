from __future__ import annotations

import pytest

from briefing.compose import Brief
from briefing.standalone import (
    has_unmatched_quote,
    looks_cut_off,
    opens_with_reference,
    stands_alone,
)

GOOD = "Russian President Vladimir Putin said Moscow and Ankara are discussing joint production."


@pytest.mark.parametrize(
    "text",
    [
        "He said he believed relations had strengthened and become more resistant to crisis.",
        "However, the deal still needs the approval of the parliament in Ankara.",
        "But Rover told BBC News that reports of job cuts were speculation.",
        "This is the first time the two leaders have met since the coup attempt.",
        "“At the same time I do not believe that relations will become so close”.",
        '"It means that in a typical attack, even a stolen password is useless," he said.',
        "Their talks lasted more than three hours in the Kremlin on Tuesday.",
        "In addition, the company will cut 300 jobs at its plant in Wales.",
    ],
)
def test_sentences_that_point_back_do_not_stand_alone(text: str) -> None:
    assert opens_with_reference(text)
    assert not stands_alone(text)


@pytest.mark.parametrize(
    "text",
    [
        GOOD,
        "The dispute over the S-400 missiles has strained relations with Washington.",
        '"Turkey can buy the jets if it wants," Putin told reporters in Moscow on Tuesday.',
        "Thierry Henry scored twice as Arsenal beat Chelsea on Sunday afternoon.",
        "Italy's economy shrank by 0.3% in the last three months of the year.",
    ],
)
def test_self_contained_sentences_stand_alone(text: str) -> None:
    assert stands_alone(text)


def test_fragments_under_six_words_do_not_stand_alone() -> None:
    assert not stands_alone("The dispute has strained U.S.")
    assert not stands_alone("Gulen denies the claims.")


@pytest.mark.parametrize(
    "text",
    [
        "Putin and Erdogan met in Moscow to discuss the war in Syria and",
        "Putin and Erdogan met in Moscow to discuss the war in Syria and the.",
        "and the two leaders agreed to meet again in Ankara next month.",
    ],
)
def test_cut_off_lines_do_not_stand_alone(text: str) -> None:
    assert looks_cut_off(text)
    assert not stands_alone(text)


def test_half_of_a_quotation_does_not_stand_alone() -> None:
    opening = '"We showed the SU-35 and the Su-57 to our Turkish colleagues at the show.'
    closing = 'We will decide together," Sputnik quoted the defence minister as saying.'
    assert has_unmatched_quote(opening) and has_unmatched_quote(closing)
    assert not stands_alone(opening)
    assert not stands_alone(closing)
    assert not has_unmatched_quote('"We showed the jets to our colleagues," he said at the show.')


def test_headlines_and_captions_do_not_stand_alone() -> None:
    headline = "Moscow and Ankara discussing joint production of Su-35 jets."
    assert not stands_alone(headline, frozenset({headline}))
    assert not stands_alone("Photo: Putin buys Erdogan an ice cream at the MAKS air show.")
    assert not stands_alone("The leaders at the air show (Photo by Alexei Druzhinin, Sputnik).")


def test_no_item_of_the_seeds_brief_leans_on_its_neighbours(seeds_brief: Brief) -> None:
    for section in seeds_brief.sections:
        for item in section.items:
            assert stands_alone(item.text), item.text
