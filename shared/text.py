"""Text hygiene for free text people type: one rule for every service that takes it (intake's
complaints, casework's roster and messages).

Text is NFC-normalised and checked for control characters, unpaired surrogates (which cannot be
stored as UTF-8) and invisible formatting characters; the errors are pydantic errors with a type
each service words for its own readers (`text_line_break`, `text_hidden_character`).

Text that merely *looks* dangerous (SQL, HTML, template syntax) is valid: it is stored and shown
inertly (autoescaped templates, bound parameters), never rejected.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from pydantic_core import PydanticCustomError

# Invisible characters that reorder or hide text (Trojan Source, CVE-2021-42574) or hide
# content. ZWJ/ZWNJ (U+200C/D) stay allowed: emoji sequences and several scripts need them.
_INVISIBLE_FORMATTING: Final = frozenset(
    "\u200b\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"
)
_NONCHARACTERS: Final = frozenset("\ufffe\uffff")


def _forbidden_character(text: str, *, multiline: bool) -> str | None:
    allowed_controls = {"\n", "\t"} if multiline else set()
    for character in text:
        category = unicodedata.category(character)
        if category == "Cc" and character not in allowed_controls:
            return character
        if category == "Cs" or character in _INVISIBLE_FORMATTING or character in _NONCHARACTERS:
            return character
    return None


def clean_text(value: str, *, multiline: bool) -> str:
    """`value` NFC-normalised, or a pydantic error naming the first character that is refused."""
    if multiline:
        # Browsers submit textarea line breaks as CRLF; store one convention.
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    elif "\n" in value or "\r" in value:
        raise PydanticCustomError("text_line_break", "This must be a single line of text.")
    bad = _forbidden_character(value, multiline=multiline)
    if bad is not None:
        raise PydanticCustomError(
            "text_hidden_character",
            "This contains a hidden or control character ({codepoint}). Remove it and try again.",
            {"codepoint": f"U+{ord(bad):04X}"},
        )
    return unicodedata.normalize("NFC", value)


def single_line(value: str) -> str:
    """For `AfterValidator`: one line of clean text (names, relationships)."""
    return clean_text(value, multiline=False)


def multi_line(value: str) -> str:
    """For `AfterValidator`: clean text that may have line breaks and tabs (accounts, messages)."""
    return clean_text(value, multiline=True)
