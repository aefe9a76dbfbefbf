"""A cluster's bootstrap list reaches the Kafka clients as a list (FastStream takes a string as one
host, so "a:9092,b:9092" failed at start-up before)."""

from __future__ import annotations

import pytest

from shared.settings import ServiceSettings


@pytest.mark.parametrize(
    ("configured", "servers"),
    [
        ("localhost:9092", ["localhost:9092"]),
        (
            "kafka-0:9092,kafka-1:9092,kafka-2:9092",
            ["kafka-0:9092", "kafka-1:9092", "kafka-2:9092"],
        ),
        (" kafka-0:9092 , kafka-1:9092,", ["kafka-0:9092", "kafka-1:9092"]),
    ],
)
def test_the_bootstrap_list_is_split_into_servers(configured: str, servers: list[str]) -> None:
    settings = ServiceSettings.model_validate({"KAFKA_BOOTSTRAP_SERVERS": configured})
    assert settings.kafka_servers == servers
