"""Delivery receipts are authenticated: Twilio's signature scheme and Notify's bearer token."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deploy.local.sms_gateway import twilio_signature as gateway_signature
from services.notifications.providers import (
    bearer_token_is_valid,
    twilio_signature,
    twilio_signature_is_valid,
)

# Twilio's published example (twilio-python/-php/-csharp RequestValidator tests, and
# https://www.twilio.com/docs/usage/security#validating-requests).
DOCS_TOKEN = "12345"
DOCS_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOCS_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}
DOCS_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_twilio_signature_matches_twilios_published_example() -> None:
    assert twilio_signature(DOCS_TOKEN, DOCS_URL, DOCS_PARAMS.items()) == DOCS_SIGNATURE
    assert twilio_signature_is_valid(DOCS_TOKEN, DOCS_URL, DOCS_PARAMS.items(), DOCS_SIGNATURE)


def test_the_local_gateway_signs_as_twilio_does() -> None:
    assert gateway_signature(DOCS_TOKEN, DOCS_URL, DOCS_PARAMS) == DOCS_SIGNATURE


@pytest.mark.parametrize(
    ("token", "url", "params", "signature"),
    [
        ("54321", DOCS_URL, DOCS_PARAMS, DOCS_SIGNATURE),
        (DOCS_TOKEN, DOCS_URL + "&baz=3", DOCS_PARAMS, DOCS_SIGNATURE),
        (DOCS_TOKEN, DOCS_URL, {**DOCS_PARAMS, "Digits": "9999"}, DOCS_SIGNATURE),
        (DOCS_TOKEN, DOCS_URL, {**DOCS_PARAMS, "MessageStatus": "delivered"}, DOCS_SIGNATURE),
        (DOCS_TOKEN, DOCS_URL, DOCS_PARAMS, None),
        (DOCS_TOKEN, DOCS_URL, DOCS_PARAMS, ""),
        (DOCS_TOKEN, DOCS_URL, DOCS_PARAMS, "not-base64"),
        ("", DOCS_URL, DOCS_PARAMS, DOCS_SIGNATURE),
    ],
    ids=[
        "other token",
        "other url",
        "tampered value",
        "added parameter",
        "no header",
        "empty header",
        "garbage",
        "no token configured",
    ],
)
def test_a_wrong_or_missing_twilio_signature_is_refused(
    token: str, url: str, params: dict[str, str], signature: str | None
) -> None:
    assert not twilio_signature_is_valid(token, url, params.items(), signature)


@given(
    st.dictionaries(
        st.text(st.characters(codec="utf-8"), min_size=1), st.text(st.characters(codec="utf-8"))
    )
)
def test_parameter_order_does_not_matter(params: dict[str, str]) -> None:
    forwards = twilio_signature(DOCS_TOKEN, DOCS_URL, list(params.items()))
    backwards = twilio_signature(DOCS_TOKEN, DOCS_URL, list(reversed(params.items())))

    assert forwards == backwards
    assert twilio_signature_is_valid(DOCS_TOKEN, DOCS_URL, params.items(), forwards)


@pytest.mark.parametrize(
    ("expected", "authorization", "valid"),
    [
        ("s3cret-token", "Bearer s3cret-token", True),
        ("s3cret-token", "bearer s3cret-token", True),
        ("s3cret-token", "Bearer  s3cret-token ", True),
        ("s3cret-token", "Bearer wrong", False),
        ("s3cret-token", "Basic s3cret-token", False),
        ("s3cret-token", "s3cret-token", False),
        ("s3cret-token", "", False),
        ("s3cret-token", None, False),
        (None, "Bearer anything", False),
        ("", "Bearer ", False),
    ],
)
def test_notify_receipts_need_the_configured_bearer_token(
    expected: str | None, authorization: str | None, valid: bool
) -> None:
    assert bearer_token_is_valid(expected, authorization) is valid
