"""`redress lag`: per consumer group and partition, the committed and end offsets, and the lag."""

from __future__ import annotations

from dataclasses import dataclass

import typer
from aiokafka import AIOKafkaConsumer, TopicPartition
from rich.table import Table

from redress_cli.config import BROKER_WAIT_SECONDS, BootstrapOption, bootstrap_servers, console, run
from shared.kafka import wait_for_broker


@dataclass(frozen=True)
class PartitionLag:
    group: str
    topic: str
    partition: int
    committed: int
    end: int

    @property
    def lag(self) -> int:
        return max(self.end - self.committed, 0)


async def group_lags(bootstrap: str, group_filter: str = "") -> list[PartitionLag]:
    """Every partition a consumer group (whose id contains `group_filter`) has committed on."""
    admin = await wait_for_broker(bootstrap, BROKER_WAIT_SECONDS)
    try:
        groups = sorted(str(g[0]) for g in await admin.list_consumer_groups())
        committed: dict[str, dict[TopicPartition, int]] = {}
        for group in groups:
            if group_filter not in group:
                continue
            offsets = await admin.list_consumer_group_offsets(group)
            committed[group] = {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
    finally:
        await admin.close()
    partitions = {tp for offsets in committed.values() for tp in offsets}
    ends = await end_offsets(bootstrap, partitions)
    return [
        PartitionLag(group, tp.topic, tp.partition, offset, ends.get(tp, offset))
        for group, offsets in committed.items()
        for tp, offset in sorted(
            offsets.items(), key=lambda item: (item[0].topic, item[0].partition)
        )
    ]


def _position(item: tuple[TopicPartition, int]) -> tuple[str, int]:
    return item[0].topic, item[0].partition


async def end_offsets(bootstrap: str, partitions: set[TopicPartition]) -> dict[TopicPartition, int]:
    if not partitions:
        return {}
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    try:
        return dict(await consumer.end_offsets(list(partitions)))
    finally:
        await consumer.stop()


def lag(
    bootstrap: str | None = BootstrapOption,
    group: str = typer.Option("", help="Only the groups whose id contains this text."),
    behind: bool = typer.Option(False, "--behind", help="Only the partitions with a lag."),
) -> None:
    """Per consumer group and partition: the committed offset, the end offset and the lag
    (messages not yet consumed). Groups are `<prefix>-<service>-<consumer>`."""
    rows = run(group_lags(bootstrap_servers(bootstrap), group))
    table = Table("group", "topic", "partition", "committed", "end", "lag", title="Consumer lag")
    for row in rows:
        if behind and row.lag == 0:
            continue
        shown = f"[red]{row.lag}[/]" if row.lag else "0"
        table.add_row(
            row.group, row.topic, str(row.partition), str(row.committed), str(row.end), shown
        )
    console.print(table)
    console.print(f"total lag: {sum(row.lag for row in rows)}")
