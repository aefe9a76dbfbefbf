"""The facts a complainant can write in a mail, and reading them from its text.

Pure: no I/O, no clock reads. What a complainant can write (documented here and in the reply we
send):

    Subject: Cancelled operation at Northshire Hospital      <- the start of "what happened"
    From: Jo Bloggs <jo@example.com>                         <- name and email (we reply by email)

    Organisation: Northshire NHS Trust
    Sector: health                      (health, parliamentary or other; "NHS" means health)
    Outcome wanted: An apology and a new date for the operation.
    When did you find out: 1 June 2026 (or 2026-06-01, 01/06/2026, June 1, 2026)
    When did you complain to them: 3 June 2026               (optional)
    Phone: 07700 900 982                                     (optional)
    Name: Jo Bloggs                 (only needed when the From header has no name)
    Language: cy                    (optional; "cy" or "Welsh" for Welsh and English, Welsh first)

    Everything else in the body (plain text, or HTML turned into text) is the account of what
    happened; quoted text ("> ...") and a signature after "-- " are left out.

Each labelled fact is one line, `Label: value`, case-insensitive. A reply to our question mail
(whose subject carries the enquiry reference, e.g. "[Enquiry ENQ-7K3M9Q2A]") may give any of the
labelled facts; the latest answer wins. Each label may be written in Welsh too (`welsh_label`,
the one our Welsh question mail asks for: issue 14), and Welsh month and sector words are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

from services.intake.email.reading import BLANK_RUN, own_lines

# --------------------------------------------------------------------------------------------
# Labelled facts
# --------------------------------------------------------------------------------------------

NAME: Final = "complainant.name"
PHONE: Final = "complainant.phone"
ORGANISATION: Final = "organisation.name"
SECTOR: Final = "organisation.sector"
SUMMARY: Final = "summary"
DESIRED_OUTCOME: Final = "desired_outcome"
FIRST_AWARE_ON: Final = "first_aware_on"
COMPLAINED_ON: Final = "complained_to_organisation_on"
LANGUAGE: Final = "complainant.language"


@dataclass(frozen=True, slots=True)
class Fact:
    """A fact a mail can give on a labelled line, and how we ask for it."""

    field: str
    label: str  # the label we ask people to use
    aliases: tuple[str, ...]  # other labels people naturally write
    hint: str  # what to write, in plain English (its Welsh is in services/intake/locale)
    welsh_label: str  # the label our Welsh question mail asks for; also read (awaiting review)


FACTS: Final[tuple[Fact, ...]] = (
    Fact(NAME, "Name", ("your name", "full name"), "your full name", "Enw"),
    Fact(
        ORGANISATION,
        "Organisation",
        ("organization", "organisation name", "organization name", "complaint about"),
        "the name of the organisation you are complaining about, for example "
        "Northshire NHS Trust or HM Revenue and Customs",
        "Sefydliad",
    ),
    Fact(
        SECTOR,
        "Sector",
        ("type of organisation", "type of organization"),
        "health (the NHS in England) or parliamentary (a UK government department or agency)",
        "Sector",
    ),
    Fact(
        DESIRED_OUTCOME,
        "Outcome wanted",
        ("desired outcome", "outcome", "what i want", "what would put it right"),
        "what you would like to happen to put things right, for example an apology",
        "Canlyniad a ddymunir",
    ),
    Fact(
        FIRST_AWARE_ON,
        "When did you find out",
        ("when did you first find out", "date you found out", "first aware", "first aware on"),
        "the date you first found out about the problem, for example 1 June 2026",
        "Pryd daethoch i wybod",
    ),
    Fact(
        COMPLAINED_ON,
        "When did you complain to them",
        ("date you complained", "complained to organisation on", "complained on"),
        "the date you complained to the organisation itself, for example 3 June 2026",
        "Pryd gwnaethoch gwyno iddynt",
    ),
    Fact(
        PHONE,
        "Phone",
        ("phone number", "telephone", "mobile"),
        "a phone number we can call",
        "Ffôn",
    ),
    Fact(
        SUMMARY,
        "What happened",
        ("what went wrong",),
        "what happened, in your own words, on one line",
        "Beth ddigwyddodd",
    ),
    Fact(
        LANGUAGE,
        "Language",
        ("welsh or english",),
        "cy for Welsh and English, Welsh first, or en for English",
        "Iaith",
    ),
)
FACT_BY_FIELD: Final = {fact.field: fact for fact in FACTS}
_FACT_BY_LABEL: Final = {
    label: fact
    for fact in FACTS
    for label in (fact.label.casefold(), fact.welsh_label.casefold(), *fact.aliases)
}
# Facts read from the first mail's body; "What happened" there is just part of the account.
FIRST_MAIL_FIELDS: Final = frozenset(FACT_BY_FIELD) - {SUMMARY}
# The order questions are asked in: the order of FACTS, then anything else the schema refused.
ASKING_ORDER: Final = {fact.field: index for index, fact in enumerate(FACTS)}

# `Label: value`, with an optional bullet; the label is matched against _FACT_BY_LABEL.
# Letters include Latin-1 and Latin Extended-A, for Welsh labels (â, ŵ, ŷ).
_LABELLED_LINE: Final = re.compile(
    r"^\s*(?:[-*\u2022]\s*)?([A-Za-z\u00c0-\u017f' ]{2,40}?)\s*[:\uff1a]\s*(.*)$"
)
SECTOR_WORDS: Final[dict[str, str]] = {
    "health": "health",
    "nhs": "health",
    "parliamentary": "parliamentary",
    "parliament": "parliamentary",
    "government": "parliamentary",
    "other": "other",
    # In Welsh (awaiting review by a Welsh speaker).
    "iechyd": "health",
    "gig": "health",
    "seneddol": "parliamentary",
    "llywodraeth": "parliamentary",
    "arall": "other",
}
# Words for a language people write after "Language:" / "Iaith:", as the tag the schema takes.
LANGUAGE_WORDS: Final[dict[str, str]] = {
    "welsh": "cy",
    "cymraeg": "cy",
    "english": "en",
    "saesneg": "en",
}

# --------------------------------------------------------------------------------------------
# Dates people write
# --------------------------------------------------------------------------------------------

_MONTH_NAMES: Final = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# Welsh month names (CLDR), read as well: our Welsh question mail gives its examples in Welsh.
_WELSH_MONTH_NAMES: Final = (
    "ionawr",
    "chwefror",
    "mawrth",
    "ebrill",
    "mai",
    "mehefin",
    "gorffennaf",
    "awst",
    "medi",
    "hydref",
    "tachwedd",
    "rhagfyr",
)
_MONTHS: Final[dict[str, int]] = {
    **{full: number for number, full in enumerate(_WELSH_MONTH_NAMES, start=1)},
    **{full: number for number, full in enumerate(_MONTH_NAMES, start=1)},
    **{full[:3]: number for number, full in enumerate(_MONTH_NAMES, start=1)},
    "sept": 9,
}
_ISO_DATE: Final = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# UK order: day first (01/06/2026 is 1 June).
_NUMERIC_DATE: Final = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_DAY_MONTH_YEAR: Final = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?(?: of)? ([a-z]+),? (\d{4})$")
_MONTH_DAY_YEAR: Final = re.compile(r"^([a-z]+) (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$")


def parse_written_date(text: str) -> date | None:
    """A date as people write it in a mail: 2026-06-01, 1 June 2026, 1st June 2026, 01/06/2026.

    Month names are matched here rather than with `strptime("%B")`, whose names follow the
    process locale; ambiguous or impossible dates give None.
    """
    cleaned = " ".join(text.strip().rstrip(".").casefold().split())
    year: int
    month: int | None
    day: int
    if match := _ISO_DATE.fullmatch(cleaned):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    elif match := _NUMERIC_DATE.fullmatch(cleaned):
        day, month, year = int(match[1]), int(match[2]), int(match[3])
    elif match := _DAY_MONTH_YEAR.fullmatch(cleaned):
        day, month, year = int(match[1]), _MONTHS.get(match[2]), int(match[3])
    elif match := _MONTH_DAY_YEAR.fullmatch(cleaned):
        month, day, year = _MONTHS.get(match[1]), int(match[2]), int(match[3])
    else:
        return None
    if month is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _labelled(line: str) -> tuple[Fact, str] | None:
    match = _LABELLED_LINE.match(line)
    if match is None:
        return None
    fact = _FACT_BY_LABEL.get(" ".join(match[1].casefold().split()))
    if fact is None:
        return None
    return fact, match[2].strip()


@dataclass(frozen=True, slots=True)
class ReadBody:
    facts: dict[str, str]  # field -> the text written after its label
    account: str  # every other line


def read_body(body: str, fields: Iterable[str]) -> ReadBody:
    wanted = frozenset(fields)
    facts: dict[str, str] = {}
    account: list[str] = []
    for line in own_lines(body):
        found = _labelled(line)
        if found is not None and found[0].field in wanted:
            fact, value = found
            if value:  # "Organisation:" left empty from our template is no answer
                facts[fact.field] = value
            continue
        account.append(line)
    return ReadBody(facts, BLANK_RUN.sub("\n\n", "\n".join(account)).strip())


# --------------------------------------------------------------------------------------------
# What they want, said in their own words
# --------------------------------------------------------------------------------------------

# How people commonly open the sentence saying what would put things right (design choice: the
# openings seen in complaint mail; anything else is still asked for on a labelled line).
_WANT_OPENING: Final = re.compile(
    r"^(?:so |and |all |what )?i(?: would like| would want|'d like| want| am asking"
    r" for|'m asking for| expect| am seeking| would expect)\b(?P<rest>.+)$",
    re.IGNORECASE | re.DOTALL,
)
# "I want to complain about ..." says why they write, not what they want.
_NOT_AN_OUTCOME: Final = re.compile(
    r"^\s*to (?:complain|make a complaint|report|raise|tell you|let you know)", re.IGNORECASE
)
_SENTENCE_END: Final = re.compile(r"(?<=[.!?])\s+|\n+")


def outcome_in_account(account: str) -> str | None:
    """The first sentence of the account that says what they want ("I would like an apology and
    a new date."), or None: a complainant who already said it is not asked again."""
    for sentence in _SENTENCE_END.split(account):
        sentence = sentence.strip()
        # Mail clients turn ' into a typographic apostrophe (U+2019).
        match = _WANT_OPENING.match(sentence.replace("\u2019", "'"))
        if match and len(match["rest"].strip()) > 1 and not _NOT_AN_OUTCOME.match(match["rest"]):
            return sentence
    return None
