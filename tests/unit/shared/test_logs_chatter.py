"""aiokafka's reconnect chatter is kept at debug; everything else reaches the log as logged."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from shared.logs import configure_logging


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_aiokafka = logging.getLogger("aiokafka").level
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    configure_logging("casework", "INFO")
    yield stream
    root.handlers[:], root.level = saved_handlers, saved_level
    logging.getLogger("aiokafka").setLevel(saved_aiokafka)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_reconnect_errors_from_aiokafka_are_not_logged_at_info(captured: io.StringIO) -> None:
    client = logging.getLogger("aiokafka.client")
    fetcher = logging.getLogger("aiokafka.consumer.fetcher")
    for _ in range(100):
        client.error("Unable connect to node with id %s: %s", 1, "Connect call failed")
        client.error('Unable connect to "%s:%s": %s', "localhost", 19894, "refused")
        fetcher.error("Failed fetch messages from %s: %s", 1, "NodeNotReadyError: 1")
    assert lines(captured) == []


def test_other_aiokafka_errors_and_our_own_warnings_still_show(captured: io.StringIO) -> None:
    logging.getLogger("aiokafka.consumer.fetcher").error("Unexpected error in fetcher routine")
    logging.getLogger("redress.app").warning("Kafka is unreachable")
    logged = lines(captured)
    assert [(line["logger"], line["level"]) for line in logged] == [
        ("aiokafka.consumer.fetcher", "error"),
        ("redress.app", "warning"),
    ]


def test_the_chatter_shows_at_debug_when_debugging(captured: io.StringIO) -> None:
    logging.getLogger().setLevel(logging.DEBUG)
    logging.getLogger("aiokafka").setLevel(logging.DEBUG)
    logging.getLogger("aiokafka.client").error("Unable connect to node with id %s: %s", 1, "x")
    (line,) = lines(captured)
    assert line["level"] == "debug"
