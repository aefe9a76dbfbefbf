"""aiokafka's consumer-group messages during a broker outage are lowered to debug (the
connection chatter is test_logs_chatter.py's); others keep their level."""

from __future__ import annotations

import logging

import pytest

from shared.logs import ReconnectChatterFilter


def passes(logger: str, level: int, message: str) -> tuple[bool, int]:
    """Whether the record reaches a log at INFO, and at which level."""
    root = logging.getLogger()
    saved = root.level
    root.setLevel(logging.INFO)
    try:
        record = logging.LogRecord(logger, level, __file__, 1, message, None, None)
        return ReconnectChatterFilter().filter(record), record.levelno
    finally:
        root.setLevel(saved)


@pytest.mark.parametrize(
    "message",
    [
        "Unable connect to node with id 1: [Errno 111] Connect call failed",
        "Group Coordinator Request failed: [Error 15] GroupCoordinatorNotAvailableError",
        "Marking the coordinator dead (node 1)for group redress-intake-retention.",
        "Heartbeat session expired - marking coordinator dead",
        "Heartbeat failed for group g: coordinator (node 1) is either not started or not valid",
    ],
)
def test_outage_chatter_goes_to_debug_and_is_dropped_at_info(message: str) -> None:
    assert passes("aiokafka.consumer.group_coordinator", logging.ERROR, message) == (
        False,
        logging.DEBUG,
    )


def test_other_library_errors_keep_their_level() -> None:
    message = "OffsetCommit failed for group g due to group error (x), will rejoin"
    assert passes("aiokafka.consumer.group_coordinator", logging.ERROR, message) == (
        True,
        logging.ERROR,
    )
    assert passes("redress.broker", logging.WARNING, "Unable connect to x") == (
        True,
        logging.WARNING,
    )
