"""What every provider adapter shares: how a refusal is classified, and the receipt they all
come down to.

Each failure is classified once, in the adapters, as temporary (worth retrying: connection
trouble, timeouts, throttling, provider 5xx) or permanent (retrying cannot help: the provider
refused the message or the recipient), so that the retry policy elsewhere needs to know nothing
about SMTP reply codes or HTTP APIs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

import httpx

HTTP_TOO_MANY_REQUESTS = 429
HTTP_SERVER_ERROR = 500

ReceiptStatus = Literal["delivered", "permanent-failure", "temporary-failure"]


# --- errors -------------------------------------------------------------------------------------


class ProviderError(Exception):
    """A provider did not take the message. `permanent` says whether retrying could help."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class TemporaryProviderError(ProviderError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason, permanent=False)


class PermanentProviderError(ProviderError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason, permanent=True)


class SmsProvider(Protocol):
    async def send(self, to_e164: str, body: str, reference: str) -> str:
        """Hand one text to the provider; returns the provider's message id."""
        ...


def classify_http_failure(provider: str, response: httpx.Response, message: str) -> ProviderError:
    """Throttling and server errors are temporary; any other refusal is permanent."""
    reason = f"{provider} answered {response.status_code}: {message}"
    if response.status_code == HTTP_TOO_MANY_REQUESTS or response.status_code >= HTTP_SERVER_ERROR:
        return TemporaryProviderError(reason)
    return PermanentProviderError(reason)


def json_or_empty(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


async def post_to_provider(
    provider: str, client: httpx.AsyncClient, url: str, **request: Any
) -> httpx.Response:
    """POST, turning transport trouble (refused, reset, timed out) into a temporary error."""
    try:
        return await client.post(url, **request)
    except httpx.TransportError as error:
        raise TemporaryProviderError(f"{provider} unreachable: {error!r}") from error


def provider_message_id(provider: str, body: dict[str, Any], field: str) -> str:
    message_id = body.get(field)
    if not isinstance(message_id, str) or not message_id:
        # The provider may have taken the text; a retry risks a duplicate, but losing the
        # message silently would be worse, and this only happens when the provider misbehaves.
        raise TemporaryProviderError(f"{provider} accepted the text but returned no {field}")
    return message_id


@dataclass(frozen=True)
class Receipt:
    provider_message_id: str
    status: ReceiptStatus
    reason: str | None
    # Our own message id, echoed by the provider: it lets a receipt that overtakes our record of
    # the provider's id still find its message.
    notification_id: str | None = None


class ReceiptError(ValueError):
    """A receipt that cannot be read: missing id or an unknown status."""
