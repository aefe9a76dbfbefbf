"""Fixtures for the notifications service tests: real Kafka, real databases (both kinds), the
local SMTP server and SMS gateway, and settings tuned so retries happen in fractions of a second."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from deploy.local.sms_gateway import RunningGateway, new_account_sid
from services.notifications.settings import NotificationsSettings
from tests.integration.conftest_local_servers import (
    LocalMailServer,
    free_port,
    mail_server,
    receipt_receiver,
    sms_gateway,
)
from tests.integration.notifications.support import DeliveryWatcher, Publisher, watch_deliveries

__all__ = ["mail_server", "receipt_receiver", "sms_gateway"]

PUBLIC_URL = "https://redress.example"

MakeSettings = Callable[..., NotificationsSettings]


@pytest.fixture
def make_settings(
    database_url: str,
    kafka_bootstrap: str,
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
            "sender_interval_seconds": 0.1,
            "backoff_base_seconds": 0.05,
            "backoff_cap_seconds": 0.2,
            "max_attempts": 100,
            "outbox_poll_interval_seconds": 0.1,
            "consumer_retry_backoff_seconds": 0.05,
        }
        return NotificationsSettings(**(values | overrides))

    return make


@pytest.fixture
async def publisher(kafka_bootstrap: str) -> AsyncIterator[Publisher]:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        yield Publisher(producer)
    finally:
        await producer.stop()


@pytest.fixture
async def deliveries(kafka_bootstrap: str) -> AsyncIterator[DeliveryWatcher]:
    async with watch_deliveries(kafka_bootstrap) as watcher:
        yield watcher
