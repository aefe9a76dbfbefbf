"""`redress dlq list` reads up to the end offsets and gives up, in one line, when the broker stops
answering mid-read (before, it looped for ever). The consumer here is scripted: what it returns is
what aiokafka's returns when records come, and when a stopped broker answers nothing."""

from __future__ import annotations

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import KafkaConnectionError
from aiokafka.structs import ConsumerRecord

from redress_cli.dead_letters import Filters, drain

DLQ = TopicPartition("redress.casework.dlq.v1", 0)


def record(offset: int, event_type: str) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic=DLQ.topic,
        partition=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=b"RDR-1",
        value=b"{}",
        checksum=None,
        serialized_key_size=5,
        serialized_value_size=2,
        headers=[("ce_type", event_type.encode()), ("x-error", b"rejected")],
    )


class ScriptedConsumer:
    """Hands out `batches` one per fetch, then empty fetches, as a broker that has stopped."""

    def __init__(self, batches: list[list[ConsumerRecord[bytes, bytes]]]) -> None:
        self.batches = batches
        self.at = 0

    async def getmany(
        self, *partitions: TopicPartition, timeout_ms: int = 0
    ) -> dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]:
        if not self.batches:
            return {}
        batch = self.batches.pop(0)
        self.at = batch[-1].offset + 1
        return {DLQ: batch}

    async def position(self, partition: TopicPartition) -> int:
        return self.at


async def test_reads_every_letter_up_to_the_end_keeping_only_the_matching() -> None:
    consumer = ScriptedConsumer(
        [
            [record(0, "redress.case.opened"), record(1, "redress.complaint.received")],
            [record(2, "redress.case.opened")],
        ]
    )
    letters = await drain(consumer, {DLQ: 3}, Filters(event_type="redress.case.opened"), 5.0)
    assert [letter.offset for letter in letters] == [0, 2]


async def test_a_broker_that_stops_answering_mid_read_ends_the_read_with_a_reason() -> None:
    consumer = ScriptedConsumer([[record(0, "redress.case.opened")]])
    with pytest.raises(KafkaConnectionError, match="4 dead letters still to read"):
        await drain(consumer, {DLQ: 5}, Filters(), 0.0)
