"""The webhook rules: where deliveries may go, what may be subscribed to, how retries back off,
and that statuses only move forward."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from services.notifications.domain.webhooks import (
    DEFAULT_WEBHOOK_BASE_DELAY_SECONDS,
    DEFAULT_WEBHOOK_MAX_ATTEMPTS,
    DEFAULT_WEBHOOK_MAX_DELAY_SECONDS,
    DeliveryStatus,
    WebhookInputError,
    check_endpoint_url,
    check_event_types,
    is_success,
    moves_forward,
    webhook_body,
    webhook_retry_policy,
)
from services.notifications.webhooks.admin import new_secret

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "environment"),
    [
        ("https://hooks.example/redress", "production"),
        ("https://hooks.example:8443/a?b=c", "production"),
        ("http://localhost:9000/hook", "development"),
        ("http://127.0.0.1:9000/hook", "test"),
        ("http://[::1]:9000/hook", "development"),
    ],
)
def test_https_anywhere_and_plain_http_only_to_this_machine_outside_production(
    url: str, environment: str
) -> None:
    assert check_endpoint_url(url, environment=environment) == url


@pytest.mark.parametrize(
    ("url", "environment"),
    [
        ("http://localhost:9000/hook", "production"),
        ("http://127.0.0.1/hook", "production"),
        ("http://hooks.example/hook", "development"),
        ("http://10.0.0.1/hook", "development"),
        ("http://localhost.hooks.example/hook", "development"),
        ("ftp://hooks.example/hook", "development"),
        ("https:///no-host", "development"),
        ("https://user:password@hooks.example/", "development"),
        ("https://hooks.example/#part", "development"),
        ("https://hooks.example:99999/", "development"),
        ("not a url", "development"),
        ("https://hooks.example/" + "a" * 2000, "development"),
    ],
)
def test_other_urls_are_refused_naming_the_url(url: str, environment: str) -> None:
    with pytest.raises(WebhookInputError) as refused:
        check_endpoint_url(url, environment=environment)
    assert refused.value.field == "url"


def test_only_public_case_events_may_be_subscribed_to() -> None:
    assert check_event_types(["redress.case.opened", "redress.case.closed"]) == (
        "redress.case.closed",
        "redress.case.opened",
    )
    for refused in (
        [],
        ["redress.complaint.received"],
        ["redress.notification.requested"],
        ["redress.case.opened", "nonsense"],
    ):
        with pytest.raises(WebhookInputError) as error:
            check_event_types(refused)
        assert error.value.field == "event_types"


def test_the_default_schedule_follows_standard_webhooks_counts_and_bounds() -> None:
    policy = webhook_retry_policy()
    assert policy.max_attempts == DEFAULT_WEBHOOK_MAX_ATTEMPTS == 8
    assert policy.base_delay_seconds == DEFAULT_WEBHOOK_BASE_DELAY_SECONDS == 5.0
    assert policy.max_delay_seconds == DEFAULT_WEBHOOK_MAX_DELAY_SECONDS == 36_000.0


def test_backoff_grows_exponentially_with_full_jitter_under_the_cap() -> None:
    policy = webhook_retry_policy(max_attempts=30, base_delay_seconds=5.0, max_delay_seconds=60.0)
    rng = random.Random(7)
    for attempt, ceiling in [(1, 5.0), (2, 10.0), (3, 20.0), (4, 40.0), (5, 60.0), (20, 60.0)]:
        delays = [policy.delay(attempt, rng) for _ in range(300)]
        assert all(timedelta(0) <= d <= timedelta(seconds=ceiling) for d in delays)
        # Full jitter: spread over the whole range, not bunched at the ceiling.
        assert min(delays) < timedelta(seconds=ceiling * 0.1)
        assert max(delays) > timedelta(seconds=ceiling * 0.9)


def test_attempts_stop_after_the_configured_count() -> None:
    policy = webhook_retry_policy(max_attempts=3)
    rng = random.Random(1)
    assert policy.next_attempt_at(NOW, 2, rng) is not None
    assert policy.next_attempt_at(NOW, 3, rng) is None


def test_statuses_only_move_forward() -> None:
    pending, sending = DeliveryStatus.PENDING, DeliveryStatus.SENDING
    delivered, failed = DeliveryStatus.DELIVERED, DeliveryStatus.FAILED
    assert moves_forward(pending, sending)
    assert moves_forward(sending, delivered)
    assert moves_forward(sending, failed)
    assert not moves_forward(sending, pending)
    assert not moves_forward(delivered, failed)
    assert not moves_forward(failed, delivered)


def test_only_2xx_is_a_success() -> None:
    assert [code for code in (199, 200, 204, 299, 300, 302, 410, 500) if is_success(code)] == [
        200,
        204,
        299,
    ]


def test_a_new_secret_signs_what_standard_webhooks_verifies() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    body = webhook_body("redress.case.opened", NOW, {"reference": "R-1"})
    stamp = datetime.now(UTC)
    signature = Webhook(secret).sign("msg-1", stamp, body)
    headers = {
        "webhook-id": "msg-1",
        "webhook-timestamp": str(int(stamp.timestamp())),
        "webhook-signature": signature,
    }
    document = Webhook(secret).verify(body, headers)
    assert document == {
        "type": "redress.case.opened",
        "timestamp": "2026-12-04T12:00:00Z",
        "data": {"reference": "R-1"},
    }
    assert new_secret() != secret
