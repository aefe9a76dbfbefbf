"""`redress dlq list|show|replay`: the services' dead letters."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from redress_cli.config import BootstrapOption, bootstrap_servers, console, fail, run
from redress_cli.dead_letters import (
    DeadLetter,
    Filters,
    find_dead_letter,
    read_dead_letters,
    replay,
)
from shared.topics import SERVICES

app = typer.Typer(help="Dead letters: list, show and replay the services' DLQ records.")

ServiceOption = typer.Option(
    None, "--service", help=f"Only this service's DLQ ({', '.join(SERVICES)})."
)
TypeOption = typer.Option(None, "--type", help="Only this event type (ce_type).")
ReasonOption = typer.Option(None, "--reason", help="Only reasons (x-error) containing this text.")
ConsumerOption = typer.Option(None, "--consumer", help="Only this consumer (x-consumer).")
# The most rows `dlq list` shows unless told otherwise: a screenful.
DEFAULT_LIMIT = 50
# Reasons are cut to this many characters in the table; `dlq show` prints them whole.
REASON_WIDTH = 80
# "2026-12-04T02:26:32" of x-failed-at's ISO time: seconds are precise enough in a table.
FAILED_AT_WIDTH = 19


def _services(service: str | None) -> list[str]:
    if service is None:
        return list(SERVICES)
    if service not in SERVICES:
        raise fail(f"unknown service {service!r}; known: {', '.join(SERVICES)}", 2)
    return [service]


@app.command("list")
def list_(
    bootstrap: str | None = BootstrapOption,
    service: str | None = ServiceOption,
    event_type: str | None = TypeOption,
    reason: str | None = ReasonOption,
    consumer: str | None = ConsumerOption,
    limit: int = typer.Option(DEFAULT_LIMIT, min=1, help="Show at most this many, the newest."),
) -> None:
    """A table of dead letters: DLQ position, original topic, event type, consumer, when it
    failed and why. Payloads are never shown here (they may hold personal data)."""
    filters = Filters(event_type, reason, consumer)
    letters = run(read_dead_letters(bootstrap_servers(bootstrap), _services(service), filters))
    shown = letters[-limit:]
    table = Table(title="Dead letters")
    for column in ("service", "partition", "offset", "original topic", "event type", "consumer"):
        table.add_column(column, overflow="fold")  # fold, never cut: an operator copies these
    table.add_column("failed at", overflow="fold")
    table.add_column("reason", overflow="fold", ratio=1)
    for letter in shown:
        original = (
            f"{letter.header('x-original-topic')}"
            f"[{letter.header('x-original-partition')}]@{letter.header('x-original-offset')}"
            if letter.header("x-original-topic")
            else "-"
        )
        table.add_row(
            letter.service, str(letter.partition), str(letter.offset), original,
            letter.event_type or "-", letter.header("x-consumer"),
            letter.header("x-failed-at")[:FAILED_AT_WIDTH],
            letter.reason[:REASON_WIDTH],
        )  # fmt: skip
    console.print(table)
    console.print(f"{len(shown)} shown of {len(letters)} matching")


@app.command()
def show(
    service: str = typer.Argument(help="The service whose DLQ holds it."),
    partition: int = typer.Argument(help="The DLQ partition."),
    offset: int = typer.Argument(help="The DLQ offset."),
    payload: bool = typer.Option(
        False,
        "--payload",
        help="Also print the payload. It MAY HOLD PERSONAL DATA (intake's records carry the "
        "complainant's details): use only where personal data may be seen, never in a ticket.",
    ),
    bootstrap: str | None = BootstrapOption,
) -> None:
    """One dead letter's key and headers; the payload only with --payload (personal data)."""
    [name] = _services(service)
    letter = run(find_dead_letter(bootstrap_servers(bootstrap), name, partition, offset))
    if letter is None:
        raise fail(f"no dead letter at {service} partition {partition} offset {offset}")
    table = Table("header", "value", title=f"{letter.dlq_topic}[{partition}]@{offset}")
    table.add_row("(key)", (letter.key or b"").decode(errors="replace"))
    for header, value in letter.headers:
        table.add_row(header, value.decode(errors="replace"))
    console.print(table)
    if payload:
        console.print(_pretty(letter.value), markup=False, highlight=False)
    else:
        console.print(f"payload: {len(letter.value)} bytes (not shown; --payload to print it)")


def _pretty(value: bytes) -> str:
    try:
        return json.dumps(json.loads(value), indent=2, ensure_ascii=False)
    except ValueError:
        return value.decode(errors="replace")


@app.command("replay")
def replay_(
    service: str = typer.Argument(help="The service whose DLQ holds the dead letters."),
    partition: int | None = typer.Argument(None, help="The DLQ partition (one dead letter)."),
    offset: int | None = typer.Argument(None, help="The DLQ offset (one dead letter)."),
    all_matching: bool = typer.Option(
        False, "--all", help="Replay every dead letter matching the filters."
    ),
    event_type: str | None = TypeOption,
    reason: str | None = ReasonOption,
    consumer: str | None = ConsumerOption,
    yes: bool = typer.Option(False, "--yes", help="Replay --all without filters unasked."),
    bootstrap: str | None = BootstrapOption,
) -> None:
    """Put the original record (value, key, headers without the x- ones) back on its topic, with
    an x-replayed-from header. The consumer's inbox (same ce_id) makes a repeated replay a no-op.
    Fix the cause first: a record replayed unchanged fails the same way again."""
    [name] = _services(service)
    servers = bootstrap_servers(bootstrap)
    letters: list[DeadLetter]
    if all_matching:
        if partition is not None or offset is not None:
            raise fail("give either a partition and offset or --all, not both", 2)
        unfiltered = not (event_type or reason or consumer)
        if unfiltered and not yes and not typer.confirm(f"Replay every dead letter of {name}?"):
            raise fail("nothing replayed", 1)
        letters = run(read_dead_letters(servers, [name], Filters(event_type, reason, consumer)))
    else:
        if partition is None or offset is None:
            raise fail("give the dead letter's partition and offset, or --all with filters", 2)
        found = run(find_dead_letter(servers, name, partition, offset))
        if found is None:
            raise fail(f"no dead letter at {service} partition {partition} offset {offset}")
        letters = [found]
    for letter, (topic, part, off) in zip(letters, run(replay(servers, letters)), strict=True):
        origin = f"{letter.dlq_topic}[{letter.partition}]@{letter.offset}"
        console.print(f"replayed {origin} -> {topic}[{part}]@{off}")
    console.print(f"{len(letters)} replayed")
