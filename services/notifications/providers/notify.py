"""GOV.UK Notify: sending texts with a per-request JWT, reading its delivery-status callbacks,
checking their bearer token (docs/reference/notify-anchor.md §1)."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from services.notifications.providers.base import (
    Receipt,
    ReceiptError,
    ReceiptStatus,
    classify_http_failure,
    json_or_empty,
    post_to_provider,
    provider_message_id,
)
from shared.timekeeping import utc_now

NOTIFY_SMS_PATH = "/v2/notifications/sms"  # docs/reference/notify-anchor.md §1 "Send API"
# A Notify key is `name-<service id, 36>-<secret, 36>`; the Python client slices it from the end
# (docs/reference/notify-anchor.md §1 "Auth": PYCLIENT base.py `api_key[-73:-37]`, `[-36:]`).
NOTIFY_SERVICE_ID_SLICE = slice(-73, -37)
NOTIFY_SECRET_SLICE = slice(-36, None)
NOTIFY_JWT_ALGORITHM = "HS256"  # docs/reference/notify-anchor.md §1 "Auth"


@dataclass(frozen=True)
class NotifyApiKey:
    service_id: str
    secret: str

    @classmethod
    def parse(cls, api_key: str) -> NotifyApiKey:
        service_id = api_key[NOTIFY_SERVICE_ID_SLICE]
        secret = api_key[NOTIFY_SECRET_SLICE]
        try:
            uuid.UUID(service_id)
            uuid.UUID(secret)
        except ValueError:
            raise ValueError("a Notify API key looks like name-<service id>-<secret>") from None
        return cls(service_id=service_id, secret=secret)


class NotifySmsProvider:
    """GOV.UK Notify: `POST /v2/notifications/sms` with a per-request HS256 JWT.

    `template_id` names a Notify template whose whole content is `((body))`, so the rendered
    text is decided here, not in Notify.
    """

    def __init__(
        self,
        api_url: str,
        api_key: str,
        template_id: str,
        client: httpx.AsyncClient,
        clock: Callable[[], float] = lambda: utc_now().timestamp(),
    ) -> None:
        self._url = f"{api_url.rstrip('/')}{NOTIFY_SMS_PATH}"
        self._key = NotifyApiKey.parse(api_key)
        self._template_id = template_id
        self._client = client
        self._clock = clock

    def _bearer_token(self) -> str:
        # Notify rejects an `iat` more than 30 s off its clock (docs/reference/notify-anchor.md §1
        # "Auth"), so a fresh token is made per request rather than cached.
        claims = {"iss": self._key.service_id, "iat": int(self._clock())}
        return jwt.encode(claims, self._key.secret, algorithm=NOTIFY_JWT_ALGORITHM)

    async def send(self, to_e164: str, body: str, reference: str) -> str:
        payload = {
            "phone_number": to_e164,
            "template_id": self._template_id,
            "personalisation": {"body": body},
            "reference": reference,
        }
        headers = {"Authorization": f"Bearer {self._bearer_token()}"}
        response = await post_to_provider(
            "Notify", self._client, self._url, json=payload, headers=headers
        )
        answer = json_or_empty(response)
        if response.is_error:
            raise classify_http_failure("Notify", response, notify_error_message(answer))
        return provider_message_id("Notify", answer, "id")


def notify_error_message(answer: Mapping[str, Any]) -> str:
    errors = answer.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("message", "unknown error"))
    return "unknown error"


# Notify statuses (docs/reference/notify-anchor.md §1 "Status lifecycle"). `sent` is final for
# international texts with no receipt; `technical-failure` means Notify gave up after its own
# retries, which says nothing about the recipient, so it is worth trying again later.
NOTIFY_INTERIM_STATUSES = frozenset({"created", "sending", "pending"})
NOTIFY_FINAL_STATUSES: Mapping[str, ReceiptStatus] = {
    "delivered": "delivered",
    "sent": "delivered",
    "permanent-failure": "permanent-failure",
    "temporary-failure": "temporary-failure",
    "technical-failure": "temporary-failure",
}


def parse_notify_receipt(payload: Mapping[str, Any]) -> Receipt | None:
    """A Notify delivery-status callback as a Receipt; None for interim statuses."""
    message_id = payload.get("id")
    status = payload.get("status")
    if not isinstance(message_id, str) or not message_id:
        raise ReceiptError("Notify receipt without id")
    if status in NOTIFY_INTERIM_STATUSES:
        return None
    if not isinstance(status, str) or status not in NOTIFY_FINAL_STATUSES:
        raise ReceiptError(f"unknown Notify status {status!r}")
    outcome = NOTIFY_FINAL_STATUSES[status]
    reason = None if status == "delivered" else f"Notify {status}"
    # ours, sent with the text (docs/reference/notify-anchor.md §1 "Send API")
    reference = payload.get("reference")
    return Receipt(message_id, outcome, reason, reference if isinstance(reference, str) else None)


def bearer_token_is_valid(expected: str | None, authorization: str | None) -> bool:
    """Notify calls back with `Authorization: Bearer <the token the service configured>`
    (docs/reference/notify-anchor.md §1 "Callbacks to services"). No configured token admits
    nobody."""
    if not expected or not authorization:
        return False
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(expected.encode(), token.strip().encode())
