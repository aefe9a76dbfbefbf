"""Twilio Programmable Messaging: sending texts, reading its status callbacks, checking their
signature (https://www.twilio.com/docs/messaging/api/message-resource)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from urllib.parse import urlencode

import httpx

from services.notifications.providers.base import (
    Receipt,
    ReceiptError,
    ReceiptStatus,
    classify_http_failure,
    json_or_empty,
    post_to_provider,
    provider_message_id,
)

TWILIO_API_VERSION = "2010-04-01"
# Query parameter of the status callback URL that carries our message id back to us.
TWILIO_REFERENCE_PARAMETER = "notification"


class TwilioSmsProvider:
    """Twilio Programmable Messaging: `POST /2010-04-01/Accounts/{sid}/Messages.json`.

    Twilio has no client reference field, so `reference` goes back to us as a query parameter of
    the status callback URL; receipts are matched on the returned sid, or on that reference when
    the receipt overtakes our record of the sid.
    """

    def __init__(
        self,
        api_url: str,
        account_sid: str,
        auth_token: str,
        sender: str,
        status_callback_url: str | None,
        client: httpx.AsyncClient,
    ) -> None:
        self._messages_url = (
            f"{api_url.rstrip('/')}/{TWILIO_API_VERSION}/Accounts/{account_sid}/Messages.json"
        )
        self._auth = httpx.BasicAuth(account_sid, auth_token)
        self._sender = sender
        self._status_callback_url = status_callback_url
        self._client = client

    async def send(self, to_e164: str, body: str, reference: str) -> str:
        form = {"To": to_e164, "From": self._sender, "Body": body}
        if self._status_callback_url:
            # Twilio has no client reference, so ours rides on the callback URL (which Twilio
            # includes in the signature).
            query = urlencode({TWILIO_REFERENCE_PARAMETER: reference})
            form["StatusCallback"] = f"{self._status_callback_url}?{query}"
        response = await post_to_provider(
            "Twilio", self._client, self._messages_url, data=form, auth=self._auth
        )
        answer = json_or_empty(response)
        if response.is_error:
            message = str(answer.get("message") or response.reason_phrase)
            raise classify_http_failure("Twilio", response, message)
        return provider_message_id("Twilio", answer, "sid")


# Twilio statuses before the outcome is known (https://www.twilio.com/docs/messaging/api/message-resource).
TWILIO_INTERIM_STATUSES = frozenset({"accepted", "scheduled", "queued", "sending", "sent"})
TWILIO_FAILED_STATUSES = frozenset({"failed", "undelivered"})
# Twilio error codes worth retrying: the handset or carrier may be reachable later. Everything
# else (unknown number, landline, blocked) is permanent.
# https://www.twilio.com/docs/api/errors: 30001 queue overflow, 30003 unreachable handset,
# 30008 unknown error, 30009 missing segment.
TWILIO_TEMPORARY_ERROR_CODES = frozenset({"30001", "30003", "30008", "30009"})


def parse_twilio_receipt(
    form: Mapping[str, str], notification_id: str | None = None
) -> Receipt | None:
    """A Twilio status callback as a Receipt; None for interim statuses that carry no outcome.
    `notification_id` is the reference from the callback URL's query, when there is one."""
    message_id = form.get("MessageSid") or form.get("SmsSid")
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").lower()
    if not message_id:
        raise ReceiptError("Twilio receipt without MessageSid")
    if status in TWILIO_INTERIM_STATUSES:
        return None
    if status == "delivered":
        return Receipt(message_id, "delivered", None, notification_id)
    if status in TWILIO_FAILED_STATUSES:
        error_code = form.get("ErrorCode") or ""
        reason = f"Twilio {status} (error {error_code or 'unknown'})"
        outcome: ReceiptStatus = (
            "temporary-failure"
            if error_code in TWILIO_TEMPORARY_ERROR_CODES
            else "permanent-failure"
        )
        return Receipt(message_id, outcome, reason, notification_id)
    raise ReceiptError(f"unknown Twilio status {status!r}")


# Twilio signs every webhook it sends: `X-Twilio-Signature` is base64(HMAC-SHA1(auth token, the
# full callback URL followed by each POST parameter, sorted by name, as name then value)).
# https://www.twilio.com/docs/usage/security#validating-requests
TWILIO_SIGNATURE_HEADER = "X-Twilio-Signature"


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """The signature Twilio would send for a POST of `params` to `url`."""
    signed = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def twilio_signature_is_valid(
    auth_token: str, url: str, params: Iterable[tuple[str, str]], signature: str | None
) -> bool:
    """Whether `signature` is Twilio's for this request (compared in constant time)."""
    if not signature or not auth_token:
        return False
    expected = twilio_signature(auth_token, url, params)
    return hmac.compare_digest(expected.encode(), signature.strip().encode())
