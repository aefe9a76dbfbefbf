"""Webhook delivery attempts and disabled endpoints, for the dashboard and the
`RedressWebhookEndpointDisabled` alert (deploy/prometheus/rules.yml).

Labels are bounded: the outcome only, never an endpoint's URL or id, a reference or an error text.
"""

from __future__ import annotations

from prometheus_client import Counter

SERVICE = "notifications"
# An attempt answered 2xx; refused or unreachable with attempts left; refused on its last attempt.
OUTCOMES = ("delivered", "retrying", "failed")

ATTEMPTS = Counter(
    "redress_webhook_attempts_total",
    "Webhook delivery attempts, by outcome",
    ["service", "outcome"],
)
DISABLED = Counter(
    "redress_webhook_endpoints_disabled_total",
    "Webhook endpoints disabled after a run of failed attempts",
    ["service"],
)


def declare() -> None:
    """Every series at zero from the start, so rates and alerts see 0 rather than no data."""
    for outcome in OUTCOMES:
        ATTEMPTS.labels(SERVICE, outcome)
    DISABLED.labels(SERVICE)


def count_attempt(*, ok: bool, retrying: bool) -> None:
    outcome = OUTCOMES[0] if ok else OUTCOMES[1] if retrying else OUTCOMES[2]
    ATTEMPTS.labels(SERVICE, outcome).inc()


def count_disabled() -> None:
    DISABLED.labels(SERVICE).inc()
