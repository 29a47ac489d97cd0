from __future__ import annotations

import pytest

from briefing.compose import Brief
from briefing.standalone import (
    has_unmatched_quote,
    is_aside,
    is_boilerplate,
    is_caption,
    is_page_furniture,
    is_stamp,
    is_teaser,
    is_ticker,
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


@pytest.mark.parametrize(
    "text",
    [
        "Protestors march outside the harbour office, Wednesday, April 29, 2015, in Porthaven.",
        "A man walks down a nearly empty quay Thursday, March 17, 2011, in Porthaven.",
        "The harbour master makes a statement on the quay, Wednesday Dec. 12, 2018.",
        "In this photo made off TV video footage, a helicopter drops water over the burning dock.",
        "The burning dock is seen from a ferry in this March 24, 2014 handout photo.",
        "Image copyright Harbour Press Image caption Cranes stood idle for nine days.",
        "Cars lie piled up on the quay after the storm. (AP Photo/Jane Roe)",
        "Jane Roe/REUTERSThe port may be forced to review its storm defences this winter.",
        "The harbour master (pictured) said the port would reopen on Monday morning.",
    ],
)
def test_photo_captions_and_credits_are_never_items(text: str) -> None:
    assert is_caption(text)
    assert not stands_alone(text)


@pytest.mark.parametrize(
    "text",
    [
        "The curfew was imposed after unrest in the harbour district over the death of...",
        "The curfew was imposed after unrest in the harbour district over the death of…",
        "A helicopter dumps water over the No. 3 unit of the plant in Okumamachi, Thursday,...",
        '"We will keep the port open as long as the union lets us ..."',
    ],
)
def test_teasers_cut_off_with_an_ellipsis_are_never_items(text: str) -> None:
    assert is_teaser(text)
    assert not stands_alone(text)


@pytest.mark.parametrize(
    "text",
    [
        "[Updated 8:55 a.m. PST, Nov. 19: The harbour board said the strike had cost £4m.",
        "Update, 3:45 p.m.: The union said its members had voted to accept the offer.",
        "10:14am: The first ship is sighted at the mouth of the harbour this morning.",
        "19:29 The harbour master says the last ferry of the day has been cancelled.",
    ],
)
def test_live_blog_stamps_are_never_items(text: str) -> None:
    assert is_stamp(text)
    assert not stands_alone(text)


@pytest.mark.parametrize(
    "text",
    [
        "Correction: An earlier version of this article gave the wrong date for the vote.",
        "Clarification: The board, not the union, set the deadline for the vote.",
        "Editor's note: Comment from the union was added to this report on Sunday.",
        "This article has been updated to include the result of the vote.",
    ],
)
def test_corrections_and_editors_notes_are_never_items(text: str) -> None:
    assert is_page_furniture(text) or opens_with_reference(text)
    assert not stands_alone(text)


@pytest.mark.parametrize(
    "text",
    [
        "(Hey, we wrote about the harbour strike too.)",
        "(Read more: How the strike began at the container terminal.)",
        "(More than forty ships were diverted to other ports.)",
        "[The union did not respond to a request for comment.]",
    ],
)
def test_asides_in_brackets_are_never_items(text: str) -> None:
    assert is_aside(text)
    assert not stands_alone(text)


@pytest.mark.parametrize(
    "text",
    [
        "Sign up for Harbour Daily and get the latest news, every morning, in your inbox.",
        "You must select a newsletter to subscribe to before you continue.",
        "Breaking News Emails Get breaking news alerts and special reports.",
        "We use cookies to give you the best experience on our website.",
        "By using this site you agree to the terms set out by the harbour press.",
        "Comments are moderated and may take up to a day to appear below.",
        "Please read our commenting policy before you post on this page.",
        "Copyright 2019 The Wire Press. All rights reserved.",
        "© 2026 Harbour Press, the harbour's own newspaper since 1901.",
        "This material may not be published, broadcast, rewritten or redistributed.",
        "The Wire Press contributed to this report from the harbour.",
        "Follow the Harbour Press on Twitter for the latest news from the port.",
    ],
)
def test_newsletter_cookie_comment_and_copyright_notices_are_never_items(text: str) -> None:
    assert is_boilerplate(text)
    assert not stands_alone(text)


@pytest.mark.parametrize(
    "text",
    [
        "To get the full story on this year's top port stock -- completely free -- simply "
        "click here.",
        "Our chief analyst just published a brand-new research report that reveals his top stock.",
        "That's why our chief analyst has written a report on the best stock for next year.",
    ],
)
def test_promotions_that_invite_clicking_or_subscribing_are_never_items(text: str) -> None:
    assert not stands_alone(text)


@pytest.mark.parametrize(
    "text",
    [
        "HBR 1,204.5 +12.25 +1.03% and PTV 88.10 -0.40 -0.45% at the close.",
        "Port index 4,852.1 up 25.3 (0.5%) on the day.",
    ],
)
def test_stock_ticker_and_widget_lines_are_never_items(text: str) -> None:
    assert is_ticker(text)
    assert not stands_alone(text)


@pytest.mark.parametrize(
    "text",
    [
        "Customers who sign up for the scheme can get e-mail or text alerts when a ship docks.",
        "Oxford wants the harbour library to scan books originally published in the 1800s.",
        "The port operator changed its privacy policy after the ruling on Friday.",
        "Video-on-demand has the added advantage of not needing a separate set-top box.",
        "Another cartoon pictured the harbour master swinging a pocket watch on a chain.",
        "(CNN) -- The storm hit the harbour on Monday night, flooding the quay.",
        "Updated figures show the strike cost the port more than £4m in lost trade.",
        "Subscribers to the harbour's broadband service will get free calls at weekends.",
        "The final was played at 10:14 on Sunday evening in front of a full stand.",
    ],
)
def test_prose_that_resembles_furniture_stands_alone(text: str) -> None:
    assert not is_page_furniture(text)
    assert stands_alone(text)


def test_no_item_of_the_seeds_brief_leans_on_its_neighbours(seeds_brief: Brief) -> None:
    for section in seeds_brief.sections:
        for item in section.items:
            assert stands_alone(item.text), item.text
