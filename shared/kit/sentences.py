"""Text built in a service's Python code, shown in Welsh (issue 14; docs/welsh.md).

Pages and mails show sentences a service's code writes in English: a field error
("Your full name must be 200 characters or fewer"), an eligibility reason with a date in it,
the next steps after a complaint. They reach the page as plain strings (often through an API
model or a stored answer), so they are translated by their English: each catalog entry whose
msgid has `{name}` placeholders is a sentence pattern; a string that matches one is written
with the Welsh of the pattern, each placeholder's value itself translated when the catalog
has it (a field's label), and a `{date}` ("5 March 2027") put in Welsh month names. A string
with no Welsh is shown as it is, and the completeness test (tests/unit/shared/
test_welsh_catalogs.py) fails on every one a page or mail can show.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

PLACEHOLDER: Final = re.compile(r"\{([a-z_]+)\}")
# A `{date}` placeholder holds a date as GOV.UK writes it in English: "5 March 2027".
DATE_PLACEHOLDER: Final = "date"
# Placeholders whose values are shown as written, never looked up: a person's name, a reference.
AS_WRITTEN: Final = frozenset({"name", "reference"})
ENGLISH_MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_ENGLISH_DATE: Final = re.compile(r"(\d{1,2}) ([A-Z][a-z]+) (\d{4})")


def english_date(day: date) -> str:
    """'5 March 2027', whatever the process locale (strftime's %B follows it)."""
    return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"


def parse_english_date(text: str) -> date | None:
    """'5 March 2027' (english_date's form) as a date; anything else is None."""
    match = _ENGLISH_DATE.fullmatch(text.strip())
    if match is None or match[2] not in ENGLISH_MONTHS:
        return None
    try:
        return date(int(match[3]), ENGLISH_MONTHS.index(match[2]) + 1, int(match[1]))
    except ValueError:
        return None


def _pattern(msgid: str) -> re.Pattern[str]:
    """The msgid as a regular expression: literal text, each placeholder a named group (a
    placeholder used twice must have the same value both times)."""
    parts: list[str] = []
    seen: set[str] = set()
    position = 0
    for match in PLACEHOLDER.finditer(msgid):
        parts.append(re.escape(msgid[position : match.start()]))
        name = match[1]
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
        seen.add(name)
        position = match.end()
    parts.append(re.escape(msgid[position:]))
    return re.compile("".join(parts), re.DOTALL)


def _literal_length(msgid: str) -> int:
    return len(PLACEHOLDER.sub("", msgid))


@dataclass(frozen=True)
class SentenceTranslator:
    """English sentences to one language, by exact msgid or by sentence pattern."""

    exact: Mapping[str, str]
    patterns: tuple[tuple[re.Pattern[str], str], ...]
    format_date: Callable[[date], str]

    @classmethod
    def of(
        cls, messages: Mapping[str, str], format_date: Callable[[date], str]
    ) -> SentenceTranslator:
        """`messages`: msgid -> translation (empty translations are left out)."""
        exact = {msgid: text for msgid, text in messages.items() if msgid and text}
        # The most specific pattern first, so "{label}: {detail}" never wins over a longer one.
        # Only patterns with some text of their own: a bare "{x}" would match everything.
        with_places = sorted(
            (msgid for msgid in exact if PLACEHOLDER.search(msgid) and _literal_length(msgid)),
            key=_literal_length,
            reverse=True,
        )
        return cls(exact, tuple((_pattern(m), exact[m]) for m in with_places), format_date)

    def knows(self, text: str) -> bool:
        """Whether `text` has a translation (exactly, or by a pattern)."""
        return text in self.exact or any(p.fullmatch(text) for p, _ in self.patterns)

    def __call__(self, text: object) -> str:
        english = str(text)
        if english in self.exact:
            return self.exact[english]
        for pattern, translation in self.patterns:
            match = pattern.fullmatch(english)
            if match is not None:
                values = {
                    name: self._value(name, value) for name, value in match.groupdict().items()
                }
                return translation.format(**values)
        return english

    def _value(self, name: str, value: str) -> str:
        if name == DATE_PLACEHOLDER:
            return self._date(value)
        if name in AS_WRITTEN:
            return value
        # A value may itself be a sentence with Welsh (a field error inside a mail's line).
        return self(value)

    def _date(self, value: str) -> str:
        day = parse_english_date(value)
        return value if day is None else self.format_date(day)
