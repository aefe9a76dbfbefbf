"""`redress topics check|create|describe`: the broker's topics against shared/topics.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import typer
from aiokafka.admin import AIOKafkaAdminClient
from rich.table import Table

from deploy.local.topics import (
    REPLICATION_FACTOR,
    TopicDriftError,
    ensure_topics,
    partition_counts,
)
from redress_cli.config import (
    BROKER_WAIT_SECONDS,
    BootstrapOption,
    bootstrap_servers,
    console,
    fail,
    run,
)
from shared.kafka import wait_for_broker
from shared.topics import ALL_TOPICS, Topic

app = typer.Typer(help="Topics: check them against shared/topics.py, create, describe.")

PrefixOption = typer.Option(
    "",
    "--prefix",
    help="Check the registry's topics under this name prefix (a separate namespace, as in tests).",
)


def registry(prefix: str) -> list[Topic]:
    return [Topic(prefix + t.name, t.partitions, t.retention_ms) for t in ALL_TOPICS]


@dataclass(frozen=True)
class TopicState:
    topic: Topic
    actual: int | None  # None: the topic does not exist

    @property
    def status(self) -> str:
        if self.actual is None:
            return "missing"
        return "ok" if self.actual == self.topic.partitions else "drift"


async def topic_states(bootstrap: str, topics: list[Topic]) -> list[TopicState]:
    admin = await wait_for_broker(bootstrap, BROKER_WAIT_SECONDS)
    try:
        existing = set(await admin.list_topics())
        present = [t.name for t in topics if t.name in existing]
        counts = await partition_counts(admin, present) if present else {}
    finally:
        await admin.close()
    return [TopicState(t, counts.get(t.name)) for t in topics]


@app.command()
def check(bootstrap: str | None = BootstrapOption, prefix: str = PrefixOption) -> None:
    """Compare every topic's partition count with shared/topics.py; exit 1 on drift or a missing
    topic (partitions can be added, but the key-to-partition mapping then changes: an operator
    decides)."""
    states = run(topic_states(bootstrap_servers(bootstrap), registry(prefix)))
    table = Table("topic", "expected", "actual", "status", title="Topics")
    for state in states:
        colour = {"ok": "green", "drift": "red", "missing": "yellow"}[state.status]
        actual = "-" if state.actual is None else str(state.actual)
        table.add_row(
            state.topic.name, str(state.topic.partitions), actual, f"[{colour}]{state.status}[/]"
        )
    console.print(table)
    if any(state.status != "ok" for state in states):
        raise typer.Exit(1)


@app.command()
def create(bootstrap: str | None = BootstrapOption, prefix: str = PrefixOption) -> None:
    """Create the missing topics with their partitions (replication factor
    1: a single broker); fails, creating nothing more, if an existing topic has drifted."""
    servers = bootstrap_servers(bootstrap)
    try:
        created = run(ensure_topics(servers, BROKER_WAIT_SECONDS, registry(prefix)))
    except TopicDriftError as error:
        raise fail(str(error)) from error
    for name in created:
        console.print(f"created {name}")
    console.print(f"{len(created)} created, replication factor {REPLICATION_FACTOR}")


async def describe_topics(bootstrap: str, names: list[str]) -> list[dict[str, Any]]:
    admin: AIOKafkaAdminClient = await wait_for_broker(bootstrap, BROKER_WAIT_SECONDS)
    try:
        existing = set(await admin.list_topics())
        wanted = [name for name in names if name in existing]
        return list(await admin.describe_topics(wanted)) if wanted else []
    finally:
        await admin.close()


@app.command()
def describe(
    bootstrap: str | None = BootstrapOption,
    prefix: str = PrefixOption,
    topic: list[str] | None = typer.Option(None, help="Only this topic (repeatable)."),
) -> None:
    """Show each topic's partitions with their leader, replicas and in-sync replicas."""
    names = topic or [t.name for t in registry(prefix)]
    described = run(describe_topics(bootstrap_servers(bootstrap), names))
    table = Table("topic", "partition", "leader", "replicas", "isr", title="Partitions")
    for entry in sorted(described, key=lambda d: str(d["topic"])):
        for partition in sorted(entry["partitions"], key=lambda p: int(p["partition"])):
            table.add_row(
                str(entry["topic"]),
                str(partition["partition"]),
                str(partition["leader"]),
                ",".join(map(str, partition["replicas"])),
                ",".join(map(str, partition["isr"])),
            )
    console.print(table)
