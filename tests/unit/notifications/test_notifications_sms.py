"""SMS fragment maths and phone-number normalisation, against Notify's rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notifications.domain.sms import (
    GSM7_BASIC_CHARACTERS,
    InvalidPhoneNumber,
    SmsFragments,
    count_fragments,
    normalise_uk_or_international_phone,
    sms_encode,
)

EMOJI = "\U0001f600"  # outside the BMP: two UTF-16 code units


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", SmsFragments("GSM-7", 0, 1)),
        ("a" * 160, SmsFragments("GSM-7", 160, 1)),
        ("a" * 161, SmsFragments("GSM-7", 161, 2)),
        ("a" * 306, SmsFragments("GSM-7", 306, 2)),
        ("a" * 307, SmsFragments("GSM-7", 307, 3)),
        ("a" * 918, SmsFragments("GSM-7", 918, 6)),  # Notify's SMS_CHAR_COUNT_LIMIT
        ("€", SmsFragments("GSM-7", 2, 1)),
        ("^" * 80, SmsFragments("GSM-7", 160, 1)),
        ("^" * 80 + "a", SmsFragments("GSM-7", 161, 2)),
        ("a" * 159 + "{", SmsFragments("GSM-7", 161, 2)),
        ("{}\\[~]|^€", SmsFragments("GSM-7", 18, 1)),
        ("é" * 160, SmsFragments("GSM-7", 160, 1)),  # é, ä, ñ are in the GSM alphabet
        ("Line one\nLine two", SmsFragments("GSM-7", 17, 1)),
        ("ŵ" * 70, SmsFragments("UCS-2", 70, 1)),
        ("ŵ" * 71, SmsFragments("UCS-2", 71, 2)),
        ("ŷ" + "a" * 69, SmsFragments("UCS-2", 70, 1)),
        ("ŷ" + "a" * 133, SmsFragments("UCS-2", 134, 2)),
        ("ŷ" + "a" * 134, SmsFragments("UCS-2", 135, 3)),
        ("ŵ" + "^" * 69, SmsFragments("UCS-2", 70, 1)),  # no ESC cost in UCS-2
        ("Siân", SmsFragments("UCS-2", 4, 1)),  # â is not in the GSM alphabet
        (EMOJI * 35, SmsFragments("UCS-2", 70, 1)),
        (EMOJI * 36, SmsFragments("UCS-2", 72, 2)),
        ("a" * 69 + EMOJI, SmsFragments("UCS-2", 71, 2)),
        ("Привет", SmsFragments("UCS-2", 6, 1)),
    ],
)
def test_fragment_table(text: str, expected: SmsFragments) -> None:
    assert count_fragments(text) == expected


@given(st.text(alphabet=sorted(GSM7_BASIC_CHARACTERS), max_size=1000))
def test_plain_gsm_text_follows_the_160_153_rule(text: str) -> None:
    result = count_fragments(text)

    assert result.encoding == "GSM-7"
    assert result.characters == len(text)
    assert result.fragments == (1 if len(text) <= 160 else -(-len(text) // 153))


@given(st.text(max_size=400))
def test_fragments_always_hold_the_text(text: str) -> None:
    result = count_fragments(text)
    per_fragment = {"GSM-7": (160, 153), "UCS-2": (70, 67)}[result.encoding]
    capacity = per_fragment[0] if result.fragments == 1 else per_fragment[1] * result.fragments

    assert result.characters <= capacity
    assert result.fragments == 1 or result.characters > per_fragment[0]


def test_sms_encode_swaps_typography_for_gsm() -> None:
    encoded = sms_encode("It\u2019s \u201cdone\u201d \u2013 really\u2026\u00a0ok\u200b")

    assert encoded == 'It\'s "done" - really... ok'
    assert count_fragments(encoded).encoding == "GSM-7"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("07911 123456", "+447911123456"),
        ("07911123456", "+447911123456"),
        ("+44 7911 123456", "+447911123456"),
        ("+44 (0)7911 123456", "+447911123456"),
        ("0044 7911 123456", "+447911123456"),
        ("07700 900 982", "+447700900982"),  # Ofcom drama range, as Notify allows
        ("07700900000", "+447700900000"),
        ("07700900999", "+447700900999"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+1 202 555 0123", "+12025550123"),
    ],
)
def test_normalises_to_e164_with_plus(raw: str, expected: str) -> None:
    assert normalise_uk_or_international_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Enter a phone number"),
        ("   ", "Enter a phone number"),
        ("call me", "correct format"),
        ("+999 123", "country code"),
        ("+44 1", "too short"),
        ("0790 000 00000000", "too long"),
        ("07700 901 000", "real phone number"),  # just outside the drama range
        ("09012 345678", "premium rate"),
        ("020 7946 0000", "mobile numbers"),
        ("070 1234 5678", "mobile numbers"),  # UK personal numbers: a common scam route
    ],
)
def test_rejects_with_a_message_a_person_can_act_on(raw: str, message: str) -> None:
    with pytest.raises(InvalidPhoneNumber, match=message):
        normalise_uk_or_international_phone(raw)


def test_a_landline_is_fine_when_not_texting() -> None:
    assert normalise_uk_or_international_phone("020 7946 0000", for_sms=False) == "+442079460000"
