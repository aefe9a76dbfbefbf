"""/readyz says why a service is not ready, and the broker gauge agrees (issue 15 §4).

The service's broker points at a port where nothing listens; the database is a real SQLite file.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import MetaData

from shared.app import Service
from shared.settings import ServiceSettings
from tests.kit.apps import client_for, free_port


async def test_readyz_names_the_unreachable_broker(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = ServiceSettings(
        KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{free_port()}",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'readiness.db'}",
    )
    service = Service("readiness-test", settings, MetaData(), migrations_dir=tmp_path)
    app = service.http_app(routers=[], title="readiness")
    with caplog.at_level(logging.WARNING, logger="redress.broker"):
        async with client_for(app) as client:
            first = await client.get("/readyz")
            second = await client.get("/readyz")
    await service.db.dispose()
    assert first.status_code == 503
    assert first.json() == {
        "ready": False,
        "checks": {"database": True, "kafka": False},
        "reasons": ["the Kafka broker does not answer"],
    }
    assert second.status_code == 503
    assert REGISTRY.get_sample_value("redress_broker_up", {"service": "readiness-test"}) == 0
    # Asked twice, warned once.
    assert len([r for r in caplog.records if r.name == "redress.broker"]) == 1
