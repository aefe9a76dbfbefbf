"""Fixtures for the real infrastructure `make test` starts: Kafka and PostgreSQL.

Integration tests fail (never skip) when the infrastructure is missing: run them with `make test`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.topics import Topic


def _required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(
            f"{name} is not set: run integration tests with `make test`, "
            "which starts the infrastructure"
        )
    return value


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    return _required_env("KAFKA_BOOTSTRAP_SERVERS")


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    return _required_env("REDRESS_TEST_POSTGRES_URL")


async def create_postgres_database(admin_url: str) -> str:
    name = f"redress_test_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(admin_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


async def drop_postgres_database(admin_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    connection = await asyncpg.connect(admin_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database of each kind the services support."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    admin_url = request.getfixturevalue("postgres_admin_url")
    url = await create_postgres_database(admin_url)
    try:
        yield url
    finally:
        await drop_postgres_database(admin_url, url)


@pytest.fixture
def unique() -> Callable[[str], str]:
    suffix = uuid.uuid4().hex[:8]
    return lambda name: f"{name}-{suffix}"


@pytest.fixture
async def make_topic(kafka_bootstrap: str) -> AsyncIterator[Callable[..., object]]:
    """Creates throwaway topics on the real broker (auto-creation is off, as in production)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    created: list[str] = []

    async def create(prefix: str = "test", partitions: int = 1) -> Topic:
        topic = Topic(f"redress.{prefix}.{uuid.uuid4().hex[:10]}.v1", partitions)
        await admin.create_topics(
            [NewTopic(topic.name, num_partitions=partitions, replication_factor=1)]
        )
        created.append(topic.name)
        return topic

    yield create
    try:
        await admin.delete_topics(created)
    finally:
        await admin.close()


@pytest.fixture(autouse=True)
def _no_stray_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # Services read their settings from the environment; tests pass settings explicitly.
    for service in ("INTAKE", "CASEWORK", "NOTIFICATIONS", "REPORTS", "FEEDBACK"):
        name = f"{service}_DATABASE_URL"
        monkeypatch.delenv(name, raising=False)
