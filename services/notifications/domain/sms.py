"""SMS rules: fragment counting and phone-number normalisation, following GOV.UK Notify.

Source for every rule here: docs/reference/notify-anchor.md §1, rows "SMS fragments" and
"Phone validation" (Notify's `notifications_utils/sanitise_text.py` and `template.py`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

# GSM 03.38 basic character set, exactly as Notify's SanitiseSMS.GSM_CHARACTERS (includes ESC).
GSM7_BASIC_CHARACTERS: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The GSM extension table: each is sent as ESC + character, so it costs two septets.
GSM7_EXTENDED_CHARACTERS: Final = frozenset("^{}\\[~]|€")
GSM7_CHARACTERS: Final = GSM7_BASIC_CHARACTERS | GSM7_EXTENDED_CHARACTERS

# Fragment sizes (docs/reference/notify-anchor.md §1 "SMS fragments"): a single message holds 160
# septets or 70 UTF-16 code units; once split, each part loses room to the concatenation header.
GSM7_SINGLE_LIMIT: Final = 160
GSM7_FRAGMENT_SIZE: Final = 153
UCS2_SINGLE_LIMIT: Final = 70
UCS2_FRAGMENT_SIZE: Final = 67

# Characters Notify swaps for a GSM equivalent before sending, so that a pasted smart quote or
# dash does not force the whole text into UCS-2 (Notify's SanitiseText.REPLACEMENT_CHARACTERS).
SMS_REPLACEMENT_CHARACTERS: Final[dict[str, str]] = {
    "\u2011": "-",  # non-breaking hyphen
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2212": "-",  # minus sign
    "\u2026": "...",  # horizontal ellipsis
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u180e": "",  # Mongolian vowel separator
    "\u200b": "",  # zero width space
    "\u200c": "",  # zero width non-joiner
    "\u2060": "",  # word joiner
    "\ufeff": "",  # zero width no-break space
    "\u2028": "",  # line separator
    "\u2029": "",  # paragraph separator
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space
    "\t": " ",
}

Encoding = Literal["GSM-7", "UCS-2"]


@dataclass(frozen=True, slots=True)
class SmsFragments:
    """How a text travels: its encoding, its length in that encoding, and the parts billed."""

    encoding: Encoding
    characters: int
    fragments: int


def sms_encode(text: str) -> str:
    """Swap typographic characters for GSM ones, as Notify does before counting and sending."""
    return "".join(SMS_REPLACEMENT_CHARACTERS.get(char, char) for char in text)


def count_fragments(text: str) -> SmsFragments:
    """Count the SMS fragments `text` needs, with Notify's rules.

    GSM-7 when every character is in the GSM alphabet (extension characters cost 2); otherwise
    UCS-2, counted in UTF-16 code units so an emoji outside the BMP costs 2.
    """
    if set(text) <= GSM7_CHARACTERS:
        septets = len(text) + sum(1 for char in text if char in GSM7_EXTENDED_CHARACTERS)
        fragments = _fragments(septets, GSM7_SINGLE_LIMIT, GSM7_FRAGMENT_SIZE)
        return SmsFragments("GSM-7", septets, fragments)
    code_units = len(text.encode("utf-16-le")) // 2
    fragments = _fragments(code_units, UCS2_SINGLE_LIMIT, UCS2_FRAGMENT_SIZE)
    return SmsFragments("UCS-2", code_units, fragments)


def _fragments(length: int, single_limit: int, fragment_size: int) -> int:
    if length <= single_limit:
        return 1
    return math.ceil(length / fragment_size)


# --------------------------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------------------------

# Notify parses with region GB (docs/reference/notify-anchor.md §1 "Phone validation")
DEFAULT_REGION: Final = "GB"

# Number types a text message can reach. Premium rate, shared cost, landlines, pagers and VoIP
# are refused: texts to them are charged oddly, silently dropped, or read aloud by a robot.
SMS_CAPABLE_TYPES: Final = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})

# Ofcom reserves 07700 900000-900999 for drama and testing; phonenumbers calls them invalid, but
# Notify accepts them and uses them as simulated recipients (docs/reference/notify-anchor.md
# §1 "Phone validation", "Simulated / research"). Checked as a numeric range, not Notify's buggy
# regex.
OFCOM_DRAMA_PREFIX: Final = "7700"
OFCOM_DRAMA_FIRST: Final = 900000
OFCOM_DRAMA_LAST: Final = 900999


_NOT_REAL_MESSAGE: Final = "This does not look like a real phone number: check it and try again"
_FORMAT_MESSAGE: Final = (
    "Enter a phone number in the correct format, like 07700 900 982 or +44 7700 900 982"
)
_TOO_SHORT_MESSAGE: Final = "This phone number is too short: check you have included every digit"
_TOO_LONG_MESSAGE: Final = "This phone number is too long: check it and try again"
_COUNTRY_CODE_MESSAGE: Final = "This country code is not recognised: check the number after the '+'"
_PARSE_ERROR_MESSAGES: Final = {
    NumberParseException.INVALID_COUNTRY_CODE: _COUNTRY_CODE_MESSAGE,
    NumberParseException.TOO_SHORT_NSN: _TOO_SHORT_MESSAGE,
    NumberParseException.TOO_SHORT_AFTER_IDD: _TOO_SHORT_MESSAGE,
    NumberParseException.TOO_LONG: _TOO_LONG_MESSAGE,
}
_POSSIBILITY_MESSAGES: Final = {
    # Local-only: a landline without its area code, which no text can reach.
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: _TOO_SHORT_MESSAGE,
    phonenumbers.ValidationResult.TOO_SHORT: _TOO_SHORT_MESSAGE,
    phonenumbers.ValidationResult.TOO_LONG: _TOO_LONG_MESSAGE,
    phonenumbers.ValidationResult.INVALID_LENGTH: _NOT_REAL_MESSAGE,
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: _COUNTRY_CODE_MESSAGE,
}


class InvalidPhoneNumber(ValueError):  # noqa: N818 (name fixed by the service API)
    """A phone number we cannot send to; `str(error)` is a message fit to show the person."""


def normalise_uk_or_international_phone(raw: str, *, for_sms: bool = True) -> str:
    """Return `raw` in E.164 form with a leading '+', or raise InvalidPhoneNumber.

    UK numbers may be written nationally ('07700 900 123'); others need their country code.
    With `for_sms` (the default) only numbers that can receive a text are accepted.
    """
    if not raw or not raw.strip():
        raise InvalidPhoneNumber("Enter a phone number")
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except NumberParseException as error:
        raise InvalidPhoneNumber(
            _PARSE_ERROR_MESSAGES.get(error.error_type, _FORMAT_MESSAGE)
        ) from error
    if _is_ofcom_drama_number(number):
        return _e164(number)
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise InvalidPhoneNumber(_POSSIBILITY_MESSAGES.get(possible, _NOT_REAL_MESSAGE))
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(_NOT_REAL_MESSAGE)
    if for_sms:
        _check_can_receive_sms(number)
    return _e164(number)


def _check_can_receive_sms(number: phonenumbers.PhoneNumber) -> None:
    number_type = phonenumbers.number_type(number)
    if number_type == PhoneNumberType.PREMIUM_RATE:
        raise InvalidPhoneNumber("We cannot send text messages to premium rate numbers")
    if number_type not in SMS_CAPABLE_TYPES:
        raise InvalidPhoneNumber(
            "We can only send text messages to mobile numbers: enter a mobile number or choose "
            "another way for us to contact you"
        )


def _is_ofcom_drama_number(number: phonenumbers.PhoneNumber) -> bool:
    national = str(number.national_number)
    if number.country_code != 44 or not national.startswith(OFCOM_DRAMA_PREFIX):
        return False
    suffix = national[len(OFCOM_DRAMA_PREFIX) :]
    return len(suffix) == 6 and OFCOM_DRAMA_FIRST <= int(suffix) <= OFCOM_DRAMA_LAST


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
