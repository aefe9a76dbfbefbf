"""Send failures by provider and channel, for the send-failure alert (deploy/prometheus/).

The labels are the provider's name (`smtp`, or the configured SMS provider), the channel and
whether the failure is permanent or temporary: never an address, a reference or a reason's text.
"""

from __future__ import annotations

from prometheus_client import Counter

SERVICE = "notifications"
# Email always leaves by SMTP; texts by the provider SMS_PROVIDER names.
EMAIL_PROVIDER = "smtp"
FAILURE_OUTCOMES = ("permanent", "temporary")

SEND_FAILURES = Counter(
    "redress_notifications_send_failures_total",
    "Messages a provider refused, by provider, channel and outcome",
    ["service", "provider", "channel", "outcome"],
)
SEND_ATTEMPTS = Counter(
    "redress_notifications_send_attempts_total",
    "Messages handed to a provider (simulated test recipients excluded), by provider and channel",
    ["service", "provider", "channel"],
)


def provider_of(channel: str, sms_provider: str) -> str:
    return EMAIL_PROVIDER if channel == "email" else sms_provider


def declare_providers(sms_provider: str) -> None:
    """Every series at zero from the start, so the failure ratio has a denominator and the
    alert sees 0 rather than no data."""
    for channel in ("email", "sms"):
        provider = provider_of(channel, sms_provider)
        SEND_ATTEMPTS.labels(SERVICE, provider, channel)
        for outcome in FAILURE_OUTCOMES:
            SEND_FAILURES.labels(SERVICE, provider, channel, outcome)


def count_attempt(channel: str, sms_provider: str) -> None:
    SEND_ATTEMPTS.labels(SERVICE, provider_of(channel, sms_provider), channel).inc()


def count_failure(channel: str, sms_provider: str, *, permanent: bool) -> None:
    outcome = FAILURE_OUTCOMES[0] if permanent else FAILURE_OUTCOMES[1]
    SEND_FAILURES.labels(SERVICE, provider_of(channel, sms_provider), channel, outcome).inc()
