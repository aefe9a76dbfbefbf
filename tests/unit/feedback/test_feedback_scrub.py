"""scrub_free_text: personal details never leave the feedback service in survey comments."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.feedback.domain import REMOVED, scrub_free_text

NAMES = ["Jane Smith", "Dr Olu O'Brien"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # emails, including ones glued to punctuation
        ("Email me at jo.bloggs@example.com please", f"Email me at {REMOVED} please"),
        ("(reply:jo+ombudsman@mail.example.co.uk)", REMOVED),
        ("JO@EXAMPLE.ORG.", REMOVED),
        # UK phone numbers in the usual layouts
        ("call 07700 900123 today", f"call {REMOVED} today"),
        ("call 07700900123", f"call {REMOVED}"),
        ("landline 020 7946 0958.", f"landline {REMOVED}."),
        ("(0161) 496 0000 after 5", f"{REMOVED} after 5"),
        ("+44 7700 900123", REMOVED),
        ("+44 (0)20 7946 0958", REMOVED),
        # international numbers
        ("ring +1 202-555-0143 in the US", f"ring {REMOVED} in the US"),
        ("or +33 1 23 45 67 89", f"or {REMOVED}"),
        # NHS numbers, spaced or not, valid check digit or not
        ("NHS number 943 476 5919", f"NHS number {REMOVED}"),
        ("nhs no: 9434765919", f"nhs no: {REMOVED}"),
        ("ref 943-476-5910", f"ref {REMOVED}"),
        # postcodes, any case, with or without the space
        ("I live in SW1A 1AA now", f"I live in {REMOVED} now"),
        ("post to m1 1ae or EC1A1BB", f"post to {REMOVED} or {REMOVED}"),
        ("near B33 8TH, Birmingham", f"near {REMOVED}, Birmingham"),
        # known names: whole, in part, any case; titles stay
        ("Jane Smith was rude", f"{REMOVED} was rude"),
        ("JANE told me", f"{REMOVED} told me"),
        ("I asked Mrs smith twice", f"I asked Mrs {REMOVED} twice"),
        ("Dr O'Brien was kind", f"Dr {REMOVED} was kind"),
        # names given in the text
        ("My name is Priya Shah and I waited", f"My name is {REMOVED} and I waited"),
        ("my name is john and", f"my name is {REMOVED} and"),
        ("My name\u2019s Ana.", f"My name\u2019s {REMOVED}."),  # typographic apostrophe
        ("Kind regards, Sam Lee", f"Kind regards, {REMOVED}"),
        # things that are not personal stay
        ("I waited 45 days in 2024 for a reply", "I waited 45 days in 2024 for a reply"),
        ("They paid £1,250 on 12/03/2024.", "They paid £1,250 on 12/03/2024."),
        ("The caseworker was helpful and clear.", "The caseworker was helpful and clear."),
        ("I am happy with the outcome", "I am happy with the outcome"),
        ("Smithson was the ward", "Smithson was the ward"),  # not a whole-word match
        ("call 999 or 111", "call 999 or 111"),
        ("", ""),
    ],
)
def test_scrub_table(text: str, expected: str) -> None:
    assert scrub_free_text(text, NAMES) == expected


def test_names_are_optional() -> None:
    assert scrub_free_text("Jane Smith was rude") == "Jane Smith was rude"
    assert scrub_free_text("Jane was rude", ["", "   "]) == "Jane was rude"


def test_name_with_regex_characters_is_taken_literally() -> None:
    assert scrub_free_text("Ask A.J. (Bob) Lee", ["A.J. (Bob) Lee"]) == f"Ask {REMOVED}"
    assert scrub_free_text("AxJx", ["A.J."]) == "AxJx"


@given(
    before=st.text(max_size=40),
    after=st.text(max_size=40),
    email=st.emails(),
)
def test_an_email_inserted_anywhere_never_survives(before: str, after: str, email: str) -> None:
    assert email not in scrub_free_text(before + email + after)
    assert email.lower() not in scrub_free_text(before + email.upper() + after).lower()


uk_mobiles = st.from_regex(r"07[0-9]{3} ?[0-9]{6}", fullmatch=True)
words = st.text(alphabet="abcdefghij klmnop", max_size=30)


@given(before=words, after=words, phone=uk_mobiles)
def test_a_uk_mobile_number_never_survives(before: str, after: str, phone: str) -> None:
    digits = re.sub(r"\D", "", phone)
    scrubbed = scrub_free_text(f"{before} {phone} {after}")
    assert digits not in re.sub(r"\D", "", scrubbed)


nhs_numbers = st.from_regex(r"[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}", fullmatch=True)


@given(before=words, after=words, number=nhs_numbers)
def test_an_nhs_number_never_survives(before: str, after: str, number: str) -> None:
    scrubbed = scrub_free_text(f"{before} {number} {after}")
    assert re.sub(r"\D", "", number) not in re.sub(r"\D", "", scrubbed)


names = st.from_regex(r"[A-Z][a-z]{1,10}", fullmatch=True)


@given(before=words, after=words, name=names)
def test_a_known_name_never_survives_as_a_word(before: str, after: str, name: str) -> None:
    scrubbed = scrub_free_text(f"{before} {name.lower()} {after}", [name])
    assert not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", scrubbed, re.IGNORECASE)


# No "y": "my name is" cannot occur, and there are no digits or "@": nothing here is personal.
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxz ,.!?'", max_size=200))
def test_ordinary_prose_is_left_alone(text: str) -> None:
    assert scrub_free_text(text) == text
