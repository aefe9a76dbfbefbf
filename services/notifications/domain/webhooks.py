"""Webhooks for subscribers without Kafka: what may be offered, where to, and when to retry.

Pure rules only (docs/design.md §8 "Webhooks", docs/adr/0012-webhooks-in-notifications.md):
the URL rules, the event types an endpoint may subscribe to, the body as the Standard Webhooks
specification recommends it, the forward-only delivery statuses and the retry schedule.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final
from urllib.parse import urlsplit

from services.notifications.domain.retry import RetryPolicy
from shared.events import CASE_EVENT_TYPES

# Only the public case events (the casework topic, personal-data free by contract, docs/design.md
# §4). Never the intake topic: its complaints carry the complainant's details.
OFFERED_EVENT_TYPES: Final = frozenset(CASE_EVENT_TYPES.values())
# The last message an endpoint gets when it is disabled (docs/design.md §8 "Webhooks").
DISABLED_EVENT_TYPE: Final = "redress.webhook.disabled"

# Standard Webhooks (github.com/standard-webhooks, spec.md "Retry schedule") follows Svix's
# schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: 8 attempts over about a day.
# We keep its attempt count and its shortest and longest waits, with exponential growth and
# full jitter in between (services/notifications/domain/retry.py) so a receiver coming back is
# not hit by every pending delivery in lockstep.
DEFAULT_WEBHOOK_MAX_ATTEMPTS: Final = 8
DEFAULT_WEBHOOK_BASE_DELAY_SECONDS: Final = 5.0
DEFAULT_WEBHOOK_MAX_DELAY_SECONDS: Final = 10 * 3600.0
# Svix disables an endpoint after its deliveries have failed for 5 days; counted here in
# consecutive failed attempts instead of days (no success in between): 5 deliveries using up
# all 8 attempts each, i.e. 40.
DEFAULT_DISABLE_AFTER_FAILURES: Final = 5 * DEFAULT_WEBHOOK_MAX_ATTEMPTS

LOCAL_HOSTS: Final = frozenset({"localhost"})
URL_MAX_LENGTH: Final = 2000
DESCRIPTION_MAX_LENGTH: Final = 500
HTTP_SUCCESS_MIN: Final = 200
HTTP_SUCCESS_MAX: Final = 299


class DeliveryStatus(StrEnum):
    """pending (never tried) -> sending (tried, retrying) -> delivered | failed."""

    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"


FINAL_STATUSES: Final = frozenset({DeliveryStatus.DELIVERED, DeliveryStatus.FAILED})
UNFINISHED_STATUSES: Final = frozenset({DeliveryStatus.PENDING, DeliveryStatus.SENDING})
_ORDER: Final = {
    DeliveryStatus.PENDING: 0,
    DeliveryStatus.SENDING: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.FAILED: 2,
}


def moves_forward(current: DeliveryStatus, new: DeliveryStatus) -> bool:
    """Statuses only move forward; a final one never changes."""
    return current not in FINAL_STATUSES and _ORDER[new] > _ORDER[current]


class WebhookInputError(ValueError):
    """Bad registration input; `field` names what was wrong (a 422 naming it)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _is_local_host(host: str) -> bool:
    if host in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_endpoint_url(url: str, *, environment: str) -> str:
    """HTTPS anywhere; plain http only to this machine and never in production."""
    if len(url) > URL_MAX_LENGTH:
        raise WebhookInputError("url", f"at most {URL_MAX_LENGTH} characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - a bad port raises here
    except ValueError as error:
        raise WebhookInputError("url", f"not a URL: {error}") from error
    if not host:
        raise WebhookInputError("url", "must name a host")
    if parts.username or parts.password:
        # A password in the URL would be shown by every listing and log.
        raise WebhookInputError("url", "must not carry credentials")
    if parts.fragment:
        raise WebhookInputError("url", "must not have a fragment")
    if parts.scheme == "https":
        return url
    if parts.scheme == "http" and _is_local_host(host) and environment != "production":
        return url
    raise WebhookInputError(
        "url", "must be https (plain http only to localhost, and never in production)"
    )


def check_event_types(event_types: Iterable[str]) -> tuple[str, ...]:
    """The subscribed types, each one of the offered public case events; at least one."""
    chosen = tuple(sorted(set(event_types)))
    if not chosen:
        raise WebhookInputError("event_types", "name at least one event type")
    unknown = [name for name in chosen if name not in OFFERED_EVENT_TYPES]
    if unknown:
        raise WebhookInputError(
            "event_types", f"not offered: {unknown}; offered are the public case events"
        )
    return chosen


def check_description(description: str) -> str:
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise WebhookInputError("description", f"at most {DESCRIPTION_MAX_LENGTH} characters")
    return description


def webhook_body(event_type: str, timestamp: datetime, data: Mapping[str, Any]) -> str:
    """The payload structure Standard Webhooks recommends: {type, timestamp, data}."""
    stamp = timestamp.astimezone(UTC).isoformat().replace("+00:00", "Z")
    document = {"type": event_type, "timestamp": stamp, "data": dict(data)}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def is_success(status_code: int) -> bool:
    """Standard Webhooks: any 2xx is a success; everything else (3xx too) is retried."""
    return HTTP_SUCCESS_MIN <= status_code <= HTTP_SUCCESS_MAX


def should_disable(consecutive_failures: int, threshold: int) -> bool:
    return consecutive_failures >= threshold


def webhook_retry_policy(
    *,
    max_attempts: int = DEFAULT_WEBHOOK_MAX_ATTEMPTS,
    base_delay_seconds: float = DEFAULT_WEBHOOK_BASE_DELAY_SECONDS,
    max_delay_seconds: float = DEFAULT_WEBHOOK_MAX_DELAY_SECONDS,
) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=max_attempts,
        base_delay_seconds=base_delay_seconds,
        max_delay_seconds=max_delay_seconds,
    )
