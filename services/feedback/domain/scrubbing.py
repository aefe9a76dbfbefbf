"""Scrubbing free text before it leaves this service (FeedbackSubmitted is anonymised)."""

from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers

REMOVED = "[removed]"

# Any run of non-space characters with an "@" inside: wider than RFC 5322 on purpose, so that an
# address glued to other text ("me:jo@x.org,") or an odd local part still goes. Removing too much
# of a comment costs little; publishing an address costs a lot.
_EMAIL = re.compile(r"\S+@\S+")

# NHS numbers are 10 digits, usually written 3-3-4 (NHS Data Dictionary); any 10-digit run is
# removed, valid check digit or not, since a mistyped number can still identify someone.
_NHS_NUMBER = re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")

# UK postcodes (the Royal Mail format: outward code, optional space, inward code), any case.
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)

# Long digit runs that phonenumbers will not call a number (too long, odd grouping): any run of
# 9 or more digits, spaces, dots, dashes or brackets. Sums of money have a pound sign or commas.
_DIGIT_RUN = re.compile(r"\+?\(?\d(?:[\d ().-]{7,}\d)")
_MIN_DIGITS_IN_RUN = 9

# The shortest phone numbers people write: a UK local number without its area code has 6 to 8
# digits (Ofcom national numbering plan). Sums written with commas ("£1,250,000") stay; an
# unbroken run of 7 or more digits goes, since it may well be a number.
_MIN_PHONE_DIGITS = 7

# "My name is Sam Jones", "I'm called sam": the first word whatever its case, then up to two
# more capitalised words. Sign-offs ("Kind regards, Sam Jones") only take capitalised words, as
# "regards" is followed by ordinary words often enough.
_APOSTROPHE = "['\u2019]"  # typed or typographic
_WORD = r"[^\W\d_][\w'\u2019-]*"
_CAPITALISED_WORD = r"[A-Z][\w'\u2019-]*"
_SELF_NAMED = re.compile(
    r"(?P<prefix>(?i:\b(?:my name is|"
    rf"my name{_APOSTROPHE}s|i am called|i{_APOSTROPHE}m called)\s+))"
    rf"{_WORD}(?:\s+{_CAPITALISED_WORD}){{0,2}}"
)
_SIGNED_OFF = re.compile(
    rf"(?P<prefix>(?i:\b(?:regards|sincerely|signed)),?\s+)"
    rf"{_CAPITALISED_WORD}(?:\s+{_CAPITALISED_WORD}){{0,2}}"
)

# Honorifics stay: "Dr [removed]" still reads well and identifies nobody.
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev"})


def _remove_phone_numbers(text: str) -> str:
    # Leniency.POSSIBLE: a number need not be allocated to be personal (a typo of one still
    # points at someone), but at that leniency a year or a sum ("2024", "12500") also matches, so
    # a match needs as many digits as the shortest real numbers have. Numbers without a "+" are
    # read as UK numbers, the service's home region.
    matches = [
        match
        for match in phonenumbers.PhoneNumberMatcher(
            text, "GB", leniency=phonenumbers.Leniency.POSSIBLE
        )
        if sum(character.isdigit() for character in match.raw_string) >= _MIN_PHONE_DIGITS
    ]
    for match in reversed(matches):
        text = text[: match.start] + REMOVED + text[match.end :]
    return text


def _remove_digit_runs(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        digits = sum(character.isdigit() for character in match.group())
        return REMOVED if digits >= _MIN_DIGITS_IN_RUN else match.group()

    return _DIGIT_RUN.sub(replace, text)


def _name_patterns(known_names: Iterable[str]) -> list[re.Pattern[str]]:
    """Each full name, then each of its parts (longest first, so "Jo Ann" goes before "Jo")."""
    variants: set[str] = set()
    for name in known_names:
        words = name.split()
        if not words:
            continue
        variants.add(" ".join(words))
        variants.update(
            word.strip(".,") for word in words if word.strip(".,").lower() not in _TITLES
        )
    return [
        re.compile(
            r"(?<!\w)" + r"\s+".join(map(re.escape, variant.split())) + r"(?!\w)", re.IGNORECASE
        )
        for variant in sorted(variants, key=lambda v: (-len(v), v))
        if len(variant) >= 2
    ]


def scrub_free_text(text: str, known_names: Iterable[str] = ()) -> str:
    """`text` with personal details replaced by "[removed]": email addresses, phone numbers (UK
    and international), NHS numbers, UK postcodes, the `known_names` (whole or in part, any
    case, whole words only) and names given as "my name is ...". A safety net, not a guarantee:
    the survey page also asks people not to include personal details."""
    text = _EMAIL.sub(REMOVED, text)
    # Phone numbers before NHS numbers: "+1 202-555-0143" ends in a 3-3-4 group.
    text = _remove_phone_numbers(text)
    text = _NHS_NUMBER.sub(REMOVED, text)
    text = _remove_digit_runs(text)
    text = _POSTCODE.sub(REMOVED, text)
    for pattern in _name_patterns(known_names):
        text = pattern.sub(REMOVED, text)
    text = _SELF_NAMED.sub(rf"\g<prefix>{REMOVED}", text)
    return _SIGNED_OFF.sub(rf"\g<prefix>{REMOVED}", text)
