"""Sentences built in code, translated by their English (shared/kit/sentences.py)."""

from __future__ import annotations

from datetime import date

from shared.kit.sentences import SentenceTranslator, english_date, parse_english_date

WELSH = SentenceTranslator.of(
    {
        "Your full name": "Eich enw llawn",
        "{label} must be {max_length} characters or fewer": "{label}: dim mwy na {max_length} nod",
        "{label}: {detail}": "{label}: {detail} (generic)",
        "By {date}.": "Erbyn {date}.",
        "Dear {name},": "Annwyl {name},",
        "(We could not use it: {problem}.)": "(Ni allem ei ddefnyddio: {problem}.)",
        "{x}": "never used: a pattern with no text of its own",
        "Empty": "",
    },
    lambda day: f"{day.day} Mawrth {day.year}",
)


def test_whole_sentences_and_patterns_with_their_values_translated() -> None:
    assert WELSH("Your full name") == "Eich enw llawn"
    assert WELSH("Your full name must be 200 characters or fewer") == (
        "Eich enw llawn: dim mwy na 200 nod"
    )
    # The most specific pattern wins over "{label}: {detail}".
    assert WELSH("Your full name: odd") == "Eich enw llawn: odd (generic)"
    # A value that is itself a sentence with Welsh, and a date in Welsh.
    assert WELSH("(We could not use it: Your full name must be 9 characters or fewer.)") == (
        "(Ni allem ei ddefnyddio: Eich enw llawn: dim mwy na 9 nod.)"
    )
    assert WELSH("By 5 March 2027.") == "Erbyn 5 Mawrth 2027."


def test_what_has_no_welsh_and_names_are_shown_as_written() -> None:
    assert WELSH("Something new") == "Something new"
    assert not WELSH.knows("Something new")
    assert not WELSH.knows("Empty")  # an empty translation is no translation
    assert WELSH("Dear Your full name,") == "Annwyl Your full name,"
    assert WELSH("By 31 February 2027.") == "Erbyn 31 February 2027."  # not a date: as written


def test_english_dates_both_ways() -> None:
    assert english_date(date(2027, 3, 5)) == "5 March 2027"
    assert parse_english_date("5 March 2027") == date(2027, 3, 5)
    assert parse_english_date("5 Mawrth 2027") is None
