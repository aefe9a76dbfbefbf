"""One warning when the broker is lost, one when it is back, and the gauge follows."""

from __future__ import annotations

import logging

import pytest
from prometheus_client import REGISTRY

from shared.broker_state import BrokerState


def gauge(service: str) -> float | None:
    return REGISTRY.get_sample_value("redress_broker_up", {"service": service})


def test_an_outage_is_one_warning_lost_and_one_back(caplog: pytest.LogCaptureFixture) -> None:
    state = BrokerState("unit-outage")
    with caplog.at_level(logging.INFO, logger="redress.broker"):
        state.observe(True)
        assert gauge("unit-outage") == 1
        for _ in range(50):
            state.observe(False)
        assert gauge("unit-outage") == 0
        for _ in range(50):
            state.observe(True)
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    assert "unreachable" in messages[0]
    assert "reachable again" in messages[1]
    assert gauge("unit-outage") == 1


def test_a_start_with_the_broker_up_says_nothing(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="redress.broker"):
        BrokerState("unit-quiet").observe(True)
    assert caplog.records == []
