"""Fixtures for the notifications service tests: real Kafka, real databases (both kinds), the
local SMTP server and SMS gateway, and settings tuned so retries happen in fractions of a second."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from deploy.local.sms_gateway import RunningGateway, new_account_sid
from services.notifications.settings import NotificationsSettings
from shared.topics import (
    CASEWORK_CASES,
    INTAKE_COMPLAINTS,
    NOTIFICATION_DELIVERIES,
    NOTIFICATION_REQUESTS,
)
from tests.integration.conftest_local_servers import (
    LocalMailServer,
    mail_server,
    receipt_receiver,
    sms_gateway,
)
from tests.kit.apps import free_port
from tests.kit.kafka import Publisher, TopicWatcher, groups_starting_now

__all__ = ["mail_server", "receipt_receiver", "sms_gateway"]

PUBLIC_URL = "https://redress.example"
CALLBACK_BEARER_TOKEN = "notify-callback-token-for-tests"

MakeSettings = Callable[..., NotificationsSettings]

# The service's consumers (services/notifications/app.py) and the topic each reads.
NOTIFICATIONS_CONSUMERS = {
    "contacts": INTAKE_COMPLAINTS,
    "cases": CASEWORK_CASES,
    "requests": NOTIFICATION_REQUESTS,
    "webhooks": CASEWORK_CASES,
}


@pytest.fixture
async def consumer_group_prefix(kafka_bootstrap: str) -> str:
    """A consumer group prefix of this test's own, whose groups start at the end of the topics.

    Topics are shared with every other test and session: a shared group would make this test
    chew through (or lose to another member) everyone's events, and a new group would start at
    the earliest offset (shared/messaging.py) and read the whole history.
    """
    return await groups_starting_now(kafka_bootstrap, "notifications", NOTIFICATIONS_CONSUMERS)


@pytest.fixture
def make_settings(
    database_url: str,
    kafka_bootstrap: str,
    consumer_group_prefix: str,
    mail_server: LocalMailServer,
    sms_gateway: RunningGateway,
) -> MakeSettings:
    def make(**overrides: Any) -> NotificationsSettings:
        port = free_port()
        values: dict[str, Any] = {
            "environment": "test",
            "database_url": database_url,
            "kafka_bootstrap_servers": kafka_bootstrap,
            "http_port": port,
            "callback_base_url": f"http://127.0.0.1:{port}",
            "public_url": PUBLIC_URL,
            "smtp_host": mail_server.host,
            "smtp_port": mail_server.port,
            "sms_provider": "twilio",
            "sms_api_url": sms_gateway.url,
            "sms_account_sid": new_account_sid(),
            "sms_auth_token": "local-auth-token",
            "sms_from": "Redress",
            "callback_bearer_token": CALLBACK_BEARER_TOKEN,
            "sender_interval_seconds": 0.1,
            "backoff_base_seconds": 0.05,
            "backoff_cap_seconds": 0.2,
            "max_attempts": 100,
            "outbox_poll_interval_seconds": 0.1,
            "consumer_group_prefix": consumer_group_prefix,
            "consumer_retry_backoff_seconds": 0.05,
        }
        return NotificationsSettings(**(values | overrides))

    return make


@pytest.fixture
async def publisher(kafka_bootstrap: str) -> AsyncIterator[Publisher]:
    async with Publisher(kafka_bootstrap) as publisher:
        yield publisher


@pytest.fixture
async def deliveries(kafka_bootstrap: str) -> AsyncIterator[TopicWatcher]:
    """The deliveries topic, from where it ended when the test began."""
    async with TopicWatcher(kafka_bootstrap, NOTIFICATION_DELIVERIES) as watcher:
        yield watcher
