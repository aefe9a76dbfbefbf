"""The casework service running in-process on the real broker, one per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.casework.app import create_app
from shared.topics import NOTIFICATION_DELIVERIES
from tests.integration.casework.casework_kit import settings_for, start_group_at_end
from tests.integration.service_harness import running


@pytest.fixture
async def casework(
    database_url: str, kafka_bootstrap: str
) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    prefix = f"test-{uuid.uuid4().hex[:6]}"
    # Delivery statuses pile up on the shared topic; this casework only needs the new ones.
    await start_group_at_end(
        kafka_bootstrap, NOTIFICATION_DELIVERIES, f"{prefix}-casework-deliveries"
    )
    app = create_app(settings_for(database_url, kafka_bootstrap, prefix))
    async with running(app) as client:
        yield client, app
