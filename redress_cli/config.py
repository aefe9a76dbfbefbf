"""What every command shares: the configuration the services read, and running async work."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

import typer
from aiokafka.errors import KafkaConnectionError
from rich.console import Console

from shared.settings import ServiceSettings

T = TypeVar("T")

# Seconds to wait for the broker before a command gives up: an operator wants an answer quickly.
BROKER_WAIT_SECONDS = 15.0

console = Console()
errors = Console(stderr=True)

BootstrapOption = typer.Option(
    None,
    "--bootstrap",
    help="Kafka bootstrap servers (default: KAFKA_BOOTSTRAP_SERVERS, as the services read it).",
)


def bootstrap_servers(override: str | None) -> str:
    return override or ServiceSettings().kafka_bootstrap_servers


def run(work: Coroutine[Any, Any, T]) -> T:
    # aiokafka logs every refused connection as an error; the command reports failures itself.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    try:
        return asyncio.run(work)
    except (KafkaConnectionError, OSError) as error:
        # Only the error's type and text: no traceback with local values for an operator.
        raise fail(
            f"Kafka or the database did not answer ({type(error).__name__}: {error})"
        ) from None


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print `message` to stderr; the caller raises the returned Exit."""
    errors.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)
